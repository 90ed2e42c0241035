// Seeded, realistic Digital River events generated from drhook's schemas, each validated before it is handed out.
import { generateSync } from 'json-schema-faker';
import { eventType, eventTypes, type EventTypeInfo } from '../catalog/events.js';
import { UsageError } from '../base/errors.js';
import { isRecord } from '../base/is-record.js';
import type { DrEvent, Mode } from './event.js';
import { dressFields, placeholderFor } from './field-values.js';
import { complete, generationSchema, templateLines, type GenerationSchema } from './generation-schema.js';
import { settleLifecycle } from './lifecycle.js';
import { createRandom, deriveSeed, isSeed, maxSeed, newSeed, type Random } from '../base/random.js';
import { createScene, type Scene } from './realism.js';
import { checkApiVersion, currentApiVersion, envelopeTime } from './envelope.js';
import { objectSchemaBundle, validateEvent } from './schemas.js';

export { newSeed } from '../base/random.js';
export { currentApiVersion } from './envelope.js';

export interface GenerateOptions {
  /** Same seed, options and `now` → byte-identical events. Default: a fresh random seed. */
  seed?: number;
  /** 'test' (default) or 'live': sets liveMode on the event and inside data.object. */
  mode?: Mode;
  /** The expanded payload (items[].productDetails with physical and metadata); only for the types that have one. */
  expanded?: boolean;
  /** The event's createdTime; every time inside data.object is at or before it, except scheduled dates. Default: now. */
  now?: Date;
  /** The exact number of line items of resources that have them (orders, fulfillments, invoices, subscriptions…). */
  itemCount?: number;
  /**
   * The API version the webhook is set to (its events' digitalriverVersion): a property of the webhook, the same on
   * every event of a run. Default: the current one, {@link currentApiVersion}.
   */
  digitalriverVersion?: string;
}

/** The largest `itemCount` drhook generates (a 5000-item order is about 8 MB of JSON). */
export const maxItemCount = 5000;

/**
 * The seed event `index` of a sequence generated from `seed` uses: `generateEvent(type, { seed: eventSeed(seed, i) })`
 * reproduces it. Event 0 uses `seed` itself, so `generate --seed N` starts with the event `send --seed N` sends.
 */
export function eventSeed(seed: number, index: number): number {
  return index === 0 ? seed : deriveSeed(seed, index);
}

/** One event of `type`. Throws UsageError for an unknown type or unusable options. */
export function generateEvent(type: string, options: GenerateOptions = {}): DrEvent {
  const info = eventType(type);
  const settings = settingsFrom(options);
  checkExpandable(info, settings.expanded);
  return build(info, settings.seed ?? newSeed(), settings);
}

/**
 * `count` events of each type, type after type; event i is `generateEvent(type, { ...options, seed: eventSeed(seed, i) })`,
 * so a seed gives the same sequence every time.
 */
export function generateEvents(types: readonly string[], count: number, options: GenerateOptions = {}): DrEvent[] {
  return [...eventSequence(types, count, options)];
}

/** The events of generateEvents, one at a time (for streams and large pools). */
export function* eventSequence(types: readonly string[], count: number, options: GenerateOptions = {}): Generator<DrEvent> {
  if (!Number.isSafeInteger(count) || count < 0) throw new UsageError(`count must be a whole number of at least 0, got ${count}`);
  const infos = types.map((type) => eventType(type));
  const settings = settingsFrom(options);
  for (const info of infos) checkExpandable(info, settings.expanded);
  const seed = settings.seed ?? newSeed();
  let index = 0;
  for (const info of infos) {
    for (let n = 0; n < count; n++) yield build(info, eventSeed(seed, index++), settings);
  }
}

interface Settings {
  seed?: number;
  mode: Mode;
  expanded: boolean;
  now: Date;
  itemCount?: number;
  digitalriverVersion: string;
}

function settingsFrom(options: GenerateOptions): Settings {
  const { seed, mode = 'test', expanded = false, now = new Date(), itemCount, digitalriverVersion = currentApiVersion } = options;
  checkApiVersion(digitalriverVersion);
  if (seed !== undefined && !isSeed(seed)) throw new UsageError(`seed must be a whole number from 0 to ${maxSeed}, got ${seed}`);
  if (mode !== 'test' && mode !== 'live') throw new UsageError(`mode must be test or live, got '${String(mode)}'`);
  if (!(now instanceof Date) || Number.isNaN(now.getTime())) throw new UsageError('now must be a valid date');
  if (itemCount !== undefined && (!Number.isSafeInteger(itemCount) || itemCount < 1 || itemCount > maxItemCount)) {
    throw new UsageError(`itemCount must be a whole number from 1 to ${maxItemCount}, got ${itemCount}`);
  }
  return { mode, expanded, now, digitalriverVersion, ...(seed !== undefined ? { seed } : {}), ...(itemCount !== undefined ? { itemCount } : {}) };
}

function checkExpandable(info: EventTypeInfo, expanded: boolean): void {
  if (expanded && !info.expandedSchema) {
    const expandable = eventTypes().filter((entry) => entry.expandedSchema).map((entry) => entry.type);
    throw new UsageError(`${info.type} has no expanded form; only ${expandable.join(', ')} do`);
  }
}

/** Resources whose events follow a purchase within minutes; the others describe things that have existed for months. */
const purchaseResources = new Set([
  'Order', 'Charge', 'Refund', 'Fulfillment', 'Checkout', 'CheckoutSession', 'Source', 'Invoice', 'Return',
  'FulfillmentOrder', 'FulfillmentCancellation', 'FulfillmentReturn', 'Shipment', 'SalesTransaction', 'Payout',
]);

/** Events whose data.object is empty, the resource's last attributes being in data.previousAttributes. */
function isDeletion(info: EventTypeInfo): boolean {
  return info.type.endsWith('.deleted') && info.schema.endsWith('.partial.schema.json');
}

/** The type whose (full) schema describes the resource of `info`: itself, or for a deletion a sibling with the full schema. */
function describingType(info: EventTypeInfo): EventTypeInfo {
  if (!isDeletion(info)) return info;
  const full = info.schema.replace('.partial.schema.json', '.schema.json');
  return eventTypes().find((entry) => entry.resource === info.resource && entry.schema === full) ?? info;
}

const bundles = new Map<string, Record<string, unknown>>();
const generationSchemas = new Map<string, GenerationSchema>();

/** The generation schema of a type for a purchase of `lineCount` lines, built once (schema files do not change at run time). */
function schemaFor(info: EventTypeInfo, expanded: boolean, lineCount: number): GenerationSchema {
  const variant = `${info.type}|${expanded}`;
  const key = `${variant}|${Math.min(lineCount, templateLines)}`;
  let schema = generationSchemas.get(key);
  if (!schema) {
    let bundle = bundles.get(variant);
    if (!bundle) {
      bundle = withExampleKeys(objectSchemaBundle(info.type, { expanded }), info.exampleKeys);
      bundles.set(variant, bundle);
    }
    schema = generationSchema(bundle, info.resource, lineCount, placeholderFor);
    generationSchemas.set(key, schema);
  }
  return schema;
}

/**
 * The schema's top level fitted to the docs' examples of the type: the keys every example has always generated, keys
 * no example has left out.
 */
function withExampleKeys(bundle: Record<string, unknown>, keys: EventTypeInfo['exampleKeys']): Record<string, unknown> {
  if (!keys || !isRecord(bundle.properties)) return bundle;
  const seen = new Set(keys.seen);
  const properties = Object.fromEntries(Object.entries(bundle.properties).filter(([key]) => seen.has(key)));
  const required = Array.isArray(bundle.required) ? (bundle.required as string[]) : [];
  return { ...bundle, properties, required: [...new Set([...required, ...keys.shared])].filter((key) => key in properties) };
}

/**
 * For a priced document (an order) whose examples all ship goods (have shipFrom), goods that ship; for one whose
 * examples never do, goods that do not (a purchase with nothing to ship has no shipFrom or shippingChoice).
 */
function goodsOf(info: EventTypeInfo): 'physical' | 'digital' | undefined {
  const keys = info.exampleKeys;
  if (!keys?.seen.includes('totalShipping')) return undefined;
  if (keys.shared.includes('shipFrom')) return 'physical';
  return keys.seen.includes('shipFrom') ? undefined : 'digital';
}

/** Drops what the lifecycle added that no example of the type has (a failed refund's failureReason, say). */
function keepExampleKeys(object: Record<string, unknown>, keys: EventTypeInfo['exampleKeys']): void {
  if (!keys) return;
  for (const key of Object.keys(object)) if (!keys.seen.includes(key)) delete object[key];
}

/**
 * One event of `type` in a world given by `sceneFor` (a story's: its events share ids, lines and people), which makes
 * the event's scene from its random numbers; `now` is the event's time. The caller validates what it changes after.
 */
export function generateInScene(type: string, seed: number, options: GenerateOptions & { now: Date }, sceneFor: (random: Random) => Scene): DrEvent {
  const info = eventType(type);
  const settings = settingsFrom(options);
  checkExpandable(info, settings.expanded);
  return build(info, seed, settings, sceneFor);
}

function build(info: EventTypeInfo, seed: number, settings: Settings, sceneFor?: (random: Random) => Scene): DrEvent {
  const { mode, expanded, now, itemCount } = settings;
  const random = createRandom(seed);
  const lookback = info.type.endsWith('.created') || purchaseResources.has(info.resource) ? 'minutes' : 'months';
  const renewing = info.resource === 'Subscription' || info.resource === 'Plan' || info.resource === 'Invoice';
  const goods = goodsOf(info);
  const scene = sceneFor?.(random) ?? createScene(random, { mode, now, lookback, renewing, ...(goods ? { goods } : {}), ...(itemCount !== undefined ? { lineCount: itemCount } : {}) });
  const source = describingType(info);
  const { schema, faker } = schemaFor(source, expanded, scene.lineCount);
  const generated = generateSync(faker, {
    seed: random.uint32(),
    optionalsProbability: 0.1,
    // Deep enough for an invoice's source's owner's address inside subscription events.
    maxDepth: 12,
    useExamplesValue: true,
    maxDefaultItems: 2,
    minDateTime: '2020-01-01T00:00:00Z',
    maxDateTime: '2020-12-31T00:00:00Z',
  });
  const object = complete(generated, schema) as Record<string, unknown>;
  dressFields(object, schema, source.resource, scene);
  settleLifecycle(object, info, schema, scene);

  const deletion = isDeletion(info);
  if (!deletion) keepExampleKeys(object, info.exampleKeys);
  const previousAttributes = deletion ? object : previousAttributesOf(object, info, scene);
  const event: DrEvent = {
    id: random.uuid(),
    type: info.type,
    data: { object: deletion ? {} : object, ...(previousAttributes ? { previousAttributes } : {}) },
    liveMode: mode === 'live',
    createdTime: envelopeTime(now, random.int(0, 999)),
    // Most of the docs' examples carry neither list; a few carry the webhooks the event went to, two an empty versionIds.
    ...(random.chance(0.3) ? { webhookIds: Array.from({ length: random.int(1, 4) }, () => random.uuid()) } : {}),
    ...(random.chance(0.05) ? { versionIds: [] } : {}),
    digitalriverVersion: settings.digitalriverVersion,
  };
  const violations = validateEvent(event, { expanded });
  if (violations.length > 0) {
    const listed = violations.slice(0, 5).map((v) => `${v.pointer || '/'} ${v.message}`).join('; ');
    throw new Error(`drhook generated an invalid ${info.type} event (seed ${seed}${expanded ? ', expanded' : ''}): ${listed}`);
  }
  return event;
}

/** The state an `.updated` event's resource was in before the change, where the change is a state change. */
const previousStates: Record<string, string> = {
  'Subscription:active': 'draft',
  'Plan:active': 'draft',
  'TaxIdentifier:verified': 'pending',
  'Invoice:open': 'draft',
  'Refund:succeeded': 'pending',
};

/** data.previousAttributes of an `.updated` event: the update time before this change, and the state if it changed. */
function previousAttributesOf(object: Record<string, unknown>, info: EventTypeInfo, scene: Scene): Record<string, unknown> | undefined {
  if (!info.type.endsWith('.updated') || typeof object.updatedTime !== 'string') return undefined;
  const created = Date.parse(typeof object.createdTime === 'string' ? object.createdTime : object.updatedTime);
  const updated = Date.parse(object.updatedTime);
  const previous: Record<string, unknown> = { updatedTime: scene.timeBetween(new Date(created), new Date(Math.max(created, updated - 1000))) };
  const state = typeof object.state === 'string' ? previousStates[`${info.resource}:${object.state}`] : undefined;
  if (state) previous.state = state;
  return previous;
}

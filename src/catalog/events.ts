// The catalog of Digital River event types (schemas/catalog.json): each type's category, resource and data.object schema.
import fs from 'node:fs';
import path from 'node:path';
import { distance } from 'fastest-levenshtein';
import { UsageError } from '../base/errors.js';
import { schemasDir } from '../base/paths.js';

export interface EventTypeInfo {
  type: string;
  category: string;
  resource: string;
  /** The data.object schema, relative to schemas/ (e.g. `objects/order.schema.json`). */
  schema: string;
  /** The schema of the expanded form (items[].productDetails with physical and metadata), for the four expandable types. */
  expandedSchema?: string;
  /** False when the public record does not describe this type's data.object (drhook then assumes the closest resource). */
  documented: boolean;
  note?: string;
  /** The resource state the event implies (e.g. order.accepted → "accepted"), where it is certain. */
  state?: string;
  /** Present when Digital River no longer sends the type: the release note that retired it. drhook still generates it. */
  retired?: string;
  /**
   * For a type the docs show in complete examples: data.object's top-level keys every example has (`shared`) and any
   * has (`seen`). Generated events carry at least the shared keys and no key outside the seen ones.
   */
  exampleKeys?: { shared: readonly string[]; seen: readonly string[]; examples: number };
}

let cached: { list: readonly EventTypeInfo[]; byType: ReadonlyMap<string, EventTypeInfo> } | undefined;

function load(): NonNullable<typeof cached> {
  if (!cached) {
    const file = path.join(schemasDir, 'catalog.json');
    const { events } = JSON.parse(fs.readFileSync(file, 'utf8')) as { events: EventTypeInfo[] };
    const list = Object.freeze(events.map((entry) => Object.freeze(entry)));
    cached = { list, byType: new Map(list.map((entry) => [entry.type, entry])) };
  }
  return cached;
}

/** All supported event types, in the catalog's (Digital River's category) order. */
export function eventTypes(): readonly EventTypeInfo[] {
  return load().list;
}

export function isEventType(type: string): boolean {
  return load().byType.has(type);
}

/** The catalog entry of a type; an unknown type is a usage error naming the closest known ones. */
export function eventType(type: string): EventTypeInfo {
  const entry = load().byType.get(type);
  if (entry) return entry;
  throw new UsageError(`${unknownTypeMessage(type)}. Run \`drhook events\` for the list.`);
}

/** "unknown event type 'x' (did you mean 'a', 'b'?)" */
export function unknownTypeMessage(type: string): string {
  const closest = closestTypes(type);
  const hint = closest.length ? ` (did you mean ${closest.map((t) => `'${t}'`).join(', ')}?)` : '';
  return `unknown event type '${type}'${hint}`;
}

/** The known types nearest to `name` by edit distance (ignoring case), nearest first. */
export function closestTypes(name: string, count = 3): string[] {
  const wanted = name.toLowerCase();
  return load()
    .list.map((entry) => ({ type: entry.type, d: distance(wanted, entry.type.toLowerCase()) }))
    .sort((a, b) => a.d - b.d)
    .slice(0, count)
    .map((candidate) => candidate.type);
}

/** The types grouped by category, in catalog order. */
export function categories(): Array<{ category: string; types: EventTypeInfo[] }> {
  const groups = new Map<string, EventTypeInfo[]>();
  for (const entry of load().list) {
    const group = groups.get(entry.category) ?? [];
    group.push(entry);
    groups.set(entry.category, group);
  }
  return [...groups].map(([category, types]) => ({ category, types }));
}

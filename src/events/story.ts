// Stories: the events of one order's lifecycle in Digital River's order, about the same order, items and money, at times that advance.
import { UsageError } from '../base/errors.js';
import { isRecord } from '../base/is-record.js';
import { createRandom, deriveSeed, isSeed, maxSeed, newSeed } from '../base/random.js';
import type { DrEvent, Mode } from './event.js';
import { eventSeed, generateInScene, maxItemCount } from './generate.js';
import { createScene, idKinds, sceneAt, type Scene } from './realism.js';
import { validateEvent } from './schemas.js';
import { purchaseTotals } from './totals.js';

type Json = Record<string, unknown>;

export const storyKinds = ['order'] as const;
export type StoryKind = (typeof storyKinds)[number];

const second = 1000;
const minute = 60 * second;
const hour = 60 * minute;
const day = 24 * hour;

interface Step {
  type: string;
  /** How long after the step before it this one happens, in milliseconds: [least, most]. */
  after: readonly [number, number];
}

/**
 * An order's lifecycle as Digital River's order, charge and refund pages tell it: the charge is authorized, the order
 * accepted, fulfilled, its charge captured in full, the order complete; days later part or all of it is refunded.
 */
const orderSteps: readonly Step[] = [
  { type: 'order.charge.capturable', after: [0, 0] },
  { type: 'order.accepted', after: [1 * second, 5 * second] },
  { type: 'fulfillment.created', after: [5 * minute, 2 * day] },
  { type: 'order.fulfilled', after: [1 * second, 10 * second] },
  { type: 'order.charge.capture.pending', after: [1 * second, 10 * second] },
  { type: 'order.charge.capture.complete', after: [10 * second, 2 * minute] },
  { type: 'order.charge.complete', after: [1 * second, 5 * second] },
  { type: 'order.complete', after: [1 * second, 5 * second] },
  { type: 'refund.pending', after: [1 * day, 14 * day] },
  { type: 'refund.complete', after: [1 * minute, 2 * hour] },
];

/** The event types of a story, in the order Digital River sends them. */
export function storyTypes(kind: StoryKind = 'order'): readonly string[] {
  checkKind(kind);
  return orderSteps.map((step) => step.type);
}

export interface Story {
  kind: StoryKind;
  /** `generateStory(kind, { seed })` makes this story again (with the same other options). */
  seed: number;
  /** The order every event is about. */
  orderId: string;
  /** The story's events in the order Digital River sends them, their createdTime increasing. */
  events: DrEvent[];
}

export interface StoryOptions {
  /** Same seed, options and `now` → the same story. Default: a fresh random seed. */
  seed?: number;
  mode?: Mode;
  /** The createdTime of the story's last step; the earlier steps happened before it. Default: now. */
  now?: Date;
  /** The exact number of line items of the order. */
  itemCount?: number;
  /** Only the steps of these types (the story's times, ids and money stay those of the whole story). Default: every step. */
  types?: readonly string[];
  /** Types to generate in their expanded form (items[].productDetails with physical and metadata). */
  expanded?: readonly string[];
  /** The API version the webhook is set to (every event's digitalriverVersion). Default: the current one. */
  digitalriverVersion?: string;
}

/** One order's lifecycle: every event about the same order, items, charge and amounts, in Digital River's order. */
export function generateStory(kind: StoryKind = 'order', options: StoryOptions = {}): Story {
  checkKind(kind);
  const { seed = newSeed(), mode = 'test', now = new Date(), itemCount } = options;
  if (!isSeed(seed)) throw new UsageError(`seed must be a whole number from 0 to ${maxSeed}, got ${seed}`);
  if (!(now instanceof Date) || Number.isNaN(now.getTime())) throw new UsageError('now must be a valid date');
  if (itemCount !== undefined && (!Number.isSafeInteger(itemCount) || itemCount < 1 || itemCount > maxItemCount)) {
    throw new UsageError(`itemCount must be a whole number from 1 to ${maxItemCount}, got ${itemCount}`);
  }
  const wanted = new Set(options.types ?? orderSteps.map((step) => step.type));
  for (const type of wanted) {
    if (!orderSteps.some((step) => step.type === type)) throw new UsageError(`${type} is not a step of the ${kind} story (its steps: ${storyTypes(kind).join(', ')})`);
  }
  const expanded = new Set(options.expanded ?? []);
  const facts = storyFacts(seed, mode, now, itemCount);

  const events: DrEvent[] = [];
  orderSteps.forEach((step, index) => {
    if (!wanted.has(step.type)) return;
    const at = new Date(facts.time(step.type));
    const event = generateInScene(
      step.type,
      eventSeed(seed, index + 1),
      { mode, now: at, expanded: expanded.has(step.type), ...(itemCount !== undefined ? { itemCount } : {}), ...(options.digitalriverVersion ? { digitalriverVersion: options.digitalriverVersion } : {}) },
      (random) => sceneAt(facts.scene, random, at),
    );
    align(event, facts);
    const violations = validateEvent(event, { expanded: expanded.has(step.type) });
    if (violations.length > 0) {
      const listed = violations.slice(0, 5).map((v) => `${v.pointer || '/'} ${v.message}`).join('; ');
      throw new Error(`drhook made an invalid ${step.type} event in the ${kind} story of seed ${seed}: ${listed}`);
    }
    events.push(event);
  });
  return { kind, seed, orderId: facts.orderId, events };
}

/** What a scenario says about the events a receiver subscribes to: each type's weight (a Scenario is one). */
export interface StoryWeights {
  events: ReadonlyArray<{ type: string; weight: number; expanded?: boolean }>;
}

export interface StoryStep {
  type: string;
  /** The share of stories that include this step: its weight over the heaviest of the story's subscribed types. */
  share: number;
  expanded: boolean;
}

/**
 * The story's steps a scenario subscribes to, in story order, each with the share of orders that include it. A lighter
 * step is included only in orders that include every heavier one (one draw per order), so a story is always coherent:
 * with order.accepted at 5 and refund.complete at 1, every order is accepted and one in five is refunded.
 */
export function storySteps(scenario: StoryWeights, kind: StoryKind = 'order'): StoryStep[] {
  const subscribed = new Map(scenario.events.map((event) => [event.type, event]));
  const steps = storyTypes(kind).flatMap((type) => {
    const event = subscribed.get(type);
    return event ? [{ type, weight: event.weight, expanded: event.expanded ?? false }] : [];
  });
  const heaviest = Math.max(0, ...steps.map((step) => step.weight));
  return steps.map(({ type, weight, expanded }) => ({ type, share: heaviest > 0 ? weight / heaviest : 0, expanded }));
}

export interface StoriesOptions {
  /** The event types and weights (a Scenario from loadScenario). Default: every step of the story in every order. */
  scenario?: StoryWeights;
  seed?: number;
  mode?: Mode;
  /** The createdTime of each story's last step. Default: now. */
  now?: Date;
  /** How many stories. Default: as many as are taken. */
  count?: number;
  kind?: StoryKind;
  /** The API version the webhook is set to (every event's digitalriverVersion). Default: the current one. */
  digitalriverVersion?: string;
}

/**
 * Stories one after another, each about its own order: story i is `generateStory(kind, { seed: eventSeed(seed, i) })`
 * limited to the steps the scenario subscribes to, each step in the share of orders its weight gives.
 */
export function* stories(options: StoriesOptions = {}): Generator<Story> {
  const { kind = 'order', seed = newSeed(), mode, now, count = Number.POSITIVE_INFINITY, digitalriverVersion } = options;
  if (!isSeed(seed)) throw new UsageError(`seed must be a whole number from 0 to ${maxSeed}, got ${seed}`);
  if (!(count >= 0)) throw new UsageError(`count must be at least 0, got ${count}`);
  const steps = options.scenario ? storySteps(options.scenario, kind) : storyTypes(kind).map((type) => ({ type, share: 1, expanded: false }));
  if (steps.length === 0) throw new UsageError(`the scenario subscribes to none of the ${kind} story's event types (${storyTypes(kind).join(', ')})`);
  for (let index = 0; index < count; index++) {
    const storySeed = eventSeed(seed, index);
    // One draw per story, apart from the story's own numbers: a lighter step is in a subset of the heavier ones' stories.
    const draw = createRandom(deriveSeed(storySeed, 0x5eed)).next();
    const types = steps.filter((step) => draw < step.share).map((step) => step.type);
    const expanded = steps.filter((step) => step.expanded).map((step) => step.type);
    yield generateStory(kind, { seed: storySeed, types, expanded, ...(mode ? { mode } : {}), ...(now ? { now } : {}), ...(digitalriverVersion ? { digitalriverVersion } : {}) });
  }
}

function checkKind(kind: string): asserts kind is StoryKind {
  if (!(storyKinds as readonly string[]).includes(kind)) throw new UsageError(`unknown story '${kind}': the stories are ${storyKinds.join(', ')}`);
}

// ---- the facts every event of a story agrees on -----------------------------------------------------------------

interface Facts {
  scene: Scene;
  orderId: string;
  chargeId: string;
  sourceId: string;
  origin: number;
  /** When a step happened (its event's createdTime), in milliseconds. */
  time(type: string): number;
  total: number;
  refund: { amount: number; line?: number };
  captureId: string;
  refundOperationId: string;
  /** Why the customer was refunded: the same on every refund event. */
  refundReason: string;
}

function storyFacts(seed: number, mode: Mode, now: Date, itemCount: number | undefined): Facts {
  const random = createRandom(seed);
  let elapsed = 0;
  const offsets = orderSteps.map((step) => (elapsed += random.int(step.after[0], step.after[1])));
  // Envelope times carry milliseconds; times inside data.object are whole seconds.
  const end = now.getTime();
  const times = new Map(orderSteps.map((step, i) => [step.type, end - (elapsed - offsets[i]!)]));
  const first = end - elapsed;
  const origin = Math.floor((first - random.int(5, 60) * second) / second) * second;
  const world = createScene(random, { mode, now, lookback: 'minutes', ...(itemCount !== undefined ? { lineCount: itemCount } : {}) });
  const scene: Scene = { ...world, origin: new Date(origin) };
  // Every id and line made now: which steps a story includes changes none of them.
  for (const kind of idKinds) scene.id(kind);
  for (let i = 0; i < scene.lineCount; i++) scene.line(i);
  const totals = purchaseTotals(scene);
  const partial = scene.lineCount > 1 && random.chance(0.5);
  const firstLine = totals.lines[0]!;
  return {
    scene,
    orderId: scene.id('order'),
    chargeId: scene.id('charge'),
    sourceId: scene.id('source'),
    origin,
    time: (type) => times.get(type)!,
    total: totals.totalAmount,
    refund: partial ? { amount: scene.round(firstLine.amount + firstLine.tax), line: 0 } : { amount: totals.totalAmount },
    captureId: random.uuid(),
    refundOperationId: random.uuid(),
    refundReason: random.pick(['Customer request', 'Damaged in transit', 'Wrong size', 'Duplicate order']),
  };
}

function iso(ms: number): string {
  return `${new Date(Math.floor(ms / second) * second).toISOString().slice(0, -5)}Z`;
}

function records(value: unknown): Json[] {
  return Array.isArray(value) ? value.filter(isRecord) : [];
}

/** Makes an event's data.object agree with the story: the order's transitions, the charge's operations, the refund. */
function align(event: DrEvent, facts: Facts): void {
  const object = event.data.object;
  if (!isRecord(object)) return;
  const t = facts.time(event.type);
  if (event.type.startsWith('order.charge.')) alignCharge(object, facts, t);
  else if (event.type.startsWith('order.')) alignOrder(object, facts, t);
  else if (event.type === 'fulfillment.created') {
    object.createdTime = iso(t - second);
    if (isRecord(object.orderDetails)) alignOrder(object.orderDetails, facts, t);
  } else if (event.type.startsWith('refund.')) alignRefund(object, facts, t);
}

const orderStates = ['accepted', 'fulfilled', 'complete'] as const;
const stateSteps: Record<(typeof orderStates)[number], string> = { accepted: 'order.accepted', fulfilled: 'order.fulfilled', complete: 'order.complete' };

function alignOrder(order: Json, facts: Facts, t: number): void {
  const reached = orderStates.filter((state) => facts.time(stateSteps[state]) <= t);
  const transitions = Object.fromEntries(reached.map((state) => [state, iso(facts.time(stateSteps[state]) - second)]));
  const last = reached.at(-1);
  if (isRecord(order.stateTransitions)) order.stateTransitions = transitions;
  if ('updatedTime' in order && last) order.updatedTime = transitions[last];
  if ('createdTime' in order) order.createdTime = iso(facts.origin);
  if (isRecord(order.fraudStateTransitions)) order.fraudStateTransitions = { passed: iso(facts.time('order.accepted') - 2 * second) };
  for (const item of records(order.items)) {
    if (!isRecord(item.stateTransitions)) continue;
    const fulfilled = facts.time('order.fulfilled') <= t;
    item.stateTransitions = { created: iso(facts.origin + second), ...(fulfilled && item.state === 'fulfilled' ? { fulfilled: transitions.fulfilled } : {}) };
  }
  const captured = facts.time('order.charge.capture.complete') <= t ? facts.total : 0;
  const refunded = facts.time('refund.complete') <= t ? facts.refund.amount : 0;
  if ('capturedAmount' in order) order.capturedAmount = captured;
  if ('refundedAmount' in order) order.refundedAmount = refunded;
  if ('availableToRefundAmount' in order) order.availableToRefundAmount = facts.scene.round(captured - refunded);
  if (captured === 0) for (const item of records(order.items)) if ('availableToRefundAmount' in item) item.availableToRefundAmount = 0;
  const charge = isRecord(order.payment) ? records(order.payment.charges)[0] : undefined;
  if (charge) alignCharge(charge, facts, t);
}

/** The order's charge as of `t`: authorized, its capture pending then complete, then the refund. */
function alignCharge(charge: Json, facts: Facts, t: number): void {
  const happened = (type: string) => facts.time(type) <= t;
  charge.id = facts.chargeId;
  if ('sourceId' in charge) charge.sourceId = facts.sourceId;
  if ('orderId' in charge) charge.orderId = facts.orderId;
  if ('createdTime' in charge) charge.createdTime = iso(facts.origin);
  charge.amount = facts.total;
  const capturing = happened('order.charge.capture.pending');
  const captured = happened('order.charge.capture.complete');
  const refunding = happened('refund.pending');
  const refunded = happened('refund.complete');
  // As in Digital River's samples: processing while a capture is pending, capturable again once it completes, then complete.
  charge.state = happened('order.charge.complete') ? 'complete' : capturing && !captured ? 'processing' : 'capturable';
  if (capturing) {
    charge.captures = [{ id: facts.captureId, createdTime: iso(facts.time('order.charge.capture.pending') - second), amount: facts.total, state: captured ? 'complete' : 'pending' }];
  } else delete charge.captures;
  if (refunding) {
    charge.refunds = [{ id: facts.refundOperationId, createdTime: iso(facts.time('refund.pending') - second), amount: facts.refund.amount, state: refunded ? 'complete' : 'pending' }];
  } else delete charge.refunds;
  delete charge.cancels;
  delete charge.failureCode;
  delete charge.failureMessage;
  if ('captured' in charge || capturing) charge.captured = capturing;
  if ('refunded' in charge || refunding) charge.refunded = refunded;
}

function alignRefund(refund: Json, facts: Facts, t: number): void {
  const complete = facts.time('refund.complete') <= t;
  const { amount, line } = facts.refund;
  refund.orderId = facts.orderId;
  refund.createdTime = iso(facts.time('refund.pending') - second);
  refund.state = complete ? 'succeeded' : 'pending';
  if ('reason' in refund) refund.reason = facts.refundReason;
  refund.refundedAmount = complete ? amount : 0;
  delete refund.type;
  delete refund.tokenInformation;
  delete refund.failureReason;
  delete refund.expiresTime;
  // As the docs' examples show: a refund of an amount carries it and an empty items[]; a refund of items carries
  // each item's amount and what of it is refunded, and no amount of its own.
  if (line === undefined) {
    refund.amount = amount;
    refund.items = [];
  } else {
    const refunded = facts.scene.line(line);
    delete refund.amount;
    refund.items = [{ amount, quantity: refunded.quantity, refundedAmount: complete ? amount : 0, skuId: refunded.skuId, itemId: refunded.itemId }];
  }
  if (Array.isArray(refund.charges)) {
    refund.charges = [{
      id: facts.chargeId,
      captured: true,
      refunded: complete,
      sourceId: facts.sourceId,
      refunds: [{ createdTime: iso(facts.time('refund.pending') - second), amount, state: complete ? 'complete' : 'pending' }],
    }];
  }
}

// The pool a load run stamps its requests from: events generated from the schemas before the clock starts, serialized once with fixed-width id and time slots.
import { envelopeTimeWidth } from '../events/envelope.js';
import type { Mode } from '../events/event.js';
import { eventSeed, generateEvent } from '../events/generate.js';
import { createRandom } from '../base/random.js';
import type { LoadEvent } from './settings.js';

/** A UUID: `xxxxxxxx-xxxx-4xxx-yxxx-xxxxxxxxxxxx`. */
export const ID_WIDTH = 36;
/** An ISO 8601 time with microseconds, as Digital River writes the envelope's: `2026-11-22T14:15:03.123456Z`. */
export const CREATED_WIDTH = envelopeTimeWidth;

const idPlaceholder = '#'.repeat(ID_WIDTH);
const createdPlaceholder = '~'.repeat(CREATED_WIDTH);

export interface EventTemplate {
  type: string;
  /** The serialized event; the bytes at the id and createdTime slots are overwritten for every request. */
  body: Buffer;
  idOffset: number;
  createdOffset: number;
  /** In a pool of stories: the story the event belongs to, and where its order id sits in the body (a new one each pass). */
  story?: number;
  orderIdAt?: number[];
}

export interface EventPool {
  templates: EventTemplate[];
  /** Template indexes in sending order, each type as often as its weight asks; requests cycle through it. */
  order: Uint32Array;
}

/** Length of the sending order: weights are honoured to a thousandth. */
const ORDER_LENGTH = 1000;

/**
 * `size` events spread over the types by weight (at least one per type), generated with seeds derived from `seed`,
 * and the order they are sent in.
 */
export function buildPool(events: readonly LoadEvent[], options: { mode: Mode; seed: number; size: number; now?: Date; digitalriverVersion?: string }): EventPool {
  const totalWeight = events.reduce((sum, event) => sum + event.weight, 0);
  const perType = apportion(events.map((event) => event.weight / totalWeight), Math.max(options.size, events.length), 1);
  const now = options.now ?? new Date();
  const templates: EventTemplate[] = [];
  const byType: number[][] = [];
  let index = 0;
  events.forEach((event, typeIndex) => {
    const mine: number[] = [];
    for (let n = 0; n < perType[typeIndex]!; n++) {
      const generated = generateEvent(event.type, {
        seed: eventSeed(options.seed, index++),
        mode: options.mode,
        expanded: event.expanded,
        now,
        ...(options.digitalriverVersion ? { digitalriverVersion: options.digitalriverVersion } : {}),
      });
      mine.push(templates.length);
      templates.push(templateOf(event.type, { ...generated, id: idPlaceholder, createdTime: createdPlaceholder }));
    }
    byType.push(mine);
  });

  const slots = apportion(events.map((event) => event.weight / totalWeight), Math.max(ORDER_LENGTH, events.length), 1);
  const order: number[] = [];
  byType.forEach((mine, typeIndex) => {
    for (let n = 0; n < slots[typeIndex]!; n++) order.push(mine[n % mine.length]!);
  });
  shuffle(order, options.seed);
  return { templates, order: Uint32Array.from(order) };
}

export function templateOf(type: string, event: object): EventTemplate {
  const body = Buffer.from(JSON.stringify(event), 'utf8');
  return { type, body, idOffset: uniqueSlot(body, `"id":"${idPlaceholder}"`, 6), createdOffset: uniqueSlot(body, `"createdTime":"${createdPlaceholder}"`, 15) };
}

function uniqueSlot(body: Buffer, marker: string, skip: number): number {
  const at = body.indexOf(marker, 0, 'latin1');
  if (at < 0 || body.indexOf(marker, at + 1, 'latin1') >= 0) throw new Error(`an event template must hold ${marker.slice(0, skip + 1)}… exactly once`);
  return at + skip;
}

/** Whole numbers, at least `min` each, summing to `total` and proportional to `shares` (largest remainder). */
function apportion(shares: readonly number[], total: number, min: number): number[] {
  const spare = total - min * shares.length;
  const exact = shares.map((share) => share * spare);
  const counts = exact.map((value) => min + Math.floor(value));
  let left = total - counts.reduce((sum, count) => sum + count, 0);
  const byRemainder = exact.map((value, i) => ({ i, remainder: value - Math.floor(value) })).sort((a, b) => b.remainder - a.remainder || a.i - b.i);
  for (const { i } of byRemainder) {
    if (left-- <= 0) break;
    counts[i]!++;
  }
  return counts;
}

/** Fisher–Yates with drhook's seeded generator: the same seed sends the same order. */
function shuffle(values: number[], seed: number): void {
  const random = createRandom(seed);
  for (let i = values.length - 1; i > 0; i--) {
    const j = random.int(0, i);
    [values[i], values[j]] = [values[j]!, values[i]!];
  }
}

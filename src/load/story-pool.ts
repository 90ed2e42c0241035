// The pool of a load run that sends stories: orders' lifecycles, each order's events in Digital River's order, the orders interleaved.
import type { Mode } from '../events/event.js';
import { stories, storySteps } from '../events/story.js';
import { createRandom } from '../base/random.js';
import { CREATED_WIDTH, ID_WIDTH, templateOf, type EventPool, type EventTemplate } from './pool.js';
import type { LoadEvent } from './settings.js';

/** Digital River's numeric order ids: 12 digits, the last four 0336. */
export const ORDER_ID_WIDTH = 12;

const idPlaceholder = '#'.repeat(ID_WIDTH);
const createdPlaceholder = '~'.repeat(CREATED_WIDTH);

/**
 * Stories of the scenario's order-story types (each step in the share of orders its weight gives) until the pool holds
 * `size` events (at least one story), and the sending order: one pass through every story's events, each story's in
 * its order, the next story to advance drawn by the seed. Each template marks where its order id sits, so that every
 * pass can be about new orders.
 */
export function buildStoryPool(
  events: readonly LoadEvent[],
  options: { mode: Mode; seed: number; size: number; now?: Date; digitalriverVersion?: string },
): EventPool & { stories: number } {
  const templates: EventTemplate[] = [];
  const byStory: number[][] = [];
  const scenario = { events };
  for (const story of stories({
    scenario,
    seed: options.seed,
    mode: options.mode,
    ...(options.now ? { now: options.now } : {}),
    ...(options.digitalriverVersion ? { digitalriverVersion: options.digitalriverVersion } : {}),
  })) {
    const mine: number[] = [];
    for (const event of story.events) {
      const template = templateOf(event.type, { ...event, id: idPlaceholder, createdTime: createdPlaceholder });
      mine.push(templates.length);
      templates.push({ ...template, story: byStory.length, orderIdAt: offsetsOf(template.body, story.orderId) });
    }
    if (mine.length > 0) byStory.push(mine);
    if (templates.length >= options.size) break;
  }

  // Interleaved: the story that sends next is drawn among those with events left; each story's events stay in order.
  const random = createRandom(options.seed);
  const next = byStory.map(() => 0);
  const open = byStory.map((_, index) => index);
  const order: number[] = [];
  while (open.length > 0) {
    const at = random.int(0, open.length - 1);
    const story = open[at]!;
    order.push(byStory[story]![next[story]!++]!);
    if (next[story] === byStory[story]!.length) open.splice(at, 1);
  }
  return { templates, order: Uint32Array.from(order), stories: byStory.length };
}

/** The story types of a scenario's events a load run with stories sends, and those it leaves out. */
export function storyCoverage(events: readonly LoadEvent[]): { sent: string[]; left: string[] } {
  const sent = storySteps({ events }).map((step) => step.type);
  return { sent, left: events.map((event) => event.type).filter((type) => !sent.includes(type)) };
}

/** Where `"<order id>"` sits in the body: the offsets of the id itself. */
function offsetsOf(body: Buffer, orderId: string): number[] {
  if (orderId.length !== ORDER_ID_WIDTH) throw new Error(`an order id of ${ORDER_ID_WIDTH} characters was expected, got '${orderId}'`);
  const marker = `"${orderId}"`;
  const offsets: number[] = [];
  for (let at = body.indexOf(marker, 0, 'latin1'); at >= 0; at = body.indexOf(marker, at + marker.length, 'latin1')) offsets.push(at + 1);
  return offsets;
}

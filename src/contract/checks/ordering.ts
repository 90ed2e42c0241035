// ordering.out-of-order: Digital River promises no delivery order and retries arrive late; one order's events, delivered backwards and at once, must not break the receiver.
import type { DeliveryOutcome } from '../../wire/outcome.js';
import { ms } from '../../wire/ack.js';
import { generateStory, storyTypes } from '../../events/story.js';
import { answered, isRedirect } from '../judges.js';
import { checkFamily, type Judge, type PlanContext } from '../family.js';
import { plainDelivery } from '../request.js';

/** What is wrong with one answer by this check's rule, or undefined when it passes (a 2xx, or a 4xx asking for a retry). */
function problem(outcome: DeliveryOutcome, deadlineMs: number): string | undefined {
  if (outcome.kind !== 'response') return answered(outcome);
  if (outcome.status >= 500 || isRedirect(outcome.status) || outcome.status < 200) return answered(outcome);
  if (outcome.durationMs > deadlineMs) return `${answered(outcome)}, past the ${deadlineMs} ms deadline`;
  return undefined;
}

function judgeOutOfOrder(context: PlanContext): (types: readonly string[]) => Judge {
  const { deadlineMs } = context.settings;
  return (types) => (outcomes) => {
    const failing = outcomes.flatMap((outcome, i) => {
      const wrong = problem(outcome, deadlineMs);
      return wrong === undefined ? [] : [`${types[i] ?? 'a delivery'} ${wrong}`];
    });
    if (outcomes.length === 0) return { status: 'fail', reason: 'nothing was delivered' };
    if (failing.length === 0) {
      const statuses = [...new Set(outcomes.map((outcome) => (outcome.kind === 'response' ? outcome.status : 0)))].sort((a, b) => a - b);
      const slowest = Math.max(0, ...outcomes.map((outcome) => outcome.durationMs));
      return { status: 'pass', reason: `all ${outcomes.length} deliveries answered without a 5xx, timeout or redirect (${statuses.join(', ')}; slowest ${ms(slowest)})` };
    }
    return {
      status: 'fail',
      reason:
        `${failing.length} of ${outcomes.length} deliveries of one order's events, sent out of order, failed: ${failing.join('; ')}. ` +
        'Digital River does not deliver in order and retries arrive late: acknowledge an event about an order you have not seen yet ' +
        '(or answer 4xx, such as 409, to have it retried), never 5xx; and make an update and a late create of the same order not collide',
    };
  };
}

export const orderingFamily = checkFamily({
  judges: { 'ordering.out-of-order': judgeOutOfOrder },
  plan(context, judges) {
    const subscribed = new Set(context.events.map((event) => event.type));
    const types = storyTypes('order').filter((type) => subscribed.has(type));
    if (types.length < 2) {
      return { cases: [], skipped: { 'ordering.out-of-order': `it needs two or more of an order's event types among the subscribed ones (${storyTypes('order').join(', ')})` } };
    }
    const expanded = context.events.filter((event) => event.expanded).map((event) => event.type);
    const at = { eventType: types.join(','), mode: context.mode, slug: 'story-backwards' };
    // The story's first step (usually order.accepted) goes last, once every later one has been answered.
    const order = [...types.slice(1).reverse(), types[0]!];
    const ordering = context.makeCase('ordering', {
      ...at,
      events: types,
      simultaneous: true,
      build: () => {
        const seed = context.random('ordering', at.slug).uint32();
        const story = generateStory('order', { seed, mode: context.mode, types, expanded, digitalriverVersion: context.settings.digitalriverVersion });
        const byType = new Map(story.events.map((event) => [event.type, event]));
        const deliveries = order.map((type, index) => ({ ...plainDelivery(byType.get(type)!), wave: index === order.length - 1 ? 1 : 0 }));
        return {
          fault: `the ${types.length} events of order ${story.orderId}, its later ones at once in reverse (${order.slice(0, -1).join(', ')}), then ${types[0]}`,
          deliveries,
        };
      },
      judges: { 'ordering.out-of-order': judges['ordering.out-of-order'](order) },
    });
    return { cases: [ordering] };
  },
});

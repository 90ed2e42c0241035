// payload.large: large orders happen; an order of hundreds of items must be accepted and acknowledged in time.
import { eventType } from '../../catalog/events.js';
import { fieldSchema } from '../../events/schemas.js';
import { expectAcknowledged } from '../judges.js';
import { checkFamily, deliveryPatterns, type Judge, type PlanContext } from '../family.js';
import { plainDelivery } from '../request.js';

/** The payload.large order has at least this many items, and more when that is needed to reach LARGE_ORDER_BYTES. */
const LARGE_ORDER_ITEMS = 250;
const LARGE_ORDER_BYTES = 400 * 1024;

function judgeLarge(context: PlanContext): Judge {
  const { deadlineMs } = context.settings;
  return ([outcome]) => expectAcknowledged(outcome, deadlineMs, 'large orders happen: accept bodies of 1 MB and more, and answer within the deadline');
}

export const payloadFamily = checkFamily({
  judges: { 'payload.large': judgeLarge },
  plan(context, judges) {
    const types = context.events.map((event) => event.type);
    const withItems = types.filter((type) => fieldSchema(type, '/items')?.type === 'array');
    const largeType = withItems.find((type) => eventType(type).resource === 'Order') ?? withItems[0];
    if (largeType === undefined) {
      return { cases: [], skipped: { 'payload.large': 'no subscribed event type carries items (order.accepted does)' } };
    }
    const largeAt = { eventType: largeType, mode: context.mode, slug: 'large-order' };
    const large = context.makeCase(deliveryPatterns, {
      ...largeAt,
      build: () => {
        const sample = plainDelivery(context.event(deliveryPatterns, largeAt, { itemCount: LARGE_ORDER_ITEMS }));
        const items = Math.max(LARGE_ORDER_ITEMS, Math.ceil((LARGE_ORDER_ITEMS * LARGE_ORDER_BYTES) / sample.body.length));
        const delivery = items === LARGE_ORDER_ITEMS ? sample : plainDelivery(context.event(deliveryPatterns, largeAt, { itemCount: items }));
        return { fault: `${items} items, ${Math.round(delivery.body.length / 1024)} KB`, deliveries: [delivery] };
      },
      judges,
    });
    return { cases: [large] };
  },
});

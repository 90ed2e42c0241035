// idempotency.redelivery, concurrency.burst, payload.large: how Digital River's delivery patterns stress a receiver.
import { eventType } from '../../catalog/events.js';
import { judgeAcknowledgement } from '../../wire/ack.js';
import { fieldSchema } from '../../events/schemas.js';
import type { Verdict } from '../../wire/verdict.js';
import { answered, expectAcknowledged, expectAllAcknowledged } from '../judges.js';
import type { CheckFamily } from '../plan.js';
import { plainDelivery } from '../request.js';

/** The payload.large order has at least this many items, and more when that is needed to reach LARGE_ORDER_BYTES. */
const LARGE_ORDER_ITEMS = 250;
const LARGE_ORDER_BYTES = 400 * 1024;

export const patternsFamily: CheckFamily = {
  checks: ['idempotency.redelivery', 'concurrency.burst', 'payload.large'],
  plan(context) {
    const { deadlineMs, burst } = context.settings;
    const mode = context.mode;

    const redeliveries = context.events.map(({ type }) => {
      const at = { eventType: type, mode, slug: 'delivered-twice' };
      return context.makeCase('patterns', {
        ...at,
        build: () => {
          const delivery = plainDelivery(context.event('patterns', at));
          // The first delivery is signed a second in the past, so the retry's later timestamp needs no waiting.
          const first = { ...delivery, signing: { kind: 'signed' as const, tokens: 'mode' as const, ageSec: 1 } };
          return { fault: 'the same event delivered twice, signed afresh each time (a later timestamp)', deliveries: [first, delivery] };
        },
        judges: {
          'idempotency.redelivery': ([first, second]): Verdict => {
            const initial = expectAcknowledged(first, deadlineMs, 'the first delivery must be acknowledged before a redelivery can be judged');
            if (initial.status !== 'pass') return { status: 'fail', reason: `first delivery: ${initial.reason}` };
            const again = second === undefined ? undefined : judgeAcknowledgement(second, deadlineMs);
            if (again?.status === 'pass') return { status: 'pass', reason: `both acknowledged: ${answered(first!)}, then ${answered(second!)}` };
            return {
              status: 'fail',
              reason: `the redelivery of the same event id was not acknowledged: ${again?.reason ?? 'it was not made'}; Digital River delivers an event more than once, so acknowledge a duplicate with a 2xx (and do not process it twice)`,
            };
          },
        },
      });
    });

    const types = context.events.map((event) => event.type);
    const burstAt = { eventType: types.join(','), mode, slug: `${burst}-simultaneous` };
    const burstCase = context.makeCase('patterns', {
      ...burstAt,
      events: types,
      simultaneous: true,
      build: () => ({
        fault: `${burst} deliveries at once${types.length === 1 ? '' : ` (${types.length} event types in turn)`}`,
        deliveries: Array.from({ length: burst }, (_, index) =>
          plainDelivery(context.event('patterns', { ...burstAt, eventType: types[index % types.length]! }, { index })),
        ),
      }),
      judges: {
        'concurrency.burst': (outcomes) =>
          expectAllAcknowledged(outcomes, deadlineMs, 'simultaneous deliveries', 'Digital River delivers concurrently: acknowledge at once and process in the background'),
      },
    });

    const withItems = types.filter((type) => fieldSchema(type, '/items')?.type === 'array');
    const largeType = withItems.find((type) => eventType(type).resource === 'Order') ?? withItems[0];
    if (largeType === undefined) {
      return { cases: [...redeliveries, burstCase], skipped: { 'payload.large': 'no subscribed event type carries items (order.accepted does)' } };
    }
    const largeAt = { eventType: largeType, mode, slug: 'large-order' };
    const large = context.makeCase('patterns', {
      ...largeAt,
      build: () => {
        const sample = plainDelivery(context.event('patterns', largeAt, { itemCount: LARGE_ORDER_ITEMS }));
        const items = Math.max(LARGE_ORDER_ITEMS, Math.ceil((LARGE_ORDER_ITEMS * LARGE_ORDER_BYTES) / sample.body.length));
        const delivery = items === LARGE_ORDER_ITEMS ? sample : plainDelivery(context.event('patterns', largeAt, { itemCount: items }));
        return { fault: `${items} items, ${Math.round(delivery.body.length / 1024)} KB`, deliveries: [delivery] };
      },
      judges: {
        'payload.large': ([outcome]) =>
          expectAcknowledged(outcome, deadlineMs, 'large orders happen: accept bodies of 1 MB and more, and answer within the deadline'),
      },
    });
    return { cases: [...redeliveries, burstCase, large] };
  },
};

// concurrency.burst: Digital River delivers concurrently; a burst of simultaneous deliveries must each be acknowledged.
import { expectAllAcknowledged } from '../judges.js';
import { checkFamily, deliveryPatterns, type Judge, type PlanContext } from '../family.js';
import { plainDelivery } from '../request.js';

function judgeBurst(context: PlanContext): Judge {
  const { deadlineMs } = context.settings;
  return (outcomes) =>
    expectAllAcknowledged(outcomes, deadlineMs, 'simultaneous deliveries', 'Digital River delivers concurrently: acknowledge at once and process in the background');
}

export const concurrencyFamily = checkFamily({
  judges: { 'concurrency.burst': judgeBurst },
  plan(context, judges) {
    const { burst } = context.settings;
    const types = context.events.map((event) => event.type);
    const burstAt = { eventType: types.join(','), mode: context.mode, slug: `${burst}-simultaneous` };
    const burstCase = context.makeCase(deliveryPatterns, {
      ...burstAt,
      events: types,
      simultaneous: true,
      build: () => ({
        fault: `${burst} deliveries at once${types.length === 1 ? '' : ` (${types.length} event types in turn)`}`,
        deliveries: Array.from({ length: burst }, (_, index) =>
          plainDelivery(context.event(deliveryPatterns, { ...burstAt, eventType: types[index % types.length]! }, { index })),
        ),
      }),
      judges,
    });
    return { cases: [burstCase] };
  },
});

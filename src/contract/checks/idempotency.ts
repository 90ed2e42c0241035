// idempotency.redelivery: Digital River delivers an event more than once; each delivery must be acknowledged.
import { judgeAcknowledgement } from '../../wire/ack.js';
import type { Verdict } from '../../wire/verdict.js';
import { answered, expectAcknowledged } from '../judges.js';
import { checkFamily, deliveryPatterns, type Judge, type PlanContext } from '../family.js';
import { plainDelivery } from '../request.js';

function judgeRedelivery(context: PlanContext): Judge {
  const { deadlineMs } = context.settings;
  return ([first, second]): Verdict => {
    const initial = expectAcknowledged(first, deadlineMs, 'the first delivery must be acknowledged before a redelivery can be judged');
    if (initial.status !== 'pass') return { status: 'fail', reason: `first delivery: ${initial.reason}` };
    const again = second === undefined ? undefined : judgeAcknowledgement(second, deadlineMs);
    if (again?.status === 'pass') return { status: 'pass', reason: `both acknowledged: ${answered(first!)}, then ${answered(second!)}` };
    return {
      status: 'fail',
      reason: `the redelivery of the same event id was not acknowledged: ${again?.reason ?? 'it was not made'}; Digital River delivers an event more than once, so acknowledge a duplicate with a 2xx (and do not process it twice)`,
    };
  };
}

export const idempotencyFamily = checkFamily({
  judges: { 'idempotency.redelivery': judgeRedelivery },
  plan(context, judges) {
    const mode = context.mode;
    const cases = context.events.map(({ type }) => {
      const at = { eventType: type, mode, slug: 'delivered-twice' };
      return context.makeCase(deliveryPatterns, {
        ...at,
        build: () => {
          const delivery = plainDelivery(context.event(deliveryPatterns, at));
          // The first delivery is signed a second in the past, so the retry's later timestamp needs no waiting.
          const first = { ...delivery, signing: { kind: 'signed' as const, tokens: 'mode' as const, ageSec: 1 } };
          return { fault: 'the same event delivered twice, signed afresh each time (a later timestamp)', deliveries: [first, delivery] };
        },
        judges,
      });
    });
    return { cases };
  },
});

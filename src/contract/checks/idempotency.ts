// idempotency.redelivery and idempotency.concurrent: Digital River delivers an event more than once, sometimes while an earlier copy is still in flight; each copy must be acknowledged.
import { judgeAcknowledgement } from '../../wire/ack.js';
import type { DeliveryOutcome } from '../../wire/outcome.js';
import type { Verdict } from '../../wire/verdict.js';
import { answered, expectAcknowledged, expectAllAcknowledged } from '../judges.js';
import { checkFamily, deliveryPatterns, type Judge, type PlanContext } from '../family.js';
import { plainDelivery } from '../request.js';

/** How many copies of one event the concurrent cases deliver at once: a retry overlapping the first attempt, and a pile-up. */
export const concurrentCopies = [2, 5] as const;

const conflict = 409;

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

function judgeConcurrent(context: PlanContext): Judge {
  const { deadlineMs } = context.settings;
  const advice =
    'a handler that checks for the event id, then inserts it, races with a copy in flight: record the id in one atomic step (an insert that ignores a conflict) and answer 2xx to every copy';
  return (outcomes: readonly DeliveryOutcome[]): Verdict => {
    const verdict = expectAllAcknowledged(outcomes, deadlineMs, 'simultaneous copies of the same event id', advice);
    if (verdict.status === 'pass') return verdict;
    const conflicts = outcomes.filter((outcome) => outcome.kind === 'response' && outcome.status === conflict).length;
    if (conflicts === 0) return verdict;
    return {
      status: 'fail',
      reason: `${verdict.reason}; ${conflicts === 1 ? 'the 409' : `the ${conflicts} answers 409`} for a copy still in flight ${conflicts === 1 ? 'is' : 'are'} not an acknowledgement: Digital River counts such a copy as not received and delivers it again`,
    };
  };
}

export const idempotencyFamily = checkFamily({
  judges: { 'idempotency.redelivery': judgeRedelivery, 'idempotency.concurrent': judgeConcurrent },
  plan(context, judges) {
    const mode = context.mode;
    const { 'idempotency.redelivery': redelivery, 'idempotency.concurrent': concurrent } = judges;
    const redeliveries = context.events.map(({ type }) => {
      const at = { eventType: type, mode, slug: 'delivered-twice' };
      return context.makeCase(deliveryPatterns, {
        ...at,
        build: () => {
          const delivery = plainDelivery(context.event(deliveryPatterns, at));
          // The first delivery is signed a second in the past, so the retry's later timestamp needs no waiting.
          const first = { ...delivery, signing: { kind: 'signed' as const, tokens: 'mode' as const, ageSec: 1 } };
          return { fault: 'the same event delivered twice, signed afresh each time (a later timestamp)', deliveries: [first, delivery] };
        },
        judges: { 'idempotency.redelivery': redelivery },
      });
    });
    // Each copy is signed as it leaves; all of them are in flight together, on an engine of their own.
    const overlapping = context.events.flatMap(({ type }) =>
      concurrentCopies.map((copies) => {
        const at = { eventType: type, mode, slug: `${copies}-copies-at-once` };
        return context.makeCase(deliveryPatterns, {
          ...at,
          simultaneous: true,
          build: () => {
            const event = context.event(deliveryPatterns, at);
            return {
              fault: `the same event id delivered ${copies} times simultaneously, each copy signed afresh`,
              deliveries: Array.from({ length: copies }, () => plainDelivery(event)),
            };
          },
          judges: { 'idempotency.concurrent': concurrent },
        });
      }),
    );
    return { cases: [...redeliveries, ...overlapping] };
  },
});

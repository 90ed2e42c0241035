// ack.*: a valid signed event of each subscribed type (and mode), one delivery judged by three rules.
import type { DeliveryOutcome } from '../../wire/outcome.js';
import type { Verdict } from '../../wire/verdict.js';
import { answered, isRedirect, isSuccess, knownIdsHint } from '../judges.js';
import { checkFamily } from '../family.js';

const notReceived = 'Digital River only counts a 2xx as received';

/** Without known orders every valid event is about an order the receiver never saw: a 404 may mean just that. */
const unknownOrderHint =
  `; this run's events are about orders the receiver has never seen: if it answers 404 to unknown orders, name orders it knows (${knownIdsHint}) ` +
  'so that only environment.unknown-resource sends unknown ones';

function judge2xx(knowsOrders: boolean) {
  return ([outcome]: readonly DeliveryOutcome[]): Verdict => {
    if (outcome?.kind === 'response' && isSuccess(outcome.status)) return { status: 'pass', reason: answered(outcome) };
    if (outcome === undefined) return { status: 'fail', reason: `nothing was delivered; ${notReceived}` };
    const redirect = outcome.kind === 'response' && isRedirect(outcome.status) ? ' and never follows a redirect' : '';
    const hint = outcome.kind === 'response' && outcome.status === 404 && !knowsOrders ? unknownOrderHint : '';
    return { status: 'fail', reason: `${answered(outcome)}; ${notReceived}${redirect}${hint}` };
  };
}

function judgeDeadline(deadlineMs: number) {
  return ([outcome]: readonly DeliveryOutcome[]): Verdict => {
    if (outcome?.kind === 'response' && outcome.durationMs <= deadlineMs) {
      return { status: 'pass', reason: `${answered(outcome)}, within the ${deadlineMs} ms deadline` };
    }
    if (outcome === undefined) return { status: 'fail', reason: 'nothing was delivered' };
    const advice = outcome.kind === 'error' ? 'Digital River counts it as not received' : 'answer at once (202 Accepted) and process the event afterwards';
    return { status: 'fail', reason: `${answered(outcome)}; ${advice}` };
  };
}

function judgeNoRedirect([outcome]: readonly DeliveryOutcome[]): Verdict {
  const status = outcome?.kind === 'response' ? outcome.status : outcome?.kind === 'timeout' ? outcome.status : undefined;
  if (outcome !== undefined && isRedirect(status)) {
    return { status: 'fail', reason: `${answered(outcome)}; Digital River treats a redirect as a failure and never follows it: configure the final URL` };
  }
  return { status: 'pass', reason: outcome === undefined ? 'nothing was delivered' : `no redirect: ${answered(outcome)}` };
}

export const ackFamily = checkFamily({
  judges: {
    'ack.2xx': (context) => judge2xx(context.settings.knownIds.order.length > 0),
    'ack.deadline': (context) => judgeDeadline(context.settings.deadlineMs),
    'ack.no-redirect': () => judgeNoRedirect,
  },
  plan(context, judges) {
    const cases = context.events.flatMap(({ type }) =>
      context.ackModes.map((mode) => context.makeCase('ack', { ...context.validEvent(type, mode), judges })),
    );
    return { cases };
  },
});

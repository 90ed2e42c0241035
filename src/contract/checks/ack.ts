// ack.*: a valid signed event of each subscribed type (and mode), one delivery judged by three rules.
import type { DeliveryOutcome } from '../../outcome.js';
import type { Verdict } from '../../verdict.js';
import { answered, isRedirect, isSuccess } from '../judges.js';
import type { CheckFamily } from '../plan.js';

const notReceived = 'Digital River only counts a 2xx as received';

function judge2xx([outcome]: readonly DeliveryOutcome[]): Verdict {
  if (outcome?.kind === 'response' && isSuccess(outcome.status)) return { status: 'pass', reason: answered(outcome) };
  if (outcome === undefined) return { status: 'fail', reason: `nothing was delivered; ${notReceived}` };
  const redirect = outcome.kind === 'response' && isRedirect(outcome.status) ? ' and never follows a redirect' : '';
  return { status: 'fail', reason: `${answered(outcome)}; ${notReceived}${redirect}` };
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

export const ackFamily: CheckFamily = {
  checks: ['ack.2xx', 'ack.deadline', 'ack.no-redirect'],
  plan(context) {
    const deadline = judgeDeadline(context.settings.deadlineMs);
    const cases = context.events.flatMap(({ type }) =>
      context.ackModes.map((mode) =>
        context.makeCase('ack', { ...context.validEvent(type, mode), judges: { 'ack.2xx': judge2xx, 'ack.deadline': deadline, 'ack.no-redirect': judgeNoRedirect } }),
      ),
    );
    return { cases };
  },
};

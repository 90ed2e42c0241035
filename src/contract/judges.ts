// How contract cases judge what came back: one sentence per verdict, with the status, the time and the rule.
import { beforeFinalStatus, judgeAcknowledgement, ms } from '../wire/ack.js';
import type { DeliveryOutcome } from '../wire/outcome.js';
import type { Verdict } from '../wire/verdict.js';

/** What the receiver did, as the start of a sentence: `answered 500 in 12 ms`. */
export function answered(outcome: DeliveryOutcome): string {
  switch (outcome.kind) {
    case 'response': {
      const location = outcome.headers['location'];
      const redirect = isRedirect(outcome.status) ? ` (Location: ${location ?? 'none'})` : '';
      return `answered ${outcome.status}${redirect} in ${ms(outcome.durationMs)}`;
    }
    case 'timeout': {
      const detail = outcome.phase === 'body' ? `status ${outcome.status} arrived, the body did not finish` : beforeFinalStatus(outcome);
      return `gave no complete answer within the ${outcome.deadlineMs} ms deadline (${detail})`;
    }
    case 'error':
      return `could not be delivered (${outcome.message}, after ${ms(outcome.durationMs)})`;
  }
}

/** Where a run names the orders a receiver knows: what a reason points at when none are named. */
export const knownIdsHint = 'knownIds.order in the scenario, or --known-order-id';

export function isRedirect(status: number | undefined): boolean {
  return status !== undefined && status >= 300 && status < 400;
}

export { isSuccess } from '../wire/ack.js';

const statusesTexts = new WeakMap<readonly number[], string>();

/** `400`, `401 or 403`, `a 4xx`: whole classes are named as such; remembered per list, as every verdict of a check asks. */
export function statusesText(allowed: readonly number[]): string {
  let text = statusesTexts.get(allowed);
  if (text === undefined) {
    text = describeStatuses(allowed);
    statusesTexts.set(allowed, text);
  }
  return text;
}

function describeStatuses(allowed: readonly number[]): string {
  const remaining = new Set(allowed);
  const parts: string[] = [];
  for (let base = 100; base < 600; base += 100) {
    const whole = Array.from({ length: 100 }, (_, i) => base + i);
    if (whole.every((status) => remaining.has(status))) {
      parts.push(`a ${base / 100}xx`);
      whole.forEach((status) => remaining.delete(status));
    }
  }
  parts.push(...[...remaining].sort((a, b) => a - b).map(String));
  return parts.length <= 1 ? (parts[0] ?? 'nothing') : `${parts.slice(0, -1).join(', ')} or ${parts.at(-1)}`;
}

/** Passes when the answer is one of `allowed`, complete within the deadline; `expectation` says what the rule wants. */
export function expectStatus(outcome: DeliveryOutcome | undefined, allowed: readonly number[], deadlineMs: number, expectation: string): Verdict {
  if (outcome === undefined) return { status: 'fail', reason: `nothing was delivered; ${expectation}` };
  if (outcome.kind === 'response' && allowed.includes(outcome.status) && outcome.durationMs <= deadlineMs) {
    return { status: 'pass', reason: `${answered(outcome)}, as required (${statusesText(allowed)})` };
  }
  return { status: 'fail', reason: `${answered(outcome)}; ${expectation}` };
}

/** Digital River's rule (a complete 2xx within the deadline); `advice` follows a failure's reason. */
export function expectAcknowledged(outcome: DeliveryOutcome | undefined, deadlineMs: number, advice: string): Verdict {
  if (outcome === undefined) return { status: 'fail', reason: `nothing was delivered; ${advice}` };
  const verdict = judgeAcknowledgement(outcome, deadlineMs);
  return verdict.status === 'pass' ? verdict : { status: 'fail', reason: `${verdict.reason}; ${advice}` };
}

function outcomeLabel(outcome: DeliveryOutcome): string {
  switch (outcome.kind) {
    case 'response':
      return `answered ${outcome.status}`;
    case 'timeout':
      return outcome.phase === 'interim' ? `only an interim ${outcome.status} within ${outcome.deadlineMs} ms` : `no answer within ${outcome.deadlineMs} ms`;
    case 'error':
      return outcome.cause;
  }
}

/** Every delivery of a group acknowledged within the deadline; a failure counts the ways they went wrong. */
export function expectAllAcknowledged(outcomes: readonly DeliveryOutcome[], deadlineMs: number, what: string, advice: string): Verdict {
  const failing = outcomes.filter((outcome) => judgeAcknowledgement(outcome, deadlineMs).status !== 'pass');
  if (failing.length === 0) {
    const slowest = Math.max(0, ...outcomes.map((outcome) => outcome.durationMs));
    return { status: 'pass', reason: `all ${outcomes.length} ${what} answered 2xx within ${deadlineMs} ms (slowest ${ms(slowest)})` };
  }
  const counts = new Map<string, number>();
  for (const outcome of failing) counts.set(outcomeLabel(outcome), (counts.get(outcomeLabel(outcome)) ?? 0) + 1);
  const tally = [...counts].map(([label, count]) => `${count}× ${label}`).join(', ');
  return { status: 'fail', reason: `${failing.length} of ${outcomes.length} ${what} were not acknowledged within ${deadlineMs} ms (${tally}); ${advice}` };
}

/**
 * A rejection counts only if it differs from the answer to the valid event of the same type and mode: a receiver that
 * answers every delivery with the same 4xx would otherwise pass every rejection check. `about` names what the rejection
 * was meant to show.
 */
export function withControl(verdict: Verdict, probe: DeliveryOutcome | undefined, control: DeliveryOutcome | undefined, about: string): Verdict {
  if (verdict.status !== 'pass' || probe?.kind !== 'response' || control?.kind !== 'response' || control.status !== probe.status) return verdict;
  return {
    status: 'fail',
    reason: `${verdict.reason}, but the valid event of this type and mode got the same ${control.status}, so the rejection shows nothing about ${about}`,
  };
}

/**
 * An acceptance case that failed while the valid event of its type and mode was not acknowledged either: the failure is
 * not particular to its check, whose advice would mislead, so the reason leads with that.
 */
export function besideControl(verdict: Verdict, control: DeliveryOutcome | undefined, deadlineMs: number): Verdict {
  if (verdict.status !== 'fail' || control === undefined || judgeAcknowledgement(control, deadlineMs).status === 'pass') return verdict;
  return {
    status: 'fail',
    reason: `the valid event of this type and mode was not acknowledged either (it ${answered(control)}), so this is not particular to this check (see ack.2xx): ${verdict.reason}`,
  };
}

// Digital River's acknowledgement rule: only a complete 2xx within the deadline counts as received.
import { statusName, type DeliveryOutcome, type DeliveryTimeout } from './outcome.js';
import type { Verdict } from './verdict.js';

/** How far a delivery got when the deadline ended it before a final status: for reasons that say why. */
export function beforeFinalStatus(outcome: Exclude<DeliveryTimeout, { phase: 'body' }>): string {
  switch (outcome.phase) {
    case 'connect':
      return 'no connection could be established';
    case 'headers':
      return 'connected, but no status line arrived';
    case 'interim':
      return `the receiver sent ${statusName(outcome.status)}, an interim answer, but no final status`;
  }
}

/** `12 ms`. */
export function ms(value: number): string {
  return `${Math.round(value)} ms`;
}

/**
 * Digital River's acknowledgement rule, the one both engines judge by (contract and send here, load in
 * load/stats.ts): a complete 2xx answer within the deadline is `acknowledged`; an answer completed after the deadline
 * is `late` whatever its status (Digital River stopped waiting for it); any other status within it is `refused`.
 */
export function acknowledgement(status: number, durationMs: number, deadlineMs: number): 'acknowledged' | 'late' | 'refused' {
  if (durationMs > deadlineMs) return 'late';
  return isSuccess(status) ? 'acknowledged' : 'refused';
}

/** A 2xx status. */
export function isSuccess(status: number): boolean {
  return status >= 200 && status < 300;
}

/**
 * Said beside a 403 where a 2xx was due, and only said: a receiver (or its firewall) that admits only Digital River's
 * IP safelist refuses every other sender, drhook included, and a 403 is how many such filters answer.
 */
export const sourceIpHint =
  "if the receiver or a firewall in front of it admits only Digital River's IP safelist, it refuses drhook too: allow the address drhook sends from on the test endpoint (docs/signing-and-auth.md, \"IP safelist\")";

export function judgeAcknowledgement(outcome: DeliveryOutcome, deadlineMs: number): Verdict {
  switch (outcome.kind) {
    case 'response': {
      const { status } = outcome;
      const took = ms(outcome.durationMs);
      const acknowledged = acknowledgement(status, outcome.durationMs, deadlineMs);
      if (acknowledged === 'acknowledged') return { status: 'pass', reason: `acknowledged: answered ${status} in ${took} (deadline ${deadlineMs} ms)` };
      if (isSuccess(status)) {
        return { status: 'fail', reason: `answered ${status} but only after ${took}; Digital River needs the complete response within ${deadlineMs} ms` };
      }
      if (status >= 300 && status < 400) {
        const location = outcome.headers['location'];
        const to = location ? `to ${location}` : 'without a Location header';
        return { status: 'fail', reason: `redirected (${status}) ${to}; Digital River treats a redirect as a failure and does not follow it` };
      }
      return { status: 'fail', reason: `answered ${status}, not 2xx${status === 403 ? `; ${sourceIpHint}` : ''}` };
    }
    case 'timeout': {
      const detail = outcome.phase === 'body'
        ? `aborted after the status line (${outcome.status}): the body did not finish`
        : beforeFinalStatus(outcome);
      return { status: 'fail', reason: `no complete response within ${outcome.deadlineMs} ms (${detail})` };
    }
    case 'error':
      return { status: 'fail', reason: outcome.cause === 'aborted' ? outcome.message : `not delivered: ${outcome.message}` };
  }
}

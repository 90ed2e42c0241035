// Digital River's acknowledgement rule: only a complete 2xx within the deadline counts as received.
import type { DeliveryOutcome } from './outcome.js';
import type { Verdict } from './verdict.js';

/** How far a delivery got when the deadline ended it before a status line: for reasons that say why. */
export const beforeStatus = {
  connect: 'no connection could be established',
  headers: 'connected, but no status line arrived',
} as const;

/** `12 ms`. */
export function ms(value: number): string {
  return `${Math.round(value)} ms`;
}

export function judgeAcknowledgement(outcome: DeliveryOutcome, deadlineMs: number): Verdict {
  switch (outcome.kind) {
    case 'response': {
      const { status } = outcome;
      const took = ms(outcome.durationMs);
      if (status >= 200 && status < 300) {
        return outcome.durationMs <= deadlineMs
          ? { status: 'pass', reason: `acknowledged: answered ${status} in ${took} (deadline ${deadlineMs} ms)` }
          : { status: 'fail', reason: `answered ${status} but only after ${took}; Digital River needs the complete response within ${deadlineMs} ms` };
      }
      if (status >= 300 && status < 400) {
        const location = outcome.headers['location'];
        const to = location ? `to ${location}` : 'without a Location header';
        return { status: 'fail', reason: `redirected (${status}) ${to}; Digital River treats a redirect as a failure and does not follow it` };
      }
      return { status: 'fail', reason: `answered ${status}, not 2xx` };
    }
    case 'timeout': {
      const detail = outcome.phase === 'body'
        ? `aborted after the status line (${outcome.status ?? 'unknown status'}): the body did not finish`
        : beforeStatus[outcome.phase];
      return { status: 'fail', reason: `no complete response within ${outcome.deadlineMs} ms (${detail})` };
    }
    case 'error':
      return { status: 'fail', reason: outcome.cause === 'aborted' ? outcome.message : `not delivered: ${outcome.message}` };
  }
}

// expect(delivery).toBeAcknowledged() and .toBeRejectedWith(status, body): Digital River's rules as Playwright matchers.
import type { ExpectMatcherState, MatcherReturnType } from '@playwright/test';
import { judgeAcknowledgement } from '../wire/ack.js';
import { expectStatus } from '../contract/judges.js';
import { DEFAULT_DEADLINE_MS } from '../wire/limits.js';
import type { DeliveryOutcome } from '../wire/outcome.js';
import { bodyExcerpt } from '../report/contract/describe.js';
import type { WebhookDelivery } from './webhook.js';

/** A delivery from `webhook.send`, or a bare outcome (judged against the 3000 ms deadline). */
export type Judged = WebhookDelivery | DeliveryOutcome;

function unwrap(received: Judged): { outcome: DeliveryOutcome; deadlineMs: number } {
  return 'outcome' in received ? { outcome: received.outcome, deadlineMs: received.deadlineMs } : { outcome: received, deadlineMs: DEFAULT_DEADLINE_MS };
}

function isJudged(received: unknown): received is Judged {
  if (typeof received !== 'object' || received === null) return false;
  const candidate = 'outcome' in received ? (received as { outcome: unknown }).outcome : received;
  return typeof candidate === 'object' && candidate !== null && ['response', 'timeout', 'error'].includes((candidate as { kind?: unknown }).kind as string);
}

function notADelivery(name: string, received: unknown): MatcherReturnType {
  return { name, pass: false, message: () => `${name}: expected what webhook.send returned (or its outcome), got ${typeof received === 'object' ? JSON.stringify(received)?.slice(0, 200) : String(received)}` };
}

/** ` Body: "…"`, when the receiver sent one. */
function bodyNote(outcome: DeliveryOutcome): string {
  const body = bodyExcerpt(outcome, 300);
  return body === undefined ? '' : `\nBody: ${body}`;
}

export const webhookMatchers = {
  /** A complete 2xx within the deadline, no redirect: what Digital River counts as received. */
  toBeAcknowledged(this: ExpectMatcherState, received: Judged): MatcherReturnType {
    const name = 'toBeAcknowledged';
    if (!isJudged(received)) return notADelivery(name, received);
    const { outcome, deadlineMs } = unwrap(received);
    const verdict = judgeAcknowledgement(outcome, deadlineMs);
    const pass = verdict.status === 'pass';
    return {
      name,
      pass,
      expected: this.isNot ? 'not acknowledged' : 'acknowledged',
      actual: verdict.reason,
      message: () => (this.isNot ? `expected the delivery not to be acknowledged, but it was: ${verdict.reason}` : `expected the delivery to be acknowledged, but it was not: ${verdict.reason}${bodyNote(outcome)}`),
    };
  },

  /**
   * Answered within the deadline with `status` (or one of them), and, when `body` is given, a body that matches it
   * (a RegExp, or a string it contains): e.g. `toBeRejectedWith(400, /currency/)`.
   */
  toBeRejectedWith(this: ExpectMatcherState, received: Judged, status: number | readonly number[], body?: RegExp | string): MatcherReturnType {
    const name = 'toBeRejectedWith';
    if (!isJudged(received)) return notADelivery(name, received);
    const { outcome, deadlineMs } = unwrap(received);
    const allowed = typeof status === 'number' ? [status] : [...status];
    const wanted = `${allowed.join(' or ')}${body === undefined ? '' : ` with a body matching ${String(body)}`}`;
    const verdict = expectStatus(outcome, allowed, deadlineMs, `expected ${wanted}`);
    const text = outcome.kind === 'response' ? outcome.body.text : '';
    const bodyMatches = body === undefined || (typeof body === 'string' ? text.includes(body) : new RegExp(body.source, body.flags.replace('g', '')).test(text));
    const pass = verdict.status === 'pass' && bodyMatches;
    const why = verdict.status !== 'pass' ? verdict.reason : bodyMatches ? verdict.reason : `the body does not match ${String(body)}`;
    return {
      name,
      pass,
      expected: wanted,
      actual: why,
      message: () => (this.isNot ? `expected the delivery not to be rejected with ${wanted}, but it was: ${why}` : `expected the delivery to be rejected with ${wanted}: ${why}${bodyNote(outcome)}`),
    };
  },
};

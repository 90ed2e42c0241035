// The run-level breaker: when none of the first deliveries got any HTTP answer, even those a receiver refuses at once, the run stops sending.
import type { DeliveryEngine } from '../wire/delivery.js';
import { causeTable } from '../wire/causes.js';
import type { DeliveryOutcome } from '../wire/outcome.js';

/**
 * What a delivery's silence says: `refused-at-once` for an event a correct receiver rejects before doing any work (a
 * missing signature, a `null` data.object), whose timeout means the receiver is not answering at all; `processed` for an
 * event a receiver may take its time over, whose timeout may only mean it is slow.
 */
export type Expectation = 'refused-at-once' | 'processed';

/** Why a run stopped sending: the first `deliveries` all went unanswered, for these causes (cause → count). */
export interface Unreachable {
  deliveries: number;
  causes: ReadonlyMap<string, number>;
  /** How many of them a correct receiver refuses at once. */
  refusable: number;
}

export interface Breaker {
  /** `engine`, with every outcome it gives watched as deliveries of that expectation. */
  watch(engine: DeliveryEngine, expectation: Expectation): DeliveryEngine;
  /** Set once the first deliveries all went unanswered. */
  readonly tripped: Unreachable | undefined;
}

type Silence = { cause: string; timeout: boolean } | 'answered' | 'ignored';

/** What went unanswered, in words; `answered` when a status line came (or anything but those failures); `ignored` when drhook gave up. */
function silence(outcome: DeliveryOutcome): Silence {
  if (outcome.kind === 'response' || outcome.status !== undefined) return 'answered';
  if (outcome.kind === 'timeout') {
    return { cause: outcome.phase === 'connect' ? `no connection within ${outcome.deadlineMs} ms` : `no answer within ${outcome.deadlineMs} ms`, timeout: true };
  }
  if (outcome.cause === 'aborted') return 'ignored';
  // Only the causes the shared table marks unreachable mean no HTTP answer came at all.
  const { label, unreachable } = causeTable[outcome.cause];
  return unreachable ? { cause: label, timeout: false } : 'answered';
}

/**
 * Watches the outcomes (in the order they end) until one is answered, which disarms it for good. It trips (`onTrip` is
 * called once) when `limit` have gone unanswered and at least one of them says the receiver is not answering at all: a
 * refused, reset or unresolved connection, or a timeout of a delivery a correct receiver refuses at once. Timeouts of
 * processed events alone never trip it: a receiver that is only slow to process is judged, not cut short.
 */
export function createBreaker(limit: number, onTrip: () => void): Breaker {
  const causes = new Map<string, number>();
  let seen = 0;
  let refusable = 0;
  let conclusive = 0;
  let state: 'watching' | 'disarmed' | Unreachable = 'watching';
  const observe = (outcome: DeliveryOutcome, expectation: Expectation): void => {
    if (state !== 'watching') return;
    const unanswered = silence(outcome);
    if (unanswered === 'ignored') return;
    if (unanswered === 'answered') {
      state = 'disarmed';
      return;
    }
    causes.set(unanswered.cause, (causes.get(unanswered.cause) ?? 0) + 1);
    seen += 1;
    if (expectation === 'refused-at-once') refusable += 1;
    if (!unanswered.timeout || expectation === 'refused-at-once') conclusive += 1;
    if (seen < limit || conclusive === 0) return;
    state = { deliveries: seen, causes, refusable };
    onTrip();
  };
  return {
    watch: (engine, expectation) => ({
      deadlineMs: engine.deadlineMs,
      async deliver(request, options) {
        const outcome = await engine.deliver(request, options);
        observe(outcome, expectation);
        return outcome;
      },
      close: () => engine.close(),
    }),
    get tripped() {
      return typeof state === 'object' ? state : undefined;
    },
  };
}

/** "the receiver answered none of the first 8 deliveries (8× no answer within 3000 ms, among them 7 events a correct receiver refuses at once)" */
export function describeUnreachable({ deliveries, causes, refusable }: Unreachable): string {
  const tally = [...causes].map(([cause, count]) => `${count}× ${cause}`).join(', ');
  const refused = refusable > 0 ? `, among them ${refusable} ${refusable === 1 ? 'event' : 'events'} a correct receiver refuses at once` : '';
  return `the receiver answered none of the first ${deliveries} deliveries (${tally}${refused})`;
}

// The run-level breaker: when none of the first deliveries got any HTTP answer, the run stops sending.
import type { DeliveryEngine } from '../wire/delivery.js';
import type { DeliveryOutcome, ErrorCause } from '../wire/outcome.js';

/** Why a run stopped sending: the first `deliveries` all went unanswered, for these causes (cause → count). */
export interface Unreachable {
  deliveries: number;
  causes: ReadonlyMap<string, number>;
}

export interface Breaker {
  /** `engine`, with every outcome it gives watched. */
  watch(engine: DeliveryEngine): DeliveryEngine;
  /** Set once the first deliveries all went unanswered. */
  readonly tripped: Unreachable | undefined;
}

/** Transport failures that mean no HTTP answer came at all. */
const silentCauses: Partial<Record<ErrorCause, string>> = {
  'connection-refused': 'connection refused',
  'connection-reset': 'connection reset',
  dns: 'host name not resolved',
  tls: 'TLS failed',
};

/** What went unanswered, in words; `answered` when a status line came (or anything but those failures); `ignored` when drhook gave up. */
function silence(outcome: DeliveryOutcome): string | 'answered' | 'ignored' {
  if (outcome.kind === 'response' || outcome.status !== undefined) return 'answered';
  if (outcome.kind === 'timeout') return outcome.phase === 'connect' ? `no connection within ${outcome.deadlineMs} ms` : `no answer within ${outcome.deadlineMs} ms`;
  if (outcome.cause === 'aborted') return 'ignored';
  return silentCauses[outcome.cause] ?? 'answered';
}

/**
 * Watches the first `limit` outcomes (in the order they end): all unanswered trips it (`onTrip` is called once); any
 * answer among them disarms it for good.
 */
export function createBreaker(limit: number, onTrip: () => void): Breaker {
  const causes = new Map<string, number>();
  let seen = 0;
  let state: 'watching' | 'disarmed' | Unreachable = 'watching';
  const observe = (outcome: DeliveryOutcome): void => {
    if (state !== 'watching') return;
    const cause = silence(outcome);
    if (cause === 'ignored') return;
    if (cause === 'answered') {
      state = 'disarmed';
      return;
    }
    causes.set(cause, (causes.get(cause) ?? 0) + 1);
    seen += 1;
    if (seen < limit) return;
    state = { deliveries: seen, causes };
    onTrip();
  };
  return {
    watch: (engine) => ({
      deadlineMs: engine.deadlineMs,
      async deliver(request, options) {
        const outcome = await engine.deliver(request, options);
        observe(outcome);
        return outcome;
      },
      close: () => engine.close(),
    }),
    get tripped() {
      return typeof state === 'object' ? state : undefined;
    },
  };
}

/** "the receiver answered none of the first 8 deliveries (8× no answer within 3000 ms)" */
export function describeUnreachable({ deliveries, causes }: Unreachable): string {
  const tally = [...causes].map(([cause, count]) => `${count}× ${cause}`).join(', ');
  return `the receiver answered none of the first ${deliveries} deliveries (${tally})`;
}

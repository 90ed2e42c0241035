// When a load step may open a new connection: freely while connecting works; once it fails, never more connections than deliveries due, and once it keeps failing, one attempt at growing intervals.
/** Connection failures in a row, with no answer between them, after which drhook backs off. */
export const FAILURES_BEFORE_BACKOFF = 3;
/** The wait before the first attempt once backing off; it doubles after each attempt that does not bring an answer… */
export const FIRST_BACKOFF_MS = 100;
/** …up to this. */
export const MAX_BACKOFF_MS = 1000;

/** Whether a delivery that needs a new connection gets one, or must do without: the cause that kept connecting from working, and when to ask again. */
export type Admission = { open: true } | { open: false; cause: string; retryInMs: number };

export interface ReconnectGate {
  /**
   * A delivery needs a new connection. While connecting works it gets one. Once a connection has failed, with no
   * answer since, it gets one only while the connections opened stay fewer than `due` (the deliveries due so far, when
   * there is a schedule); once connecting keeps failing (the threshold), only when the backoff has passed too, one
   * attempt per backoff.
   */
  admit(due?: number): Admission;
  /** A connection opened without asking: one per client before the clock starts, or one replacing a connection that answered. */
  opening(): void;
  /** A connection failed before it answered anything: refused, reset, closed, its certificate untrusted. */
  failed(cause: string): void;
  /** The receiver answered (any status): connecting works. */
  answered(): void;
  /** Connections opened so far. */
  readonly opened: number;
}

export function createReconnectGate(now: () => number = () => performance.now()): ReconnectGate {
  let opened = 0;
  let streak = 0;
  let cause = '';
  /** Backing off: attempts made so far, and when the next may be made. */
  let attempts = 0;
  let retryAt = Number.NEGATIVE_INFINITY;
  return {
    admit(due) {
      if (streak === 0) {
        opened++;
        return { open: true };
      }
      const time = now();
      const backingOff = streak >= FAILURES_BEFORE_BACKOFF;
      if ((backingOff && time < retryAt) || (due !== undefined && opened >= due)) return { open: false, cause, retryInMs: Math.max(1, retryAt - time) };
      opened++;
      if (backingOff) {
        attempts++;
        retryAt = time + Math.min(MAX_BACKOFF_MS, FIRST_BACKOFF_MS * 2 ** Math.min(attempts, 30));
      }
      return { open: true };
    },
    opening() {
      opened++;
    },
    failed(code) {
      streak++;
      cause = code;
      // Connections opened together (the first ones of a step) fail together: that starts one backoff, not several.
      if (streak === FAILURES_BEFORE_BACKOFF) retryAt = now() + FIRST_BACKOFF_MS;
    },
    answered() {
      streak = 0;
      attempts = 0;
      retryAt = Number.NEGATIVE_INFINITY;
    },
    get opened() {
      return opened;
    },
  };
}

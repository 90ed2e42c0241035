// A fixed arrival rate: a step's slots fall due at start + k/rate and go to free connections in order; a slot still waiting for a connection at its deadline expires unsent.
export interface PacerOptions {
  rate: number;
  /** How many slots the step has: they fall due at start, start + 1/rate, … */
  slots: number;
  /** A slot that has waited this long for a free connection is no longer sent (Digital River would have given up on it). */
  deadlineMs: number;
  /** Called for each slot that expired unsent, with the time it fell due. */
  onExpired: (dueMs: number) => void;
  /** The first slot falls due this long after the start (a shard's slots begin at its offset): default 0. */
  offsetMs?: number;
  now?: () => number;
}

/**
 * `dueMs` is when the slot fell due; `lateMs` how long it had then waited with every connection busy (0 when a
 * connection was already waiting for it, even if drhook's own timer fired late).
 */
export type Send = (dueMs: number, lateMs: number) => void;

export interface Pacer {
  /** Calls `send` with the next slot: at once when one is already due, else when it falls due (connections queue in order). */
  take(send: Send): void;
  /**
   * Ends the schedule: waiting connections are dropped and later `take` calls ignored. Slots past their deadline
   * expire now; returns how many slots had fallen due but were neither sent nor expired.
   */
  stop(): number;
  /** Every slot was sent or expired. */
  readonly done: boolean;
  /** Slots fallen due so far. */
  readonly due: number;
  /** Slots that waited for a connection: sent more than a few ms late because none was free, or expired. */
  readonly connectionBound: number;
}

/** A slot taken this long after it fell due, with no connection waiting for it, waited for a connection. */
const CONNECTION_WAIT_MS = 5;

export function createPacer(options: PacerOptions): Pacer {
  const { slots, deadlineMs, onExpired, now = () => performance.now() } = options;
  const interval = 1000 / options.rate;
  const start = now() + (options.offsetMs ?? 0);
  const waiting: Send[] = [];
  let next = 0;
  let connectionBound = 0;
  let stoppedAt = Number.POSITIVE_INFINITY;
  let timer: NodeJS.Timeout | undefined;
  let timerAt = Number.POSITIVE_INFINITY;
  const dueAt = (index: number): number => start + index * interval;
  const running = (): boolean => stoppedAt === Number.POSITIVE_INFINITY;
  /** Slots fallen due by `time`, and never after the stop. */
  const dueBy = (time: number): number => Math.max(0, Math.min(slots, Math.floor((Math.min(time, stoppedAt) - start) / interval) + 1));

  const hand = (send: Send, lateMs: number): void => {
    if (lateMs > CONNECTION_WAIT_MS) connectionBound++;
    send(dueAt(next++), lateMs);
  };
  /** Slots that nobody could take before their deadline. */
  const expire = (time: number): void => {
    while (next < slots && dueAt(next) + deadlineMs <= time) {
      connectionBound++;
      onExpired(dueAt(next++));
    }
  };
  const fire = (): void => {
    timer = undefined;
    timerAt = Number.POSITIVE_INFINITY;
    const time = now();
    while (waiting.length > 0 && next < slots && dueAt(next) <= time) hand(waiting.shift()!, 0);
    if (waiting.length === 0) expire(time);
    arm();
  };
  /** Wakes up when the next slot falls due for a waiting connection, or, with none waiting, when it expires. */
  const arm = (): void => {
    if (!running() || next >= slots) return;
    const at = waiting.length > 0 ? dueAt(next) : dueAt(next) + deadlineMs;
    if (at >= timerAt) return;
    if (timer !== undefined) clearTimeout(timer);
    timerAt = at;
    timer = setTimeout(fire, Math.max(0, at - now()));
  };

  arm();
  return {
    take(send) {
      if (!running() || next >= slots) return;
      if (waiting.length === 0) {
        const time = now();
        expire(time);
        if (next >= slots) return;
        if (dueAt(next) <= time) return hand(send, time - dueAt(next));
      }
      waiting.push(send);
      arm();
    },
    stop() {
      if (running()) {
        stoppedAt = now();
        waiting.length = 0;
        if (timer !== undefined) clearTimeout(timer);
        timer = undefined;
        expire(stoppedAt);
      }
      return dueBy(stoppedAt) - next;
    },
    get done() {
      return next >= slots;
    },
    get due() {
      return dueBy(now());
    },
    get connectionBound() {
      return connectionBound;
    },
  };
}

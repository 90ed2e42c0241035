// A fixed arrival rate: send slots at start + k/rate, handed to free connections in order; what waited for a connection is counted.
export interface Pacer {
  /** Calls `send` in the next slot: at once when that slot is already due, else when it comes (connections queue in order). */
  take(send: () => void): void;
  /** Drops the waiting connections; later `take` calls are ignored. */
  stop(): void;
  /** Slots handed out so far. */
  readonly sent: number;
  /** Slots that were due while every connection was still busy: the request went out late because none was free. */
  readonly connectionBound: number;
}

/** A send this much after its slot, with no connection waiting for it, waited for a connection. */
const CONNECTION_WAIT_MS = 5;

export function createPacer(rate: number, now: () => number = () => performance.now()): Pacer {
  const interval = 1000 / rate;
  const start = now();
  const waiting: Array<() => void> = [];
  let slot = 0;
  let sent = 0;
  let connectionBound = 0;
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  const due = (index: number): number => start + index * interval;

  const fire = (): void => {
    timer = undefined;
    const time = now();
    while (waiting.length > 0 && due(slot) <= time) {
      slot++;
      sent++;
      waiting.shift()!();
    }
    arm();
  };
  const arm = (): void => {
    if (timer !== undefined || stopped || waiting.length === 0) return;
    timer = setTimeout(fire, Math.max(0, due(slot) - now()));
  };

  return {
    take(send) {
      if (stopped) return;
      const time = now();
      if (waiting.length === 0 && due(slot) <= time) {
        if (time - due(slot) > CONNECTION_WAIT_MS) connectionBound++;
        slot++;
        sent++;
        send();
        return;
      }
      waiting.push(send);
      arm();
    },
    stop() {
      stopped = true;
      waiting.length = 0;
      if (timer !== undefined) clearTimeout(timer);
      timer = undefined;
    },
    get sent() {
      return sent;
    },
    get connectionBound() {
      return connectionBound;
    },
  };
}

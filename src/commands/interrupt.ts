// Ctrl-C (SIGINT) and SIGTERM during a run: abort what is in flight, hold the signals until the report is written, exit 130/143.
const exitCodes = { SIGINT: 130, SIGTERM: 143 } as const;

export interface Interruption {
  /** Aborts at the first SIGINT or SIGTERM. */
  readonly signal: AbortSignal;
  /** 130 after SIGINT, 143 after SIGTERM, undefined when no signal arrived. */
  exitCode(): number | undefined;
  /** Stops catching the signals: call it once the report is written, so a second Ctrl-C cannot cut a file short. */
  release(): void;
}

/** From now until release(), SIGINT and SIGTERM abort `signal` instead of ending the process. */
export function catchInterruptions(): Interruption {
  const controller = new AbortController();
  let received: keyof typeof exitCodes | undefined;
  const handlers = {
    SIGINT: () => onSignal('SIGINT'),
    SIGTERM: () => onSignal('SIGTERM'),
  };
  function onSignal(name: keyof typeof exitCodes): void {
    received ??= name;
    controller.abort();
  }
  process.on('SIGINT', handlers.SIGINT);
  process.on('SIGTERM', handlers.SIGTERM);
  return {
    signal: controller.signal,
    exitCode: () => (received === undefined ? undefined : exitCodes[received]),
    release() {
      process.off('SIGINT', handlers.SIGINT);
      process.off('SIGTERM', handlers.SIGTERM);
    },
  };
}

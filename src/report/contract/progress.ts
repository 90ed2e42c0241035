// A progress bar on stderr while a run is in flight (cases done/total, failures and warnings so far); silent off a TTY.
import type { VerdictStatus } from '../../wire/verdict.js';
import { createBar } from '../progress-bar.js';

export interface Progress {
  /** Counts one finished case. */
  tick(status: VerdictStatus): void;
  /** Removes the bar; call before printing anything else (also when the run is interrupted). Idempotent. */
  stop(): void;
}

export function createProgress(total: number, stream: NodeJS.WriteStream = process.stderr): Progress {
  const bar = createBar(stream, 'contract {bar} {value}/{total} cases | failed: {failures} | warned: {warnings}', 30);
  if (!bar) return { tick() {}, stop() {} };
  let failures = 0;
  let warnings = 0;
  let active = true;
  bar.start(total, 0, { failures, warnings });
  return {
    tick(status) {
      if (!active) return;
      if (status === 'fail') failures++;
      if (status === 'warn') warnings++;
      bar.increment(1, { failures, warnings });
    },
    stop() {
      if (!active) return;
      active = false;
      bar.stop();
    },
  };
}

// A progress bar on stderr while load is sent (step, elapsed time, rate, p99, failures); silent off a TTY.
import cliProgress from 'cli-progress';
import type { LoadProgress } from '../load/run.js';

export interface LoadProgressBar {
  update(progress: LoadProgress): void;
  /** Removes the bar; call before printing anything else (also when the run is interrupted). Idempotent. */
  stop(): void;
}

export function createLoadProgress(stream: NodeJS.WriteStream = process.stderr): LoadProgressBar {
  if (!stream.isTTY) return { update() {}, stop() {} };
  const bar = new cliProgress.SingleBar({
    stream,
    format: 'load {step} {bar} {elapsed}/{length} s | {rate}/s | p99 {p99} | failed {failures}',
    barsize: 24,
    clearOnComplete: true,
    hideCursor: null,
    // The command decides what Ctrl-C does (write the partial report); the bar must not take over SIGINT.
    gracefulExit: false,
  });
  let started = false;
  let active = true;
  return {
    update(progress) {
      if (!active) return;
      const length = progress.stepSec ?? Math.max(1, Math.ceil(progress.stepElapsedSec));
      const values = {
        step: progress.step,
        elapsed: Math.floor(progress.stepElapsedSec),
        length: progress.stepSec ?? '?',
        rate: progress.rate,
        p99: progress.p99Ms === null ? '–' : `${Math.round(progress.p99Ms)} ms`,
        failures: progress.failures,
      };
      if (!started) {
        started = true;
        bar.start(length, Math.min(progress.stepElapsedSec, length), values);
        return;
      }
      bar.setTotal(length);
      bar.update(Math.min(progress.stepElapsedSec, length), values);
    },
    stop() {
      if (!active) return;
      active = false;
      if (started) bar.stop();
    },
  };
}

// A progress bar on stderr while load is sent (step, elapsed time, rate, p99, failures); silent off a TTY.
import type { LoadProgress } from '../../load/run.js';
import { createBar } from '../progress-bar.js';

export interface LoadProgressBar {
  update(progress: LoadProgress): void;
  /** Removes the bar; call before printing anything else (also when the run is interrupted). Idempotent. */
  stop(): void;
}

export function createLoadProgress(stream: NodeJS.WriteStream = process.stderr): LoadProgressBar {
  const bar = createBar(stream, 'load {step} {bar} {elapsed}/{length} s | {rate}/s | p99 {p99} | failed {failures}', 24);
  if (!bar) return { update() {}, stop() {} };
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

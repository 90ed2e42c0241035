// What one step measured: outcomes by status, latency in an HDR histogram, and a per-second series of requests, failures and p99.
import { build, type Histogram } from 'hdr-histogram-js';
import type { LatencySummary, Outcomes, SecondSample } from './report.js';

/** Counts one step's deliveries as they are sent and judged. */
export interface Recorder {
  sent(): void;
  /** An answer with any status, `ms` after the request was written. */
  answered(status: number, ms: number): void;
  /** No complete answer within the deadline: counted just over it (its true latency is longer). */
  timedOut(): void;
  /** The connection failed or closed with the request in flight. */
  connectionError(code: string): void;
  /** Live figures for the progress bar. */
  progress(): { sent: number; failures: number; p99Ms: number | null; lastSecondSent: number };
  /** Closes the series; `unfinished` requests were still in flight. */
  finish(unfinished: number): Measurement;
}

export interface Measurement {
  sent: number;
  outcomes: Outcomes;
  /** Microseconds; add it to the run's totals, then destroy it. */
  histogram: Histogram;
  series: SecondSample[];
}

/** A timeout is recorded this far over the deadline, so a p99 that includes timeouts exceeds a budget equal to the deadline. */
export const TIMEOUT_MARGIN_MS = 1;

/** Latencies are recorded in microseconds, from 1 µs to an hour, to three significant digits. */
export function createHistogram(): Histogram {
  return build({ lowestDiscernibleValue: 1, highestTrackableValue: 3_600_000_000, numberOfSignificantValueDigits: 3 });
}

export function createRecorder(deadlineMs: number, now: () => number = () => performance.now()): Recorder {
  const start = now();
  const histogram = createHistogram();
  const secondHistogram = createHistogram();
  const statuses = new Map<number, number>();
  const errorCodes = new Map<string, number>();
  const series: SecondSample[] = [];
  let current: SecondSample = { second: 0, sent: 0, completed: 0, failures: 0, p99Ms: null };
  let sent = 0;
  let acknowledged = 0;
  let timeouts = 0;
  let connectionErrors = 0;
  let judged = 0;

  /** Moves the current second forward to now, closing the seconds that passed (empty ones included). */
  const tick = (): SecondSample => {
    const second = Math.floor((now() - start) / 1000);
    while (current.second < second) {
      current.p99Ms = secondHistogram.totalCount > 0 ? ms(secondHistogram.getValueAtPercentile(99)) : null;
      secondHistogram.reset();
      series.push(current);
      current = { second: current.second + 1, sent: 0, completed: 0, failures: 0, p99Ms: null };
    }
    return current;
  };
  const judge = (failed: boolean, micros: number | undefined): void => {
    const sample = tick();
    judged++;
    sample.completed++;
    if (failed) sample.failures++;
    if (micros !== undefined) {
      histogram.recordValue(micros);
      secondHistogram.recordValue(micros);
    }
  };

  return {
    sent() {
      sent++;
      tick().sent++;
    },
    answered(status, latencyMs) {
      statuses.set(status, (statuses.get(status) ?? 0) + 1);
      const ok = status >= 200 && status < 300;
      if (ok) acknowledged++;
      judge(!ok, Math.max(1, Math.round(latencyMs * 1000)));
    },
    timedOut() {
      timeouts++;
      judge(true, (deadlineMs + TIMEOUT_MARGIN_MS) * 1000);
    },
    connectionError(code) {
      connectionErrors++;
      errorCodes.set(code, (errorCodes.get(code) ?? 0) + 1);
      judge(true, undefined);
    },
    progress() {
      const sample = tick();
      const last = series[series.length - 1];
      return {
        sent,
        failures: judged - acknowledged,
        p99Ms: histogram.totalCount > 0 ? ms(histogram.getValueAtPercentile(99)) : null,
        lastSecondSent: last?.sent ?? sample.sent,
      };
    },
    finish(unfinished) {
      const last = tick();
      // The last, partial second is kept when anything happened in it.
      if (last.sent > 0 || last.completed > 0) {
        last.p99Ms = secondHistogram.totalCount > 0 ? ms(secondHistogram.getValueAtPercentile(99)) : null;
        series.push(last);
      }
      secondHistogram.destroy();
      const failures = judged - acknowledged;
      const sortedStatuses = [...statuses.entries()].sort(([a], [b]) => a - b);
      const outcomes: Outcomes = {
        judged,
        acknowledged,
        statuses: Object.fromEntries(sortedStatuses.map(([status, count]) => [String(status), count])),
        redirects: sortedStatuses.filter(([status]) => status >= 300 && status < 400).reduce((sum, [, count]) => sum + count, 0),
        timeouts,
        connectionErrors,
        errorCodes: Object.fromEntries([...errorCodes.entries()].sort(([a], [b]) => a.localeCompare(b))),
        failures,
        failureRate: judged === 0 ? 0 : failures / judged,
        unfinished,
      };
      return { sent, outcomes, histogram, series };
    },
  };
}

/** The latency summary of a histogram in microseconds; null when it is empty. */
export function summarize(histogram: Histogram): LatencySummary | null {
  if (histogram.totalCount === 0) return null;
  const max = ms(histogram.maxValue);
  // A percentile is the highest value equivalent to its bucket: never shown above the maximum.
  const at = (percentile: number) => Math.min(max, ms(histogram.getValueAtPercentile(percentile)));
  return { count: histogram.totalCount, mean: ms(histogram.mean), p50: at(50), p90: at(90), p99: at(99), p999: at(99.9), max };
}

/** Sums outcomes of several steps. */
export function addOutcomes(all: readonly Outcomes[]): Outcomes {
  const sum = (pick: (o: Outcomes) => number) => all.reduce((total, o) => total + pick(o), 0);
  const merge = (pick: (o: Outcomes) => Record<string, number>) => {
    const merged: Record<string, number> = {};
    for (const o of all) for (const [key, count] of Object.entries(pick(o))) merged[key] = (merged[key] ?? 0) + count;
    return Object.fromEntries(Object.entries(merged).sort(([a], [b]) => a.localeCompare(b)));
  };
  const judged = sum((o) => o.judged);
  const failures = sum((o) => o.failures);
  return {
    judged,
    acknowledged: sum((o) => o.acknowledged),
    statuses: merge((o) => o.statuses),
    redirects: sum((o) => o.redirects),
    timeouts: sum((o) => o.timeouts),
    connectionErrors: sum((o) => o.connectionErrors),
    errorCodes: merge((o) => o.errorCodes),
    failures,
    failureRate: judged === 0 ? 0 : failures / judged,
    unfinished: sum((o) => o.unfinished),
  };
}

/** Microseconds to milliseconds, two decimals. */
function ms(micros: number): number {
  return Math.round(micros / 10) / 100;
}

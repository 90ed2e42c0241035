// What one step measured: outcomes by status, latency in HDR histograms, a per-second series, and the latency of each half of an open-loop step.
import { build, type Histogram } from 'hdr-histogram-js';
import type { LatencySummary, Outcomes, SecondSample } from './report.js';

/** Counts one step's deliveries as they are sent and judged. */
export interface Recorder {
  sent(): void;
  /**
   * An answer with any status. `ms` is its latency as judged: from when it fell due (open loop) or from when it was
   * written (closed loop); `serviceMs` from when it was written. An answer after the deadline counts as a timeout.
   * `dueSec` (open loop): when it fell due, in seconds since the step started.
   */
  answered(status: number, ms: number, serviceMs: number, dueSec?: number): void;
  /** No complete answer within the deadline: counted just over it (its true latency is longer). */
  timedOut(dueSec?: number): void;
  /** Open loop: fell due, but every connection stayed busy until its deadline had passed, so it was never sent: a timeout. */
  notSent(dueSec: number): void;
  /** The connection failed or closed with the request in flight. */
  connectionError(code: string): void;
  /**
   * Fell due while connecting was failing and drhook held back: no connection was opened for it. A connection error
   * with the cause of the failures.
   */
  backedOff(code: string): void;
  /** Live figures for the progress bar. */
  progress(): { sent: number; failures: number; p99Ms: number | null; lastSecondSent: number };
  /** Closes the series; `unfinished` deliveries were still in flight (or, open loop, due and not yet sent). */
  finish(unfinished: number): Measurement;
}

/** Latency quartiles of some deliveries, in milliseconds (timeouts counted just over the deadline). */
export interface Quartiles {
  count: number;
  q25: number;
  median: number;
  q75: number;
}

/**
 * Open loop: the latency from schedule of the deliveries due in the first and in the second half of the step, and in
 * the second half's two quarters (the step's third and fourth), to tell a backlog that keeps growing from a single step up.
 */
export interface PaceHalves {
  /** Half the step's window: how far apart the two halves' deliveries fell due, on average (the quarters', half that). */
  halfSec: number;
  /** null when no delivery of that part was answered or timed out. */
  early: Quartiles | null;
  late: Quartiles | null;
  third: Quartiles | null;
  fourth: Quartiles | null;
}

export interface Measurement {
  sent: number;
  outcomes: Outcomes;
  /** Latency as judged, in microseconds; add it to the run's totals, then destroy it. */
  histogram: Histogram;
  /** Open loop: latency from when each request was written, in microseconds (answers only); destroy it. */
  serviceHistogram: Histogram | null;
  series: SecondSample[];
  halves: PaceHalves | null;
}

/** A timeout is recorded this far over the deadline, so a p99 that includes timeouts exceeds a budget equal to the deadline. */
export const TIMEOUT_MARGIN_MS = 1;

/** Latencies are recorded in microseconds, from 1 µs to an hour, to three significant digits. */
export function createHistogram(): Histogram {
  return build({ lowestDiscernibleValue: 1, highestTrackableValue: 3_600_000_000, numberOfSignificantValueDigits: 3 });
}

export interface RecorderOptions {
  /** Open loop: the step's window in seconds, split in two halves by when deliveries fell due. */
  windowSec?: number;
  now?: () => number;
}

export function createRecorder(deadlineMs: number, options: RecorderOptions = {}): Recorder {
  const { windowSec, now = () => performance.now() } = options;
  const start = now();
  const histogram = createHistogram();
  const secondHistogram = createHistogram();
  const serviceHistogram = windowSec === undefined ? null : createHistogram();
  const halves = windowSec === undefined ? null : { halfSec: windowSec / 2, early: createHistogram(), late: createHistogram(), third: createHistogram(), fourth: createHistogram() };
  const statuses = new Map<number, number>();
  const errorCodes = new Map<string, number>();
  const series: SecondSample[] = [];
  const timeoutMicros = (deadlineMs + TIMEOUT_MARGIN_MS) * 1000;
  let current: SecondSample = { second: 0, sent: 0, completed: 0, failures: 0, p99Ms: null };
  let sent = 0;
  let acknowledged = 0;
  let timeouts = 0;
  let notSent = 0;
  let connectionErrors = 0;
  let backedOff = 0;
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
  const judge = (failed: boolean, latencyMicros: number | undefined, dueSec?: number): void => {
    const sample = tick();
    judged++;
    sample.completed++;
    if (failed) sample.failures++;
    if (latencyMicros !== undefined) {
      histogram.recordValue(latencyMicros);
      secondHistogram.recordValue(latencyMicros);
      if (halves && dueSec !== undefined) recordPace(halves, dueSec, latencyMicros);
    }
  };
  const timedOut = (dueSec: number | undefined): void => {
    timeouts++;
    judge(true, timeoutMicros, dueSec);
  };
  const connectionError = (code: string): void => {
    connectionErrors++;
    errorCodes.set(code, (errorCodes.get(code) ?? 0) + 1);
    judge(true, undefined);
  };

  return {
    sent() {
      sent++;
      tick().sent++;
    },
    answered(status, latencyMs, serviceMs, dueSec) {
      serviceHistogram?.recordValue(micros(serviceMs));
      // Digital River counts only an answer within the deadline; a later one (the abort timer's slack) is a timeout.
      if (latencyMs > deadlineMs) return timedOut(dueSec);
      statuses.set(status, (statuses.get(status) ?? 0) + 1);
      const ok = status >= 200 && status < 300;
      if (ok) acknowledged++;
      judge(!ok, micros(latencyMs), dueSec);
    },
    timedOut,
    notSent(dueSec) {
      notSent++;
      timedOut(dueSec);
    },
    connectionError,
    backedOff(code) {
      backedOff++;
      connectionError(code);
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
      // The last, partial second is kept with its length when anything happened in it; else the whole one before ends the series.
      if (last.sent > 0 || last.completed > 0) {
        last.p99Ms = secondHistogram.totalCount > 0 ? ms(secondHistogram.getValueAtPercentile(99)) : null;
        last.lengthSec = Math.min(1, Math.max(0.001, Math.round(now() - start - last.second * 1000) / 1000));
        series.push(last);
      } else if (series.length > 0) series[series.length - 1]!.lengthSec = 1;
      secondHistogram.destroy();
      const failures = judged - acknowledged;
      const sortedStatuses = [...statuses.entries()].sort(([a], [b]) => a - b);
      const outcomes: Outcomes = {
        judged,
        acknowledged,
        statuses: Object.fromEntries(sortedStatuses.map(([status, count]) => [String(status), count])),
        redirects: sortedStatuses.filter(([status]) => status >= 300 && status < 400).reduce((sum, [, count]) => sum + count, 0),
        timeouts,
        notSent,
        connectionErrors,
        backedOff,
        errorCodes: Object.fromEntries([...errorCodes.entries()].sort(([a], [b]) => a.localeCompare(b))),
        failures,
        failureRate: judged === 0 ? 0 : failures / judged,
        unfinished,
      };
      const paceHalves = halves && { halfSec: halves.halfSec, early: quartiles(halves.early), late: quartiles(halves.late), third: quartiles(halves.third), fourth: quartiles(halves.fourth) };
      for (const part of halves ? [halves.early, halves.late, halves.third, halves.fourth] : []) part.destroy();
      return { sent, outcomes, histogram, serviceHistogram, series, halves: paceHalves };
    },
  };
}

interface PaceHistograms {
  halfSec: number;
  early: Histogram;
  late: Histogram;
  third: Histogram;
  fourth: Histogram;
}

/** Records a delivery's latency in its half of the step and, in the second half, in its quarter too. */
function recordPace(parts: PaceHistograms, dueSec: number, latencyMicros: number): void {
  if (dueSec < parts.halfSec) return void parts.early.recordValue(latencyMicros);
  parts.late.recordValue(latencyMicros);
  (dueSec < parts.halfSec * 1.5 ? parts.third : parts.fourth).recordValue(latencyMicros);
}

/** The latency summary of a histogram in microseconds; null when it is empty. */
export function summarize(histogram: Histogram): LatencySummary | null {
  if (histogram.totalCount === 0) return null;
  const at = percentiles(histogram);
  return { count: histogram.totalCount, mean: ms(histogram.mean), p50: at(50), p90: at(90), p99: at(99), p999: at(99.9), max: ms(histogram.maxValue), distribution: distribution(histogram.totalCount, at) };
}

/** A histogram's percentiles in milliseconds. A percentile is the highest value equivalent to its bucket: never shown above the maximum. */
function percentiles(histogram: Histogram): (percentile: number) => number {
  const max = ms(histogram.maxValue);
  return (percentile) => Math.min(max, ms(histogram.getValueAtPercentile(percentile)));
}

/** Points of the distribution per halving of the share not yet answered, and how many halvings at most (down to 1 in 32 768). */
const TICKS_PER_HALF = 5;
const HALVINGS = 15;

/**
 * HDR's percentile distribution: 0, 10, 20, 30, 40, 50, 55, 60 … %, ever denser towards 100 %, until the share left
 * is less than one delivery; then 100 % at the maximum. Inside a run of equal latencies only its ends are kept.
 */
function distribution(count: number, at: (percentile: number) => number): Array<[number, number]> {
  const shares: number[] = [];
  for (let halving = 0; halving < HALVINGS && count * 0.5 ** halving >= 1; halving++) {
    const left = 0.5 ** halving;
    for (let tick = 0; tick < TICKS_PER_HALF; tick++) shares.push(1 - left + (left / 2) * (tick / TICKS_PER_HALF));
  }
  const points = [...shares, 1].map((share): [number, number] => [at(share * 100), Math.round(share * 1e6) / 1e6]);
  return points.filter(([latency], i) => latency !== points[i - 1]?.[0] || latency !== points[i + 1]?.[0]);
}

function quartiles(histogram: Histogram): Quartiles | null {
  if (histogram.totalCount === 0) return null;
  const at = percentiles(histogram);
  return { count: histogram.totalCount, q25: at(25), median: at(50), q75: at(75) };
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
    notSent: sum((o) => o.notSent ?? 0),
    connectionErrors: sum((o) => o.connectionErrors),
    backedOff: sum((o) => o.backedOff ?? 0),
    errorCodes: merge((o) => o.errorCodes),
    failures,
    failureRate: judged === 0 ? 0 : failures / judged,
    unfinished: sum((o) => o.unfinished),
  };
}

/** Milliseconds to whole microseconds, at least 1. */
function micros(milliseconds: number): number {
  return Math.max(1, Math.round(milliseconds * 1000));
}

/** Microseconds to milliseconds, two decimals. */
function ms(micros: number): number {
  return Math.round(micros / 10) / 100;
}

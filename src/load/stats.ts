// What one step measured: outcomes by status, latency in HDR histograms, a per-second series, and the latency of each half of an open-loop step.
import { build, decodeFromCompressedBase64, encodeIntoCompressedBase64, type Histogram } from 'hdr-histogram-js';
import type { BandSums, EncodedHistogram, LatencySummary, Outcomes, RunTotals, SecondSample } from './report.js';
import { acknowledgement } from '../wire/ack.js';
import { causeTable, classifyFailure, sortCauses, type ErrorCause } from '../wire/causes.js';

/** Counts one step's deliveries as they are sent and judged. */
export interface Recorder {
  sent(): void;
  /**
   * An answer with any status. `ms` is its latency as judged: from when it fell due (open loop) or from when it was
   * written (closed loop); `serviceMs` from when it was written. An answer after the deadline counts as a timeout.
   * `dueSec` (open loop): when it fell due, in seconds since the step started. `inFlight` (open loop): how many
   * deliveries were in flight, this one included, when it was written.
   */
  answered(status: number, ms: number, serviceMs: number, dueSec?: number, inFlight?: number): void;
  /**
   * No complete answer within the deadline: counted just over it (its true latency is longer). `sent` (open loop): how
   * long it had been in flight when it was cut off (a lower bound of its service time) and how many were in flight, it
   * included, when it was written.
   */
  timedOut(dueSec?: number, sent?: { serviceMs: number; inFlight: number }): void;
  /** Open loop: fell due, but every connection stayed busy until its deadline had passed, so it was never sent: a timeout. */
  notSent(dueSec: number): void;
  /** The connection failed or closed with the request in flight: `code` is classified by the shared table of causes. */
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

/** The receiver's service time of some deliveries: how many, and their mean in milliseconds. */
export interface ServiceBand {
  count: number;
  meanMs: number;
}

/**
 * How the receiver's service time grew with the deliveries in flight: the slope of a least-squares line through the
 * light band's (in flight, service time) points. A receiver that takes deliveries one at a time answers the nth after
 * the n − 1 before it, so each more in flight adds its service time; one that takes many at once adds nothing. Delays
 * of drhook's own add alike to every point and leave the slope alone.
 */
export interface ServiceSlope {
  /** Milliseconds of service time added per delivery more in flight. */
  msPerDelivery: number;
  standardError: number;
  /** Deliveries the line was fitted to. */
  count: number;
}

/**
 * Open loop: the receiver's service time (write to answer; a delivery cut off at its deadline counts the time it had
 * been in flight, a lower bound) of the deliveries written while few of drhook's N connections were busy: at most
 * N/8 (lower), at most N/4 (light), and how it grew with them there (slope). null where no delivery (or, for the
 * slope, too few, or all at one level) was written.
 */
export interface ServiceByLoad {
  lower: ServiceBand | null;
  light: ServiceBand | null;
  slope: ServiceSlope | null;
}

/** The most deliveries in flight, of N connections, that the lower and the light band of ServiceByLoad take in. */
export function loadBands(connections: number): { lowerMax: number; lightMax: number } {
  return { lowerMax: Math.max(1, Math.floor(connections / 8)), lightMax: Math.max(1, Math.floor(connections / 4)) };
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
  /** Open loop with the connections known; else null. */
  serviceByLoad: ServiceByLoad | null;
  /** With `encode`: what a merge of shards needs besides the two histograms above. */
  encoded?: EncodedParts;
}

/** A step's figures in a form that adds up exactly across shards: HDR histograms (compressed, base64) and sums. */
export interface EncodedParts {
  /** Open loop: the four parts' histograms of PaceHalves (null: none was recorded in it). */
  halves: { early: EncodedHistogram; late: EncodedHistogram; third: EncodedHistogram; fourth: EncodedHistogram } | null;
  /** The latency histogram of each second of the series (null: none was judged in it). */
  seconds: EncodedHistogram[];
  /** Open loop with the connections known: the sums ServiceByLoad is computed from. */
  bands: BandSums | null;
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
  /** Open loop: drhook's connections, to tell the service time at light load from that with nearly all of them busy. */
  connections?: number;
  /** Keep what a merge of shards needs (Measurement.encoded). */
  encode?: boolean;
  now?: () => number;
}

export function createRecorder(deadlineMs: number, options: RecorderOptions = {}): Recorder {
  const { windowSec, connections, encode = false, now = () => performance.now() } = options;
  const secondsEncoded: EncodedHistogram[] = [];
  const start = now();
  const histogram = createHistogram();
  const secondHistogram = createHistogram();
  const serviceHistogram = windowSec === undefined ? null : createHistogram();
  const halves = windowSec === undefined ? null : { halfSec: windowSec / 2, early: createHistogram(), late: createHistogram(), third: createHistogram(), fourth: createHistogram() };
  const byLoad = windowSec === undefined || connections === undefined ? null : createLoadBands(connections);
  const statuses = new Map<number, number>();
  const errorCodes = new Map<string, number>();
  const causes: Partial<Record<ErrorCause, number>> = {};
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
      if (encode) secondsEncoded.push(encodeHistogram(secondHistogram));
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
  const timedOut = (dueSec: number | undefined, sent?: { serviceMs: number; inFlight: number }): void => {
    timeouts++;
    if (sent) byLoad?.record(sent.inFlight, sent.serviceMs);
    judge(true, timeoutMicros, dueSec);
  };
  const connectionError = (code: string): void => {
    connectionErrors++;
    errorCodes.set(code, (errorCodes.get(code) ?? 0) + 1);
    const cause = classifyFailure({ code });
    causes[cause] = (causes[cause] ?? 0) + 1;
    judge(true, undefined);
  };

  return {
    sent() {
      sent++;
      tick().sent++;
    },
    answered(status, latencyMs, serviceMs, dueSec, inFlight) {
      serviceHistogram?.recordValue(micros(serviceMs));
      if (inFlight !== undefined) byLoad?.record(inFlight, serviceMs);
      // Digital River counts only an answer within the deadline; a later one (the abort timer's slack) is a timeout.
      const ack = acknowledgement(status, latencyMs, deadlineMs);
      if (ack === 'late') return timedOut(dueSec);
      statuses.set(status, (statuses.get(status) ?? 0) + 1);
      const ok = ack === 'acknowledged';
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
        if (encode) secondsEncoded.push(encodeHistogram(secondHistogram));
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
        causes: sortCauses(causes),
        failures,
        failureRate: judged === 0 ? 0 : failures / judged,
        unfinished,
      };
      const encoded: EncodedParts | undefined = encode
        ? {
            halves: halves && { early: encodeHistogram(halves.early), late: encodeHistogram(halves.late), third: encodeHistogram(halves.third), fourth: encodeHistogram(halves.fourth) },
            seconds: secondsEncoded,
            bands: byLoad?.sums() ?? null,
          }
        : undefined;
      const paceHalves = halves && { halfSec: halves.halfSec, early: quartiles(halves.early), late: quartiles(halves.late), third: quartiles(halves.third), fourth: quartiles(halves.fourth) };
      for (const part of halves ? [halves.early, halves.late, halves.third, halves.fourth] : []) part.destroy();
      const serviceByLoad = byLoad?.finish() ?? null;
      return { sent, outcomes, histogram, serviceHistogram, series, halves: paceHalves, serviceByLoad, ...(encoded ? { encoded } : {}) };
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

/** The service-time bands of ServiceByLoad for N connections. */
function createLoadBands(connections: number): { record(inFlight: number, serviceMs: number): void; finish(): ServiceByLoad; sums(): BandSums } {
  const { lowerMax, lightMax } = loadBands(connections);
  const lower = { count: 0, ms: 0 };
  // The light band's sums, for its mean and the least-squares line: n deliveries in flight, y milliseconds.
  const light = { count: 0, n: 0, nn: 0, y: 0, ny: 0, yy: 0 };
  return {
    sums: () => ({ lower: { ...lower }, light: { ...light } }),
    record(inFlight, serviceMs) {
      if (inFlight > lightMax) return;
      if (inFlight <= lowerMax) {
        lower.count++;
        lower.ms += serviceMs;
      }
      light.count++;
      light.n += inFlight;
      light.nn += inFlight * inFlight;
      light.y += serviceMs;
      light.ny += inFlight * serviceMs;
      light.yy += serviceMs * serviceMs;
    },
    finish: () => bandsFromSums({ lower, light }),
  };
}

/** ServiceByLoad from its sums (one recorder's, or several shards' added up). */
export function bandsFromSums(sums: BandSums): ServiceByLoad {
  const mean = (count: number, ms: number): ServiceBand | null => (count === 0 ? null : { count, meanMs: round2(ms / count) });
  return { lower: mean(sums.lower.count, sums.lower.ms), light: mean(sums.light.count, sums.light.y), slope: fitSlope(sums.light) };
}

/** Several shards' band sums added up. */
export function addBandSums(all: readonly BandSums[]): BandSums {
  const lower = { count: 0, ms: 0 };
  const light = { count: 0, n: 0, nn: 0, y: 0, ny: 0, yy: 0 };
  for (const sums of all) {
    lower.count += sums.lower.count;
    lower.ms += sums.lower.ms;
    for (const key of ['count', 'n', 'nn', 'y', 'ny', 'yy'] as const) light[key] += sums.light[key];
  }
  return { lower, light };
}

/**
 * A histogram as HDR's compressed base64 with its exact maximum (null when empty): decoded and added, several give
 * exactly the histogram of all their values. The encoding keeps the buckets; a decoded histogram's maximum would be its
 * top bucket's highest value, so the exact one travels beside it.
 */
export function encodeHistogram(histogram: Histogram): EncodedHistogram {
  return histogram.totalCount === 0 ? null : { hdr: encodeIntoCompressedBase64(histogram), max: histogram.maxValue };
}

/** Adds encoded histograms (null ones are empty) into a new histogram of the recorder's kind, with the exact maximum of them all. */
export function mergeEncoded(encoded: ReadonlyArray<EncodedHistogram | undefined>): Histogram {
  const merged = createHistogram();
  let max = 0;
  for (const each of encoded) {
    if (each === null || each === undefined) continue;
    const part = decodeFromCompressedBase64(each.hdr);
    merged.add(part);
    part.destroy();
    max = Math.max(max, each.max);
  }
  // The buckets hold the maximum only to their resolution; the exact one is the largest of the parts'.
  if (merged.totalCount > 0 && max <= merged.maxValue) (merged as { maxValue: number }).maxValue = max;
  return merged;
}

/** The quartiles of the four parts of PaceHalves from their histograms. */
export function halvesFrom(halfSec: number, parts: { early: Histogram; late: Histogram; third: Histogram; fourth: Histogram }): PaceHalves {
  return { halfSec, early: quartiles(parts.early), late: quartiles(parts.late), third: quartiles(parts.third), fourth: quartiles(parts.fourth) };
}

/** The least-squares slope of y on n and its standard error; null with fewer than three points or all at one n. */
function fitSlope(sums: { count: number; n: number; nn: number; y: number; ny: number; yy: number }): ServiceSlope | null {
  const { count } = sums;
  if (count < 3) return null;
  const snn = sums.nn - (sums.n * sums.n) / count;
  if (snn <= 0) return null;
  const sny = sums.ny - (sums.n * sums.y) / count;
  const syy = sums.yy - (sums.y * sums.y) / count;
  const slope = sny / snn;
  const residual = Math.max(0, syy - slope * sny);
  return { msPerDelivery: round2(slope), standardError: round2(Math.sqrt(residual / (count - 2) / snn)), count };
}

function round2(value: number): number {
  return Math.round(value * 100) / 100;
}

/** Records a delivery's latency in its half of the step and, in the second half, in its quarter too. */
function recordPace(parts: PaceHistograms, dueSec: number, latencyMicros: number): void {
  if (dueSec < parts.halfSec) return void parts.early.recordValue(latencyMicros);
  parts.late.recordValue(latencyMicros);
  (dueSec < parts.halfSec * 1.5 ? parts.third : parts.fourth).recordValue(latencyMicros);
}

/** A run's totals over its steps: their time and deliveries added, the outcomes and the latency of the whole run. */
export function runTotals(steps: ReadonlyArray<{ durationSec: number; sent: number }>, outcomes: Outcomes, histogram: Histogram): RunTotals {
  return {
    durationSec: round2(steps.reduce((sum, step) => sum + step.durationSec, 0)),
    sent: steps.reduce((sum, step) => sum + step.sent, 0),
    outcomes,
    latencyMs: summarize(histogram),
  };
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
  const merge = (pick: (o: Outcomes) => Partial<Record<string, number>>): Record<string, number> => {
    const merged: Record<string, number> = {};
    for (const o of all) for (const [key, count] of Object.entries(pick(o))) merged[key] = (merged[key] ?? 0) + (count ?? 0);
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
    causes: sortCauses(merge(causeCounts)),
    failures,
    failureRate: judged === 0 ? 0 : failures / judged,
    unfinished: sum((o) => o.unfinished),
  };
}

/** Connection errors by cause; a report written before load recorded causes has them classified from its codes. */
export function causeCounts(outcomes: Outcomes): Partial<Record<ErrorCause, number>> {
  if (outcomes.causes !== undefined) return outcomes.causes;
  const counts: Partial<Record<ErrorCause, number>> = {};
  for (const [code, count] of Object.entries(outcomes.errorCodes)) {
    const cause = classifyFailure({ code });
    counts[cause] = (counts[cause] ?? 0) + count;
  }
  return sortCauses(counts);
}

/** One cause of connection errors with its count and the codes seen for it: `connection refused ×3 (ECONNREFUSED)`. */
export interface CauseTally {
  cause: ErrorCause;
  label: string;
  count: number;
  codes: string[];
}

/** The connection errors by cause, in the table's order, each with the error codes that were classified so. */
export function causeTallies(outcomes: Outcomes): CauseTally[] {
  return Object.entries(causeCounts(outcomes)).map(([cause, count]) => ({
    cause: cause as ErrorCause,
    label: causeTable[cause as ErrorCause].label,
    count: count ?? 0,
    codes: Object.keys(outcomes.errorCodes).filter((code) => classifyFailure({ code }) === cause),
  }));
}

/** `connection refused ×3 (ECONNREFUSED)`, `connection reset ×2 (ECONNRESET, EPIPE)`. */
export function describeTally({ label, count, codes }: CauseTally): string {
  return `${label} ×${count}${codes.length > 0 ? ` (${codes.join(', ')})` : ''}`;
}

/** Milliseconds to whole microseconds, at least 1. */
function micros(milliseconds: number): number {
  return Math.max(1, Math.round(milliseconds * 1000));
}

/** Microseconds to milliseconds, two decimals. */
function ms(micros: number): number {
  return Math.round(micros / 10) / 100;
}

// Whether an open-loop step's answers kept pace with its rate, measured from how their latency rose over the step, and who fell behind: the receiver or drhook.
import type { Diagnostics, LatencySummary, Outcomes, Shortfall } from './report.js';
import { loadBands, type PaceHalves, type ServiceBand, type ServiceByLoad } from './stats.js';

/** The answers kept pace when they came at least this share of the requested rate. */
export const RATE_TOLERANCE = 0.95;
/** drhook's own limit: its CPU busy at least this share of the time (it cannot send more)… */
export const GENERATOR_CPU_SHARE = 0.9;
/** …or its event loop this late (p99, ms), when that delay can account for the latency's rise (at most twice its size). */
export const GENERATOR_LAG_MS = 100;
/** Below this many deliveries in either half of a step, the pace is the share answered within the deadline instead. */
export const MIN_HALF_DELIVERIES = 10;
/** A rise is a backlog only when the second half's fourth quarter is above its third by at least this share of the rise expected between them. */
const MIN_QUARTER_GROWTH = 1 / 3;
/** Connections were the bottleneck when at least this share of the deliveries waited for one. */
const CONNECTION_BOUND_SHARE = 0.5;
/** The suggested --connections leave this much headroom over rate × service time. */
const CONNECTION_HEADROOM = 1.5;
/**
 * With every connection busy, the receiver is the limit when at its service time with few in flight the connections
 * would carry at least this many times the rate asked (Little's law: connections ÷ service time).
 */
export const UNLOADED_HEADROOM = 2;
/** A service-time band is relied on only with at least this many deliveries in it. */
export const MIN_BAND_DELIVERIES = 5;
/** A growth of the service time with the deliveries in flight counts when at least this many standard errors above none… */
const SLOPE_STANDARD_ERRORS = 4;
/** …fitted to at least this many deliveries. */
const MIN_SLOPE_DELIVERIES = 8;

export interface PaceFigures {
  requestedRate: number;
  halves: PaceHalves;
  outcomes: Outcomes;
  connections: number;
  deadlineMs: number;
  diagnostics: Diagnostics;
  /** The receiver's service time, from write to answer (answers only); null when none was answered. */
  serviceMs: LatencySummary | null;
  /** This step's service time by how many connections were busy when each delivery was written; null when not measured. */
  serviceByLoad: ServiceByLoad | null;
  /**
   * The receiver's service time with few connections busy, the lowest mean the run measured (this step, an earlier one
   * or the warm-up: a step that starts while the receiver still works off an earlier backlog measures it higher); null
   * when none was measured on MIN_BAND_DELIVERIES deliveries.
   */
  unloaded: ServiceBand | null;
}

/**
 * The pace of the answers. A receiver that keeps up answers the second half of a step's deliveries as fast as the first:
 * their latency from schedule stays level, however long it is. One that takes only `c` of a rate `r` builds a backlog,
 * and the latency of a delivery due at time t grows as t·(r/c − 1). So, from the median latency of the deliveries due
 * in each half (their due times `halfSec` apart on average): c = r · halfSec / (halfSec + rise). The time answers take
 * to start flowing (the ramp-in) is in both medians and cancels out. A rise counts only when the second half's
 * quartile 25 is above the first half's quartile 75, so scattered latencies or a brief stall are not taken for a
 * backlog, and only when it goes on within the second half: a backlog's latency rises between that half's two quarters
 * (`halfSec / 2` apart) by about half the halves' rise, so the fourth quarter's median must be above the third's by at
 * least a third of that. A receiver whose latency stepped up once (say from 50 to 200 ms) and stayed there kept pace
 * at its new latency: its second half is level. With too few deliveries in a half, or most of the second half's not
 * answered within the deadline, the pace is the requested rate times the share of the due deliveries answered within
 * the deadline.
 *
 * Then who fell behind: drhook itself (a generator limit, which says nothing against the receiver) when its CPU was
 * saturated, or when its event loop was held up (p99 ≥ 100 ms) by enough to account for the rise: a delay of d ms
 * delays answers by about d, so it cannot explain a rise of more than twice its p99. When most deliveries waited for
 * a connection while the receiver answered each within the deadline, Little's law tells the two apart: N connections
 * busy S each carry N/S a second. When at the receiver's service time with few in flight (S₀) they would carry at
 * least twice the rate asked, yet were all busy, S grew with concurrency: the receiver processes one or a few at a
 * time, its pace is its own, and more connections would only queue longer. The same shows as the connections fill at
 * the start of a step: a receiver that takes one at a time answers the nth after the n − 1 before it, so each delivery
 * more in flight adds its service time s, and it answers at most 1/s a second; when that is below the rate asked, it
 * is the limit (drhook's own delays add alike to every delivery and leave s alone). Otherwise S was not shown to grow:
 * N/S is drhook's limit (a connection limit, inconclusive: rerun with more). Otherwise the receiver.
 */
export function diagnosePace(figures: PaceFigures): Shortfall | null {
  const { requestedRate, diagnostics: d } = figures;
  const reading = readPace(figures);
  if (reading === null) return null;
  const base = { requestedRate, achievedRate: round(reading.rate) };
  const held = d.eventLoopLagP99Ms >= GENERATOR_LAG_MS && reading.riseMs !== null && reading.riseMs <= 2 * d.eventLoopLagP99Ms;
  if (generatorSaturated(d) || held) {
    const own = generatorSaturated(d)
      ? `its CPU was busy ${pct(d.cpuShare)} of the time (stamping and signing ${pct(d.stampShare)})`
      : `its event loop was held up (delay p99 ${d.eventLoopLagP99Ms} ms) while its own CPU was busy only ${pct(d.cpuShare)} of the time: something else on this machine had the CPU`;
    return {
      ...base,
      cause: 'generator-limit',
      explanation: `drhook fell behind its own schedule (${reading.words}): ${own}. This says nothing against the receiver: run drhook on a bigger or quieter machine, or ask for less.`,
    };
  }
  const connectionBound = d.connectionBoundShare >= CONNECTION_BOUND_SHARE;
  const service = figures.serviceMs?.p50;
  if (connectionBound && service !== undefined && service <= figures.deadlineMs) {
    const slowed = receiverSlowed(figures);
    if (slowed === null) return { ...base, cause: 'connection-limit', explanation: connectionLimit(figures, reading, service) };
    const busy = `All ${figures.connections} of drhook's connections were busy (${pct(d.connectionBoundShare)} of the deliveries waited for one)`;
    return {
      ...base,
      cause: 'receiver-saturated',
      explanation: `the receiver fell behind (${reading.words})${reading.outlook}. ${busy}, but the receiver is the limit: ${slowed}; its pace is its own, and more connections would only queue longer.`,
    };
  }
  const waited = connectionBound ? ` ${pct(d.connectionBoundShare)} of the deliveries waited for one of the ${figures.connections} connections: if Digital River delivers to this receiver with more concurrency than that, raise --connections.` : '';
  return { ...base, cause: 'receiver-saturated', explanation: `the receiver fell behind (${reading.words})${reading.outlook}.${waited}` };
}

/** How the receiver's service time shows it slowed down with concurrency, in words; null when it does not. */
function receiverSlowed(figures: PaceFigures): string | null {
  const { connections: n, requestedRate: rate, unloaded, serviceByLoad: load } = figures;
  const enough = (band: ServiceBand | null | undefined): band is ServiceBand => band !== null && band !== undefined && band.count >= MIN_BAND_DELIVERIES;
  if (enough(unloaded) && (n * 1000) / unloaded.meanMs >= UNLOADED_HEADROOM * rate) {
    return (
      `at its service time with few in flight (${fmtMs(unloaded.meanMs)} on average) the ${n} connections would carry ${fmtRate((n * 1000) / unloaded.meanMs)}, ` +
      `at least twice the ${fmtRate(rate)} asked (Little's law: connections ÷ service time), so it answered more slowly the more it was sent at once`
    );
  }
  const slope = load?.slope;
  if (slope && slope.count >= MIN_SLOPE_DELIVERIES && slope.msPerDelivery > 0 && slope.msPerDelivery >= SLOPE_STANDARD_ERRORS * slope.standardError && slope.msPerDelivery * rate >= 1000) {
    const { lightMax } = loadBands(n);
    return (
      `as the connections filled (up to ${lightMax} in flight), each delivery more in flight added about ${fmtMs(slope.msPerDelivery)} to its service time, as when it takes them one at a time, ` +
      `so it answers at most about ${fmtRate(1000 / slope.msPerDelivery)}, short of the ${fmtRate(rate)} asked, however many connections send to it`
    );
  }
  return null;
}

/** drhook's connections were all busy: what they could carry at the receiver's service time, and how many to rerun with. */
function connectionLimit(figures: PaceFigures, reading: PaceReading, serviceMs: number): string {
  const { connections: n, requestedRate, diagnostics, unloaded } = figures;
  const carried = (n * 1000) / serviceMs;
  const suggested = Math.ceil((requestedRate * serviceMs * CONNECTION_HEADROOM) / 1000);
  const steady = unloaded && unloaded.count >= MIN_BAND_DELIVERIES ? ` (${fmtMs(unloaded.meanMs)} on average with few in flight)` : '';
  return (
    `drhook's connections were the limit (${reading.words}): all ${n} of them were busy (${pct(diagnostics.connectionBoundShare)} of the deliveries waited for one), ` +
    `and the receiver took about ${fmtMs(serviceMs)} per answer${steady}, so ${n} connections carry at most ${fmtRate(carried)}. ` +
    `Digital River does not wait for a connection of ours: inconclusive until rerun with --connections ${suggested} or more.`
  );
}

/** drhook's CPU was saturated: it could not keep its schedule, so lateness in its step is its own. */
export function generatorSaturated(diagnostics: Diagnostics): boolean {
  return diagnostics.cpuShare >= GENERATOR_CPU_SHARE;
}

interface PaceReading {
  rate: number;
  /** How much the median latency rose from the first half to the second; null when not measured. */
  riseMs: number | null;
  /** What was measured, in words. */
  words: string;
  /** What holding the rate longer would bring, in words (with a leading `; `), or ''. */
  outlook: string;
}

/** The pace of the answers when it fell short of the tolerance; null when they kept pace. */
function readPace(figures: PaceFigures): PaceReading | null {
  const { requestedRate: rate, halves, deadlineMs, outcomes } = figures;
  const { early, late, halfSec } = halves;
  // Where the latency trend cannot be read (too few deliveries, or most later ones not answered in time): the share answered in time.
  const due = outcomes.judged + outcomes.unfinished;
  const answered = outcomes.judged - outcomes.timeouts - outcomes.connectionErrors;
  const inTime = (detail: string): PaceReading | null =>
    due === 0 || answered >= due * RATE_TOLERANCE ? null : { rate: (rate * answered) / due, riseMs: null, words: `only ${answered} of the ${due} deliveries due were answered within ${deadlineMs} ms${detail}`, outlook: '' };
  if (early === null || late === null || early.count < MIN_HALF_DELIVERIES || late.count < MIN_HALF_DELIVERIES) return inTime('');
  const medians = `the median time from when a delivery fell due to its answer rose from ${fmtMs(early.median)} in the first half of the step to`;
  if (late.median > deadlineMs) {
    return inTime(
      early.median > deadlineMs
        ? ': the median time from when a delivery fell due to its answer was over the deadline from the first half of the step on'
        : `: ${medians} over the deadline in the second`,
    );
  }
  const rise = late.median - early.median;
  const halfMs = halfSec * 1000;
  const pace = (rate * halfMs) / (halfMs + Math.max(0, rise));
  if (pace >= rate * RATE_TOLERANCE || late.q25 <= early.q75 || !keptRising(halves, rise)) return null;
  // Latency grows by rise per halfSec: it reaches the deadline this long after the second half's middle (1.5 halves in).
  const secondsLeft = ((deadlineMs - late.median) / rise) * halfSec;
  return {
    rate: pace,
    riseMs: rise,
    words: `it answered about ${fmtRate(pace)} of the ${fmtRate(rate)} due: ${medians} ${fmtMs(late.median)} in the second`,
    outlook: `; held at this rate, deliveries would exceed the ${deadlineMs} ms deadline after about ${Math.max(1, Math.round(secondsLeft + halfSec * 1.5))} s`,
  };
}

/**
 * A backlog keeps growing: the second half's quarters, `halfSec / 2` apart, differ by about half the halves' rise. A latency
 * that stepped up once and stayed level shows none of it. A quarter with no delivery cannot tell, and refutes nothing.
 */
function keptRising({ third, fourth }: PaceHalves, riseMs: number): boolean {
  return third === null || fourth === null || fourth.median - third.median >= (riseMs / 2) * MIN_QUARTER_GROWTH;
}

export function fmtRate(rate: number): string {
  return `${rate >= 100 ? Math.round(rate) : Math.round(rate * 10) / 10}/s`;
}

/** `2503 ms`, `4.5 ms`. */
function fmtMs(ms: number): string {
  return `${ms >= 10 ? Math.round(ms) : Math.round(ms * 10) / 10} ms`;
}

function pct(share: number): string {
  return `${Math.round(share * 100)} %`;
}

function round(value: number): number {
  return Math.round(value * 100) / 100;
}

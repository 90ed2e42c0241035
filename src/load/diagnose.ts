// Why an open-loop step sent fewer requests than asked: the receiver (connections all waiting) or drhook itself (its CPU saturated).
import type { Diagnostics, LatencySummary, SecondSample, Shortfall } from './report.js';

/** A step reached its rate when it sent at least this share of the requested requests. */
export const RATE_TOLERANCE = 0.95;
/** drhook's own limit: its event loop busy at least this share of the time… */
export const GENERATOR_CPU_SHARE = 0.9;
/** …or its event loop this late (p99, ms): requests could not be sent on time. */
export const GENERATOR_LAG_MS = 100;
/** The receiver's limit: at least this share of the requests were due while every connection still waited for an answer. */
export const CONNECTION_BOUND_SHARE = 0.5;

export interface StepFigures {
  requestedRate: number;
  achievedRate: number;
  connections: number;
  diagnostics: Diagnostics;
  latencyMs: LatencySummary | null;
  series: readonly SecondSample[];
}

/**
 * How the cause is decided, in order:
 * 1. drhook's CPU (≥ 90 % of a core) or event-loop delay (p99 ≥ 100 ms) says drhook itself could not send on time:
 *    generator limit (its own timings are then unreliable, so this is checked first);
 * 2. else, when at least half the requests were due while all connections were still waiting for answers, the
 *    receiver did not answer fast enough for the rate at this many connections: receiver saturated;
 * 3. else the numbers are reported without a cause.
 */
export function diagnoseShortfall(figures: StepFigures): Shortfall | null {
  const { requestedRate, achievedRate, connections, diagnostics: d, latencyMs } = figures;
  if (achievedRate >= requestedRate * RATE_TOLERANCE) return null;
  const base = { requestedRate, achievedRate };
  const reached = `sent ${fmtRate(achievedRate)} of the ${fmtRate(requestedRate)} requested`;
  if (d.cpuShare >= GENERATOR_CPU_SHARE || d.eventLoopLagP99Ms >= GENERATOR_LAG_MS) {
    return {
      ...base,
      cause: 'generator-limit',
      explanation:
        `drhook reached its own limit (${reached}): its CPU was busy ${pct(d.cpuShare)} of the time (stamping and signing ${pct(d.stampShare)}), ` +
        `event-loop delay p99 ${d.eventLoopLagP99Ms} ms, so requests were not sent on time. This says nothing against the receiver: run drhook on a bigger machine or ask for less.`,
    };
  }
  if (d.connectionBoundShare >= CONNECTION_BOUND_SHARE) {
    const p50 = latencyMs?.p50;
    const ceiling = p50 !== undefined && p50 > 0 ? `; at a median of ${p50} ms per answer, ${connections} connections carry at most about ${fmtRate((connections * 1000) / p50)}` : '';
    return {
      ...base,
      cause: 'receiver-saturated',
      explanation:
        `the receiver did not keep up (${reached}): ${pct(d.connectionBoundShare)} of the requests were due while all ${connections} connections were still waiting for answers${ceiling}${latencyTrend(figures.series)}. ` +
        'Digital River would queue the rest; if it delivers with more concurrency than this, raise --connections.',
    };
  }
  return {
    ...base,
    cause: 'undetermined',
    explanation: `${reached}, but neither the connections (busy for ${pct(d.connectionBoundShare)} of the requests) nor drhook's CPU (${pct(d.cpuShare)}, event-loop delay p99 ${d.eventLoopLagP99Ms} ms) was clearly the limit.`,
  };
}

/** `; p99 rose from 12 ms in the first second to 2400 ms in the last`, when it rose at least threefold. */
function latencyTrend(series: readonly SecondSample[]): string {
  const measured = series.filter((sample) => sample.p99Ms !== null);
  const first = measured[0]?.p99Ms;
  const last = measured[measured.length - 1]?.p99Ms;
  if (first == null || last == null || last < first * 3) return '';
  return `; p99 rose from ${first} ms in the first second to ${last} ms in the last`;
}

export function fmtRate(rate: number): string {
  return `${rate >= 100 ? Math.round(rate) : Math.round(rate * 10) / 10}/s`;
}

function pct(share: number): string {
  return `${Math.round(share * 100)} %`;
}

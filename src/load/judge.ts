// Thresholds judged per step (p99, failure share, the answers' pace) and the run's verdict in a plain sentence, as Digital River would count it.
import { headersTooLarge } from '../wire/delivery.js';
import type { Verdict } from '../wire/verdict.js';
import { fmtRate, generatorSaturated, RATE_TOLERANCE } from './diagnose.js';
import type { CapacitySummary, Diagnostics, LatencySummary, LoadReport, Outcomes, Pace, Shortfall, StepResult, ThresholdCheck } from './report.js';
import type { Thresholds } from './settings.js';

export interface StepJudgement {
  latencyMs: LatencySummary | null;
  outcomes: Outcomes;
  pace: Pace;
  shortfall: Shortfall | null;
  diagnostics: Diagnostics;
  thresholds: Thresholds;
  deadlineMs: number;
}

/**
 * Open loop, latency counts from when each delivery fell due. When drhook's own CPU was saturated it could not keep
 * its schedule, and lateness is its own: a p99 over the budget, and failures that are only timeouts, then warn.
 */
export function judgeStep(step: StepJudgement): ThresholdCheck[] {
  const { latencyMs, outcomes, thresholds, shortfall } = step;
  const ownLimit = step.pace.kind === 'open' && generatorSaturated(step.diagnostics);
  const excuse = (verdict: Verdict, excused: boolean): Verdict =>
    verdict.status === 'fail' && excused ? { status: 'warn', reason: `${verdict.reason}; but drhook's own CPU was saturated, so it fell behind its schedule: this says nothing against the receiver` } : verdict;
  const lateOnly = outcomes.judged > 0 && (outcomes.failures - outcomes.timeouts) / outcomes.judged <= thresholds.maxFailureRate;
  const checks: ThresholdCheck[] = [
    {
      id: 'p99',
      limit: `p99 ≤ ${thresholds.p99Ms} ms`,
      measured: latencyMs ? `${latencyMs.p99} ms${step.pace.kind === 'open' ? ' from schedule' : ''}` : 'no answer',
      verdict: excuse(p99Verdict(latencyMs, outcomes, thresholds.p99Ms), ownLimit),
    },
    {
      id: 'failure-rate',
      limit: `failures ≤ ${percent(thresholds.maxFailureRate)}`,
      measured: `${percent(outcomes.failureRate)} (${outcomes.failures} of ${outcomes.judged})`,
      verdict: excuse(failureVerdict(outcomes, thresholds.maxFailureRate, step.deadlineMs), ownLimit && lateOnly),
    },
  ];
  if (step.pace.kind === 'open') {
    const requested = step.pace.rate;
    checks.push({
      id: 'rate',
      limit: `answers at ≥ ${Math.round(RATE_TOLERANCE * 100)} % of ${fmtRate(requested)}`,
      measured: shortfall ? fmtRate(shortfall.achievedRate) : 'kept pace',
      verdict: !shortfall
        ? { status: 'pass', reason: `the answers kept pace with the requested ${fmtRate(requested)}` }
        : { status: shortfall.cause === 'generator-limit' ? 'warn' : 'fail', reason: shortfall.explanation },
    });
  }
  return checks;
}

function p99Verdict(latency: LatencySummary | null, outcomes: Outcomes, budgetMs: number): Verdict {
  if (outcomes.judged === 0) return { status: 'warn', reason: 'no delivery was judged, so there is no latency to hold to the budget' };
  if (!latency) return { status: 'fail', reason: 'no delivery was answered, so none was acknowledged in time' };
  const timeouts = outcomes.timeouts > 0 ? ` (${outcomes.timeouts} timed out and count as just over the deadline)` : '';
  return latency.p99 <= budgetMs
    ? { status: 'pass', reason: `p99 ${latency.p99} ms is within the ${budgetMs} ms budget` }
    : { status: 'fail', reason: `p99 ${latency.p99} ms exceeds the ${budgetMs} ms budget${timeouts}` };
}

function failureVerdict(outcomes: Outcomes, max: number, deadlineMs: number): Verdict {
  const share = `${percent(outcomes.failureRate)} of ${outcomes.judged} deliveries failed`;
  if (outcomes.failureRate <= max) return { status: 'pass', reason: outcomes.failures === 0 ? `no delivery failed` : `${share}, within ${percent(max)}: ${describeFailures(outcomes, deadlineMs)}` };
  return { status: 'fail', reason: `${share}, more than ${percent(max)}: ${describeFailures(outcomes, deadlineMs)}` };
}

/** `250 answered 503, 12 answered 308 (a redirect, not followed), 20 timed out after 3000 ms, 3 lost to connection errors (ECONNREFUSED ×3)`. */
export function describeFailures(outcomes: Outcomes, deadlineMs: number): string {
  const parts: string[] = [];
  for (const [status, count] of Object.entries(outcomes.statuses)) {
    const code = Number(status);
    if (code >= 200 && code < 300) continue;
    parts.push(`${count} answered ${status}${code >= 300 && code < 400 ? ' (a redirect, not followed)' : ''}`);
  }
  const notSent = outcomes.notSent ?? 0;
  const unsent = notSent > 0 ? ` (${notSent} of them never sent: every connection was still busy at their deadline)` : '';
  if (outcomes.timeouts > 0) parts.push(`${outcomes.timeouts} timed out after ${deadlineMs} ms${unsent}`);
  if (outcomes.connectionErrors > 0) {
    const codes = Object.entries(outcomes.errorCodes).map(([code, count]) => `${explainCode(code)} ×${count}`);
    const backedOff = outcomes.backedOff ?? 0;
    // Each is counted once, for its delivery; those that fell due while drhook held back from connecting are named.
    const held = backedOff > 0 ? `; ${backedOff} of them fell due while connecting was failing, so drhook held back and opened no connection for them` : '';
    parts.push(`${outcomes.connectionErrors} lost to connection errors (${codes.join(', ')}${held})`);
  }
  return parts.join(', ');
}

/** Codes whose name alone would mislead or puzzle, with what they mean. */
const codeMeanings: Record<string, () => string> = { HPE_HEADER_OVERFLOW: headersTooLarge };

/** `ECONNRESET`, `HPE_HEADER_OVERFLOW: headers larger than 16 KiB`. */
function explainCode(code: string): string {
  const meaning = codeMeanings[code];
  return meaning === undefined ? code : `${code}: ${meaning()}`;
}

/** `0 %`, `1.25 %`, `< 0.01 %`. */
export function percent(share: number): string {
  if (share === 0) return '0 %';
  const value = Math.round(share * 10_000) / 100;
  return value === 0 ? '< 0.01 %' : `${value} %`;
}

export function stepStatus(checks: readonly ThresholdCheck[]): StepResult['status'] {
  return checks.some((check) => check.verdict.status === 'fail') ? 'fail' : 'pass';
}

const disabledNote = 'Digital River retries failed deliveries, and an endpoint that keeps failing is disabled automatically.';

/**
 * Steady and ramp runs fail when any threshold of any step breaks. A capacity search fails only when no step held
 * (the receiver cannot take even the start rate): finding a rate that breaks the thresholds is its purpose.
 */
export function runVerdict(steps: readonly StepResult[], totals: Outcomes, capacity: CapacitySummary | null, deadlineMs: number): LoadReport['verdict'] {
  const reasons = steps.flatMap((step) =>
    step.checks.filter((check) => check.verdict.status === 'fail').map((check) => `${step.label}: ${check.verdict.reason}`),
  );
  if (capacity) {
    const failed = capacity.capacity === null && (capacity.firstBad !== null || capacity.ended === 'connection-limit');
    const found = capacity.capacity === null ? 'No step held every threshold.' : `Capacity: about ${fmtRate(capacity.capacity)}, the highest rate that held every threshold.`;
    const bad = capacity.firstBad;
    const badStep = bad ? steps.find((step) => step.label === bad.label) : undefined;
    const atBad = !bad
      ? ''
      : badStep && badStep.outcomes.failures > 0
        ? ` At ${fmtRate(bad.rate)} Digital River would have counted ${percent(bad.failureRate)} of the deliveries as failed (${describeFailures(badStep.outcomes, deadlineMs)}).`
        : ` At ${fmtRate(bad.rate)} no delivery failed, but: ${bad.why.replace(/\.$/, '')}.`;
    const stopped = capacity.ended === 'connection-limit' ? ` The search stopped: ${capacity.explanation}.` : '';
    return { status: failed ? 'fail' : 'pass', summary: `${found}${atBad}${stopped} ${disabledNote}`, reasons: failed ? reasons : [] };
  }
  // When the failure share held, the run can still fail (the answers fell behind, a tighter p99): the sentence says why.
  const failureBroke = steps.some((step) => step.checks.some((check) => check.id === 'failure-rate' && check.verdict.status === 'fail'));
  const others = failureBroke
    ? []
    : steps.flatMap((step) =>
        step.checks.filter((check) => check.verdict.status === 'fail').map((check) => `${steps.length > 1 ? `${step.label}: ` : ''}${check.verdict.reason.replace(/\.$/, '')}`),
      );
  const connectionLimited = steps.some((step) => step.shortfall?.cause === 'connection-limit');
  const summary = connectionLimited ? connectionLimitSentence(totals, deadlineMs) : failureSentence(totals, deadlineMs, others);
  return { status: reasons.length > 0 ? 'fail' : 'pass', summary, reasons };
}

/** drhook's connections were the limit: the late deliveries are not shown to be the receiver's, so the run is inconclusive. */
function connectionLimitSentence(totals: Outcomes, deadlineMs: number): string {
  const these = `these ${totals.judged.toLocaleString('en-US')} deliveries`;
  const missed =
    totals.failures === 0
      ? `None of ${these} failed, but the answers fell behind`
      : `${percent(totals.failureRate)} of ${these} (${totals.failures.toLocaleString('en-US')}) were not answered 2xx within ${deadlineMs} ms of when they fell due (${describeFailures(totals, deadlineMs)}), most`;
  return `${missed} because every one of drhook's connections was busy: the result is inconclusive until rerun with more --connections (the rate threshold says how many). ${disabledNote}`;
}

function failureSentence(totals: Outcomes, deadlineMs: number, others: readonly string[]): string {
  if (totals.judged === 0) return `No delivery was judged. ${disabledNote}`;
  const these = `these ${totals.judged.toLocaleString('en-US')} deliveries`;
  const counted =
    totals.failures === 0
      ? `Digital River would have counted none of ${these} as failed`
      : `Digital River would have counted ${percent(totals.failureRate)} of ${these} (${totals.failures.toLocaleString('en-US')}) as failed`;
  const how = totals.failures === 0 ? `every one was answered 2xx within ${deadlineMs} ms` : describeFailures(totals, deadlineMs);
  return others.length === 0 ? `${counted}: ${how}. ${disabledNote}` : `${counted} (${how}), but the run failed: ${others.join('; ')}. ${disabledNote}`;
}

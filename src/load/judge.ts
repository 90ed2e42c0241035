// Thresholds judged per step (p99, failure share, the answers' pace) and the run's verdict in a plain sentence, as Digital River would count it.
import { isSuccess } from '../wire/ack.js';
import { fmtRate, generatorSaturated, RATE_TOLERANCE } from './diagnose.js';
import { capacityFigure } from './ramp.js';
import { causeTallies, describeTally } from './stats.js';
import type {
  CapacitySummary,
  CheckVerdict,
  Diagnostics,
  InconclusiveCause,
  LatencySummary,
  LoadReport,
  LoadVerdict,
  Outcomes,
  Pace,
  Shortfall,
  StepResult,
  ThresholdCheck,
} from './report.js';
import type { Thresholds } from './settings.js';

/** A percentile threshold is judged on at least this many timed deliveries: of fewer, a p99 is only the slowest of them. */
export const MIN_PERCENTILE_DELIVERIES = 100;

export interface StepJudgement {
  latencyMs: LatencySummary | null;
  outcomes: Outcomes;
  pace: Pace;
  shortfall: Shortfall | null;
  diagnostics: Diagnostics;
  thresholds: Thresholds;
  deadlineMs: number;
  /** The step was cut short by an interruption: the pace of its answers cannot be read. */
  interrupted?: boolean;
}

/** What kept drhook from doing what was asked in an open-loop step, if anything. */
type OwnLimit = 'generator-limit' | 'connection-limit';

const ownWords: Record<OwnLimit, string> = {
  'generator-limit': "drhook's own CPU was saturated, so it fell behind its own schedule",
  'connection-limit': "every one of drhook's connections was busy, so deliveries waited for one",
};

/**
 * Open loop, latency counts from when each delivery fell due. When drhook could not keep its schedule (its CPU
 * saturated) or its connections could not carry the rate while the receiver answered at its usual speed, the lateness
 * is drhook's own: a p99 over the budget, and failures that are only timeouts, are inconclusive, never a pass. A p99 of
 * fewer than MIN_PERCENTILE_DELIVERIES timed deliveries is inconclusive too.
 */
export function judgeStep(step: StepJudgement): ThresholdCheck[] {
  const { latencyMs, outcomes, thresholds, shortfall } = step;
  const own = ownLimit(step);
  const excuse = (verdict: CheckVerdict, excused: boolean): CheckVerdict =>
    verdict.status === 'fail' && excused && own !== null
      ? { status: 'inconclusive', cause: own, reason: `${verdict.reason}; but ${ownWords[own]}: this says nothing against the receiver` }
      : verdict;
  const lateOnly = outcomes.judged > 0 && (outcomes.failures - outcomes.timeouts) / outcomes.judged <= thresholds.maxFailureRate;
  const checks: ThresholdCheck[] = [
    {
      id: 'p99',
      limit: `p99 ≤ ${thresholds.p99Ms} ms`,
      measured: latencyMs ? `${latencyMs.p99} ms${step.pace.kind === 'open' ? ' from schedule' : ''}${latencyMs.count < MIN_PERCENTILE_DELIVERIES ? ` (of ${latencyMs.count})` : ''}` : 'no answer',
      verdict: excuse(p99Verdict(latencyMs, outcomes, thresholds.p99Ms), true),
    },
    {
      id: 'failure-rate',
      limit: `failures ≤ ${percent(thresholds.maxFailureRate)}`,
      measured: `${percent(outcomes.failureRate)} (${outcomes.failures} of ${outcomes.judged})`,
      verdict: excuse(failureVerdict(outcomes, thresholds.maxFailureRate, step.deadlineMs), lateOnly),
    },
  ];
  if (step.pace.kind === 'open') checks.push(rateCheck(step.pace.rate, outcomes, shortfall, step.interrupted === true));
  return checks;
}

function ownLimit(step: StepJudgement): OwnLimit | null {
  if (step.pace.kind !== 'open') return null;
  if (generatorSaturated(step.diagnostics)) return 'generator-limit';
  const cause = step.shortfall?.cause;
  return cause === 'generator-limit' || cause === 'connection-limit' ? cause : null;
}

function p99Verdict(latency: LatencySummary | null, outcomes: Outcomes, budgetMs: number): CheckVerdict {
  if (outcomes.judged === 0) return { status: 'inconclusive', cause: 'too-few-deliveries', reason: 'no delivery was judged, so there is no latency to hold to the budget' };
  if (!latency) return { status: 'fail', reason: 'no delivery was answered, so none was acknowledged in time' };
  if (latency.count < MIN_PERCENTILE_DELIVERIES) {
    return {
      status: 'inconclusive',
      cause: 'too-few-deliveries',
      reason:
        `only ${latency.count} deliver${latency.count === 1 ? 'y was' : 'ies were'} timed, too few to judge a p99 (at least ${MIN_PERCENTILE_DELIVERIES} are needed: ` +
        `of fewer it is only the slowest, here ${latency.max} ms)`,
    };
  }
  const timeouts = outcomes.timeouts > 0 ? ` (${outcomes.timeouts} timed out and count as just over the deadline)` : '';
  return latency.p99 <= budgetMs
    ? { status: 'pass', reason: `p99 ${latency.p99} ms is within the ${budgetMs} ms budget` }
    : { status: 'fail', reason: `p99 ${latency.p99} ms exceeds the ${budgetMs} ms budget${timeouts}` };
}

function failureVerdict(outcomes: Outcomes, max: number, deadlineMs: number): CheckVerdict {
  const share = `${percent(outcomes.failureRate)} of ${outcomes.judged} deliveries failed`;
  if (outcomes.failureRate <= max) return { status: 'pass', reason: outcomes.failures === 0 ? `no delivery failed` : `${share}, within ${percent(max)}: ${describeFailures(outcomes, deadlineMs)}` };
  return { status: 'fail', reason: `${share}, more than ${percent(max)}: ${describeFailures(outcomes, deadlineMs)}` };
}

/** The answers' pace: kept, short because of the receiver (fail), or short because of drhook (inconclusive). None answered is never kept. */
function rateCheck(requested: number, outcomes: Outcomes, shortfall: Shortfall | null, interrupted: boolean): ThresholdCheck {
  const limit = `answers at ≥ ${Math.round(RATE_TOLERANCE * 100)} % of ${fmtRate(requested)}`;
  const answered = outcomes.judged - outcomes.timeouts - outcomes.connectionErrors;
  if (interrupted) {
    return { id: 'rate', limit, measured: 'cut short', verdict: { status: 'inconclusive', cause: 'interrupted', reason: 'the step was interrupted before its deliveries could show the pace of the answers' } };
  }
  if (shortfall) {
    const { cause, explanation } = shortfall;
    const verdict: CheckVerdict = cause === 'receiver-saturated' ? { status: 'fail', reason: explanation } : { status: 'inconclusive', cause, reason: explanation };
    return { id: 'rate', limit, measured: fmtRate(shortfall.achievedRate), verdict };
  }
  if (outcomes.judged === 0) {
    return { id: 'rate', limit, measured: 'nothing judged', verdict: { status: 'inconclusive', cause: 'too-few-deliveries', reason: 'no delivery was judged, so there is no pace to hold to the rate' } };
  }
  if (answered === 0) {
    const due = outcomes.judged + outcomes.unfinished;
    return { id: 'rate', limit, measured: 'no answer', verdict: { status: 'fail', reason: `none of the ${due} deliveries due was answered, so the answers did not keep pace` } };
  }
  return { id: 'rate', limit, measured: 'kept pace', verdict: { status: 'pass', reason: `the answers kept pace with the requested ${fmtRate(requested)}` } };
}

/**
 * `250 answered 503, 12 answered 308 (a redirect, not followed), 3 answered 999 (not a valid HTTP status: counted as
 * a server error), 20 timed out after 3000 ms, 3 lost to connection errors (ECONNREFUSED ×3)`.
 */
export function describeFailures(outcomes: Outcomes, deadlineMs: number): string {
  const parts: string[] = [];
  for (const [status, count] of Object.entries(outcomes.statuses)) {
    const code = Number(status);
    if (isSuccess(code)) continue;
    const note = code >= 300 && code < 400 ? ' (a redirect, not followed)' : code >= 600 ? ' (not a valid HTTP status: counted as a server error)' : '';
    parts.push(`${count} answered ${status}${note}`);
  }
  const notSent = outcomes.notSent ?? 0;
  const unsent = notSent > 0 ? ` (${notSent} of them never sent: every connection was still busy at their deadline)` : '';
  if (outcomes.timeouts > 0) parts.push(`${outcomes.timeouts} timed out after ${deadlineMs} ms${unsent}`);
  if (outcomes.connectionErrors > 0) {
    const causes = causeTallies(outcomes).map(describeTally);
    const backedOff = outcomes.backedOff ?? 0;
    // Each is counted once, for its delivery; those that fell due while drhook held back from connecting are named.
    const held = backedOff > 0 ? `; ${backedOff} of them fell due while connecting was failing, so drhook held back and opened no connection for them` : '';
    parts.push(`${outcomes.connectionErrors} lost to connection errors (${causes.join(', ')}${held})`);
  }
  return parts.join(', ');
}

/** `0 %`, `1.25 %`, `< 0.01 %`. */
export function percent(share: number): string {
  if (share === 0) return '0 %';
  const value = Math.round(share * 10_000) / 100;
  return value === 0 ? '< 0.01 %' : `${value} %`;
}

/** fail when any check fails; else inconclusive when any is (an older report's `warn` neither fails nor holds back a pass). */
export function stepStatus(checks: readonly ThresholdCheck[]): StepResult['status'] {
  if (checks.some((check) => check.verdict.status === 'fail')) return 'fail';
  return checks.some((check) => check.verdict.status === 'inconclusive') ? 'inconclusive' : 'pass';
}

const disabledNote = 'Digital River retries failed deliveries, and an endpoint that keeps failing is disabled automatically.';

/** The step lines of the checks with this status: `ramp 2/4: <reason>` (the label only when there are several steps). */
function checkLines(steps: readonly StepResult[], status: CheckVerdict['status'], labelled = steps.length > 1): string[] {
  return steps.flatMap((step) => step.checks.filter((check) => check.verdict.status === status).map((check) => `${labelled ? `${step.label}: ` : ''}${check.verdict.reason}`));
}

/**
 * Steady and ramp runs fail when any threshold of any step breaks; otherwise an interrupted run, or one with a threshold
 * drhook could not judge, is inconclusive; otherwise they pass. A capacity search fails only when no step held (the
 * receiver cannot take even the lowest rate tried): finding a rate that breaks the thresholds is its purpose.
 */
export function runVerdict(
  steps: readonly StepResult[],
  totals: Outcomes,
  capacity: CapacitySummary | null,
  deadlineMs: number,
  stoppedBy: LoadReport['stoppedBy'] = null,
): LoadVerdict {
  if (capacity) return capacityVerdict(steps, capacity, deadlineMs);
  const failed = checkLines(steps, 'fail', true);
  if (failed.length > 0) {
    // When the failure share held, the run can still fail (the answers fell behind, a tighter p99): the sentence says why.
    const failureBroke = steps.some((step) => step.checks.some((check) => check.id === 'failure-rate' && check.verdict.status === 'fail'));
    const others = failureBroke ? [] : checkLines(steps, 'fail').map((line) => line.replace(/\.$/, ''));
    return { status: 'fail', summary: failureSentence(totals, deadlineMs, others), reasons: failed };
  }
  const unjudged = firstInconclusive(steps);
  const reasons = checkLines(steps, 'inconclusive', true);
  if (stoppedBy === 'interrupted') {
    const last = steps[steps.length - 1];
    const ran = steps.reduce((sum, step) => sum + step.durationSec, 0);
    return {
      status: 'inconclusive',
      cause: 'interrupted',
      reachedRate: last ? reached(last) : null,
      summary: `Interrupted after ${Math.round(ran * 10) / 10} s: a partial run cannot pass. So far ${counted(totals, deadlineMs)}.`,
      reasons,
    };
  }
  if (unjudged) {
    const { step, cause } = unjudged;
    return { status: 'inconclusive', cause, reachedRate: reached(step), summary: `Inconclusive: ${inconclusiveWhy(step, cause, totals, steps.length)}. ${counted(totals, deadlineMs)}.`, reasons };
  }
  return { status: 'pass', summary: failureSentence(totals, deadlineMs, []), reasons: [] };
}

/** The first step with an inconclusive threshold, by cause: drhook's own limits before too few deliveries. */
function firstInconclusive(steps: readonly StepResult[]): { step: StepResult; cause: Exclude<InconclusiveCause, 'interrupted' | 'missing-shards'> } | undefined {
  for (const cause of ['generator-limit', 'connection-limit', 'too-few-deliveries'] as const) {
    const step = steps.find((each) => each.checks.some((check) => check.verdict.status === 'inconclusive' && check.verdict.cause === cause));
    if (step) return { step, cause };
  }
  return undefined;
}

/** The rate a step reached: the answers' pace when they fell behind, else what was sent per second. */
function reached(step: StepResult): number {
  return step.shortfall?.achievedRate ?? step.achievedRate;
}

/** Why a step says nothing either way about the receiver, with the rate it reached and what to do. */
function inconclusiveWhy(step: StepResult, cause: Exclude<InconclusiveCause, 'interrupted' | 'missing-shards'>, totals: Outcomes, stepCount: number): string {
  const asked = step.pace.kind === 'open' ? fmtRate(step.pace.rate) : 'closed loop';
  const at = `it reached ${fmtRate(reached(step))} of the ${asked} asked`;
  const d = step.diagnostics;
  switch (cause) {
    case 'generator-limit':
      return (
        `drhook itself could not do what was asked on this machine: ${at}, its CPU busy ${Math.round(d.cpuShare * 100)} % of the time` +
        `${d.eventLoopLagP99Ms >= 100 ? ` and its event loop held up (delay p99 ${d.eventLoopLagP99Ms} ms)` : ''}, so the lateness is its own and says nothing against the receiver. ` +
        'Run drhook on a bigger or quieter machine, or ask for less'
      );
    case 'connection-limit':
      return `every one of drhook's connections was busy, and the receiver was not shown to slow down with them: ${at}. Rerun with more --connections (the rate threshold says how many)`;
    case 'too-few-deliveries': {
      const timed = step.latencyMs?.count ?? 0;
      const whole = totals.judged === timed ? '' : ` (of ${totals.judged} judged)`;
      const more = stepCount > 1 ? 'Lengthen --step-duration or raise the rates' : step.pace.kind === 'open' ? 'Lengthen --duration or raise --rate' : 'Raise --count or lengthen --duration';
      return `only ${timed} deliver${timed === 1 ? 'y was' : 'ies were'} timed${whole}, too few to judge a p99 (at least ${MIN_PERCENTILE_DELIVERIES} are needed). ${more}`;
    }
  }
}

/** `Digital River would have counted 2.5 % of these 200 deliveries (5) as failed` and how: `3 answered 308 …`; null when none was judged. */
function countedParts(totals: Outcomes, deadlineMs: number): { head: string; how: string } | null {
  if (totals.judged === 0) return null;
  const these = `these ${totals.judged.toLocaleString('en-US')} deliveries`;
  return totals.failures === 0
    ? { head: `Digital River would have counted none of ${these} as failed`, how: `every one was answered 2xx within ${deadlineMs} ms` }
    : { head: `Digital River would have counted ${percent(totals.failureRate)} of ${these} (${totals.failures.toLocaleString('en-US')}) as failed`, how: describeFailures(totals, deadlineMs) };
}

function counted(totals: Outcomes, deadlineMs: number): string {
  const parts = countedParts(totals, deadlineMs);
  return parts ? `${parts.head}: ${parts.how}` : 'no delivery was judged';
}

function failureSentence(totals: Outcomes, deadlineMs: number, others: readonly string[]): string {
  const parts = countedParts(totals, deadlineMs);
  if (!parts) return `No delivery was judged. ${disabledNote}`;
  return others.length === 0 ? `${parts.head}: ${parts.how}. ${disabledNote}` : `${parts.head} (${parts.how}), but the run failed: ${others.join('; ')}. ${disabledNote}`;
}

/** The search ended without finding what it was asked for because drhook could not judge (or was stopped). */
const unfinishedSearch: Partial<Record<CapacitySummary['ended'], InconclusiveCause>> = {
  'generator-limit': 'generator-limit',
  'connection-limit': 'connection-limit',
  'too-few-deliveries': 'too-few-deliveries',
  interrupted: 'interrupted',
};

/**
 * A capacity search fails when no step held and the search went to its end. It is inconclusive when it was
 * interrupted, or when drhook could not judge where the capacity lies: no step was judged, or its own limits or too few
 * deliveries stopped the search before a bad step above a good one bracketed it. Otherwise it passes with the capacity
 * found: "about" when a bad step lies above it, "at least" when none does.
 */
function capacityVerdict(steps: readonly StepResult[], capacity: CapacitySummary, deadlineMs: number): LoadVerdict {
  const bad = capacity.firstBad;
  const bracketed = capacity.capacity !== null && bad !== null && bad.rate > capacity.capacity;
  const found = capacity.capacity === null ? (bad ? 'No step held every threshold.' : 'No step was judged.') : `Capacity: ${capacityFigure(capacity)}, the highest rate that held every threshold.`;
  const badStep = bad ? steps.find((step) => step.label === bad.label) : undefined;
  const atBad = !bad
    ? ''
    : badStep && badStep.outcomes.failures > 0
      ? ` At ${fmtRate(bad.rate)} Digital River would have counted ${percent(bad.failureRate)} of the deliveries as failed (${describeFailures(badStep.outcomes, deadlineMs)}).`
      : ` At ${fmtRate(bad.rate)} no delivery failed, but: ${bad.why.replace(/\.$/, '')}.`;
  const stopped = unfinishedSearch[capacity.ended];
  const cause = stopped === 'interrupted' || (stopped !== undefined && !bracketed) ? stopped : capacity.capacity === null && bad === null ? 'too-few-deliveries' : undefined;
  if (capacity.capacity === null && bad !== null && cause === undefined) {
    return { status: 'fail', summary: `${found}${atBad} ${disabledNote}`, reasons: checkLines(steps, 'fail', true) };
  }
  if (cause !== undefined) {
    const last = steps[steps.length - 1];
    return {
      status: 'inconclusive',
      cause,
      reachedRate: cause === 'generator-limit' || cause === 'connection-limit' ? (last ? reached(last) : null) : capacity.capacity,
      summary: `Inconclusive: ${found}${atBad} The search stopped: ${capacity.explanation.replace(/\.$/, '')}.`,
      reasons: checkLines(steps, 'inconclusive', true),
    };
  }
  const early = stopped === undefined ? '' : ` The search stopped early: ${capacity.explanation.replace(/\.$/, '')}.`;
  return { status: 'pass', summary: `${found}${atBad}${early} ${disabledNote}`, reasons: [] };
}

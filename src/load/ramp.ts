// The steps a plan runs: one steady step, a ramp of rates, or the capacity search (double until a step breaks, then bisect).
import { fmtRate } from './diagnose.js';
import type { CapacitySummary, Pace, StepResult, ThresholdCheck } from './report.js';
import type { LoadPlan, LoadStop } from './settings.js';

export interface StepRun {
  result: StepResult;
  cutShort: 'aborted' | 'time-cap' | null;
}

export interface PlanContext {
  step(label: string, pace: Pace, stop: LoadStop): Promise<StepRun>;
  /** Monotonic seconds since the plan started. */
  elapsedSec(): number;
  /** A ramp runs every step even after one broke a threshold (a shard: only the merge of all shards can tell). */
  everyStep?: boolean;
}

export interface PlanOutcome {
  steps: StepResult[];
  capacity: CapacitySummary | null;
  /** Why the plan ended before its last step, if it did. */
  cutShort: 'aborted' | 'time-cap' | null;
  /** What the plan left out and why, in words. */
  notes: string[];
}

/** The search stops when the last good and the first bad rate are this close (relative to the good one). */
export const CAPACITY_PRECISION = 0.1;

export async function runPlan(plan: LoadPlan, context: PlanContext): Promise<PlanOutcome> {
  switch (plan.kind) {
    case 'steady': {
      const run = await context.step('steady', plan.pace, plan.stop);
      return { steps: [run.result], capacity: null, cutShort: run.cutShort, notes: [] };
    }
    case 'ramp':
      return runRamp(plan, context);
    case 'capacity':
      return searchCapacity(plan, context);
  }
}

async function runRamp(plan: Extract<LoadPlan, { kind: 'ramp' }>, context: PlanContext): Promise<PlanOutcome> {
  const steps: StepResult[] = [];
  for (const [index, rate] of plan.rates.entries()) {
    const run = await context.step(`ramp ${index + 1}/${plan.rates.length}`, { kind: 'open', rate }, { kind: 'duration', seconds: plan.stepSec });
    steps.push(run.result);
    if (run.cutShort) return { steps, capacity: null, cutShort: run.cutShort, notes: [] };
    const rest = plan.rates.slice(index + 1);
    if (run.result.status === 'fail' && rest.length > 0 && !context.everyStep) {
      // Higher rates would only load a receiver that already fails; the ramp stops here.
      return { steps, capacity: null, cutShort: null, notes: [`the ramp stopped after ${fmtRate(rate)} broke a threshold; ${rest.map(fmtRate).join(', ')} not run`] };
    }
  }
  return { steps, capacity: null, cutShort: null, notes: [] };
}

type Point = NonNullable<CapacitySummary['firstBad']>;

export type CapacityReading = 'generator-limit' | 'connection-limit' | 'held' | 'broke' | 'unjudged';

/**
 * How the capacity search reads a step: drhook itself could not send the rate, or its connections could not carry it
 * (either says nothing about the receiver beyond the pace it reached); a threshold broke (an older report's warning
 * counts: the step did not show the receiver holding the rate); too few deliveries to judge (unjudged: neither good
 * nor bad); or every threshold held.
 */
export function capacityReading(step: StepResult): CapacityReading {
  const cause = step.shortfall?.cause;
  if (cause === 'generator-limit' || cause === 'connection-limit') return cause;
  for (const { verdict } of step.checks) {
    if (verdict.status === 'inconclusive' && (verdict.cause === 'generator-limit' || verdict.cause === 'connection-limit')) return verdict.cause;
  }
  if (broken(step).length > 0) return 'broke';
  return step.checks.every((check) => check.verdict.status === 'pass') ? 'held' : 'unjudged';
}

/** The thresholds a step did not hold (an older report's warnings included). */
function broken(step: StepResult): ThresholdCheck[] {
  return step.checks.filter((check) => check.verdict.status === 'fail' || check.verdict.status === 'warn');
}

/** `about 200/s` when a bad step lies above the capacity, `at least 200/s` when none does; `no step held`, or `not found` when no step was judged. */
export function capacityFigure(capacity: CapacitySummary): string {
  if (capacity.capacity === null) return capacity.firstBad ? 'no step held' : 'not found';
  const bracketed = capacity.firstBad !== null && capacity.firstBad.rate > capacity.capacity;
  return `${bracketed ? 'about' : 'at least'} ${fmtRate(capacity.capacity)}`;
}

async function searchCapacity(plan: Extract<LoadPlan, { kind: 'capacity' }>, context: PlanContext): Promise<PlanOutcome> {
  const steps: StepResult[] = [];
  let good: Omit<Point, 'why'> | null = null;
  let bad: Point | null = null;
  let rate = plan.startRate;
  const summary = (ended: CapacitySummary['ended'], explanation: string, cutShort: PlanOutcome['cutShort'] = null): PlanOutcome => ({
    steps,
    capacity: { capacity: good?.rate ?? null, lastGood: good, firstBad: bad, ended, explanation },
    cutShort,
    notes: [],
  });

  for (let index = 1; ; index++) {
    if (context.elapsedSec() + plan.stepSec > plan.timeLimitSec) {
      return summary('time-limit', `the ${plan.timeLimitSec} s time limit left no room for another step${bracket(good, bad)}`);
    }
    const run = await context.step(`capacity ${index}`, { kind: 'open', rate }, { kind: 'duration', seconds: plan.stepSec });
    const { result } = run;
    steps.push(result);
    if (run.cutShort) return summary('interrupted', `the search was interrupted at ${fmtRate(rate)}${bracket(good, bad)}`, run.cutShort);
    const reading = capacityReading(result);
    if (reading === 'generator-limit') {
      return summary('generator-limit', `drhook itself could not send ${fmtRate(rate)} on this machine, so the receiver's capacity is at least ${fmtRate(result.achievedRate)}${bracket(good, bad)}`);
    }
    if (reading === 'connection-limit') {
      const answered = result.shortfall?.achievedRate ?? 0;
      return summary('connection-limit', `at ${fmtRate(rate)} every one of drhook's connections was busy, so the receiver's capacity is at least ${fmtRate(Math.max(answered, good?.rate ?? 0))} (drhook's connections were the limit): rerun with more --connections${bracket(good, bad)}`);
    }
    if (reading === 'unjudged') {
      // Too few deliveries to judge a p99: neither good nor bad. Higher rates give more; lower ones, below a bad rate, fewer.
      if (bad === null && rate < plan.maxRate) {
        rate = Math.min(roundRate(rate * 2), plan.maxRate);
        continue;
      }
      if (bad === null) return summary('max-rate', `up to --max-rate ${fmtRate(plan.maxRate)} ${good ? `every step held or had too few deliveries to judge: the capacity is at least ${fmtRate(good.rate)}` : 'no step had enough deliveries to judge a p99'}`);
      return summary('too-few-deliveries', `a ${plan.stepSec} s step at ${fmtRate(rate)} had too few deliveries to judge a p99: lengthen --step-duration to search this low${bracket(good, bad)}`);
    }
    const point = { label: result.label, rate, p99Ms: result.latencyMs?.p99 ?? null, failureRate: result.outcomes.failureRate };
    if (reading === 'held') good = point;
    else bad = { ...point, why: broken(result).map((check) => check.verdict.reason).join('; ') };

    if (bad === null) {
      if (rate >= plan.maxRate) return summary('max-rate', `every step held up to --max-rate ${fmtRate(plan.maxRate)}: the capacity is at least that`);
      rate = Math.min(roundRate(rate * 2), plan.maxRate);
      continue;
    }
    if (good === null) {
      // Even the start rate breaks: search downwards.
      const lower = roundRate(rate / 2);
      if (lower < 0.1 || lower === rate) return summary('converged', `no rate down to ${fmtRate(rate)} held every threshold`);
      rate = lower;
      continue;
    }
    if (bad.rate - good.rate <= Math.max(0.1, good.rate * CAPACITY_PRECISION)) {
      return summary('converged', `the capacity lies between ${fmtRate(good.rate)} (held) and ${fmtRate(bad.rate)} (broke)`);
    }
    const middle = roundRate((good.rate + bad.rate) / 2);
    if (middle === good.rate || middle === bad.rate) return summary('converged', `the capacity lies between ${fmtRate(good.rate)} (held) and ${fmtRate(bad.rate)} (broke)`);
    rate = middle;
  }
}

function bracket(good: { rate: number } | null, bad: { rate: number } | null): string {
  if (good && bad) return `; so far it lies between ${fmtRate(good.rate)} and ${fmtRate(bad.rate)}`;
  if (good) return `; ${fmtRate(good.rate)} held`;
  if (bad) return `; ${fmtRate(bad.rate)} broke`;
  return '';
}

/** Whole events per second from 10/s up, tenths below. */
function roundRate(rate: number): number {
  return rate >= 10 ? Math.round(rate) : Math.round(rate * 10) / 10;
}

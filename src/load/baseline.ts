// A load run judged against an earlier one: each step's p99 and failure share against the baseline's step at the same pace.
import { UsageError } from '../base/errors.js';
import { isRecord } from '../base/is-record.js';
import { fmtRate } from './diagnose.js';
import { MIN_PERCENTILE_DELIVERIES, percent, runVerdict, stepStatus } from './judge.js';
import type { CheckVerdict, LoadBaselineNote, LoadReport, Pace, StepResult, ThresholdCheck } from './report.js';
import type { LoadSettings } from './settings.js';

/** Below this many milliseconds, a rise of p99 is never a regression: on one machine, that much is timer and scheduler noise. */
export const P99_NOISE_MS = 5;

/** A baseline file's text: a load run's report.json. Throws a one-line UsageError otherwise. */
export function parseLoadBaseline(text: string, file: string): LoadReport {
  const bad = (what: string) => new UsageError(`--baseline ${file}: ${what}; give the report.json of an earlier drhook load run`);
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    throw bad('not JSON');
  }
  if (!isRecord(data) || data.tool !== 'drhook') throw bad('not a drhook report');
  if (data.kind !== 'load') throw bad(data.kind === 'contract' || data.kind === 'contract-baseline' ? 'a contract baseline, not a load report' : `kind ${JSON.stringify(data.kind)} is not a load report`);
  const steps = data.steps;
  if (!Array.isArray(steps) || !isRecord(data.settings) || !isRecord(data.plan) || typeof data.runId !== 'string') throw bad('a load report without its steps, settings or plan');
  if (!steps.every((step) => isRecord(step) && typeof step.label === 'string' && isRecord(step.pace) && isRecord(step.outcomes) && typeof step.outcomes.failureRate === 'number')) {
    throw bad('a load report whose steps lack their pace or outcomes');
  }
  return data as unknown as LoadReport;
}

/** The events (type, weight, expanded) in a stable order, to tell one test from another. */
function eventMix(events: unknown): string {
  if (!Array.isArray(events)) return '[]';
  const described = events.map((event) => (isRecord(event) ? `${String(event.type)}:${String(event.weight)}${event.expanded === true ? ':expanded' : ''}` : String(event)));
  return described.sort().join(',');
}

/** The paces a plan asks for, before it runs. */
function plannedPaces(settings: LoadSettings): Pace[] {
  const { plan } = settings;
  switch (plan.kind) {
    case 'steady':
      return [plan.pace];
    case 'ramp':
      return plan.rates.map((rate) => ({ kind: 'open', rate }));
    case 'capacity':
      return [];
  }
}

const samePace = (a: Pace, b: Pace) => (a.kind === 'open' && b.kind === 'open' ? a.rate === b.rate : a.kind === b.kind);
const paceText = (pace: Pace) => (pace.kind === 'open' ? fmtRate(pace.rate) : 'closed loop');

/**
 * Refuses, before anything is sent, a baseline of another test: another event mix or mode, or no step at a pace this
 * run asks for. A capacity search is not compared: its steps follow the answers, not a plan.
 */
export function checkLoadBaseline(baseline: LoadReport, settings: LoadSettings, file: string): void {
  const refuse = (why: string) => new UsageError(`--baseline ${file}: ${why}`);
  if (settings.plan.kind === 'capacity') throw refuse('a capacity search is not compared with a baseline (its steps follow the answers); compare steady or ramp runs');
  const mix = eventMix(settings.events);
  const theirs = eventMix(baseline.settings.events);
  if (mix !== theirs) throw refuse(`a baseline of another test: its events are ${theirs || 'unknown'}, this run's ${mix}`);
  if (baseline.settings.mode !== settings.mode) throw refuse(`a baseline of another test: its mode is ${String(baseline.settings.mode)}, this run's ${settings.mode}`);
  const paces = plannedPaces(settings);
  if (!paces.some((pace) => baseline.steps.some((step) => samePace(step.pace, pace)))) {
    const had = [...new Set(baseline.steps.map((step) => paceText(step.pace)))].join(', ') || 'none';
    throw refuse(`no step of the baseline runs at a pace this run asks for (${paces.map(paceText).join(', ')}; the baseline's: ${had})`);
  }
}

/** The share `now` is above `before`, in words: `+25 %`. */
function change(now: number, before: number): string {
  if (before === 0) return now === 0 ? '±0 %' : 'from 0';
  const share = (now - before) / before;
  return `${share >= 0 ? '+' : '−'}${percent(Math.abs(share))}`;
}

/** The step's p99 against the baseline step's: inconclusive when either is too few deliveries, or the step's own p99 could not be judged. */
function p99Check(step: StepResult, before: StepResult, tolerance: number, label: string): ThresholdCheck {
  const now = step.latencyMs;
  const then = before.latencyMs;
  const limitMs = then ? Math.round(then.p99 * (1 + tolerance)) : 0;
  const limit = then ? `p99 ≤ ${limitMs} ms (the baseline's ${then.p99} ms at ${label} + ${percent(tolerance)})` : `p99 within ${percent(tolerance)} of the baseline's`;
  const measured = now ? `${now.p99} ms (${then ? change(now.p99, then.p99) : 'no baseline p99'})` : 'no answer';
  const own = step.checks.find((check) => check.id === 'p99')?.verdict;
  const verdict = ((): CheckVerdict => {
    if (!now || !then || now.count < MIN_PERCENTILE_DELIVERIES || then.count < MIN_PERCENTILE_DELIVERIES) {
      const counts = `${now?.count ?? 0} timed deliveries now, ${then?.count ?? 0} in the baseline`;
      return { status: 'inconclusive', cause: 'too-few-deliveries', reason: `p99 not compared with the baseline: ${counts}, and a p99 needs at least ${MIN_PERCENTILE_DELIVERIES}` };
    }
    if (own?.status === 'inconclusive') return { status: 'inconclusive', cause: own.cause, reason: `p99 not compared with the baseline: ${own.reason}` };
    const rise = now.p99 - then.p99;
    if (now.p99 > then.p99 * (1 + tolerance) && rise >= P99_NOISE_MS) {
      return { status: 'fail', reason: `p99 regressed: ${now.p99} ms against the baseline's ${then.p99} ms at ${label} (${change(now.p99, then.p99)}, beyond the ${percent(tolerance)} tolerance)` };
    }
    return { status: 'pass', reason: `p99 ${now.p99} ms against the baseline's ${then.p99} ms at ${label} (${change(now.p99, then.p99)}): within ${percent(tolerance)}${rise > 0 && rise < P99_NOISE_MS ? ` or under ${P99_NOISE_MS} ms` : ''}` };
  })();
  return { id: 'p99-baseline', limit, measured, verdict };
}

/** The step's failure share against the baseline step's: a baseline without failures makes any failure a regression. */
function failureCheck(step: StepResult, before: StepResult, tolerance: number, label: string): ThresholdCheck {
  const now = step.outcomes;
  const then = before.outcomes;
  const allowed = then.failureRate * (1 + tolerance);
  const limit = `failures ≤ ${percent(allowed)} (the baseline's ${percent(then.failureRate)} at ${label} + ${percent(tolerance)})`;
  const measured = `${percent(now.failureRate)} (${now.failures} of ${now.judged})`;
  const verdict: CheckVerdict =
    now.judged === 0
      ? { status: 'inconclusive', cause: 'too-few-deliveries', reason: 'failure share not compared with the baseline: no delivery was judged' }
      : now.failureRate > allowed
        ? { status: 'fail', reason: `failures regressed: ${percent(now.failureRate)} (${now.failures} of ${now.judged}) against the baseline's ${percent(then.failureRate)} at ${label}, beyond the ${percent(tolerance)} tolerance` }
        : { status: 'pass', reason: `failures ${percent(now.failureRate)} against the baseline's ${percent(then.failureRate)} at ${label}: within ${percent(tolerance)}` };
  return { id: 'failure-rate-baseline', limit, measured, verdict };
}

/**
 * The report with each step that has a counterpart in the baseline (the same pace) judged against it too: its p99
 * and failure share may not grow beyond `tolerance`. The verdict is judged again over every check; steps without a
 * counterpart are named in the plan's notes.
 */
export function withLoadBaseline(report: LoadReport, baseline: LoadReport, file: string, tolerance: number): LoadReport {
  const compared: LoadBaselineNote['compared'] = [];
  const unmatched: string[] = [];
  const steps = report.steps.map((step): StepResult => {
    const before = baseline.steps.find((candidate) => samePace(candidate.pace, step.pace));
    if (before === undefined) {
      unmatched.push(step.label);
      return step;
    }
    compared.push({ label: step.label, baselineLabel: before.label });
    const label = `${paceText(before.pace)} (${before.label})`;
    const checks = [...step.checks, p99Check(step, before, tolerance, label), failureCheck(step, before, tolerance, label)];
    return { ...step, checks, status: stepStatus(checks) };
  });
  const deadlineMs = typeof report.settings.deadlineMs === 'number' ? report.settings.deadlineMs : 3000;
  const notes = [
    ...report.plan.notes,
    ...(report.target !== baseline.target ? [`The baseline ${file} was measured against another target: ${baseline.target}.`] : []),
    ...unmatched.map((label) => {
      const step = report.steps.find((candidate) => candidate.label === label)!;
      return `Not compared with the baseline: ${label} (${paceText(step.pace)}) has no step at that pace in it.`;
    }),
  ];
  const verdict = runVerdict(steps, report.totals.outcomes, report.capacity, deadlineMs, report.stoppedBy);
  const note: LoadBaselineNote = { file, runId: baseline.runId, target: baseline.target, tolerance, compared, unmatched };
  return { ...report, plan: { ...report.plan, notes }, steps, verdict, baseline: note };
}

/** One sentence for the reports: what was compared with which baseline. */
export function describeLoadBaseline(report: LoadReport): string | undefined {
  const note = report.baseline;
  if (note === undefined) return undefined;
  const regressed = report.steps.filter((step) => step.checks.some((check) => check.id.endsWith('-baseline') && check.verdict.status === 'fail')).map((step) => step.label);
  const steps = `${note.compared.length} of ${report.steps.length} step${report.steps.length === 1 ? '' : 's'} compared`;
  const unmatched = note.unmatched.length > 0 ? `; not compared (no step at their pace in the baseline): ${note.unmatched.join(', ')}` : '';
  const outcome = note.compared.length === 0 ? '' : regressed.length > 0 ? `; regressed: ${regressed.join(', ')}` : '; none regressed';
  return `Against the baseline ${note.file} (run ${note.runId}, tolerance ${percent(note.tolerance)}): ${steps}${outcome}${unmatched}.`;
}

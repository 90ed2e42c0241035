// Shards' reports merged into one LoadReport: histograms added (percentiles from the sum, never averaged), counts and series summed, then diagnosed and judged as one run.
import type { Histogram } from 'hdr-histogram-js';
import { UsageError } from '../base/errors.js';
import { version } from '../base/paths.js';
import { fmtRate } from './diagnose.js';
import { runVerdict } from './judge.js';
import { describePlan } from './run.js';
import type { Diagnostics, EncodedHistogram, LoadReport, LoadVerdict, MergeFacts, Pace, SecondSample, ShardStepData, StepResult } from './report.js';
import type { LoadPlan, Thresholds } from './settings.js';
import { addBandSums, addOutcomes, bandsFromSums, createHistogram, halvesFrom, mergeEncoded, runTotals, summarize, type ServiceBand } from './stats.js';
import { judgedStep, lightest } from './step-result.js';

/** A shard's report.json and where it was read from (for messages). */
export interface ShardInput {
  source: string;
  report: LoadReport;
}

type ShardReport = LoadReport & { shard: NonNullable<LoadReport['shard']> };

/**
 * Merges the reports of one test's shards. Reports that are not shards', shards of different tests (settings hashes
 * differ) and two reports of one shard are a UsageError. Shards missing, or present but incomplete, make the verdict
 * inconclusive (cause missing-shards): the merged data is not the whole test.
 */
export function mergeShards(inputs: readonly ShardInput[], runId: string): LoadReport {
  if (inputs.length === 0) throw new UsageError('no shard report to merge');
  const shards = inputs.map(({ source, report }): ShardReport => {
    if (!report.shard) throw new UsageError(`${source} is not a shard's report: merge the report.json files that drhook load --shard K/N wrote`);
    return report as ShardReport;
  });
  const first = shards[0]!;
  const { count, settingsHash, startAt } = first.shard;
  for (const [i, shard] of shards.entries()) {
    if (shard.shard.settingsHash !== settingsHash) {
      throw new UsageError(
        `${inputs[i]!.source} is a shard of another test than ${inputs[0]!.source} (settings hash ${shard.shard.settingsHash}, not ${settingsHash}): merge only the shards of one run`,
      );
    }
    const twin = shards.findIndex((other) => other.shard.index === shard.shard.index);
    if (twin !== i) throw new UsageError(`${inputs[twin]!.source} and ${inputs[i]!.source} are both shard ${shard.shard.index}/${count}: give each shard once`);
  }
  const present = [...shards].sort((a, b) => a.shard.index - b.shard.index);
  const missing = range(count).filter((index) => !present.some((shard) => shard.shard.index === index));
  const stepCount = Math.max(...present.map((shard) => shard.steps.length));
  const whole = (shard: ShardReport): boolean => shard.complete && shard.steps.length === stepCount && shard.steps.every((step) => step.shardData !== undefined);
  const incomplete = present.filter((shard) => !whole(shard)).map((shard) => shard.shard.index);

  const settings = first.settings as { plan: LoadPlan; thresholds: Thresholds; deadlineMs: number; connections: number };
  const common = Math.min(...present.map((shard) => shard.steps.length));
  const notes: string[] = [];
  const steps: StepResult[] = [];
  let unloaded: ServiceBand | null = null;
  const totals = createHistogram();
  for (let i = 0; i < common; i++) {
    const parts = present.map((shard) => shard.steps[i]!);
    const label = parts[0]!.label;
    if (parts.some((part) => part.label !== label || part.shardData === undefined)) {
      notes.push(`step ${i + 1} (${label}) is not the same step with its data on every shard: it and the steps after it are left out`);
      break;
    }
    const interrupted = present.some((shard) => shard.stoppedBy === 'interrupted' && i === shard.steps.length - 1);
    const merged = mergeStep(parts, wholePace(settings.plan, i, parts[0]!.pace), settings, present.length * settings.connections, interrupted, unloaded);
    unloaded = merged.unloaded;
    totals.add(merged.histogram);
    merged.histogram.destroy();
    steps.push(merged.result);
    const rest = present[0]!.steps.slice(i + 1);
    if (settings.plan.kind === 'ramp' && merged.result.status === 'fail' && rest.length > 0) {
      // As one process would: the ramp stops at the first step that broke a threshold.
      notes.push(`the ramp stopped after ${fmtRate(pace(merged.result))} broke a threshold; the shards ran ${rest.map((step) => step.label).join(', ')}, left out as one process would not have run them`);
      break;
    }
  }
  if (common < stepCount) notes.push(`only ${common} of ${stepCount} steps ran on every shard merged: the others are left out`);

  const outcomes = addOutcomes(steps.map((step) => step.outcomes));
  const stoppedBy: LoadReport['stoppedBy'] = present.some((shard) => shard.stoppedBy === 'interrupted') ? 'interrupted' : present.some((shard) => shard.stoppedBy === 'time-cap') ? 'time-cap' : null;
  const merge: MergeFacts = {
    shards: count,
    settingsHash,
    startAt,
    merged: present.map((shard) => ({
      index: shard.shard.index,
      runId: shard.runId,
      complete: shard.complete,
      lateStartMs: shard.shard.lateStartMs,
      steps: shard.steps.map((step) => ({ label: step.label, sent: step.sent, diagnostics: step.diagnostics })),
    })),
    missing,
    incomplete,
  };
  const shardNotes = present.flatMap((shard) => shard.plan.notes.map((note) => `shard ${shard.shard.index}/${count}: ${note}`));
  const verdict = runVerdict(steps, outcomes, null, settings.deadlineMs, stoppedBy);
  const report: LoadReport = {
    tool: 'drhook',
    version,
    kind: 'load',
    runId,
    target: first.target,
    startedAt: earliest(present.map((shard) => shard.startedAt)),
    finishedAt: present.map((shard) => shard.finishedAt).sort().at(-1)!,
    complete: missing.length === 0 && incomplete.length === 0 && stoppedBy === null,
    stoppedBy,
    settings: { ...first.settings, seed: sameOrList(present.map((shard) => shard.settings.seed)) },
    plan: {
      ...first.plan,
      description: `${present.length} of ${count} shards merged, together ${describePlan(settings.plan, present.length * settings.connections)}`,
      notes: [...shardNotes, ...notes],
    },
    pool: first.pool,
    steps,
    totals: runTotals(steps, outcomes, totals),
    capacity: null,
    verdict: missing.length > 0 || incomplete.length > 0 ? partialVerdict(verdict, count, present.length, missing, incomplete, steps) : verdict,
    merge,
  };
  totals.destroy();
  return report;
}

/** One step of every shard merged and judged as one; the merged latency histogram is the caller's to destroy. */
function mergeStep(
  parts: readonly StepResult[],
  pace: Pace,
  settings: { thresholds: Thresholds; deadlineMs: number },
  connections: number,
  interrupted: boolean,
  unloadedSoFar: ServiceBand | null,
): { result: StepResult; histogram: Histogram; unloaded: ServiceBand | null } {
  const data = parts.map((part) => part.shardData!);
  const histogram = mergeEncoded(data.map((each) => each.latency));
  const serviceHistogram = pace.kind === 'open' ? mergeEncoded(data.map((each) => each.service)) : null;
  const halves = mergeHalves(data);
  const sums = data.every((each) => each.bands !== null) ? addBandSums(data.map((each) => each.bands!)) : null;
  const serviceByLoad = sums && bandsFromSums(sums);
  // The lowest service time with few connections busy that any shard measured so far, or the shards together here.
  const stepUnloaded = lightest(unloadedSoFar, ...data.map((each) => each.unloaded), serviceByLoad?.lower, serviceByLoad?.light);
  const result = judgedStep(
    {
      label: parts[0]!.label,
      pace,
      startedAt: new Date(earliest(parts.map((part) => part.startedAt))),
      windowSec: Math.max(...data.map((each) => each.windowSec)),
      sent: parts.reduce((sum, part) => sum + part.sent, 0),
      outcomes: addOutcomes(parts.map((part) => part.outcomes)),
      histogram,
      serviceHistogram,
      series: mergeSeries(parts.map((part) => ({ series: part.series, seconds: part.shardData!.seconds }))),
      halves: halves?.summary ?? null,
      serviceByLoad,
      diagnostics: mergeDiagnostics(parts),
      interrupted,
      connections,
    },
    settings,
    stepUnloaded,
  );
  serviceHistogram?.destroy();
  return { result, histogram, unloaded: stepUnloaded };
}

function mergeHalves(data: readonly ShardStepData[]): { summary: ReturnType<typeof halvesFrom> } | null {
  if (!data.every((each) => each.halves !== null)) return null;
  const halves = data.map((each) => each.halves!);
  const part = (name: 'early' | 'late' | 'third' | 'fourth'): Histogram => mergeEncoded(halves.map((each) => each[name]));
  const parts = { early: part('early'), late: part('late'), third: part('third'), fourth: part('fourth') };
  const summary = halvesFrom(halves[0]!.halfSec, parts);
  for (const each of Object.values(parts)) each.destroy();
  return { summary };
}

/** Second by second: counts added, each second's p99 from the shards' histograms of that second added up. */
function mergeSeries(parts: ReadonlyArray<{ series: readonly SecondSample[]; seconds: readonly EncodedHistogram[] }>): SecondSample[] {
  const length = Math.max(0, ...parts.map((part) => part.series.length));
  const series: SecondSample[] = [];
  for (let second = 0; second < length; second++) {
    const samples = parts.map((part, i) => ({ sample: part.series[second], encoded: parts[i]!.seconds[second] })).filter((each) => each.sample !== undefined);
    const histogram = mergeEncoded(samples.map((each) => each.encoded));
    const lengths = samples.map((each) => each.sample!.lengthSec).filter((each): each is number => each !== undefined);
    series.push({
      second,
      sent: samples.reduce((sum, each) => sum + each.sample!.sent, 0),
      completed: samples.reduce((sum, each) => sum + each.sample!.completed, 0),
      failures: samples.reduce((sum, each) => sum + each.sample!.failures, 0),
      p99Ms: histogram.totalCount > 0 ? Math.round(histogram.getValueAtPercentile(99) / 10) / 100 : null,
      ...(second === length - 1 && lengths.length > 0 ? { lengthSec: Math.max(...lengths) } : {}),
    });
    histogram.destroy();
  }
  return series;
}

/**
 * drhook's own figures across its shards: a limit on any shard is a limit of the whole (the highest CPU share, stamp
 * share and event-loop delay), the share of deliveries that waited for a connection weighted by each shard's deliveries,
 * the deliveries in flight and connections opened added up. Each shard's own figures stay in `merge.merged`.
 */
function mergeDiagnostics(parts: readonly StepResult[]): Diagnostics {
  const d = parts.map((part) => part.diagnostics);
  const sent = parts.reduce((sum, part) => sum + part.sent, 0);
  const weighted = (pick: (each: Diagnostics) => number): number => (sent === 0 ? Math.max(...d.map(pick)) : parts.reduce((sum, part) => sum + pick(part.diagnostics) * part.sent, 0) / sent);
  return {
    cpuShare: Math.max(...d.map((each) => each.cpuShare)),
    stampShare: Math.max(...d.map((each) => each.stampShare)),
    stampMicros: Math.round(weighted((each) => each.stampMicros) * 100) / 100,
    eventLoopLagP99Ms: Math.max(...d.map((each) => each.eventLoopLagP99Ms)),
    connectionBoundShare: Math.round(weighted((each) => each.connectionBoundShare) * 1000) / 1000,
    maxInFlight: d.reduce((sum, each) => sum + each.maxInFlight, 0),
    connectionsOpened: d.reduce((sum, each) => sum + (each.connectionsOpened ?? 0), 0),
  };
}

/** The step's pace for the whole test: the plan's rate (a shard's report holds its share of it). */
function wholePace(plan: LoadPlan, index: number, shardPace: Pace): Pace {
  if (shardPace.kind === 'closed') return shardPace;
  if (plan.kind === 'ramp') return { kind: 'open', rate: plan.rates[index]! };
  if (plan.kind === 'steady') return plan.pace;
  throw new UsageError('a capacity search is never run in shards');
}

/** Some shards missing or incomplete: the merged data is not the whole test, so nothing is passed or failed. */
function partialVerdict(merged: LoadVerdict, count: number, present: number, missing: readonly number[], incomplete: readonly number[], steps: readonly StepResult[]): LoadVerdict {
  const parts = [
    ...(missing.length > 0 ? [`shard${missing.length === 1 ? '' : 's'} ${missing.join(', ')} missing (no report found)`] : []),
    ...(incomplete.length > 0 ? [`shard${incomplete.length === 1 ? '' : 's'} ${incomplete.join(', ')} incomplete (the run did not finish)`] : []),
  ];
  const last = steps.at(-1);
  return {
    status: 'inconclusive',
    cause: 'missing-shards',
    reachedRate: last ? pace(last) : null,
    summary:
      `Inconclusive: ${present} of ${count} shards merged, ${parts.join(', ')}: the merged data is not the whole test, so it can neither pass nor fail the receiver. ` +
      `The shards merged alone would read: ${merged.summary}`,
    reasons: [...parts.map((part) => `${part[0]!.toUpperCase()}${part.slice(1)}`), ...merged.reasons],
  };
}

function pace(step: StepResult): number {
  return step.pace.kind === 'open' ? step.pace.rate : step.achievedRate;
}

function range(count: number): number[] {
  return Array.from({ length: count }, (_, i) => i + 1);
}

function earliest(times: readonly string[]): string {
  return [...times].sort()[0]!;
}

function sameOrList(values: readonly unknown[]): unknown {
  return values.every((value) => value === values[0]) ? values[0] : values;
}

function round(value: number): number {
  return Math.round(value * 100) / 100;
}

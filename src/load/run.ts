// runLoad: builds the event pool before the clock starts, warms up, runs the plan's steps and turns the measurements into a LoadReport.
import { createAuth } from '../wire/auth.js';
import { version } from '../base/paths.js';
import { createRedactor } from '../wire/redact.js';
import { redactStrings } from '../wire/redact-strings.js';
import { makeRunId } from '../base/run-id.js';
import { fmtRate } from './diagnose.js';
import { runStep, type EngineContext, type StepMeasurement } from './engine.js';
import { runVerdict } from './judge.js';
import { buildPool, type EventPool } from './pool.js';
import { buildStoryPool, storyCoverage } from './story-pool.js';
import { resolveTarget } from './resolve.js';
import { runPlan, type StepRun } from './ramp.js';
import type { LoadReport, Pace, StepResult } from './report.js';
import { checkLoadSettings, deliveriesDue, settingsForReport, settingsSecrets, type LoadPlan, type LoadSettings, type LoadStop } from './settings.js';
import { createStamper } from './stamp.js';
import { addOutcomes, createHistogram, runTotals, summarize, type ServiceBand } from './stats.js';
import { LATE_START_TOLERANCE_MS, segmentPace, settingsHash, shardIdSpace, waitForStart, type Segment } from './shard.js';
import { shardStepData } from './shard-data.js';
import { judgedStep, lightest } from './step-result.js';

export interface LoadProgress {
  /** `warm-up` or the step's label. */
  step: string;
  stepElapsedSec: number;
  /** The step's planned length; null for a count. */
  stepSec: number | null;
  runElapsedSec: number;
  /** Requests sent in the last whole second. */
  rate: number;
  p99Ms: number | null;
  failures: number;
  sent: number;
}

export interface RunLoadOptions {
  /** Aborting stops the run; the report then says complete: false. */
  signal?: AbortSignal;
  /** About once a second while load is sent. */
  onProgress?: (progress: LoadProgress) => void;
  /** Default: a new id such as 20261122-141503-load-a1b2. */
  runId?: string;
}

/**
 * A count stops sending at the cap. Timed plans were checked to fit it, but each step also waits for the answers in
 * flight: they get this margin before the cap cuts them short.
 */
const CAP_MARGIN_SEC = 60;
/** How often an OAuth token is checked for renewal while load runs (auth renews it ahead of its expiry). */
const TOKEN_CHECK_MS = 100;

/** Runs the settings' plan against settings.url. Setup problems (bad settings, an OAuth endpoint that fails) throw UsageError. */
export async function runLoad(settings: LoadSettings, options: RunLoadOptions = {}): Promise<LoadReport> {
  checkLoadSettings(settings);
  const { signal, onProgress } = options;
  const startedAt = new Date();
  const runId = options.runId ?? makeRunId('load', startedAt);

  // Everything expensive happens before the clock starts: events generated and serialized, the first token fetched.
  const pool = settings.stories
    ? buildStoryPool(settings.events, { mode: settings.mode, seed: settings.seed, size: settings.poolSize, digitalriverVersion: settings.digitalriverVersion })
    : buildPool(settings.events, { mode: settings.mode, seed: settings.seed, size: settings.poolSize, digitalriverVersion: settings.digitalriverVersion });
  const auth = createAuth(settings.auth, { deadlineMs: settings.deadlineMs, ...settings.tls });
  let authHeaders = await auth.headers(signal);
  const target = await resolveTarget(settings.url, settings.deadlineMs);
  const shard = settings.shard;
  const hash = shard ? settingsHash(settings.url, settingsForReport(settings), shard.segment.count, shard.startAt) : undefined;
  const stamper = createStamper({
    ...(shard && hash ? { ids: shardIdSpace(hash, shard.segment) } : {}),
    pool,
    url: settings.url,
    headers: { ...settings.headers, ...authHeaders },
    scheme: settings.signature.scheme,
    secrets: settings.secrets,
    layout: settings.signature.layout,
  });
  const refresh = settings.auth.kind === 'oauth' ? setInterval(() => void refreshToken(), TOKEN_CHECK_MS) : undefined;
  async function refreshToken(): Promise<void> {
    try {
      const next = await auth.headers(signal);
      if (next.Authorization !== authHeaders.Authorization) {
        authHeaders = next;
        stamper.setHeaders({ ...settings.headers, ...authHeaders });
      }
    } catch {
      // The old token stays in use; a receiver that rejects it shows as failures.
    }
  }

  // A shard starts its clock with the others: everything above is done before --start-at.
  const lateStartMs = shard ? await waitForStart(shard.startAt, signal) : 0;
  const runStart = performance.now();
  const runElapsed = () => (performance.now() - runStart) / 1000;
  const secondsLeft = (stop: LoadStop) => Math.max(1, settings.maxRunSec + (stop.kind === 'count' ? 0 : CAP_MARGIN_SEC) - runElapsed());
  const engine = (label: string, stepSec: number | null): EngineContext => ({
    url: settings.url,
    target,
    connections: settings.connections,
    deadlineMs: settings.deadlineMs,
    tls: settings.tls,
    stamper,
    ...(signal ? { signal } : {}),
    onSecond: (live) =>
      onProgress?.({ step: label, stepElapsedSec: live.elapsedSec, stepSec, runElapsedSec: runElapsed(), rate: live.rate, p99Ms: live.p99Ms, failures: live.failures, sent: live.sent }),
  });

  // The receiver's service time with few of drhook's connections busy: the lowest the warm-up or any step measured.
  // A step that starts while the receiver still works off an earlier step's backlog measures it higher.
  let unloaded: ServiceBand | null = null;
  const segment = shard ? { segment: shard.segment } : {};

  try {
    if (settings.warmupSec > 0 && !signal?.aborted) {
      const stop: LoadStop = { kind: 'duration', seconds: settings.warmupSec };
      const warmup = await runStep({ pace: firstPace(settings.plan), stop, maxSec: secondsLeft(stop), ...segment }, engine('warm-up', settings.warmupSec));
      unloaded = lightest(unloaded, warmup.serviceByLoad?.lower, warmup.serviceByLoad?.light);
      warmup.histogram.destroy();
      warmup.serviceHistogram?.destroy();
    }

    const totalsHistogram = createHistogram();
    const planStart = performance.now();
    const outcome = signal?.aborted
      ? { steps: [], capacity: null, cutShort: 'aborted' as const, notes: [] }
      : await runPlan(settings.plan, {
          elapsedSec: () => (performance.now() - planStart) / 1000,
          everyStep: shard !== undefined,
          step: async (label, pace, stop): Promise<StepRun> => {
            const measured = await runStep({ pace, stop, maxSec: secondsLeft(stop), ...segment }, engine(label, stop.kind === 'duration' ? stop.seconds : null));
            totalsHistogram.add(measured.histogram);
            unloaded = lightest(unloaded, measured.serviceByLoad?.lower, measured.serviceByLoad?.light);
            return { result: stepResult(label, pace, measured, settings, unloaded), cutShort: measured.cutShort };
          },
        });

    const steps = outcome.steps;
    const outcomes = addOutcomes(steps.map((step) => step.outcomes));
    const report: LoadReport = {
      tool: 'drhook',
      version,
      kind: 'load',
      runId,
      target: settings.url,
      startedAt: startedAt.toISOString(),
      finishedAt: new Date().toISOString(),
      complete: outcome.cutShort === null,
      stoppedBy: outcome.cutShort === 'aborted' ? 'interrupted' : outcome.cutShort,
      settings: settingsForReport(settings),
      plan: { kind: settings.plan.kind, loop: firstPace(settings.plan).kind, description: describePlan(settings.plan, settings.connections) + (shard ? shardWords(shard.segment) : ''), notes: [...(target.kind === 'unresolved' ? [unresolvedNote(settings.url, target.code)] : []), ...(settings.stories ? [storiesNote(settings, pool)] : []), ...(lateStartMs > LATE_START_TOLERANCE_MS ? [lateNote(lateStartMs)] : []), ...outcome.notes] },
      pool: poolFacts(pool),
      steps,
      totals: runTotals(steps, outcomes, totalsHistogram),
      capacity: outcome.capacity,
      verdict: runVerdict(steps, outcomes, outcome.capacity, settings.deadlineMs, outcome.cutShort === 'aborted' ? 'interrupted' : outcome.cutShort),
      ...(shard && hash ? { shard: { index: shard.segment.index, count: shard.segment.count, settingsHash: hash, startAt: shard.startAt.toISOString(), lateStartMs: Math.round(lateStartMs) } } : {}),
    };
    totalsHistogram.destroy();
    // Redacted with every secret the run knew, fetched Bearer tokens included.
    return redactStrings(report, createRedactor([...settingsSecrets(settings), ...auth.secrets()]));
  } finally {
    if (refresh) clearInterval(refresh);
  }
}

/**
 * `unloaded`: the receiver's service time with few connections busy, as the run measured it so far. A shard judges its
 * own part (its share of the rate), and keeps what a merge needs.
 */
function stepResult(label: string, pace: Pace, measured: StepMeasurement, settings: LoadSettings, unloaded: ServiceBand | null): StepResult {
  const segment = settings.shard?.segment;
  const judgedPace: Pace = pace.kind === 'open' && segment ? { kind: 'open', rate: segmentPace(pace.rate, segment).rate } : pace;
  const result = judgedStep({ ...measured, label, pace: judgedPace, interrupted: measured.cutShort === 'aborted', connections: settings.connections }, settings, unloaded);
  if (segment && measured.encoded) result.shardData = shardStepData(measured, measured.encoded, unloaded);
  measured.histogram.destroy();
  measured.serviceHistogram?.destroy();
  return result;
}

/** What a shard's report is of its test. */
function shardWords(segment: Segment): string {
  return `; this is shard ${segment.index}/${segment.count}, which sends every ${segment.count === 1 ? '' : ordinal(segment.count) + ' '}delivery of each step, from the ${ordinal(segment.index)}`;
}

function ordinal(n: number): string {
  const tens = n % 100;
  const suffix = tens >= 11 && tens <= 13 ? 'th' : (['th', 'st', 'nd', 'rd'][n % 10] ?? 'th');
  return `${n}${suffix}`;
}

/** A shard whose clock started after --start-at: its part of the load came that much later than the others'. */
function lateNote(lateMs: number): string {
  return `this shard started ${Math.round(lateMs)} ms after --start-at: its deliveries fell due that much later than the other shards'`;
}

/** Why nothing was sent: DNS, named for a person. */
function unresolvedNote(url: string, code: string): string {
  return `the host name ${new URL(url).hostname} could not be resolved (${code}, DNS): nothing was sent, and each request due counts as a failed delivery`;
}

/** The pace of the plan's first step: the warm-up uses it too. */
function firstPace(plan: LoadPlan): Pace {
  switch (plan.kind) {
    case 'steady':
      return plan.pace;
    case 'ramp':
      return { kind: 'open', rate: plan.rates[0]! };
    case 'capacity':
      return { kind: 'open', rate: plan.startRate };
  }
}

export const closedLoopNote =
  'closed loop: no --rate was given, so each connection sent its next event as soon as the previous one was answered; ' +
  'the rate is what the receiver sustained at this concurrency, not an arrival rate Digital River would impose';

export function describePlan(plan: LoadPlan, connections: number): string {
  const over = `over ${connections} connection${connections === 1 ? '' : 's'}`;
  switch (plan.kind) {
    case 'steady': {
      const length = describeStop(plan.stop);
      const due = plan.pace.kind === 'open' && plan.stop.kind === 'duration' ? ` (${deliveriesDue(plan.pace.rate, plan.stop.seconds)} deliveries)` : '';
      return plan.pace.kind === 'open'
        ? `a fixed arrival rate of ${fmtRate(plan.pace.rate)} (open loop: requests are due on schedule whatever the answers) for ${length}${due} ${over}`
        : `${length} ${over}, ${closedLoopNote}`;
    }
    case 'ramp':
      return `a ramp of fixed arrival rates ${plan.rates.map(fmtRate).join(', ')}, ${plan.stepSec} s each, ${over}`;
    case 'capacity':
      return (
        `a capacity search from ${fmtRate(plan.startRate)} up to at most ${fmtRate(plan.maxRate)}: steps of ${plan.stepSec} s at fixed arrival rates, ` +
        `doubling until one breaks a threshold, then halving the gap, within ${plan.timeLimitSec} s ${over}`
      );
  }
}

function describeStop(stop: LoadStop): string {
  return stop.kind === 'duration' ? `${stop.seconds} s` : `${stop.requests} requests`;
}

/** What a run with stories sent, in words. */
function storiesNote(settings: LoadSettings, pool: EventPool & { stories?: number }): string {
  const { sent, left } = storyCoverage(settings.events);
  const leftOut = left.length > 0 ? `; ${left.join(', ')} ${left.length === 1 ? 'is not a step' : 'are not steps'} of an order's lifecycle and ${left.length === 1 ? 'was' : 'were'} not sent` : '';
  return (
    `stories: ${pool.stories ?? 0} orders' lifecycles (${sent.join(', ')}), each order's events sent in Digital River's order, the orders interleaved, ` +
    `each step in the share of orders its weight gives; every pass through them is about new order ids${leftOut}`
  );
}

function poolFacts(pool: EventPool & { stories?: number }): LoadReport['pool'] {
  const sizes = pool.templates.map((template) => template.body.length);
  return {
    ...(pool.stories !== undefined ? { stories: pool.stories } : {}),
    templates: sizes.length,
    types: new Set(pool.templates.map((template) => template.type)).size,
    bytes: { min: Math.min(...sizes), max: Math.max(...sizes), mean: Math.round(sizes.reduce((a, b) => a + b, 0) / sizes.length) },
  };
}

function round(value: number): number {
  return Math.round(value * 100) / 100;
}

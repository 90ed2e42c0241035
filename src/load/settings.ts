// The effective settings of a load run: the scenario, overridden by the flags (or the caller), checked and capped before anything is sent.
import { eventType } from '../catalog/events.js';
import { UsageError } from '../base/errors.js';
import type { Mode } from '../events/event.js';
import { storySteps, storyTypes } from '../events/story.js';
import {
  checkSharedSettings,
  checkTokens,
  describeAuth,
  describeTls,
  reportedHeaders,
  resolveSharedSettings,
  sharedSecrets,
  type SharedOptions,
  type SharedSettings,
} from '../scenario/settings.js';
import { DEFAULT_DEADLINE_MS } from '../wire/limits.js';
import { describeLayout } from '../wire/signing.js';
import type { Pace } from './report.js';
import { MAX_START_AHEAD_MS, segmentShare, type Segment, type ShardSettings } from './shard.js';

export interface LoadEvent {
  type: string;
  /** Share of the traffic, relative to the other types. */
  weight: number;
  expanded: boolean;
}

export type LoadStop = { kind: 'duration'; seconds: number } | { kind: 'count'; requests: number };

export type LoadPlan =
  /** One step at a fixed arrival rate, or closed loop, until the duration or the count is reached. */
  | { kind: 'steady'; pace: Pace; stop: LoadStop }
  /** One step per rate, each `stepSec` long. */
  | { kind: 'ramp'; rates: number[]; stepSec: number }
  /** Steps of `stepSec` searching the highest rate that holds every threshold, within `timeLimitSec`. */
  | { kind: 'capacity'; startRate: number; maxRate: number; stepSec: number; timeLimitSec: number };

export interface Thresholds {
  /** p99 latency budget in milliseconds. */
  p99Ms: number;
  /** Largest share of failed deliveries, 0–1. */
  maxFailureRate: number;
}

/** The shared settings (target, signing layout, auth, headers, TLS, deadline, seed) and the load run's own. */
export interface LoadSettings extends SharedSettings {
  events: LoadEvent[];
  mode: Mode;
  /** The mode's signing tokens, newest first: every request is signed with each. */
  secrets: string[];
  connections: number;
  /** Load sent before the measured steps, not counted. */
  warmupSec: number;
  plan: LoadPlan;
  thresholds: Thresholds;
  /** Distinct generated events the requests are stamped from. */
  poolSize: number;
  /** Longest the whole run may take, warm-up included. */
  maxRunSec: number;
  /** Send orders' lifecycles (story-pool.ts) instead of independent events. */
  stories: boolean;
  /** One shard of a test split across processes: its segment and the shared start time. */
  shard?: ShardSettings;
}

/** What a caller may override; everything left out comes from the scenario (the bundled default without one). */
export interface LoadOptions extends SharedOptions {
  /** `type` or `type:weight`. */
  events?: readonly string[];
  /** The run's mode must have at least one signing token (`secrets`); every token given is checked. */
  mode?: Mode;
  rate?: number;
  durationSec?: number;
  count?: number;
  ramp?: readonly number[];
  capacity?: boolean;
  stepSec?: number;
  maxRate?: number;
  timeLimitSec?: number;
  connections?: number;
  warmupSec?: number;
  p99Ms?: number;
  maxFailureRate?: number;
  poolSize?: number;
  /** Lifts the ten-minute cap (to 24 hours). */
  allowLong?: boolean;
  /** Send orders' lifecycles instead of independent events. */
  stories?: boolean;
  /** Run only this segment of the test (needs startAt). */
  shard?: Segment;
  /** Start the clock at this wall-clock time. */
  startAt?: Date;
}

/** Without --allow-long a run (warm-up included) may take at most this long. */
export const DEFAULT_MAX_RUN_SEC = 600;
/** With --allow-long. */
export const LONG_MAX_RUN_SEC = 86_400;
export const DEFAULT_CONNECTIONS = 50;
export const DEFAULT_STEP_SEC = 5;
export const DEFAULT_POOL_SIZE = 32;
export const MAX_RATE = 100_000;
/** The capacity search starts here unless --rate gives a start. */
export const DEFAULT_CAPACITY_START = 10;

/**
 * Checks every value before anything is sent: a problem is a UsageError naming it. The shared settings (and the
 * tokens' length) are resolved by resolveSharedSettings, as for contract; load adds its events, mode, plan and limits.
 */
export function resolveLoadSettings(url: string, options: LoadOptions = {}, env: NodeJS.ProcessEnv = process.env): LoadSettings {
  const { shared, secrets, scenario } = resolveSharedSettings(url, options, env);
  const mode: Mode = options.mode ?? (scenario.mode === 'live' ? 'live' : 'test');
  const settings: LoadSettings = {
    ...shared,
    events: resolveEvents(scenario.events, options.events),
    mode,
    secrets: secrets[mode],
    connections: options.connections ?? scenario.load.connections ?? DEFAULT_CONNECTIONS,
    warmupSec: options.warmupSec ?? 0,
    plan: resolvePlan(options, scenario.load),
    thresholds: { p99Ms: options.p99Ms ?? shared.deadlineMs, maxFailureRate: options.maxFailureRate ?? 0 },
    poolSize: options.poolSize ?? DEFAULT_POOL_SIZE,
    maxRunSec: options.allowLong ? LONG_MAX_RUN_SEC : DEFAULT_MAX_RUN_SEC,
    stories: options.stories ?? false,
    ...resolveShard(options),
  };
  checkLoadSettings(settings);
  return settings;
}

function resolveShard(options: LoadOptions): Pick<LoadSettings, 'shard'> {
  if (options.shard === undefined && options.startAt === undefined) return {};
  if (options.shard === undefined) throw new UsageError('--start-at applies to --shard only: it is the time every shard starts its clock at');
  if (options.startAt === undefined) throw new UsageError('--shard needs --start-at (e.g. 2026-05-01T12:00:00Z): every shard starts its clock then, and the time names the test');
  return { shard: { segment: options.shard, startAt: options.startAt } };
}

/** `type` or `type:weight`; without --events the scenario's types and weights. */
function resolveEvents(scenarioEvents: readonly LoadEvent[], specs: readonly string[] | undefined): LoadEvent[] {
  if (specs === undefined) return scenarioEvents.map(({ type, weight, expanded }) => ({ type, weight, expanded }));
  if (specs.length === 0) throw new UsageError('--events lists no event type');
  const events = new Map<string, LoadEvent>();
  for (const spec of specs) {
    const colon = spec.lastIndexOf(':');
    const type = colon < 0 ? spec : spec.slice(0, colon);
    const weightText = colon < 0 ? '1' : spec.slice(colon + 1);
    const weight = Number(weightText);
    if (!/^\d+(\.\d+)?$/.test(weightText) || !(weight > 0)) throw new UsageError(`--events '${spec}': the weight after ':' must be a number above 0`);
    eventType(type);
    if (events.has(type)) throw new UsageError(`--events lists ${type} twice`);
    const listed = scenarioEvents.find((event) => event.type === type);
    events.set(type, { type, weight, expanded: listed?.expanded ?? false });
  }
  return [...events.values()];
}

function resolvePlan(options: LoadOptions, scenarioLoad: { rate?: number; durationSec?: number }): LoadPlan {
  const modes = [options.ramp !== undefined ? '--ramp' : '', options.capacity ? '--capacity' : ''].filter(Boolean);
  if (modes.length > 1) throw new UsageError('--ramp and --capacity exclude each other: choose one');
  if (options.ramp !== undefined || options.capacity) {
    const mode = modes[0]!;
    if (options.durationSec !== undefined) throw new UsageError(`--duration does not apply to ${mode}: each step lasts --step-duration${options.capacity ? ' and --time-limit bounds the search' : ''}`);
    if (options.count !== undefined) throw new UsageError(`--count does not apply to ${mode}`);
  }
  if (options.ramp !== undefined) {
    if (options.rate !== undefined) throw new UsageError('--rate does not apply to --ramp: the ramp lists the rates');
    if (options.stepSec === undefined) throw new UsageError('--ramp needs --step-duration: how long each step lasts');
    return { kind: 'ramp', rates: [...options.ramp], stepSec: options.stepSec };
  }
  if (options.capacity) {
    if (options.timeLimitSec === undefined) throw new UsageError('--capacity needs --time-limit: how long the search may take at most');
    const startRate = options.rate ?? DEFAULT_CAPACITY_START;
    return { kind: 'capacity', startRate, maxRate: options.maxRate ?? MAX_RATE, stepSec: options.stepSec ?? DEFAULT_STEP_SEC, timeLimitSec: options.timeLimitSec };
  }
  if (options.stepSec !== undefined) throw new UsageError('--step-duration applies to --ramp and --capacity only');
  if (options.maxRate !== undefined) throw new UsageError('--max-rate applies to --capacity only');
  if (options.timeLimitSec !== undefined) throw new UsageError('--time-limit applies to --capacity only');
  const rate = options.rate ?? scenarioLoad.rate;
  const pace: Pace = rate === undefined ? { kind: 'closed' } : { kind: 'open', rate };
  if (options.durationSec !== undefined && options.count !== undefined) throw new UsageError('--duration and --count exclude each other: choose one');
  if (options.count !== undefined) return { kind: 'steady', pace, stop: { kind: 'count', requests: options.count } };
  const seconds = options.durationSec ?? scenarioLoad.durationSec;
  if (seconds === undefined) throw new UsageError('load needs --duration (e.g. 30s) or --count: a load run is always bounded');
  return { kind: 'steady', pace, stop: { kind: 'duration', seconds } };
}

/** The time the plan takes at most, warm-up included (a count run is bounded by the cap itself). */
export function plannedSeconds(settings: Pick<LoadSettings, 'plan' | 'warmupSec'>): number {
  const { plan } = settings;
  switch (plan.kind) {
    case 'steady':
      return settings.warmupSec + (plan.stop.kind === 'duration' ? plan.stop.seconds : 0);
    case 'ramp':
      return settings.warmupSec + plan.rates.length * plan.stepSec;
    case 'capacity':
      return settings.warmupSec + plan.timeLimitSec;
  }
}

const rateRange = `from 0.1 to ${MAX_RATE}`;

function checkRate(name: string, rate: number): void {
  if (!Number.isFinite(rate) || rate < 0.1 || rate > MAX_RATE) throw new UsageError(`${name} must be an arrival rate in events per second ${rateRange}, got ${rate}`);
}

/** Deliveries falling due at a fixed rate over `seconds`: one at the start, then one every 1/rate before the end. */
export function deliveriesDue(rate: number, seconds: number): number {
  return Math.ceil(rate * seconds - 1e-6);
}

/** A step at a fixed rate must be long enough for one delivery at that rate: rate × length at least 1. */
function checkDue(rate: number, seconds: number, rateFlag: string, lengthFlag: string): void {
  if (rate * seconds >= 1 - 1e-9) return;
  const needed = Math.ceil((1 / rate) * 10) / 10;
  throw new UsageError(
    `${rateFlag} ${rate} for ${seconds} s is less than one delivery (one every ${needed} s): lengthen ${lengthFlag} to at least ${needed} s or raise ${rateFlag}`,
  );
}

/** Every value a run depends on, whoever built the settings: a problem is a UsageError naming it. */
export function checkLoadSettings(settings: LoadSettings): void {
  const { plan, thresholds } = settings;
  checkSharedSettings(settings);
  checkTokens({ test: [], live: [], [settings.mode]: settings.secrets });
  if (settings.events.length === 0) throw new UsageError('no event type to send');
  for (const event of settings.events) {
    eventType(event.type);
    if (!(event.weight > 0) || !Number.isFinite(event.weight)) throw new UsageError(`the weight of ${event.type} must be a number above 0`);
  }
  if (settings.secrets.length === 0) {
    const flag = settings.mode === 'live' ? '--live-secret' : '--secret';
    const env = settings.mode === 'live' ? 'DRHOOK_LIVE_SECRET' : 'DRHOOK_TEST_SECRET';
    throw new UsageError(`no signing token for ${settings.mode} mode: pass ${flag}, set ${env} or use ${flag}-file (every load request is signed)`);
  }
  integer('--connections', settings.connections, 1, 10_000);
  // At most 3000 as for every run (checkSharedSettings); autocannon counts timeouts in whole seconds, so at least 1000.
  integer('--timeout-ms', settings.deadlineMs, 1000, DEFAULT_DEADLINE_MS, ' (load counts timeouts in whole seconds, so at least 1000)');
  integer('--p99-ms', thresholds.p99Ms, 1, 3_600_000);
  if (!(thresholds.maxFailureRate >= 0 && thresholds.maxFailureRate <= 1)) {
    throw new UsageError(`--max-failure-rate must be a fraction from 0 to 1 or a percentage such as 1%, got ${thresholds.maxFailureRate}`);
  }
  integer('--pool-size', settings.poolSize, 1, 1000);
  if (settings.stories && storySteps(settings).length === 0) {
    throw new UsageError(`--stories sends orders' lifecycles, but none of the events is one of their steps (${storyTypes('order').join(', ')}): add some to --events or the scenario`);
  }
  if (!(settings.warmupSec >= 0)) throw new UsageError(`--warmup must be 0 or more seconds, got ${settings.warmupSec}`);
  switch (plan.kind) {
    case 'steady':
      if (plan.pace.kind === 'open') checkRate('--rate', plan.pace.rate);
      if (plan.stop.kind === 'duration' && !(plan.stop.seconds > 0)) throw new UsageError(`--duration must be more than 0 seconds, got ${plan.stop.seconds}`);
      if (plan.pace.kind === 'open' && plan.stop.kind === 'duration') checkDue(plan.pace.rate, plan.stop.seconds, '--rate', '--duration');
      if (plan.stop.kind === 'count') integer('--count', plan.stop.requests, 1, 100_000_000);
      break;
    case 'ramp':
      if (plan.rates.length === 0) throw new UsageError('--ramp lists no rate');
      plan.rates.forEach((rate) => checkRate('every --ramp rate', rate));
      if (!(plan.stepSec >= 1)) throw new UsageError(`--step-duration must be at least 1 second, got ${plan.stepSec}`);
      plan.rates.forEach((rate) => checkDue(rate, plan.stepSec, '--ramp rate', '--step-duration'));
      break;
    case 'capacity':
      checkRate('--rate (the start of the capacity search)', plan.startRate);
      checkRate('--max-rate', plan.maxRate);
      if (plan.maxRate < plan.startRate) throw new UsageError(`--max-rate ${plan.maxRate} is below the start rate ${plan.startRate}`);
      if (!(plan.stepSec >= 1)) throw new UsageError(`--step-duration must be at least 1 second, got ${plan.stepSec}`);
      checkDue(plan.startRate, plan.stepSec, '--rate', '--step-duration');
      if (!(plan.timeLimitSec >= plan.stepSec)) throw new UsageError(`--time-limit (${plan.timeLimitSec} s) must allow at least one step of --step-duration (${plan.stepSec} s)`);
      break;
  }
  if (settings.shard) checkShard(settings, settings.shard);
  const planned = plannedSeconds(settings);
  if (planned > settings.maxRunSec) {
    const hint = settings.maxRunSec < LONG_MAX_RUN_SEC ? ': shorten it, or pass --allow-long for a deliberate long run' : '';
    throw new UsageError(`the run would take ${planned} s, more than the ${settings.maxRunSec} s cap${hint}`);
  }
}

/** A shard runs every Nth delivery of each step: each shard must have at least one, and one controller runs a search. */
function checkShard(settings: LoadSettings, shard: ShardSettings): void {
  const { plan } = settings;
  const { count } = shard.segment;
  if (plan.kind === 'capacity') {
    throw new UsageError('--capacity cannot run with --shard: a search needs one controller to choose each next rate; run a --ramp across the shards, or the search in one process');
  }
  if (shard.startAt.getTime() - Date.now() > MAX_START_AHEAD_MS) throw new UsageError(`--start-at ${shard.startAt.toISOString()} is more than 24 hours ahead`);
  const steps: Array<[string, number]> =
    plan.kind === 'ramp'
      ? plan.rates.map((rate) => [`a --ramp step at ${rate}/s`, deliveriesDue(rate, plan.stepSec)])
      : plan.stop.kind === 'count'
        ? [['--count', plan.stop.requests]]
        : plan.pace.kind === 'open'
          ? [['the run', deliveriesDue(plan.pace.rate, plan.stop.seconds)]]
          : [];
  const warmRate = plan.kind === 'ramp' ? plan.rates[0]! : plan.pace.kind === 'open' ? plan.pace.rate : undefined;
  if (settings.warmupSec > 0 && warmRate !== undefined) steps.push(['the warm-up', deliveriesDue(warmRate, settings.warmupSec)]);
  for (const [what, due] of steps) {
    if (segmentShare(due, { index: count, count }) < 1) throw new UsageError(`${what} has ${due} deliveries, fewer than the ${count} shards: each shard needs at least one; send more or use fewer shards`);
  }
}

function integer(name: string, value: number, min: number, max: number, note = ''): void {
  if (!Number.isSafeInteger(value) || value < min || value > max) throw new UsageError(`${name} must be a whole number from ${min} to ${max}${note}, got ${value}`);
}

/** The settings as report.json records them: what ran and how, never a secret (tokens are counted, not shown). */
export function settingsForReport(settings: LoadSettings): Record<string, unknown> {
  return {
    scenario: settings.scenario.name,
    scenarioFile: settings.scenario.file,
    events: settings.events.map((event) => ({ ...event })),
    mode: settings.mode,
    seed: settings.seed,
    poolSize: settings.poolSize,
    connections: settings.connections,
    deadlineMs: settings.deadlineMs,
    warmupSec: settings.warmupSec,
    plan: settings.plan,
    thresholds: settings.thresholds,
    maxRunSec: settings.maxRunSec,
    ...(settings.stories ? { stories: true } : {}),
    insecure: settings.tls.insecure,
    ...(new URL(settings.url).protocol === 'https:' ? { tls: describeTls(settings.tls) } : {}),
    signature: describeLayout(settings.signature.scheme, settings.signature.layout),
    signingTokens: settings.secrets.length,
    auth: describeAuth(settings.auth),
    headers: reportedHeaders(settings.headers),
  };
}

/** Every secret the settings hold, for the redactor of everything written or printed. */
export function settingsSecrets(settings: LoadSettings): string[] {
  return [...settings.secrets, ...sharedSecrets(settings)].filter((secret) => secret !== '');
}

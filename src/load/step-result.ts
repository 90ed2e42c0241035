// A step's result from its figures: latency summaries, the pace diagnosis and the threshold checks; for one process's step and for shards merged alike.
import { diagnosePace, MIN_BAND_DELIVERIES } from './diagnose.js';
import { judgeStep, stepStatus } from './judge.js';
import type { Diagnostics, Pace, StepResult } from './report.js';
import type { LoadSettings } from './settings.js';
import { summarize, type Measurement, type ServiceBand } from './stats.js';

/** What a step measured, whoever measured it. */
export interface StepFigures extends Omit<Measurement, 'encoded'> {
  label: string;
  /** The pace the step was judged against. */
  pace: Pace;
  startedAt: Date;
  windowSec: number;
  diagnostics: Diagnostics;
  /** The step was cut short by an interruption. */
  interrupted: boolean;
  /** drhook's connections that carried the step (a merge: every shard's). */
  connections: number;
}

/** `unloaded`: the receiver's service time with few connections busy, as the run measured it so far. The histograms are left to the caller. */
export function judgedStep(figures: StepFigures, settings: Pick<LoadSettings, 'deadlineMs' | 'thresholds'>, unloaded: ServiceBand | null): StepResult {
  const { label, pace, outcomes, halves, diagnostics, serviceByLoad, interrupted, connections } = figures;
  const { deadlineMs } = settings;
  const latencyMs = summarize(figures.histogram);
  const service = figures.serviceHistogram ? { serviceMs: summarize(figures.serviceHistogram) } : {};
  // A step cut short by an interruption has deliveries due that it never sent: their pace is not the receiver's.
  const shortfall =
    pace.kind === 'open' && halves && !interrupted
      ? diagnosePace({ requestedRate: pace.rate, halves, outcomes, connections, deadlineMs, diagnostics, serviceMs: service.serviceMs ?? null, serviceByLoad, unloaded })
      : null;
  const checks = judgeStep({ latencyMs, outcomes, pace, shortfall, diagnostics, thresholds: settings.thresholds, deadlineMs, interrupted });
  return {
    label,
    pace,
    startedAt: figures.startedAt.toISOString(),
    durationSec: round(figures.windowSec),
    sent: figures.sent,
    achievedRate: round(figures.sent / figures.windowSec),
    outcomes,
    latencyMs,
    ...service,
    series: figures.series,
    shortfall,
    diagnostics,
    checks,
    status: stepStatus(checks),
  };
}

function round(value: number): number {
  return Math.round(value * 100) / 100;
}

/** The band with the lowest mean service time of those measured on enough deliveries (MIN_BAND_DELIVERIES); null when none was. */
export function lightest(...bands: Array<ServiceBand | null | undefined>): ServiceBand | null {
  const enough = bands.filter((band): band is ServiceBand => band !== null && band !== undefined && band.count >= MIN_BAND_DELIVERIES);
  return enough.reduce<ServiceBand | null>((best, band) => (best === null || band.meanMs < best.meanMs ? band : best), null);
}

// The LoadReport: what a load run measured (per step and in total), the capacity it found and the verdict, as report.json holds it.
import type { ErrorCause } from '../wire/causes.js';

/** How requests are paced: a fixed arrival rate, or closed loop (each connection sends again as soon as it is answered). */
export type Pace = { kind: 'open'; rate: number } | { kind: 'closed' };

/**
 * Latency of the judged deliveries in milliseconds; a timeout counts as the deadline + 1 ms (its true latency is longer).
 * Open loop: counted from when each delivery fell due, so time spent waiting for a free connection is included.
 */
export interface LatencySummary {
  count: number;
  mean: number;
  p50: number;
  p90: number;
  p99: number;
  p999: number;
  max: number;
  /**
   * The whole distribution from the histogram: [latency ms, share of the deliveries answered within it] points, the
   * share rising from 0 to 1, at most 76 of them. Reports written before drhook recorded it lack it.
   */
  distribution?: Array<[number, number]>;
}

/** One second of a step, by completion time: for plots. */
export interface SecondSample {
  /** Seconds since the step started (0 is the first second). */
  second: number;
  sent: number;
  /** Deliveries judged this second: answered, timed out or failed to connect. */
  completed: number;
  failures: number;
  /** p99 latency of the deliveries judged this second; null when none was. */
  p99Ms: number | null;
  /** Only on a step's last sample: how long it lasted (under a second when the step ended within it). Older reports lack it. */
  lengthSec?: number;
}

/** How the deliveries of a step ended. Everything but a 2xx is a failure, as Digital River counts it. */
export interface Outcomes {
  /** Deliveries judged: answered with any status, timed out, or lost to a connection error. */
  judged: number;
  /** Answered 2xx: acknowledged. */
  acknowledged: number;
  /**
   * Every status answered, with its count (e.g. {"202": 990, "503": 10}). A three-digit status from 600 up is not
   * valid HTTP; RFC 9110 asks a client to treat it as a 5xx, so it is counted here, as a failure.
   */
  statuses: Record<string, number>;
  /** Answered 3xx: a failure, never followed. */
  redirects: number;
  /** No complete answer within the deadline (open loop: counted from when it fell due): the request was aborted, or never sent. */
  timeouts: number;
  /**
   * Open loop: of the timeouts, those never sent: every connection was still busy when their deadline passed. Reports
   * written before drhook counted them lack it.
   */
  notSent?: number;
  /** Connection refused, reset or closed before an answer. */
  connectionErrors: number;
  /**
   * Of the connection errors, the deliveries that fell due while connecting was failing and drhook held back (backing
   * off, or with as many connections opened as deliveries due): no connection was opened for them, and each counts
   * with the cause of those failures. Reports written before drhook held back lack it.
   */
  backedOff?: number;
  /** Connection errors by code (ECONNREFUSED, ECONNRESET, closed-before-answer…), each counted once per delivery. */
  errorCodes: Record<string, number>;
  /**
   * The same connection errors by cause (wire/causes.ts), as contract and send name a failed delivery. Reports written
   * before drhook classified them lack it: read them with `causeCounts`.
   */
  causes?: Partial<Record<ErrorCause, number>>;
  failures: number;
  /** failures / judged; 0 when nothing was judged. */
  failureRate: number;
  /** Still in flight when the step ended (or, open loop, due and not yet sent when it was interrupted): not judged. */
  unfinished: number;
}

/** What drhook measured about itself and the connections, to tell who limited the rate. */
export interface Diagnostics {
  /** drhook's CPU time over wall time during the step (1 = one core fully busy). */
  cpuShare: number;
  /** Share of wall time spent stamping and signing events. */
  stampShare: number;
  /** Mean time to stamp and sign one event, in microseconds. */
  stampMicros: number;
  /** p99 of drhook's event-loop delay during the step, in milliseconds. */
  eventLoopLagP99Ms: number;
  /** Open loop: share of the due deliveries that waited for a connection (every one was busy), whether or not one came free in time. */
  connectionBoundShare: number;
  /** Most deliveries in flight at once. */
  maxInFlight: number;
  /**
   * Connections drhook opened: one per connection before the clock started, then one for a delivery whose connection
   * was gone, or to replace one that answered and closed. Reports written before drhook counted them lack it.
   */
  connectionsOpened?: number;
}

/** Reports written before drhook measured the pace of the answers may also hold `undetermined`. */
/** connection-limit: every one of drhook's connections was busy while the receiver answered each within the deadline (inconclusive). */
export type ShortfallCause = 'receiver-saturated' | 'generator-limit' | 'connection-limit';

/** Open loop: the receiver's answers fell behind the requested rate, and why. */
export interface Shortfall {
  requestedRate: number;
  /** The pace of the answers, in deliveries per second (an upper bound when most of the later ones timed out). */
  achievedRate: number;
  cause: ShortfallCause;
  explanation: string;
}

/** p99-baseline and failure-rate-baseline: with --baseline, the step against the baseline's step at the same pace. */
export type ThresholdId = 'p99' | 'failure-rate' | 'rate' | 'p99-baseline' | 'failure-rate-baseline';

/**
 * Why a result says nothing either way about the receiver: drhook's own CPU could not keep the schedule
 * (generator-limit), its connections could not carry the rate while the receiver answered each at its usual speed
 * (connection-limit), too few deliveries to judge a percentile (too-few-deliveries), or the run was stopped
 * (interrupted: the run's verdict, and the pace of the step it cut short), or a merge of shards lacks some of them or
 * holds one that did not finish (missing-shards: the merged data is not the whole test).
 */
export type InconclusiveCause = 'generator-limit' | 'connection-limit' | 'too-few-deliveries' | 'interrupted' | 'missing-shards';

/** A threshold's judgement. Reports written before drhook told inconclusive apart may hold `warn` instead. */
export type CheckVerdict =
  | { status: 'pass'; reason: string }
  | { status: 'fail'; reason: string }
  | { status: 'inconclusive'; cause: InconclusiveCause; reason: string }
  | { status: 'warn'; reason: string };

export interface ThresholdCheck {
  id: ThresholdId;
  /** The limit in words, e.g. `p99 ≤ 3000 ms`. */
  limit: string;
  /** What was measured, e.g. `412 ms`. */
  measured: string;
  /** `inconclusive` when the result says nothing about the receiver (drhook could not do what was asked, or too few deliveries). */
  verdict: CheckVerdict;
}

export interface StepResult {
  /** e.g. `steady`, `ramp 2/4`, `capacity 3`. */
  label: string;
  pace: Pace;
  startedAt: string;
  /**
   * The measured window: open loop, the time over which its deliveries fell due (requests still waiting for a
   * connection are sent after it, until their deadline); closed loop, the time requests were sent for, or with
   * --count until the last answer. Then the step waits for the answers still in flight.
   */
  durationSec: number;
  sent: number;
  /** Requests sent per second of the window (closed loop with --count: answered per second). */
  achievedRate: number;
  outcomes: Outcomes;
  /** null when no delivery was judged. */
  latencyMs: LatencySummary | null;
  /**
   * Open loop: the receiver's service time, from when each request was written to its answer (answers only), without
   * the wait for a free connection that latencyMs includes. Absent in closed loop and in reports written before it.
   */
  serviceMs?: LatencySummary | null;
  series: SecondSample[];
  shortfall: Shortfall | null;
  diagnostics: Diagnostics;
  checks: ThresholdCheck[];
  /** fail when any check fails; else inconclusive when any check is; else pass. */
  status: 'pass' | 'fail' | 'inconclusive';
  /** A shard's report only: what a merge needs to add this step up exactly with the other shards'. */
  shardData?: ShardStepData;
}

/** The sums a step's service time by load (few connections busy) is computed from; they add up across shards. */
export interface BandSums {
  lower: { count: number; ms: number };
  light: { count: number; n: number; nn: number; y: number; ny: number; yy: number };
}

/** An HDR histogram (microseconds) in HDR's compressed base64 encoding, with its exact maximum; null when empty. */
export type EncodedHistogram = { hdr: string; max: number } | null;

/**
 * A shard's step in a form that merges exactly: HDR histograms in HDR's compressed base64 encoding (null when empty),
 * in microseconds, and sums.
 */
export interface ShardStepData {
  /** The step's window in seconds, unrounded. */
  windowSec: number;
  /** Latency as judged (latencyMs). */
  latency: EncodedHistogram;
  /** Open loop: service time (serviceMs); null in closed loop or when empty. */
  service: EncodedHistogram;
  /** Open loop: the latency of the deliveries due in each half, and in the second half's two quarters. */
  halves: { halfSec: number; early: EncodedHistogram; late: EncodedHistogram; third: EncodedHistogram; fourth: EncodedHistogram } | null;
  /** The latency of each second of `series`, in the same order. */
  seconds: EncodedHistogram[];
  /** Open loop: the service-time bands' sums. */
  bands: BandSums | null;
  /** The shard's service time with few connections busy, the lowest mean it measured up to this step (warm-up included). */
  unloaded: { count: number; meanMs: number } | null;
}

/** A shard's report: which part of which test it ran, and when it started. */
export interface ShardFacts {
  /** 1-based. */
  index: number;
  count: number;
  /** The test's identity: target, settings (less the seed), shard count and start time. Shards merge only with equal hashes. */
  settingsHash: string;
  /** The wall-clock time every shard starts at. */
  startAt: string;
  /** How late this shard was for it, in milliseconds (0 when on time). */
  lateStartMs: number;
}

/** A merged report: the shards merged, and those missing or incomplete. */
export interface MergeFacts {
  shards: number;
  settingsHash: string;
  startAt: string;
  merged: Array<{ index: number; runId: string; complete: boolean; lateStartMs: number; steps: Array<{ label: string; sent: number; diagnostics: Diagnostics }> }>;
  /** Shards of the test no report was found for. */
  missing: number[];
  /** Shards whose run did not finish (interrupted, stopped at the time cap, or fewer steps than the others). */
  incomplete: number[];
}

export interface CapacitySummary {
  /** The highest step rate that held every threshold; null when none did. */
  capacity: number | null;
  lastGood: { label: string; rate: number; p99Ms: number | null; failureRate: number } | null;
  firstBad: { label: string; rate: number; p99Ms: number | null; failureRate: number; why: string } | null;
  /**
   * Why the search stopped; too-few-deliveries: the next rate to try gives a step too few deliveries to judge a p99
   * (the search went below the lowest rate it could judge).
   */
  ended: 'converged' | 'max-rate' | 'time-limit' | 'generator-limit' | 'connection-limit' | 'too-few-deliveries' | 'interrupted';
  explanation: string;
}

export interface LoadReport {
  tool: 'drhook';
  version: string;
  kind: 'load';
  runId: string;
  target: string;
  startedAt: string;
  finishedAt: string;
  /** False when the run was interrupted or stopped at its time cap: the steps listed are those that ran. */
  complete: boolean;
  /** Why the run ended early: interrupted (Ctrl-C, SIGTERM, the caller's signal), or its time cap reached. */
  stoppedBy: 'interrupted' | 'time-cap' | null;
  /** The effective settings, secrets redacted. */
  settings: Record<string, unknown>;
  plan: {
    kind: 'steady' | 'ramp' | 'capacity';
    loop: 'open' | 'closed';
    /** In words: what was asked for and how requests were paced. */
    description: string;
    /** What the plan left out and why (e.g. the ramp steps after a failing one). */
    notes: string[];
  };
  /** The events requests were stamped from. */
  /** `stories`: the orders whose lifecycles were sent (a run with stories). */
  pool: { stories?: number; templates: number; types: number; bytes: { min: number; max: number; mean: number } };
  steps: StepResult[];
  /** Every measured step together. */
  totals: RunTotals;
  capacity: CapacitySummary | null;
  verdict: LoadVerdict;
  /** A shard's report (drhook load --shard): its part of the test. */
  shard?: ShardFacts;
  /** A merged report (drhook merge): the shards it adds up. */
  merge?: MergeFacts;
  /** With --baseline: the report judged against, and which steps were compared with it. */
  baseline?: LoadBaselineNote;
}

/** What a report says about the baseline it was judged against. */
export interface LoadBaselineNote {
  /** The baseline report as given. */
  file: string;
  runId: string;
  target: string;
  /** The share a step's p99 or failure share may grow by before it is a regression (0.1: 10 %). */
  tolerance: number;
  /** The steps compared, each with the baseline's step at the same pace. */
  compared: Array<{ label: string; baselineLabel: string }>;
  /** Steps of this run with no step at the same pace in the baseline: not compared. */
  unmatched: string[];
}


/**
 * pass: every threshold held; fail: the receiver broke one; inconclusive: the run neither passes nor fails the receiver
 * (drhook could not do what was asked, too few deliveries, or it was interrupted), with the cause and the rate it reached.
 * `summary` is a plain sentence: the share of deliveries Digital River would have counted as failed, and what that
 * means; `reasons` the broken (or, inconclusive, the unjudged) thresholds, one line each.
 */
export type LoadVerdict =
  | { status: 'pass' | 'fail'; summary: string; reasons: string[] }
  | {
      status: 'inconclusive';
      cause: InconclusiveCause;
      /** The rate drhook reached where it could not judge (events/s: the answers' pace when they fell behind); null when no step ran. */
      reachedRate: number | null;
      summary: string;
      reasons: string[];
    };

/** What a run sent and got, over all its steps. */
export interface RunTotals {
  durationSec: number;
  sent: number;
  outcomes: Outcomes;
  latencyMs: LatencySummary | null;
}

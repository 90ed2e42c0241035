// One step of load: its clock, its schedule (open loop) or count, and its measurement; the clients it runs are driven by client-driver.ts over autocannon-client.ts.
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { adopt, launch } from './autocannon-client.js';
import { createClientDriver, type ClientStep } from './client-driver.js';
import type { Diagnostics, Pace } from './report.js';
import type { LoadStop } from './settings.js';
import { createPacer, type Pacer } from './pace.js';
import { createReconnectGate } from './reconnect.js';
import { connectionTarget, type Target } from './resolve.js';
import type { Stamper } from './stamp.js';
import { createRecorder, type Measurement, type Recorder } from './stats.js';
import { segmentPace, segmentShare, type Segment } from './shard.js';

export interface StepSpec {
  pace: Pace;
  stop: LoadStop;
  /** Stop sending after this long whatever `stop` says (the run's time cap). */
  maxSec: number;
  /** A shard's part of the step: every Nth slot (or of a count, every Nth delivery); the window stays the whole step's. */
  segment?: Segment;
}

export interface EngineContext {
  url: string;
  /** The receiver's address, resolved once before the run (resolve.ts); unresolved, every request due fails at once. */
  target: Target;
  connections: number;
  deadlineMs: number;
  /** https: an extra certificate authority, or no verification at all. */
  tls: { ca?: Buffer; insecure: boolean };
  stamper: Stamper;
  signal?: AbortSignal;
  /** Called about once a second while the step runs. */
  onSecond?: (live: LiveFigures) => void;
}

export interface LiveFigures {
  elapsedSec: number;
  sent: number;
  failures: number;
  p99Ms: number | null;
  /** Requests sent in the last whole second. */
  rate: number;
}

export interface StepMeasurement extends Measurement {
  /** When the clock started: once every connection was open. */
  startedAt: Date;
  /** Open loop: how long the slots fell due over; closed loop: how long requests were sent for (with a count: until the last answer). */
  windowSec: number;
  diagnostics: Diagnostics;
  /** Why sending stopped early: the caller's signal, or the time cap. */
  cutShort: 'aborted' | 'time-cap' | null;
}

/** The event-loop monitor's timer interval; its samples include it, so it is subtracted. */
const LAG_RESOLUTION_MS = 10;
/** autocannon checks whether to stop this often; drhook stops it as soon as the answers are in. */
const SAMPLE_MS = 100;
/** After the window, every delivery is settled within the deadline; the step waits this much longer at most. */
const DRAIN_MARGIN_MS = 1000;
/**
 * Runs one step until its duration, count, the time cap or the signal ends it, then waits for the answers in flight
 * (at most the deadline). The clock starts once every connection is open (or has failed to open), so opening them is
 * not timed. Open loop, the step has exactly rate × duration slots; each delivery's latency counts from its slot, and
 * its deadline too: one that waited for a free connection has that much less time, and one still waiting at its
 * deadline is never sent (a timeout).
 */
export function runStep(spec: StepSpec, context: EngineContext): Promise<StepMeasurement> {
  const { stamper, deadlineMs } = context;
  const { stop } = spec;
  const rate = spec.pace.kind === 'open' ? spec.pace.rate : null;
  const capMs = spec.maxSec * 1000;
  const plannedSlots = rate === null ? 0 : stop.kind === 'count' ? stop.requests : slotsIn(rate, stop.seconds * 1000);
  const slots = rate === null ? 0 : Math.min(plannedSlots, slotsIn(rate, capMs));
  const cappedByTime = rate !== null ? slots < plannedSlots : !(stop.kind === 'duration' && stop.seconds <= spec.maxSec);
  // Open loop the window is the time the slots fall due in (a duration's, as asked, when all of them fall within it);
  // closed loop the duration, or with --count the time cap.
  const windowMs =
    rate !== null ? (stop.kind === 'duration' && !cappedByTime ? stop.seconds * 1000 : (slots * 1000) / rate) : Math.min(stop.kind === 'duration' ? stop.seconds * 1000 : Number.POSITIVE_INFINITY, capMs);
  const countLimit = rate === null && stop.kind === 'count' ? segmentShare(stop.requests, spec.segment) : Number.POSITIVE_INFINITY;
  // A shard's own slots of the step's: every Nth, from its offset.
  const ownSlots = segmentShare(slots, spec.segment);
  const ownPace = rate === null ? null : segmentPace(rate, spec.segment);
  if (context.target.kind === 'unresolved') {
    const due = rate !== null ? ownSlots : Number.isFinite(countLimit) ? countLimit : context.connections;
    return Promise.resolve(unresolvedStep(due, context.target.code, deadlineMs));
  }
  const connectTo = connectionTarget(context.url, context.target.address);
  const lag = monitorEventLoopDelay({ resolution: LAG_RESOLUTION_MS });
  // The connections opened before the clock: never more than the deliveries the step can send.
  const connections = Math.min(context.connections, rate !== null ? ownSlots : countLimit);
  const gate = createReconnectGate();

  // Set when the clock starts (begin): no request leaves before, so nothing is recorded before.
  let begun = false;
  let startMs = Number.NaN;
  let startedAt!: Date;
  let recorder!: Recorder;
  let pacer: Pacer | undefined;
  let cpuAtStart!: NodeJS.CpuUsage;
  let busyAtStart = 0;
  const parked: Array<() => void> = [];
  let connecting = connections;

  let sending = true;
  let windowEndMs = Number.NaN;
  let lastSettledMs = Number.NaN;
  let cutShort: StepMeasurement['cutShort'] = null;
  let sent = 0;
  /** Deliveries sent, or failed at once for want of a connection: a count stops at it. */
  let taken = 0;
  let inFlight = 0;
  let maxInFlight = 0;
  let unsent = 0;
  let finished = false;
  let failure: Error | undefined;
  const timers: NodeJS.Timeout[] = [];
  let progress: NodeJS.Timeout | undefined;

  return new Promise<StepMeasurement>((resolve, reject) => {
    /** What each client reads of the step and tells it. */
    const step: ClientStep = {
      deadlineMs,
      countLimit,
      insecure: context.tls.insecure,
      stamper,
      gate,
      get begun() {
        return begun;
      },
      get sending() {
        return sending;
      },
      get finished() {
        return finished;
      },
      get startMs() {
        return startMs;
      },
      get pacer() {
        return pacer;
      },
      get recorder() {
        return recorder;
      },
      firstAttemptSettled() {
        if (--connecting === 0) begin();
      },
      whenBegun(resume) {
        parked.push(resume);
      },
      sent(due) {
        sent++;
        inFlight++;
        if (inFlight > maxInFlight) maxInFlight = inFlight;
        recorder.sent();
        return { ...due, inFlight };
      },
      took() {
        if (++taken >= countLimit) stopSending(null);
      },
      backedOff(cause) {
        recorder.backedOff(cause);
        if (countLimit < Number.POSITIVE_INFINITY) lastSettledMs = performance.now();
        step.took();
        settleIfDrained();
      },
      settled(record) {
        inFlight--;
        record();
        if (countLimit < Number.POSITIVE_INFINITY) lastSettledMs = performance.now();
        settleIfDrained();
      },
    };

    const instance = launch(
      {
        connectTo,
        connections,
        // drhook ends the step itself; autocannon's own end is only a safety net.
        durationSec: Math.ceil((deadlineMs + Math.min(windowMs, capMs) + deadlineMs + DRAIN_MARGIN_MS) / 1000 + 5),
        timeoutSec: deadlineMs / 1000,
        // autocannon itself never verifies certificates (it connects with rejectUnauthorized: false); the CA still
        // goes to Node's verification, whose verdict each client enforces on its connections (client-driver.ts).
        ...(context.tls.ca ? { ca: context.tls.ca } : {}),
        sampleMs: SAMPLE_MS,
        setupClient: (client) => {
          try {
            adopt(client, (driven) => createClientDriver(driven, step));
          } catch (error) {
            failure ??= error as Error;
            // autocannon is still setting up its clients: the step ends as soon as it has.
            queueMicrotask(finish);
          }
        },
      },
      (error) => {
        for (const timer of timers) clearTimeout(timer);
        lag.disable();
        context.signal?.removeEventListener('abort', onAbort);
        if (error) return reject(error);
        if (failure) return reject(failure);
        resolve(measure());
      },
    );

    const onAbort = (): void => {
      begin();
      stopSending('aborted');
      finish();
    };
    if (context.signal?.aborted) queueMicrotask(onAbort);
    else context.signal?.addEventListener('abort', onAbort, { once: true });
    // A connection that has neither opened nor failed within the deadline does not hold the others back.
    timers.push(setTimeout(begin, deadlineMs));

    /** Starts the clock: the schedule, the recorder, drhook's own CPU and event-loop figures; parked connections go. */
    function begin(): void {
      if (begun) return;
      begun = true;
      startMs = performance.now();
      startedAt = new Date();
      const encode = spec.segment !== undefined;
      recorder = createRecorder(deadlineMs, rate === null ? { encode } : { windowSec: windowMs / 1000, connections: context.connections, encode });
      const dueSec = (dueMs: number): number => (dueMs - startMs) / 1000;
      if (ownPace !== null) pacer = createPacer({ ...ownPace, slots: ownSlots, deadlineMs, onExpired: (dueMs) => recorder.notSent(dueSec(dueMs)) });
      cpuAtStart = process.cpuUsage();
      busyAtStart = stamper.busyMs;
      lag.enable();
      timers.push(setTimeout(() => stopSending(cappedByTime ? 'time-cap' : null), windowMs));
      progress = setInterval(() => {
        const live = recorder.progress();
        context.onSecond?.({ elapsedSec: (performance.now() - startMs) / 1000, sent: live.sent, failures: live.failures, p99Ms: live.p99Ms, rate: live.lastSecondSent });
      }, 1000);
      timers.push(progress);
      for (const resume of parked.splice(0)) resume();
    }

    /**
     * The window ends: closed loop nothing more is sent; open loop the last slot has fallen due, and slots still
     * waiting for a connection go out as connections free up, until their deadline.
     */
    function stopSending(reason: StepMeasurement['cutShort']): void {
      if (!sending) return;
      sending = false;
      cutShort ??= reason;
      windowEndMs = Math.min(performance.now(), startMs + windowMs);
      if (progress !== undefined) clearInterval(progress);
      // Every delivery is answered, timed out or expired by its deadline; a margin, then the step ends regardless.
      timers.push(setTimeout(finish, deadlineMs + DRAIN_MARGIN_MS));
      settleIfDrained();
    }

    function settleIfDrained(): void {
      if (!sending && inFlight === 0 && (pacer === undefined || pacer.done)) finish();
    }

    function finish(): void {
      if (finished) return;
      finished = true;
      unsent = pacer?.stop() ?? 0;
      instance.stop();
    }

    function measure(): StepMeasurement {
      const wallMs = Math.max(1, performance.now() - startMs);
      const cpu = process.cpuUsage(cpuAtStart);
      const measurement = recorder.finish(unsent + Math.max(0, inFlight));
      const stampMs = stamper.busyMs - busyAtStart;
      const lagP99 = lag.count > 0 ? Math.max(0, lag.percentile(99) / 1e6 - LAG_RESOLUTION_MS) : 0;
      // With --count in closed loop the window runs to the last answer: the rate is then what the receiver answered.
      const end = !Number.isNaN(lastSettledMs) ? lastSettledMs : Number.isNaN(windowEndMs) ? performance.now() : windowEndMs;
      const due = pacer?.due ?? 0;
      return {
        ...measurement,
        startedAt,
        windowSec: Math.max(0.001, (end - startMs) / 1000),
        cutShort,
        diagnostics: {
          cpuShare: round((cpu.user + cpu.system) / 1000 / wallMs, 3),
          stampShare: round(stampMs / wallMs, 3),
          stampMicros: measurement.sent > 0 ? round((stampMs * 1000) / measurement.sent, 2) : 0,
          eventLoopLagP99Ms: round(lagP99, 1),
          connectionBoundShare: pacer && due > 0 ? round(pacer.connectionBound / due, 3) : 0,
          maxInFlight,
          connectionsOpened: gate.opened,
        },
      };
    }
  });
}

/** The host name did not resolve: each request due fails at once with the DNS error code; nothing goes on the wire, so nothing counts as sent. */
function unresolvedStep(due: number, code: string, deadlineMs: number): StepMeasurement {
  const startMs = performance.now();
  const startedAt = new Date();
  const recorder = createRecorder(deadlineMs);
  for (let i = 0; i < due; i++) recorder.connectionError(code);
  return {
    ...recorder.finish(0),
    startedAt,
    windowSec: Math.max(0.001, (performance.now() - startMs) / 1000),
    cutShort: null,
    diagnostics: { cpuShare: 0, stampShare: 0, stampMicros: 0, eventLoopLagP99Ms: 0, connectionBoundShare: 0, maxInFlight: 0, connectionsOpened: 0 },
  };
}

/** Slots falling due within `ms` at `rate`: at 0, 1/rate, … before the end (exactly rate × duration when that is whole). */
function slotsIn(rate: number, ms: number): number {
  return Math.max(1, Math.ceil((rate * ms) / 1000 - 1e-6));
}

function round(value: number, digits: number): number {
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
}

// The autocannon driver: one step of load, each request stamped fresh, paced, timed out at the deadline, and every outcome recorded.
import type { EventEmitter } from 'node:events';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import autocannon from 'autocannon';
import type { Diagnostics, Pace } from './report.js';
import type { LoadStop } from './settings.js';
import { createPacer, type Pacer } from './pace.js';
import type { Stamper } from './stamp.js';
import { createRecorder, type Measurement } from './stats.js';

export interface StepSpec {
  pace: Pace;
  stop: LoadStop;
  /** Stop sending after this long whatever `stop` says (the run's time cap). */
  maxSec: number;
}

export interface EngineContext {
  url: string;
  connections: number;
  deadlineMs: number;
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
  startedAt: Date;
  /** How long requests were sent for. */
  windowSec: number;
  diagnostics: Diagnostics;
  /** Why sending stopped early: the caller's signal, or the time cap. */
  cutShort: 'aborted' | 'time-cap' | null;
}

/**
 * The parts of autocannon's (9.x) HTTP client drhook drives. autocannon builds a request buffer once and writes it
 * again and again; drhook replaces that buffer per request (getRequestBuffer), decides when each request goes
 * (_doRequest), and keeps an idle connection's timeout from firing while it waits for its slot.
 */
interface AutocannonClient extends EventEmitter {
  _doRequest(): void;
  _resetConnection(): void;
  getRequestBuffer(): Buffer;
  destroyed: boolean;
  /** The current connection. */
  conn?: { writableLength: number };
  timeoutTicker: { reschedule(ms: number): void };
  pipelinedRequests: { size(): number; clear(): void };
  requestIterator: { nextRequest(): unknown; currentRequest: unknown };
}

/** A connection waiting for its slot has nothing in flight: its timeout is pushed this far out. */
const IDLE_TIMEOUT_MS = 1e9;
/** The event-loop monitor's timer interval; its samples include it, so it is subtracted. */
const LAG_RESOLUTION_MS = 10;
/** autocannon checks whether to stop this often; drhook stops it as soon as the answers are in. */
const SAMPLE_MS = 100;

const internalsMissing = 'the installed autocannon does not expose the client internals drhook load drives (written for autocannon 9)';

/** At setup time: the timeout ticker is created after setupClient runs, so it is checked on the first request. */
function checkClient(client: Partial<AutocannonClient>): asserts client is AutocannonClient {
  const methods = ['_doRequest', '_resetConnection', 'getRequestBuffer'] as const;
  if (methods.some((name) => typeof client[name] !== 'function') || typeof client.pipelinedRequests?.size !== 'function' || typeof client.requestIterator?.nextRequest !== 'function') {
    throw new Error(internalsMissing);
  }
}

/** Runs one step until its duration, count, the time cap or the signal ends it, then waits for the answers in flight (at most the deadline). */
export function runStep(spec: StepSpec, context: EngineContext): Promise<StepMeasurement> {
  const { stamper, deadlineMs } = context;
  const startedAt = new Date();
  const startMs = performance.now();
  const recorder = createRecorder(deadlineMs);
  const pacer: Pacer | undefined = spec.pace.kind === 'open' ? createPacer(spec.pace.rate) : undefined;
  const lag = monitorEventLoopDelay({ resolution: LAG_RESOLUTION_MS });
  lag.enable();
  const cpuAtStart = process.cpuUsage();
  const busyAtStart = stamper.busyMs;
  const countLimit = spec.stop.kind === 'count' ? spec.stop.requests : Number.POSITIVE_INFINITY;
  const windowMs = Math.min(spec.stop.kind === 'duration' ? spec.stop.seconds * 1000 : Number.POSITIVE_INFINITY, spec.maxSec * 1000);

  let sending = true;
  let windowEndMs = Number.NaN;
  let cutShort: StepMeasurement['cutShort'] = null;
  let sent = 0;
  let inFlight = 0;
  let maxInFlight = 0;
  let finished = false;
  let failure: Error | undefined;
  const timers: NodeJS.Timeout[] = [];
  let progress: NodeJS.Timeout | undefined;

  return new Promise<StepMeasurement>((resolve, reject) => {
    const instance = autocannon(
      {
        url: context.url,
        method: 'POST',
        connections: context.connections,
        // drhook ends the step itself; autocannon's own end is only a safety net.
        duration: Math.ceil(Math.min(windowMs, spec.maxSec * 1000) / 1000 + deadlineMs / 1000 + 5),
        timeout: deadlineMs / 1000,
        pipelining: 1,
        sampleInt: SAMPLE_MS,
        setupClient: (client) => {
          try {
            drive(client as unknown as Partial<AutocannonClient>);
          } catch (error) {
            failure ??= error as Error;
            stopSending(null);
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
      stopSending('aborted');
      finish();
    };
    if (context.signal?.aborted) queueMicrotask(onAbort);
    else context.signal?.addEventListener('abort', onAbort, { once: true });

    const cappedByTime = !(spec.stop.kind === 'duration' && spec.stop.seconds <= spec.maxSec);
    timers.push(setTimeout(() => stopSending(cappedByTime ? 'time-cap' : null), windowMs));
    if (sending) {
      progress = setInterval(() => {
        const live = recorder.progress();
        context.onSecond?.({ elapsedSec: (performance.now() - startMs) / 1000, sent: live.sent, failures: live.failures, p99Ms: live.p99Ms, rate: live.lastSecondSent });
      }, 1000);
      timers.push(progress);
    }

    function stopSending(reason: StepMeasurement['cutShort']): void {
      if (!sending) return;
      sending = false;
      cutShort ??= reason;
      windowEndMs = performance.now();
      pacer?.stop();
      if (progress !== undefined) clearInterval(progress);
      // Answers still in flight get the deadline (autocannon times them out), plus a margin.
      timers.push(setTimeout(finish, deadlineMs + 1000));
      settleIfDrained();
    }

    function settleIfDrained(): void {
      if (!sending && inFlight === 0) finish();
    }

    function finish(): void {
      if (finished) return;
      finished = true;
      instance.stop();
    }

    function drive(client: Partial<AutocannonClient>): void {
      checkClient(client);
      const original = client._doRequest.bind(client);
      const iterator = client.requestIterator;
      let waiting = false;
      let closeAfterAnswer = false;
      let lossCounted = false;

      // The request bytes come from the stamper; autocannon's own request list is not used. Each connection stamps
      // into its own buffer once everything it wrote before has been handed to the kernel (writableLength 0: a
      // connection that is still connecting, or whose send buffer is full, gets a fresh one).
      let own = Buffer.allocUnsafe(stamper.maxRequestBytes);
      client.getRequestBuffer = () => {
        if (client.conn?.writableLength !== 0) return stamper.next();
        if (own.length < stamper.maxRequestBytes) own = Buffer.allocUnsafe(stamper.maxRequestBytes);
        return stamper.next(own);
      };
      iterator.nextRequest = () => iterator.currentRequest;

      const idle = (): void => {
        if (typeof client.timeoutTicker?.reschedule !== 'function') throw new Error(internalsMissing);
        client.timeoutTicker.reschedule(IDLE_TIMEOUT_MS);
      };
      const send = (): void => {
        waiting = false;
        if (client.destroyed) return;
        if (!sending) return idle();
        sent++;
        inFlight++;
        if (inFlight > maxInFlight) maxInFlight = inFlight;
        recorder.sent();
        original();
        if (sent >= countLimit) stopSending(null);
      };
      const settled = (): void => {
        inFlight--;
        settleIfDrained();
      };

      client._doRequest = () => {
        if (client.destroyed) return;
        // autocannon reconnects after a failed or closed connection and asks for a request again: the one in flight is lost.
        if (client.pipelinedRequests.size() > 0) {
          client.pipelinedRequests.clear();
          if (!lossCounted) {
            recorder.connectionError('closed-before-answer');
            settled();
          }
        }
        lossCounted = false;
        if (closeAfterAnswer) {
          // The receiver said it closes this connection: continue on a new one (which asks for the next request).
          closeAfterAnswer = false;
          return client._resetConnection();
        }
        if (waiting) return;
        if (!sending) return idle();
        if (!pacer) return send();
        waiting = true;
        idle();
        pacer.take(send);
      };

      client.on('headers', (info: { shouldKeepAlive?: boolean }) => {
        if (info.shouldKeepAlive === false) closeAfterAnswer = true;
      });
      client.on('response', (status: number, _bytes: number, latencyMs: number) => {
        recorder.answered(status, latencyMs);
        settled();
      });
      client.on('timeout', () => {
        recorder.timedOut();
        settled();
      });
      client.on('connError', (error: NodeJS.ErrnoException) => {
        if (client.pipelinedRequests.size() === 0) return;
        lossCounted = true;
        recorder.connectionError(error.code ?? 'error');
        settled();
      });
    }

    function measure(): StepMeasurement {
      const end = Number.isNaN(windowEndMs) ? performance.now() : windowEndMs;
      const wallMs = Math.max(1, performance.now() - startMs);
      const cpu = process.cpuUsage(cpuAtStart);
      const measurement = recorder.finish(Math.max(0, inFlight));
      const stampMs = stamper.busyMs - busyAtStart;
      const lagP99 = lag.count > 0 ? Math.max(0, lag.percentile(99) / 1e6 - LAG_RESOLUTION_MS) : 0;
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
          connectionBoundShare: pacer && pacer.sent > 0 ? round(pacer.connectionBound / pacer.sent, 3) : 0,
          maxInFlight,
        },
      };
    }
  });
}

function round(value: number, digits: number): number {
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
}

// The autocannon driver: one step of load, each request stamped fresh, paced, timed out at the deadline, and every outcome recorded.
import type { EventEmitter } from 'node:events';
import { maxHeaderSize } from 'node:http';
import type { TLSSocket } from 'node:tls';
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
 * (_doRequest), and keeps an idle connection's timeout from firing while it waits for its slot. It also guards
 * autocannon's response parsing (_connect, parser), which on its own keeps whole bodies in memory, ignores parse
 * errors, throws on an answer without a request, and carries a half-read answer over to the next connection.
 */
interface AutocannonClient extends EventEmitter {
  _connect(): void;
  _doRequest(): void;
  _resetConnection(): void;
  getRequestBuffer(): Buffer;
  destroyed: boolean;
  /** The current connection. */
  conn?: { writableLength: number; readableEnded: boolean };
  timeoutTicker: { reschedule(ms: number): void };
  pipelinedRequests: { size(): number; clear(): void; addBody(chunk: Buffer): void };
  requestIterator: { nextRequest(): unknown; currentRequest: unknown };
  parser: ResponseParser;
}

/** http-parser-js, as autocannon uses it: one parser per client, callbacks under numeric keys. */
interface ResponseParser {
  state: string;
  type: string;
  execute(chunk: Buffer): number | Error;
  finish(): Error | undefined;
  reinitialize(type: string): void;
  [callback: number]: ((...args: never[]) => unknown) | undefined;
}

/** http-parser-js's callback keys. */
const ON_HEADERS_COMPLETE = 2;
const ON_MESSAGE_COMPLETE = 4;

/** A response that is not HTTP drhook can judge: counted as a connection error with this code, the connection replaced. */
class BadResponse extends Error {
  constructor(readonly code: string) {
    super(code);
  }
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
  const methods = ['_connect', '_doRequest', '_resetConnection', 'getRequestBuffer'] as const;
  if (
    methods.some((name) => typeof client[name] !== 'function') ||
    typeof client.pipelinedRequests?.size !== 'function' ||
    typeof client.requestIterator?.nextRequest !== 'function' ||
    typeof client.parser?.execute !== 'function'
  ) {
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
        // autocannon itself never verifies certificates; drhook checks each connection (guard, below).
        ...(context.tls.ca ? { tlsOptions: { ca: context.tls.ca } } : {}),
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
      guard(client, (code) => {
        if (client.pipelinedRequests.size() > 0) {
          recorder.connectionError(code);
          settled();
        }
      });
    }

    /**
     * Makes autocannon's reading of answers safe against hostile receivers: bodies are counted, not kept; 1xx
     * answers are skipped as undici skips them (an unsolicited 100 Continue is refused, as undici refuses it);
     * a parse error, a header block over Node's limit or an answer without a request is a bad response (`onBad`,
     * then a new connection); an answer that ends with the connection (HTTP/1.0) is complete when it closes; each
     * connection starts with a fresh parser; and over https an untrusted certificate ends the connection before
     * anything is sent on it, unless the run is insecure.
     */
    function guard(client: AutocannonClient, onBad: (code: string) => void): void {
      const { parser } = client;
      client.pipelinedRequests.addBody = () => {};
      let informational = false;
      // autocannon sets the parser's callbacks after setupClient, before its first connection: wrapped there.
      const wrapCallbacks = (): void => {
        const onHeadersComplete = parser[ON_HEADERS_COMPLETE];
        const onMessageComplete = parser[ON_MESSAGE_COMPLETE];
        if (typeof onHeadersComplete !== 'function' || typeof onMessageComplete !== 'function') throw new Error(internalsMissing);
        parser[ON_HEADERS_COMPLETE] = (info: { statusCode: number; headers: string[] }) => {
          if (info.statusCode === 100) throw new BadResponse('unsolicited-100-continue');
          informational = info.statusCode > 100 && info.statusCode < 200 && info.statusCode !== 101;
          if (informational) return undefined;
          if (info.headers.reduce((sum, part) => sum + part.length + 2, 0) > maxHeaderSize) throw new BadResponse('HPE_HEADER_OVERFLOW');
          return (onHeadersComplete as (info: unknown) => unknown).call(parser, info);
        };
        parser[ON_MESSAGE_COMPLETE] = () => {
          if (informational) {
            informational = false;
            return undefined;
          }
          if (client.pipelinedRequests.size() === 0) throw new BadResponse('answer-without-request');
          return (onMessageComplete as () => unknown).call(parser);
        };
      };

      const execute = parser.execute.bind(parser);
      parser.execute = (chunk) => {
        let result: number | Error;
        try {
          result = execute(chunk);
        } catch (error) {
          result = error instanceof Error ? error : new Error(String(error));
        }
        if (!(result instanceof Error)) return result;
        const code = (result as NodeJS.ErrnoException).code;
        onBad(code !== undefined && (result instanceof BadResponse || code.startsWith('HPE_')) ? code : result.message === 'max header size exceeded' ? 'HPE_HEADER_OVERFLOW' : 'HPE_INVALID');
        client._resetConnection();
        return result;
      };

      const connect = client._connect.bind(client);
      let first = true;
      client._connect = () => {
        if (first) {
          first = false;
          wrapCallbacks();
        }
        const previous = client.conn;
        // The connection closed in the middle of a body without a length: that close is the body's end.
        if (previous?.readableEnded && parser.state === 'BODY_RAW' && client.pipelinedRequests.size() > 0) {
          parser.finish();
          // The answer's handler has already moved on to a new connection.
          if (client.conn !== previous || client.destroyed) return;
        }
        parser.reinitialize(parser.type);
        connect();
        if (context.tls.insecure || !(client.conn && 'encrypted' in client.conn)) return;
        // autocannon connects with rejectUnauthorized: false; an untrusted certificate ends the connection here.
        const socket = client.conn as unknown as TLSSocket;
        socket.once('secureConnect', () => {
          if (socket.authorized) return;
          const reason = String(socket.authorizationError);
          socket.destroy(Object.assign(new Error(`the receiver's certificate is not trusted: ${reason}`), { code: reason }));
        });
      };
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

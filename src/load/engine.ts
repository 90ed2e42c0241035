// The autocannon driver: one step of load, each request stamped fresh, paced, timed from its slot, timed out at the deadline, and every outcome recorded.
import type { EventEmitter } from 'node:events';
import { maxHeaderSize } from 'node:http';
import type { Socket } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import autocannon from 'autocannon';
import type { Diagnostics, Pace } from './report.js';
import type { LoadStop } from './settings.js';
import { DEFAULT_MAX_BODY_BYTES } from '../wire/delivery.js';
import { createPacer, type Pacer } from './pace.js';
import { createReconnectGate, type Admission } from './reconnect.js';
import { connectionTarget, type Target } from './resolve.js';
import type { Stamper } from './stamp.js';
import { createRecorder, type Measurement, type Recorder } from './stats.js';

export interface StepSpec {
  pace: Pace;
  stop: LoadStop;
  /** Stop sending after this long whatever `stop` says (the run's time cap). */
  maxSec: number;
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

/**
 * The parts of autocannon's (9.x) HTTP client drhook drives. autocannon builds a request buffer once and writes it
 * again and again; drhook replaces that buffer per request (getRequestBuffer), decides when each request goes
 * (_doRequest), and keeps an idle connection's timeout from firing while it waits for its slot. It decides when a
 * connection opens (_connect): autocannon opens a new one the moment one fails or closes, which against a receiver
 * that refuses or drops connections is a flood. It also guards autocannon's response parsing (parser), which on its
 * own keeps whole bodies in memory, ignores parse errors, throws on an answer without a request, and carries a
 * half-read answer over to the next connection.
 */
interface AutocannonClient extends EventEmitter {
  _connect(): void;
  _doRequest(): void;
  _resetConnection(): void;
  getRequestBuffer(): Buffer;
  destroyed: boolean;
  /** The current connection (a TLSSocket over https). */
  conn?: Socket;
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
const ON_BODY = 3;
const ON_MESSAGE_COMPLETE = 4;

/** A response that is not HTTP drhook can judge: counted as a connection error with this code, the connection replaced. */
class BadResponse extends Error {
  constructor(readonly code: string) {
    super(code);
  }
}

/** Thrown out of the parser when an answer is judged before its body ends: the rest of it is not read. */
class Judged extends Error {}

/**
 * The slot a request was sent for: when it fell due (seconds into the step; closed loop none), how late it was sent,
 * and how many requests were in flight, this one included, once it was.
 */
interface Slot {
  dueSec?: number;
  lateMs: number;
  inFlight: number;
}

/** One connection of a client, from when it was opened until it is gone. */
interface Connection {
  socket: Socket;
  openedMs: number;
  /** Connected (over https: the handshake done and the certificate trusted). */
  established: boolean;
  /** It carried an answer (any status). */
  answered: boolean;
  /** The answer said the receiver closes it (or drhook stopped reading it): the next request goes on a new one. */
  closeAfterAnswer: boolean;
}

/** A connection waiting for its slot has nothing in flight: its timeout is pushed this far out. */
const IDLE_TIMEOUT_MS = 1e9;
/** The event-loop monitor's timer interval; its samples include it, so it is subtracted. */
const LAG_RESOLUTION_MS = 10;
/** autocannon checks whether to stop this often; drhook stops it as soon as the answers are in. */
const SAMPLE_MS = 100;
/** After the window, every delivery is settled within the deadline; the step waits this much longer at most. */
const DRAIN_MARGIN_MS = 1000;
/**
 * A connection the receiver ends within this time of its opening, before it answered anything, failed: the receiver
 * drops connections. Ended later and unused, it merely sat idle too long, which is no failure.
 */
const QUICK_CLOSE_MS = 1000;

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
  const countLimit = rate === null && stop.kind === 'count' ? stop.requests : Number.POSITIVE_INFINITY;
  if (context.target.kind === 'unresolved') {
    const due = rate !== null ? slots : Number.isFinite(countLimit) ? countLimit : context.connections;
    return Promise.resolve(unresolvedStep(due, context.target.code, deadlineMs));
  }
  const connectTo = connectionTarget(context.url, context.target.address);
  const lag = monitorEventLoopDelay({ resolution: LAG_RESOLUTION_MS });
  // The connections opened before the clock: never more than the deliveries the step can send.
  const connections = Math.min(context.connections, rate !== null ? slots : countLimit);
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
    const instance = autocannon(
      {
        // The address, not the name: no DNS lookup per connection (the Host header and TLS server name keep the name).
        ...connectTo,
        method: 'POST',
        connections,
        // drhook ends the step itself; autocannon's own end is only a safety net.
        duration: Math.ceil((deadlineMs + Math.min(windowMs, capMs) + deadlineMs + DRAIN_MARGIN_MS) / 1000 + 5),
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
      recorder = createRecorder(deadlineMs, rate === null ? {} : { windowSec: windowMs / 1000, connections: context.connections });
      const dueSec = (dueMs: number): number => (dueMs - startMs) / 1000;
      if (rate !== null) pacer = createPacer({ rate, slots, deadlineMs, onExpired: (dueMs) => recorder.notSent(dueSec(dueMs)) });
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

    /**
     * Drives one autocannon client: one connection at a time, one request in flight on it. The connection is opened
     * before the clock starts; once it is gone (failed, closed, timed out, reset by drhook) a new one is opened only
     * when the next delivery is handed to this client, and only when the gate admits it: a delivery's failed
     * connection is that delivery's outcome, never a cause to send again. A connection that answered and then closed
     * is replaced at once, as before the clock started, so the next delivery does not wait for the connecting.
     */
    function drive(client: Partial<AutocannonClient>): void {
      checkClient(client);
      const original = client._doRequest.bind(client);
      const connect = client._connect.bind(client);
      const { parser } = client;
      const iterator = client.requestIterator;
      /** Waiting for its slot (open loop), for the clock to start, or (closed loop) for the backoff to pass. */
      let waiting = false;
      /** Set while drhook opens or drops a connection itself: autocannon's call for the next request then waits for drhook's. */
      let quiet = false;
      /** The request in flight on this connection, captured when it was sent; null when none is. */
      let slot: Slot | null = null;
      /** The current connection; null once it is gone. */
      let live: Connection | null = null;
      let first = true;

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
      const send = (due: Omit<Slot, 'inFlight'> = { lateMs: 0 }): void => {
        sent++;
        inFlight++;
        slot = { ...due, inFlight };
        if (inFlight > maxInFlight) maxInFlight = inFlight;
        recorder.sent();
        original();
        if (++taken >= countLimit) stopSending(null);
      };
      /** Connecting is failing and the gate holds back: the delivery fails at once with that cause, then the client asks for its next. */
      const doWithout = (cause: string): void => {
        recorder.backedOff(cause);
        if (countLimit < Number.POSITIVE_INFINITY) lastSettledMs = performance.now();
        if (++taken >= countLimit) stopSending(null);
        settleIfDrained();
        queueMicrotask(() => client._doRequest());
      };
      /** Judges the request in flight with the slot it was sent for (once: nothing is in flight afterwards). */
      const settle = (record: (slot: Slot) => void): void => {
        if (slot === null) return;
        const settling = slot;
        slot = null;
        inFlight--;
        record(settling);
        if (countLimit < Number.POSITIVE_INFINITY) lastSettledMs = performance.now();
        settleIfDrained();
      };
      const lost = (code: string): void => settle(() => recorder.connectionError(code));
      // autocannon's timeout handler drops the connection with its request, then asks for a new connection (which
      // asks for the next request) before it emits 'timeout': a request in flight whose connection holds none has timed out.
      const settleDropped = (): void => {
        if (client.pipelinedRequests.size() === 0) {
          settle((timedOut) => recorder.timedOut(timedOut.dueSec, { serviceMs: deadlineMs - timedOut.lateMs, inFlight: timedOut.inFlight }));
        }
      };

      /** Opens a connection (autocannon's, with its parser fed by it); what happens when it ends is drhook's to decide. */
      const open = (): Connection => {
        parser.reinitialize(parser.type);
        const wasQuiet = quiet;
        quiet = true;
        try {
          connect();
        } finally {
          quiet = wasQuiet;
        }
        const socket = client.conn!;
        const connection: Connection = { socket, openedMs: performance.now(), established: false, answered: false, closeAfterAnswer: false };
        live = connection;
        // autocannon's own 'error' and 'end' listeners, the last it added, would connect again at once.
        for (const event of ['error', 'end'] as const) socket.off(event, socket.listeners(event).at(-1) as (...args: unknown[]) => void);
        socket.on('error', (error: NodeJS.ErrnoException) => ended(connection, { kind: 'error', code: error.code ?? 'error' }));
        socket.on('end', () => ended(connection, { kind: 'closed' }));
        const secure = 'encrypted' in socket;
        socket.once(secure ? 'secureConnect' : 'connect', () => {
          const tlsSocket = socket as TLSSocket;
          // autocannon connects with rejectUnauthorized: false; an untrusted certificate ends the connection here, before anything is sent on it.
          if (secure && !context.tls.insecure && !tlsSocket.authorized) return ended(connection, { kind: 'error', code: String(tlsSocket.authorizationError) });
          connection.established = true;
        });
        return connection;
      };

      /**
       * The connection is gone: `error` and `closed` the receiver's doing, `dropped` autocannon's or drhook's (the
       * deadline passed, or the answer asked for a new connection). A request in flight on it failed with it. Ending
       * before it answered anything, with a request in flight or soon after it opened, is a connection failure, which
       * the gate holds new connections back for. Then the client asks for its next delivery.
       */
      const ended = (connection: Connection, end: { kind: 'error'; code: string } | { kind: 'closed' } | { kind: 'dropped' }): void => {
        if (live !== connection) return;
        let failed = false;
        quiet = true;
        try {
          // A body without a length (HTTP/1.0) ends with its connection: the answer is complete now.
          if (end.kind === 'closed' && slot !== null && parser.state === 'BODY_RAW') parser.finish();
          live = null;
          if (end.kind !== 'dropped') {
            connection.socket.destroy();
            const cause = end.kind === 'error' ? end.code : 'closed-before-answer';
            const carried = slot !== null;
            if (carried) {
              client.pipelinedRequests.clear();
              lost(cause);
            }
            failed = carried || (!connection.answered && (!connection.established || performance.now() - connection.openedMs < QUICK_CLOSE_MS));
            if (failed) gate.failed(cause);
          }
          if (connection.answered && !failed && !finished && (pacer ? !pacer.done : sending)) {
            gate.opening();
            open();
          }
        } finally {
          quiet = false;
        }
        client._doRequest();
      };

      /** The connection for the next delivery: the current one, or a new one when the gate admits it. */
      const connection = (due?: number): Admission => {
        if (live !== null) return { open: true };
        const admission = gate.admit(due);
        if (admission.open) open();
        return admission;
      };
      const sendSlot = (dueMs: number, late: number): void => {
        waiting = false;
        const admission = connection(pacer?.due);
        if (!admission.open) return doWithout(admission.cause);
        send({ dueSec: (dueMs - startMs) / 1000, lateMs: late });
        // Its deadline counts from its slot: the time it waited for this connection is already spent (to the timer's
        // millisecond; an answer in the slack after it still counts as late).
        if (late >= 1) client.timeoutTicker.reschedule(deadlineMs - late);
      };
      /** Closed loop: a count's deliveries are all due at once; for a duration nothing is due, so while drhook backs off the client waits. */
      const sendNow = (): void => {
        const admission = connection(Number.isFinite(countLimit) ? countLimit : undefined);
        if (admission.open) return send();
        if (countLimit < Number.POSITIVE_INFINITY) return doWithout(admission.cause);
        waiting = true;
        idle();
        setTimeout(() => {
          waiting = false;
          client._doRequest();
        }, admission.retryInMs).unref();
      };

      client._doRequest = () => {
        if (client.destroyed || quiet) return;
        settleDropped();
        // The receiver said it closes this connection: continue on a new one.
        if (live?.closeAfterAnswer) return client._resetConnection();
        if (waiting) return;
        if (begun && pacer === undefined) return sending ? sendNow() : idle();
        // Until the clock starts the connection waits; open loop it waits for its slot (for good once there is none).
        waiting = true;
        idle();
        if (pacer) return pacer.take(sendSlot);
        parked.push(() => {
          waiting = false;
          client._doRequest();
        });
      };

      // autocannon calls _connect once to open the first connection, then again after it drops one.
      client._connect = () => {
        if (!first) return void (live && ended(live, { kind: 'dropped' }));
        first = false;
        wrapParser();
        gate.opening();
        const { socket } = open();
        // The clock waits for this first attempt: opened (after the TLS handshake over https) or failed.
        let settled = false;
        const once = (): void => {
          if (settled) return;
          settled = true;
          if (--connecting === 0) begin();
        };
        socket.once('encrypted' in socket ? 'secureConnect' : 'connect', once);
        socket.once('error', once);
        socket.once('close', once);
        client._doRequest();
      };

      client.on('headers', (info: { shouldKeepAlive?: boolean }) => {
        if (info.shouldKeepAlive === false && live) live.closeAfterAnswer = true;
      });
      client.on('response', (status: number, _bytes: number, serviceMs: number) => {
        gate.answered();
        if (live) live.answered = true;
        settle((answered) => recorder.answered(status, answered.lateMs + serviceMs, serviceMs, answered.dueSec, answered.inFlight));
      });
      const wrapParser = guard(
        client,
        (code) => {
          if (client.pipelinedRequests.size() > 0) lost(code);
        },
        () => {
          if (live) live.closeAfterAnswer = true;
        },
      );
    }

    /**
     * Makes autocannon's reading of answers safe against hostile receivers: bodies are counted, not kept; a failing
     * status (not 2xx) is judged once its body passes 64 KiB, as if it ended there, and the rest is not read (`onCut`,
     * then a new connection), while a 2xx is read to its end or the deadline, as send and contract read it; 1xx
     * answers before the final one are skipped, as RFC 9110 asks of a client (an unsolicited 100 Continue too; 101 is final);
     * a parse error, a header block over Node's limit or an answer without a request is a bad response (`onBad`,
     * then a new connection). Returns what wraps the parser's callbacks: autocannon sets them after setupClient,
     * before its first connection, so they are wrapped then.
     */
    function guard(client: AutocannonClient, onBad: (code: string) => void, onCut: () => void): () => void {
      const { parser } = client;
      client.pipelinedRequests.addBody = () => {};
      let informational = false;
      /** The answer's body so far, and whether its status fails it whatever the body holds. */
      let bodyBytes = 0;
      let failing = false;
      let complete!: () => unknown;
      // autocannon sets the parser's callbacks after setupClient, before its first connection: wrapped there.
      const wrapCallbacks = (): void => {
        const onHeadersComplete = parser[ON_HEADERS_COMPLETE];
        const onBody = parser[ON_BODY];
        const onMessageComplete = parser[ON_MESSAGE_COMPLETE];
        if (typeof onHeadersComplete !== 'function' || typeof onBody !== 'function' || typeof onMessageComplete !== 'function') throw new Error(internalsMissing);
        complete = () => (onMessageComplete as () => unknown).call(parser);
        parser[ON_HEADERS_COMPLETE] = (info: { statusCode: number; headers: string[] }) => {
          informational = info.statusCode >= 100 && info.statusCode < 200 && info.statusCode !== 101;
          if (informational) return undefined;
          if (info.headers.reduce((sum, part) => sum + part.length + 2, 0) > maxHeaderSize) throw new BadResponse('HPE_HEADER_OVERFLOW');
          // Three digits, but below 100 (`099`): no HTTP status. From 600 up it is an answer, judged as a 5xx (RFC 9110).
          if (info.statusCode < 100) throw new BadResponse('HPE_INVALID_STATUS');
          bodyBytes = 0;
          failing = info.statusCode < 200 || info.statusCode >= 300;
          return (onHeadersComplete as (info: unknown) => unknown).call(parser, info);
        };
        parser[ON_BODY] = (chunk: Buffer, start: number, length: number) => {
          bodyBytes += length;
          if (failing && bodyBytes > DEFAULT_MAX_BODY_BYTES) throw client.pipelinedRequests.size() > 0 ? new Judged() : new BadResponse('answer-without-request');
          return (onBody as (...args: unknown[]) => unknown).call(parser, chunk, start, length);
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
        if (result instanceof Judged) {
          // Answered, as far as its verdict goes: recorded now, and the connection replaced instead of read on.
          parser.reinitialize(parser.type);
          onCut();
          complete();
          return 0;
        }
        const code = (result as NodeJS.ErrnoException).code;
        onBad(code !== undefined && (result instanceof BadResponse || code.startsWith('HPE_')) ? code : result.message === 'max header size exceeded' ? 'HPE_HEADER_OVERFLOW' : 'HPE_INVALID');
        client._resetConnection();
        return result;
      };

      return wrapCallbacks;
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

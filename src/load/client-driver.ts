// One load client's deliveries: one connection at a time, one request in flight on it, sent when its slot falls due, each delivery's outcome handed to the step.
import type { Socket } from 'node:net';
import type { TLSSocket } from 'node:tls';
import type { ClientDriver, DrivenClient } from './autocannon-client.js';
import type { Pacer } from './pace.js';
import type { Admission, ReconnectGate } from './reconnect.js';
import type { Stamper } from './stamp.js';
import type { Recorder } from './stats.js';
import { CLOSED_BEFORE_ANSWER } from '../wire/causes.js';
import { untrustedCertificate } from '../wire/tls-trust.js';

/**
 * The slot a request was sent for: when it fell due (seconds into the step; closed loop none), how late it was sent,
 * and how many requests were in flight, this one included, once it was.
 */
export interface Slot {
  dueSec?: number;
  lateMs: number;
  inFlight: number;
}

/** What a client reads of its step and tells it: the step's clock, schedule and counts (engine.ts). */
export interface ClientStep {
  readonly deadlineMs: number;
  /** Closed loop with a count: the deliveries to take; else infinite. */
  readonly countLimit: number;
  /** https: certificates are not verified. */
  readonly insecure: boolean;
  readonly stamper: Stamper;
  readonly gate: ReconnectGate;
  /** The clock started: the pacer (open loop) and the recorder exist. */
  readonly begun: boolean;
  /** The window is still open (closed loop: requests may still be sent). */
  readonly sending: boolean;
  /** The step is ending: nothing new is opened. */
  readonly finished: boolean;
  readonly startMs: number;
  readonly pacer: Pacer | undefined;
  readonly recorder: Recorder;
  /** The client's first connection opened or failed: the clock starts once every client's has. */
  firstAttemptSettled(): void;
  /** Calls `resume` once the clock has started. */
  whenBegun(resume: () => void): void;
  /** A delivery is being written: counted, and the slot it goes out for returned. */
  sent(due: Omit<Slot, 'inFlight'>): Slot;
  /** A delivery was taken (sent, or failed at once): a count stops at its last. */
  took(): void;
  /** A delivery taken failed at once: connecting fails and the gate holds back. */
  backedOff(cause: string): void;
  /** A delivery in flight is judged: `record` records its outcome. */
  settled(record: () => void): void;
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

/**
 * A connection the receiver ends within this time of its opening, before it answered anything, failed: the receiver
 * drops connections. Ended later and unused, it merely sat idle too long, which is no failure.
 */
const QUICK_CLOSE_MS = 1000;

/**
 * Drives one client: one connection at a time, one request in flight on it. The connection is opened before the
 * clock starts; once it is gone (failed, closed, timed out, reset by drhook) a new one is opened only when the next
 * delivery is handed to this client, and only when the gate admits it: a delivery's failed connection is that
 * delivery's outcome, never a cause to send again. A connection that answered and then closed is replaced at once,
 * as before the clock started, so the next delivery does not wait for the connecting.
 */
export function createClientDriver(client: DrivenClient, step: ClientStep): ClientDriver {
  const { stamper, gate, deadlineMs, countLimit } = step;
  /** Waiting for its slot (open loop), for the clock to start, or (closed loop) for the backoff to pass. */
  let waiting = false;
  /** The request in flight on this connection, captured when it was sent; null when none is. */
  let slot: Slot | null = null;
  /** The current connection; null once it is gone. */
  let live: Connection | null = null;
  // Each connection stamps into its own buffer once everything it wrote before has been handed to the kernel (a
  // connection that is still connecting, or whose send buffer is full, gets a fresh one).
  let own = Buffer.allocUnsafe(stamper.maxRequestBytes);

  const send = (due: Omit<Slot, 'inFlight'> = { lateMs: 0 }): void => {
    slot = step.sent(due);
    client.write();
    step.took();
  };
  /** Connecting is failing and the gate holds back: the delivery fails at once with that cause, then the client asks for its next. */
  const doWithout = (cause: string): void => {
    step.backedOff(cause);
    queueMicrotask(() => client.requestNext());
  };
  /** Judges the request in flight with the slot it was sent for (once: nothing is in flight afterwards). */
  const settle = (record: (slot: Slot) => void): void => {
    if (slot === null) return;
    const settling = slot;
    slot = null;
    step.settled(() => record(settling));
  };
  const lost = (code: string): void => settle(() => step.recorder.connectionError(code));
  // autocannon's timeout handler drops the connection with its request, then asks for a new connection (which
  // asks for the next request) before it emits 'timeout': a request in flight whose connection holds none has timed out.
  const settleDropped = (): void => {
    if (!client.requestInFlight) {
      settle((timedOut) => step.recorder.timedOut(timedOut.dueSec, { serviceMs: deadlineMs - timedOut.lateMs, inFlight: timedOut.inFlight }));
    }
  };

  /** Opens a connection (autocannon's, with its parser fed by it); what happens when it ends is drhook's to decide. */
  const open = (): Connection => {
    const socket = client.open();
    const connection: Connection = { socket, openedMs: performance.now(), established: false, answered: false, closeAfterAnswer: false };
    live = connection;
    socket.on('error', (error: NodeJS.ErrnoException) => ended(connection, { kind: 'error', code: error.code ?? 'error' }));
    socket.on('end', () => ended(connection, { kind: 'closed' }));
    const secure = 'encrypted' in socket;
    socket.once(secure ? 'secureConnect' : 'connect', () => {
      // autocannon 9 connects with rejectUnauthorized: false whatever it is given, so Node's own refusal (contract's and
      // send's path) cannot be had here: the same trust is applied by hand (wire/tls-trust.ts), at the point where Node
      // would refuse, before anything is sent on the connection. test/load-autocannon.test.ts pins autocannon's behaviour.
      const untrusted = secure ? untrustedCertificate(socket as TLSSocket, { insecure: step.insecure }) : undefined;
      if (untrusted !== undefined) return ended(connection, { kind: 'error', code: untrusted });
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
    client.quietly(() => {
      let failed = false;
      // A body without a length (HTTP/1.0) ends with its connection: the answer is complete now.
      if (end.kind === 'closed' && slot !== null) client.endBody();
      live = null;
      if (end.kind !== 'dropped') {
        connection.socket.destroy();
        const cause = end.kind === 'error' ? end.code : CLOSED_BEFORE_ANSWER;
        const carried = slot !== null;
        if (carried) {
          client.forgetRequest();
          lost(cause);
        }
        failed = carried || (!connection.answered && (!connection.established || performance.now() - connection.openedMs < QUICK_CLOSE_MS));
        if (failed) gate.failed(cause);
      }
      if (connection.answered && !failed && !step.finished && (step.pacer ? !step.pacer.done : step.sending)) {
        gate.opening();
        open();
      }
    });
    client.requestNext();
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
    const admission = connection(step.pacer?.due);
    if (!admission.open) return doWithout(admission.cause);
    send({ dueSec: (dueMs - step.startMs) / 1000, lateMs: late });
    // Its deadline counts from its slot: the time it waited for this connection is already spent (to the timer's
    // millisecond; an answer in the slack after it still counts as late).
    if (late >= 1) client.timeoutIn(deadlineMs - late);
  };
  /** Closed loop: a count's deliveries are all due at once; for a duration nothing is due, so while drhook backs off the client waits. */
  const sendNow = (): void => {
    const admission = connection(Number.isFinite(countLimit) ? countLimit : undefined);
    if (admission.open) return send();
    if (countLimit < Number.POSITIVE_INFINITY) return doWithout(admission.cause);
    waiting = true;
    client.idle();
    setTimeout(() => {
      waiting = false;
      client.requestNext();
    }, admission.retryInMs).unref();
  };

  return {
    next() {
      settleDropped();
      // The receiver said it closes this connection: continue on a new one.
      if (live?.closeAfterAnswer) return client.reset();
      if (waiting) return;
      if (step.begun && step.pacer === undefined) return step.sending ? sendNow() : client.idle();
      // Until the clock starts the connection waits; open loop it waits for its slot (for good once there is none).
      waiting = true;
      client.idle();
      if (step.pacer) return step.pacer.take(sendSlot);
      step.whenBegun(() => {
        waiting = false;
        client.requestNext();
      });
    },
    start() {
      gate.opening();
      const { socket } = open();
      // The clock waits for this first attempt: opened (after the TLS handshake over https) or failed.
      let settled = false;
      const once = (): void => {
        if (settled) return;
        settled = true;
        step.firstAttemptSettled();
      };
      socket.once('encrypted' in socket ? 'secureConnect' : 'connect', once);
      socket.once('error', once);
      socket.once('close', once);
      client.requestNext();
    },
    dropped() {
      if (live) ended(live, { kind: 'dropped' });
    },
    headers(closes) {
      if (closes && live) live.closeAfterAnswer = true;
    },
    response(status, serviceMs) {
      gate.answered();
      if (live) live.answered = true;
      settle((answered) => step.recorder.answered(status, answered.lateMs + serviceMs, serviceMs, answered.dueSec, answered.inFlight));
    },
    bad(code) {
      if (client.requestInFlight) lost(code);
    },
    cut() {
      if (live) live.closeAfterAnswer = true;
    },
    requestBytes(flushed) {
      if (!flushed) return stamper.next();
      if (own.length < stamper.maxRequestBytes) own = Buffer.allocUnsafe(stamper.maxRequestBytes);
      return stamper.next(own);
    },
  };
}

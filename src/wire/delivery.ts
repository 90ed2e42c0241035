// The HTTP engine every delivery goes through: one POST, no redirects, a hard deadline, bounded body, errors as outcomes.
import { Agent, type Dispatcher } from 'undici';
import { httpUrlProblem } from './http-url.js';
import { version } from '../base/paths.js';
import { classifyFailure, headersTooLarge, isClientCheckFailure, isUnsolicitedContinue, MAX_HEADER_BYTES, type ErrorCause, type FailureSignal } from './causes.js';
import { statusName, type DeliveryOutcome, type TimeoutPhase } from './outcome.js';
import { connectOptions } from './tls-trust.js';
import { DEFAULT_CONCURRENCY, DEFAULT_DEADLINE_MS, DEFAULT_MAX_BODY_BYTES } from './limits.js';

export interface DeliveryRequest {
  url: string;
  headers: Record<string, string>;
  body: Buffer;
}

export interface DeliveryEngineOptions {
  /** Deliveries in flight at once; more wait in a queue (their deadline starts when they leave it). Default 8. */
  concurrency?: number;
  /** From the start of the request to the end of the response body, monotonic. Default 3000. */
  deadlineMs?: number;
  /** Response bytes kept; the rest is read, counted and discarded. Default 64 KiB. */
  maxBodyBytes?: number;
  /** Extra certificate authority (PEM) for https receivers with a private CA. */
  ca?: Buffer;
  /** Accept any TLS certificate (self-signed staging receivers). */
  insecure?: boolean;
}

export interface DeliveryEngine {
  readonly deadlineMs: number;
  /** Never rejects: every failure is an outcome. */
  deliver(request: DeliveryRequest, options?: { signal?: AbortSignal }): Promise<DeliveryOutcome>;
  /** Ends every connection (and any delivery still in flight). */
  close(): Promise<void>;
}

export { MAX_HEADER_BYTES, headersTooLarge } from './causes.js';

export const USER_AGENT = `drhook/${version}`;

/** Idle connections are dropped quickly so a receiver closing idle sockets cannot fail the next POST on a stale one. */
const KEEP_ALIVE_MS = 1000;

export function createDeliveryEngine(options: DeliveryEngineOptions = {}): DeliveryEngine {
  const concurrency = options.concurrency ?? DEFAULT_CONCURRENCY;
  const deadlineMs = options.deadlineMs ?? DEFAULT_DEADLINE_MS;
  const maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  const agent = new Agent({
    connections: concurrency,
    keepAliveTimeout: KEEP_ALIVE_MS,
    keepAliveMaxTimeout: KEEP_ALIVE_MS,
    // drhook's own timer ends every delivery at the deadline; undici's timers only tidy up behind it.
    headersTimeout: deadlineMs + 1000,
    bodyTimeout: deadlineMs + 1000,
    maxHeaderSize: MAX_HEADER_BYTES,
    connect: { timeout: deadlineMs, ...connectOptions({ ca: options.ca, insecure: options.insecure ?? false }) },
  });
  const slots = createSlots(concurrency);

  return {
    deadlineMs,
    async deliver(request, { signal } = {}) {
      if (signal?.aborted) return aborted(0);
      const queuedAt = performance.now();
      const acquired = await slots.acquire(signal);
      if (!acquired) return aborted(performance.now() - queuedAt);
      try {
        return await deliverOnce(agent, request, { deadlineMs, maxBodyBytes, signal });
      } finally {
        slots.release();
      }
    },
    async close() {
      await agent.destroy();
    },
  };
}

function aborted(durationMs: number): DeliveryOutcome {
  return { kind: 'error', cause: 'aborted', message: 'aborted before the receiver answered', durationMs };
}

/** A counting semaphore whose waiters can give up when their signal aborts. */
function createSlots(limit: number) {
  let free = limit;
  const waiting: Array<(granted: boolean) => void> = [];
  return {
    acquire(signal?: AbortSignal): Promise<boolean> {
      if (free > 0) {
        free -= 1;
        return Promise.resolve(true);
      }
      return new Promise<boolean>((resolve) => {
        const grant = (granted: boolean) => {
          signal?.removeEventListener('abort', onAbort);
          resolve(granted);
        };
        const onAbort = () => {
          waiting.splice(waiting.indexOf(grant), 1);
          grant(false);
        };
        waiting.push(grant);
        signal?.addEventListener('abort', onAbort, { once: true });
      });
    },
    release(): void {
      const next = waiting.shift();
      if (next) next(true);
      else free += 1;
    },
  };
}

interface Limits {
  deadlineMs: number;
  maxBodyBytes: number;
  signal: AbortSignal | undefined;
}

/** One exchange, settled by whichever comes first: the end of the body, an error, the deadline, the caller's abort. */
function deliverOnce(dispatcher: Dispatcher, request: DeliveryRequest, limits: Limits): Promise<DeliveryOutcome> {
  const start = performance.now();
  const elapsed = () => performance.now() - start;

  const problem = httpUrlProblem(request.url);
  if (problem !== undefined) return Promise.resolve({ kind: 'error', cause: 'other', message: `invalid URL '${request.url}': ${problem}`, durationMs: 0 });
  const target = new URL(request.url);

  return new Promise<DeliveryOutcome>((resolve) => {
    let settled = false;
    let controller: Dispatcher.DispatchController | undefined;
    let progress: TimeoutPhase = { phase: 'connect' };
    let headers: Record<string, string> = {};
    let headersMs = 0;
    const kept: Buffer[] = [];
    let keptBytes = 0;
    let totalBytes = 0;

    const settle = (outcome: DeliveryOutcome) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      limits.signal?.removeEventListener('abort', onAbort);
      if (outcome.kind !== 'response') controller?.abort(new Error('drhook ended the delivery'));
      resolve(outcome);
    };
    const timer = setTimeout(() => settle({ kind: 'timeout', deadlineMs: limits.deadlineMs, durationMs: elapsed(), ...progress }), limits.deadlineMs);
    const onAbort = () => settle(aborted(elapsed()));
    limits.signal?.addEventListener('abort', onAbort, { once: true });

    const handler: Dispatcher.DispatchHandler = {
      onRequestStart(c) {
        controller = c;
        // The request may have been settled (deadline, abort) while it waited for its connection.
        if (settled) c.abort(new Error('drhook ended the delivery'));
        else progress = { phase: 'headers' };
      },
      onResponseStart(_c, statusCode, responseHeaders) {
        // 1xx (102 Processing, 103 Early Hints): interim, the final answer is still to come; undici reads on.
        if (statusCode < 200) {
          progress = { phase: 'interim', status: statusCode };
          return;
        }
        progress = { phase: 'body', status: statusCode };
        headers = flattenHeaders(responseHeaders);
        headersMs = elapsed();
      },
      onResponseData(_c, chunk) {
        totalBytes += chunk.length;
        const room = limits.maxBodyBytes - keptBytes;
        if (room <= 0) return;
        const part = chunk.length > room ? chunk.subarray(0, room) : chunk;
        kept.push(part);
        keptBytes += part.length;
      },
      onResponseEnd() {
        settle({
          kind: 'response',
          status: progress.status ?? 0,
          headers,
          body: { text: Buffer.concat(kept).toString('utf8'), bytes: totalBytes, truncated: totalBytes > keptBytes },
          durationMs: elapsed(),
          headersMs,
        });
      },
      onResponseError(_c, error) {
        settle(transportError(error, target, elapsed(), progress));
      },
    };

    try {
      dispatcher.dispatch(
        { origin: target.origin, path: `${target.pathname}${target.search}`, method: 'POST', headers: deliveryHeaders(request.headers), body: request.body },
        handler,
      );
    } catch (error) {
      settle(transportError(error, target, elapsed(), progress));
    }
  });
}

/** The headers a delivery carries: the given ones plus Content-Type (JSON) and User-Agent unless given. */
export function deliveryHeaders(headers: Record<string, string>): Record<string, string> {
  const names = new Set(Object.keys(headers).map((name) => name.toLowerCase()));
  return {
    ...(names.has('content-type') ? {} : { 'Content-Type': 'application/json' }),
    ...(names.has('user-agent') ? {} : { 'User-Agent': USER_AGENT }),
    ...headers,
  };
}

function flattenHeaders(headers: Record<string, string | string[] | undefined>): Record<string, string> {
  const flat: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined) flat[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : value;
  }
  return flat;
}

/** What each cause is said as, for a person reading one line: where it happened, and what is known of it. */
type Wording = (where: string, failure: Required<FailureSignal> & { target: URL; afterInterim: string }) => string;

const wording: Record<Exclude<ErrorCause, 'aborted'>, Wording> = {
  'connection-refused': (where) => `connection refused by ${where}`,
  'connection-reset': (where, { code, afterInterim }) => `the connection to ${where} was reset${afterInterim} (${code})`,
  dns: (_where, { code, target }) => `the host name ${target.hostname} could not be resolved (${code})`,
  tls: (where, { code, message }) => `TLS failed with ${where}: ${tlsReason(message)}${code === 'ERR_SSL_WRONG_VERSION_NUMBER' ? ' (does the receiver speak plain http?)' : ''}`,
  'socket-closed': (where, { message, afterInterim }) => `${where} closed the connection${afterInterim} before a complete response (${message})`,
  'headers-too-large': (where) => `${where} sent ${headersTooLarge()}, drhook's limit (Node's); drhook read no further`,
  protocol: (where, failure) =>
    isUnsolicitedContinue(failure)
      ? `${where} answered 100 Continue, which drhook did not ask for; RFC 9110 allows that, but drhook's HTTP client (undici) cannot skip a 100 and dropped the connection before the final answer: a limit of drhook, not necessarily a fault of the receiver (Digital River's client may accept it)`
      : isClientCheckFailure(failure)
        ? `${where} sent a response that is not valid HTTP/1.1: drhook's HTTP client (undici) refused its status line or headers (a status code below 100, such as 099, is refused so)`
        : `${where} sent a response that is not valid HTTP/1.1: ${failure.message}`,
  other: (where, { message }) => `request to ${where} failed: ${message}`,
};

/** Names what went wrong on the wire (the cause from causes.ts), for a person reading one line; `progress` says how far the answer had come. */
function transportError(error: unknown, target: URL, durationMs: number, progress: TimeoutPhase): DeliveryOutcome {
  const signal = describe(error);
  const cause = classifyFailure(signal);
  const afterInterim = progress.phase === 'interim' ? ` after an interim ${statusName(progress.status)}` : '';
  const message = wording[cause === 'aborted' ? 'other' : cause](target.host, { code: signal.code ?? '', name: signal.name, message: signal.message, target, afterInterim });
  const outcome: DeliveryOutcome = { kind: 'error', cause, message, durationMs };
  if (signal.code !== undefined) outcome.code = signal.code;
  if (progress.phase === 'body') outcome.status = progress.status;
  return outcome;
}

/** OpenSSL messages read `…:SSL routines:<function>:<reason>:<file>:<line>:`; the reason is what a person needs. */
function tlsReason(message: string): string {
  return /SSL routines:[^:]*:([^:]+)/.exec(message)?.[1] ?? message;
}

/** The code, name and message of an error, looking through wrappers (AggregateError from dual-stack connects, `cause`). */
function describe(error: unknown): { code: string | undefined; name: string; message: string } {
  let current: unknown = error;
  for (let depth = 0; depth < 4 && current instanceof Error; depth += 1) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string') return { code, name: current.name, message: firstLine(current.message) || code };
    const inner: unknown = current instanceof AggregateError ? current.errors[0] : current.cause;
    if (inner === undefined) break;
    current = inner;
  }
  return error instanceof Error
    ? { code: undefined, name: error.name, message: firstLine(error.message) }
    : { code: undefined, name: 'Error', message: String(error) };
}

function firstLine(text: string): string {
  return text.trim().split('\n', 1)[0] ?? '';
}

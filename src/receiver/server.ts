// The reference Digital River webhook receiver: each step a correct receiver takes, in order; a fault bends exactly one.
import { setMaxListeners } from 'node:events';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { isEventType } from '../catalog/events.js';
import type { DrEvent, Mode } from '../events/event.js';
import { orderIdOf } from '../events/order-ref.js';
import { compileSchemas, validateEvent, type Violation } from '../events/schemas.js';
import type { ModeSecrets } from '../wire/secrets.js';
import { createSigner, type SchemeName, type SignatureLayout } from '../wire/signing.js';
import { checkAuthorization, type ReceiverAuth } from './credentials.js';
import { readBody } from './body.js';
import type { FaultName, RedirectStatus } from './faults.js';
import { createTokenEndpoint, type TokenEndpoint } from './oauth.js';
import { createWorkQueue } from './queue.js';
import { missingRequired, type Requirements } from './requires.js';
import { signaturesRequired, verifyDelivery } from './signature.js';
import { unknownKeys } from './strict.js';

export type { ReceiverAuth } from './credentials.js';

export interface ReceiverOptions {
  /** Default 0: any free port. */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  /** Signing tokens per data mode, newest first. None at all: signatures are not required. */
  secrets: ModeSecrets;
  /** Default `digitalriver`. */
  scheme?: SchemeName;
  layout?: Partial<SignatureLayout>;
  /** Largest accepted age of a signature's timestamp, either way. Default 300. */
  toleranceSec?: number;
  /** Default none. */
  auth?: ReceiverAuth;
  /** Misbehave in this one way (see faults.ts). */
  fault?: FaultName;
  /** The status `redirect` answers with. Default 308. */
  redirectStatus?: RedirectStatus;
  /** Default 5 MB. */
  maxBodyBytes?: number;
  /** Orders it holds from the start (test orders in its database), besides those its processing records. */
  knownOrderIds?: readonly string[];
  /** Fields each event type's handler depends on (a scenario's `requires`): missing or null is a 400 naming them. */
  requires?: Requirements;
  /** One line per request; never given a secret. */
  log?: (line: string) => void;
}

export type RejectReason =
  | 'redirect'
  | 'method-not-allowed'
  | 'unauthorized'
  | 'too-large'
  | 'bad-signature'
  | 'not-json'
  | 'invalid'
  | 'unknown-type'
  | 'handler-error'
  | 'duplicate-refused'
  | 'unknown-resource';

export interface ReceiverStats {
  /** Requests to the webhook path. */
  received: number;
  /** Answered 2xx: accepted, duplicates acknowledged again, and ignored types. */
  acknowledged: number;
  rejected: Partial<Record<RejectReason, number>>;
  /** Deliveries of an event id already accepted. */
  duplicates: number;
  distinctEventIds: number;
  /** Events whose processing has finished (once per event id). */
  processed: number;
  signaturesVerified: number;
}

export interface RunningReceiver {
  /** The webhook URL, e.g. http://127.0.0.1:PORT/webhooks/digitalriver. */
  url: string;
  /** The OAuth token endpoint, with oauth auth. */
  tokenUrl?: string;
  stats(): ReceiverStats;
  /** Stops listening, ends open connections and waits until accepted events are processed. */
  close(): Promise<void>;
}

export const WEBHOOK_PATH = '/webhooks/digitalriver';
export const TOKEN_PATH = '/oauth/token';
/** Where the `redirect` fault points; served like the webhook path, so a client that follows it succeeds. */
const MOVED_PATH = '/webhooks/digitalriver-moved';

const DEFAULT_TOLERANCE_SEC = 300;
const DEFAULT_MAX_BODY_BYTES = 5 * 1024 * 1024;
const SMALL_BODY_LIMIT = 100 * 1024;
const TOKEN_REQUEST_LIMIT = 16 * 1024;
const SLOW_ANSWER_MS = 3500;
/** How long processing one event takes: stands for the real work (a database write, a call to fulfilment). */
const PROCESSING_MS = 100;
/** Events processed at once, after they were acknowledged. */
const WORKERS = 16;
/** How long close() lets requests in flight finish before it ends their connections. */
const CLOSE_GRACE_MS = 2000;

type Json = Record<string, unknown>;

type Acknowledgement = 'accepted' | 'duplicate' | 'ignored';

/** An HTTP answer and, for the log line, why. */
interface Reply {
  status: number;
  body: Json | string;
  headers?: Record<string, string>;
  /** Why, in a few words; never a secret. */
  detail?: string;
}

type Rejection = Reply & { outcome: RejectReason };

/** What the receiver answers to a delivery; `aborted` when the client went away before the request was complete. */
type Answer = (Reply & { outcome: Acknowledgement }) | Rejection | { outcome: 'aborted' };

/** What is known about the delivery when it is answered, for the log line. */
interface Subject {
  type?: unknown;
  id?: unknown;
}

export async function startReceiver(options: ReceiverOptions): Promise<RunningReceiver> {
  const scheme = options.scheme ?? 'digitalriver';
  const auth = options.auth ?? { kind: 'none' };
  const fault = options.fault;
  const log = options.log ?? (() => {});
  const signature = {
    scheme,
    layout: options.layout ?? {},
    secrets: options.secrets,
    toleranceSec: options.toleranceSec ?? DEFAULT_TOLERANCE_SEC,
    fault,
  };
  // Unusable tokens (e.g. a standard-webhooks secret that is not whsec_<base64>) fail here, not on the first event.
  for (const tokens of [options.secrets.test, options.secrets.live]) if (tokens.length > 0) createSigner(scheme, tokens, signature.layout);
  const mustVerify = signaturesRequired(options.secrets) && fault !== 'skip-signature';
  const bodyLimit = fault === 'small-body-limit' ? SMALL_BODY_LIMIT : (options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES);
  const tokenEndpoint: TokenEndpoint | undefined = auth.kind === 'oauth' ? createTokenEndpoint(auth) : undefined;

  const counts = { received: 0, acknowledged: 0, duplicates: 0, processed: 0, signaturesVerified: 0 };
  const rejected: Partial<Record<RejectReason, number>> = {};
  /** Event ids accepted so far: the idempotency record. */
  const accepted = new Set<string>();
  /** Orders this receiver holds, as its processing recorded them. */
  const orders = new Set<string>(options.knownOrderIds);
  const queue = createWorkQueue<DrEvent>(fault === 'serial-processing' ? 1 : WORKERS, processEvent);
  const closing = new AbortController();
  // Every slow answer in flight waits on it (a burst holds fifty).
  setMaxListeners(0, closing.signal);
  const inFlight = new Set<Promise<void>>();

  /** The work done for each accepted event, after it was acknowledged (before, with `serial-processing`). */
  async function processEvent(event: DrEvent): Promise<void> {
    await delay(PROCESSING_MS);
    const orderId = orderIdOf(event);
    if (orderId !== undefined) orders.add(orderId);
    counts.processed++;
  }

  /** One delivery to the webhook path, from routing to acknowledgement. */
  async function receive(req: http.IncomingMessage, path: string, subject: Subject): Promise<Answer> {
    // 0. Only POST to the webhook path; a redirect (`redirect` fault) is never followed by Digital River.
    if (fault === 'redirect' && path === WEBHOOK_PATH) {
      const location = `http://${req.headers.host ?? 'localhost'}${MOVED_PATH}`;
      const status = options.redirectStatus ?? 308;
      return { status, outcome: 'redirect', body: { error: 'moved', location }, headers: { Location: location }, detail: `to ${location}` };
    }
    if (req.method !== 'POST') return { ...reject(405, 'method-not-allowed', 'only POST is accepted'), headers: { Allow: 'POST' } };

    // 1. Who is calling: Basic credentials, or a Bearer token this receiver granted.
    if (fault !== 'skip-auth') {
      const check = checkAuthorization(auth, req.headers.authorization, tokenEndpoint);
      if (!check.ok) return { ...reject(401, 'unauthorized', check.message), headers: { 'WWW-Authenticate': check.challenge } };
    }

    // 2. The raw bytes, bounded: the signature covers exactly these.
    const body = await readBody(req, bodyLimit);
    if (body.kind === 'aborted') return { outcome: 'aborted' };
    if (body.kind === 'too-large') return reject(413, 'too-large', `bodies over ${bodyLimit} bytes are refused`);

    // 3. The signature, over the raw bytes, with the tokens of the data mode the event claims to be in.
    const parsed = parseJson(body.bytes);
    subject.type = field(parsed.value, 'type');
    subject.id = field(parsed.value, 'id');
    if (mustVerify) {
      const mode: Mode | undefined = parsed.ok ? (field(parsed.value, 'liveMode') === true ? 'live' : 'test') : undefined;
      const reserialized = () => (parsed.ok ? Buffer.from(JSON.stringify(parsed.value), 'utf8') : body.bytes);
      const verified = verifyDelivery(signature, req.headers, body.bytes, reserialized, mode);
      if (!verified.ok) return reject(401, 'bad-signature', verified.message, { error: 'invalid signature', reason: verified.reason, message: verified.message });
      counts.signaturesVerified++;
    }

    // 4. The event: JSON, of a type this receiver handles, with a valid envelope and data.object.
    if (!parsed.ok) return reject(400, 'not-json', 'body is not JSON');
    if (typeof subject.type === 'string' && !isEventType(subject.type)) {
      if (fault === 'unknown-type-500') return reject(500, 'unknown-type', `no handler for ${subject.type}`, 'Internal Server Error');
      return { status: 202, outcome: 'ignored', body: { status: 'ignored', message: `event type ${subject.type} is not handled here` } };
    }
    const invalid = validateEvent(parsed.value);
    const violations = [
      ...invalid,
      ...missingRequired(parsed.value, options.requires ?? {}, invalid),
      ...(fault === 'strict-fields' ? unknownKeys(parsed.value) : []),
    ];
    if (violations.length > 0) return malformed(violations);
    const event = parsed.value as DrEvent;

    // 5. The handler itself.
    if (fault === 'error-500') return reject(500, 'handler-error', 'the handler failed', 'Internal Server Error');
    if (fault === 'emoji-name-500' && namesHoldAstral(event.data.object)) {
      return reject(500, 'handler-error', 'Incorrect string value for a name column', 'Internal Server Error');
    }

    // 6. Idempotency: an id already accepted is acknowledged again and not processed twice.
    if (accepted.has(event.id)) {
      counts.duplicates++;
      if (fault === 'reject-duplicates') return reject(409, 'duplicate-refused', `event ${event.id} was already received`);
      return { status: 200, outcome: 'duplicate', body: { status: 'duplicate', id: event.id, message: 'already received' } };
    }

    // 7. Resources never seen before are fine: processing creates what it does not know.
    const orderId = orderIdOf(event);
    if (fault === 'unknown-resource-404' && orderId !== undefined && event.type !== 'order.created' && !orders.has(orderId)) {
      return reject(404, 'unknown-resource', `order ${orderId} not found`, { error: 'order not found', orderId });
    }

    // 8. Acknowledge at once; process afterwards.
    accepted.add(event.id);
    const processing = queue.push(event);
    if (fault === 'serial-processing') await processing;
    if (fault === 'slow') await delay(SLOW_ANSWER_MS, closing.signal);
    return { status: 202, outcome: 'accepted', body: { status: 'accepted', id: event.id } };
  }

  /** A malformed event: 400 naming every offending field, as Digital River asks. */
  function malformed(violations: Violation[]): Answer {
    const detail = violations.map((v) => `${v.pointer || '/'} ${v.message}`).join('; ');
    if (fault === 'malformed-500') return reject(500, 'invalid', detail, 'Internal Server Error');
    if (fault === 'malformed-no-message') return reject(400, 'invalid', detail, 'Bad Request');
    const error = violations.every((v) => v.pointer.startsWith('/data/object')) ? 'invalid data.object' : 'invalid event';
    return reject(400, 'invalid', detail, { error, message: `${error}: ${detail}`, violations });
  }

  /** The OAuth token endpoint (RFC 6749 §5): form-encoded requests, JSON answers that are never cached. */
  async function answerTokenRequest(req: http.IncomingMessage, tokens: TokenEndpoint): Promise<Reply | undefined> {
    if (req.method !== 'POST') return { status: 405, body: { error: 'only POST is accepted' }, headers: { Allow: 'POST' }, detail: 'method not allowed' };
    const body = await readBody(req, TOKEN_REQUEST_LIMIT);
    if (body.kind === 'aborted') return undefined;
    if (body.kind === 'too-large') return { status: 413, body: { error: 'invalid_request' }, detail: 'token request too large' };
    const answer = tokens.answer(req.headers['content-type'], body.bytes, req.headers.authorization);
    const headers: Record<string, string> = { 'Cache-Control': 'no-store', Pragma: 'no-cache' };
    if (answer.status === 401) headers['WWW-Authenticate'] = answer.challenge;
    return { status: answer.status, body: answer.body, headers, detail: answer.status === 200 ? 'token granted' : String(answer.body.error) };
  }

  /** Routes a request, writes the answer, counts it and logs one line. */
  async function handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const path = new URL(req.url ?? '/', 'http://receiver').pathname;
    if (tokenEndpoint && path === TOKEN_PATH) {
      const reply = await answerTokenRequest(req, tokenEndpoint);
      if (reply) write(res, reply);
      log(logLine(path, '-', reply ? `${reply.status} ${reply.detail}` : 'aborted'));
      return;
    }
    if (path !== WEBHOOK_PATH && !(fault === 'redirect' && path === MOVED_PATH)) {
      write(res, { status: 404, body: { error: `no such endpoint: webhooks are received at ${WEBHOOK_PATH}` } });
      log(logLine(path, '-', '404 not found'));
      return;
    }
    counts.received++;
    const subject: Subject = {};
    const answer = await receive(req, path, subject).catch((error: unknown) =>
      reject(500, 'handler-error', error instanceof Error ? error.message : String(error), { error: 'internal error' }),
    );
    if (answer.outcome === 'aborted') {
      log(logLine(subject.type, subject.id, 'aborted: the client went away before the request was complete'));
      return;
    }
    if (isRejection(answer)) rejected[answer.outcome] = (rejected[answer.outcome] ?? 0) + 1;
    else counts.acknowledged++;
    write(res, answer);
    log(logLine(subject.type, subject.id, `${answer.status} ${answer.outcome}${answer.detail ? `: ${answer.detail}` : ''}`));
  }

  const server = http.createServer((req, res) => {
    res.on('error', () => {});
    const handled = handle(req, res)
      .catch((error: unknown) => {
        log(logLine('-', '-', `500 failed: ${error instanceof Error ? error.message : String(error)}`));
        if (!res.headersSent) write(res, { status: 500, body: { error: 'internal error' } });
      })
      .finally(() => inFlight.delete(handled));
    inFlight.add(handled);
  });

  // Compile the schemas before the first delivery arrives: compiling on demand would make it slow.
  compileSchemas();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const origin = `http://${address.family === 'IPv6' ? `[${address.address}]` : address.address}:${address.port}`;

  return {
    url: origin + WEBHOOK_PATH,
    ...(tokenEndpoint ? { tokenUrl: origin + TOKEN_PATH } : {}),
    stats: () => ({ ...counts, rejected: { ...rejected }, distinctEventIds: accepted.size }),
    async close() {
      const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
      closing.abort();
      await Promise.race([Promise.allSettled([...inFlight]), delay(CLOSE_GRACE_MS)]);
      server.closeAllConnections();
      await stopped;
      await queue.drained();
    },
  };
}

function reject(status: number, outcome: RejectReason, detail: string, body: Json | string = { error: detail }): Rejection {
  return { status, outcome, body, detail };
}

function isRejection(answer: Exclude<Answer, { outcome: 'aborted' }>): answer is Rejection {
  return answer.status < 200 || answer.status >= 300;
}

function write(res: http.ServerResponse, reply: Reply): void {
  const text = typeof reply.body === 'string' ? reply.body : JSON.stringify(reply.body);
  const contentType = typeof reply.body === 'string' ? 'text/plain; charset=utf-8' : 'application/json; charset=utf-8';
  res.writeHead(reply.status, { 'Content-Type': contentType, ...reply.headers });
  res.end(text);
}

type Parsed = { ok: true; value: unknown } | { ok: false; value?: undefined };

function parseJson(bytes: Buffer): Parsed {
  try {
    return { ok: true, value: JSON.parse(bytes.toString('utf8')) as unknown };
  } catch {
    return { ok: false };
  }
}

/** Whether a string under a key ending in "name" (name, firstName, lastName…) holds a character beyond U+FFFF. */
function namesHoldAstral(value: unknown): boolean {
  if (Array.isArray(value)) return value.some(namesHoldAstral);
  if (typeof value !== 'object' || value === null) return false;
  return Object.entries(value).some(([key, inner]) => (typeof inner === 'string' ? /name$/i.test(key) && /[\u{10000}-\u{10FFFF}]/u.test(inner) : namesHoldAstral(inner)));
}

/** `value[key]` when value is a JSON object. */
function field(value: unknown, key: string): unknown {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Json)[key] : undefined;
}

/** Resolves after `ms`, or at once when `signal` aborts. */
function delay(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const stop = () => {
      clearTimeout(timer);
      resolve();
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', stop);
      resolve();
    }, ms);
    signal?.addEventListener('abort', stop, { once: true });
  });
}

/** `<time> <type> <id> <status> <reason>`; what came from the request is shortened and stripped of control characters. */
function logLine(type: unknown, id: unknown, outcome: string): string {
  const shown = (value: unknown) => (typeof value === 'string' && value !== '' ? value.replace(/[\u0000-\u001f\u007f\s]+/g, '_').slice(0, 80) : '-');
  return `${new Date().toISOString()} ${shown(type)} ${shown(id)} ${outcome.replace(/[\u0000-\u001f\u007f]+/g, ' ')}`;
}

// Every touch of autocannon's (9.x) client internals: starting a run, taking over when and what each client sends, when it connects, and how it reads answers.
import type { EventEmitter } from 'node:events';
import { maxHeaderSize } from 'node:http';
import type { Socket } from 'node:net';
import autocannon from 'autocannon';
import { ANSWER_WITHOUT_REQUEST } from '../wire/causes.js';
import { DEFAULT_MAX_BODY_BYTES } from '../wire/limits.js';

/**
 * The parts of autocannon's HTTP client drhook drives. autocannon builds a request buffer once and writes it again
 * and again; drhook replaces that buffer per request (getRequestBuffer), decides when each request goes
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

/** http-parser-js, as autocannon uses it: one parser per client, callbacks under numeric keys its class names. */
interface ResponseParser {
  state: string;
  type: string;
  execute(chunk: Buffer): number | Error;
  finish(): Error | undefined;
  reinitialize(type: string): void;
  [callback: number]: ((...args: never[]) => unknown) | undefined;
}

/** http-parser-js's callback keys (HTTPParser.kOnHeadersComplete, kOnBody, kOnMessageComplete). */
const ON_HEADERS_COMPLETE = 2;
const ON_BODY = 3;
const ON_MESSAGE_COMPLETE = 4;

/**
 * When a member exists: `setup` when autocannon hands drhook the client (setupClient), `constructed` once its
 * constructor ran (its first _connect), `connected` once _connect opened a connection.
 */
export type InternalsStage = 'setup' | 'constructed' | 'connected';
const stages: readonly InternalsStage[] = ['setup', 'constructed', 'connected'];

/** Every internal drhook reads or replaces, the type it must have, and from when. */
export const autocannonInternals: ReadonlyArray<{ member: string; type: 'function' | 'boolean' | 'object' | 'string' | 'number'; stage: InternalsStage; equals?: number }> = [
  { member: '_connect', type: 'function', stage: 'setup' },
  { member: '_doRequest', type: 'function', stage: 'setup' },
  { member: '_resetConnection', type: 'function', stage: 'setup' },
  { member: 'getRequestBuffer', type: 'function', stage: 'setup' },
  { member: 'destroyed', type: 'boolean', stage: 'setup' },
  { member: 'pipelinedRequests.size', type: 'function', stage: 'setup' },
  { member: 'pipelinedRequests.clear', type: 'function', stage: 'setup' },
  { member: 'pipelinedRequests.addBody', type: 'function', stage: 'setup' },
  { member: 'requestIterator.nextRequest', type: 'function', stage: 'setup' },
  { member: 'requestIterator.currentRequest', type: 'object', stage: 'setup' },
  { member: 'parser.execute', type: 'function', stage: 'setup' },
  { member: 'parser.finish', type: 'function', stage: 'setup' },
  { member: 'parser.reinitialize', type: 'function', stage: 'setup' },
  { member: 'parser.state', type: 'string', stage: 'setup' },
  { member: 'parser.type', type: 'string', stage: 'setup' },
  { member: 'parser.constructor.kOnHeadersComplete', type: 'number', stage: 'setup', equals: ON_HEADERS_COMPLETE },
  { member: 'parser.constructor.kOnBody', type: 'number', stage: 'setup', equals: ON_BODY },
  { member: 'parser.constructor.kOnMessageComplete', type: 'number', stage: 'setup', equals: ON_MESSAGE_COMPLETE },
  { member: 'timeoutTicker.reschedule', type: 'function', stage: 'constructed' },
  { member: `parser.${ON_HEADERS_COMPLETE}`, type: 'function', stage: 'constructed' },
  { member: `parser.${ON_BODY}`, type: 'function', stage: 'constructed' },
  { member: `parser.${ON_MESSAGE_COMPLETE}`, type: 'function', stage: 'constructed' },
  { member: 'conn.destroy', type: 'function', stage: 'connected' },
  { member: 'conn.writableLength', type: 'number', stage: 'connected' },
];

/** The internals of `stage` and every stage before it that `client` lacks, each as `client.<member> (<type>)`. */
export function missingInternals(client: unknown, stage: InternalsStage): string[] {
  const upTo = stages.indexOf(stage);
  return autocannonInternals
    .filter((internal) => stages.indexOf(internal.stage) <= upTo)
    .filter(({ member, type, equals }) => {
      const value = member.split('.').reduce<unknown>((object, key) => (object !== null && object !== undefined ? (object as Record<string, unknown>)[key] : undefined), client);
      return typeof value !== type || (type === 'object' && value === null) || (equals !== undefined && value !== equals);
    })
    .map(({ member, type, equals }) => `client.${member} (${equals !== undefined ? `${type} ${equals}` : type})`);
}

function checkInternals(client: unknown, stage: InternalsStage): asserts client is AutocannonClient {
  const missing = missingInternals(client, stage);
  if (missing.length > 0) throw new Error(`the installed autocannon lacks ${missing.join(', ')}: drhook load drives these client internals (written for autocannon 9.0)`);
}

/** What autocannon runs: a fixed number of connections to one address, a request at a time on each. */
export interface LaunchOptions {
  /** The address in place of the host name, and over https the name the certificate is checked against (resolve.ts). */
  connectTo: { url: string; servername?: string };
  connections: number;
  /** autocannon's own end, a safety net: drhook stops the run itself. */
  durationSec: number;
  /** A request without a complete answer by then is dropped with its connection (timeout). */
  timeoutSec: number;
  /** An extra certificate authority (autocannon itself never verifies certificates). */
  ca?: Buffer;
  /** How often autocannon checks whether to stop. */
  sampleMs: number;
  /** Each client as autocannon creates it, before it connects; throwing there ends the run with that error. */
  setupClient(client: unknown): void;
}

/** Starts autocannon; `done` is called once, when it has stopped. */
export function launch(options: LaunchOptions, done: (error: Error | null) => void): { stop(): void } {
  return autocannon(
    {
      // The address, not the name: no DNS lookup per connection (the Host header and TLS server name keep the name).
      ...options.connectTo,
      method: 'POST',
      connections: options.connections,
      duration: options.durationSec,
      timeout: options.timeoutSec,
      pipelining: 1,
      ...(options.ca ? { tlsOptions: { ca: options.ca } } : {}),
      sampleInt: options.sampleMs,
      setupClient: options.setupClient as (client: autocannon.Client) => void,
    },
    (error) => done(error ?? null),
  );
}

/** What a client does at each of autocannon's turns: drhook's decisions, free of autocannon's internals. */
export interface ClientDriver {
  /** autocannon asks for the next request: after the connection opened, after an answer, after a connection is gone. */
  next(): void;
  /** The client's first connection is due (autocannon's constructor asks for it): the driver opens it. */
  start(): void;
  /** autocannon dropped the connection (its timeout fired, or drhook reset it) and asks for another. */
  dropped(): void;
  /** The answer's status line and headers arrived; `closes`: the receiver closes the connection after it. */
  headers(closes: boolean): void;
  /** An answer was judged complete: its status, and how long after its request was written. */
  response(status: number, serviceMs: number): void;
  /** What came back is not an answer drhook can judge (a parse error, a header block over Node's limit, an answer without a request): the connection is replaced next. */
  bad(code: string): void;
  /** A failing answer was judged before its body ended: the rest is not read, and the next request goes on a new connection. */
  cut(): void;
  /** The bytes of the next request; `flushed`: everything the connection wrote before has reached the kernel, so a reused buffer is free. */
  requestBytes(flushed: boolean): Buffer;
}

/** A client as the driver sees it: one connection at a time, one request in flight on it. */
export interface DrivenClient {
  readonly destroyed: boolean;
  /** Opens a connection with autocannon's own code (its parser reset); autocannon's reconnecting the moment it errors or ends is removed. */
  open(): Socket;
  /** Writes the next request on the connection, timed from now and timed out after the client's timeout. */
  write(): void;
  /** Drops the connection (and the request on it) and asks for another (ClientDriver.dropped). */
  reset(): void;
  /** Runs `action` with autocannon's calls for the next request ignored (the driver then asks itself, with `requestNext`). */
  quietly(action: () => void): void;
  /** Asks for the next request as autocannon does (ClientDriver.next), unless the client is done or quiet. */
  requestNext(): void;
  /** Nothing is in flight: the timeout is pushed out of reach. */
  idle(): void;
  /** The request just written times out in `ms` instead of the client's timeout. */
  timeoutIn(ms: number): void;
  /** A request is on the connection, not yet answered. */
  readonly requestInFlight: boolean;
  /** The request on the connection is forgotten (its connection is gone). */
  forgetRequest(): void;
  /** The connection ended: an answer without a length (HTTP/1.0) that was being read is complete now. */
  endBody(): void;
}

/** A connection waiting for its slot has nothing in flight: its timeout is pushed this far out. */
const IDLE_TIMEOUT_MS = 1e9;

/**
 * Takes over a client autocannon passed to setupClient: from then on `driverFor`'s driver decides when it connects
 * and sends, and what. Throws, naming the member, when the installed autocannon lacks an internal drhook drives.
 */
export function adopt(candidate: unknown, driverFor: (client: DrivenClient) => ClientDriver): void {
  checkInternals(candidate, 'setup');
  const client = candidate;
  const write = client._doRequest.bind(client);
  const connect = client._connect.bind(client);
  const { parser, requestIterator } = client;
  let quiet = false;
  let started = false;

  const driven: DrivenClient = {
    get destroyed() {
      return client.destroyed;
    },
    open() {
      parser.reinitialize(parser.type);
      driven.quietly(connect);
      const socket = client.conn;
      checkInternals(client, 'connected');
      // autocannon's own 'error' and 'end' listeners, the last it added, would connect again at once.
      for (const event of ['error', 'end'] as const) socket!.off(event, socket!.listeners(event).at(-1) as (...args: unknown[]) => void);
      return socket!;
    },
    write,
    reset: () => client._resetConnection(),
    quietly(action) {
      const wasQuiet = quiet;
      quiet = true;
      try {
        action();
      } finally {
        quiet = wasQuiet;
      }
    },
    requestNext: () => client._doRequest(),
    idle: () => client.timeoutTicker.reschedule(IDLE_TIMEOUT_MS),
    timeoutIn: (ms) => client.timeoutTicker.reschedule(ms),
    get requestInFlight() {
      return client.pipelinedRequests.size() > 0;
    },
    forgetRequest: () => client.pipelinedRequests.clear(),
    endBody() {
      if (parser.state === 'BODY_RAW') parser.finish();
    },
  };
  const driver = driverFor(driven);

  // The request bytes come from the driver; autocannon's own request list is not used.
  client.getRequestBuffer = () => driver.requestBytes(client.conn?.writableLength === 0);
  requestIterator.nextRequest = () => requestIterator.currentRequest;
  client._doRequest = () => {
    if (client.destroyed || quiet) return;
    driver.next();
  };
  // autocannon calls _connect once to open the first connection, then again after it drops one.
  client._connect = () => {
    if (started) return driver.dropped();
    started = true;
    checkInternals(client, 'constructed');
    guardParser(client, driver);
    driver.start();
  };
  client.on('headers', (info: { shouldKeepAlive?: boolean }) => driver.headers(info.shouldKeepAlive === false));
  client.on('response', (status: number, _bytes: number, serviceMs: number) => driver.response(status, serviceMs));
}

/** A response that is not HTTP drhook can judge: the driver is told its code, and the connection is replaced. */
class BadResponse extends Error {
  constructor(readonly code: string) {
    super(code);
  }
}

/** Thrown out of the parser when an answer is judged before its body ends: the rest of it is not read. */
class Judged extends Error {}

/**
 * Makes autocannon's reading of answers safe against hostile receivers: bodies are counted, not kept; a failing
 * status (not 2xx) is judged once its body passes 64 KiB, as if it ended there, and the rest is not read (`cut`,
 * then a new connection), while a 2xx is read to its end or the deadline, as send and contract read it; 1xx
 * answers before the final one are skipped, as RFC 9110 asks of a client (an unsolicited 100 Continue too; 101 is final);
 * a parse error, a header block over Node's limit or an answer without a request is a bad response (`bad`,
 * then a new connection). autocannon sets the parser's callbacks after setupClient, before its first connection:
 * they are wrapped then.
 */
function guardParser(client: AutocannonClient, driver: ClientDriver): void {
  const { parser } = client;
  client.pipelinedRequests.addBody = () => {};
  let informational = false;
  /** The answer's body so far, and whether its status fails it whatever the body holds. */
  let bodyBytes = 0;
  let failing = false;

  const onHeadersComplete = parser[ON_HEADERS_COMPLETE] as (info: unknown) => unknown;
  const onBody = parser[ON_BODY] as (...args: unknown[]) => unknown;
  const onMessageComplete = parser[ON_MESSAGE_COMPLETE] as () => unknown;
  const complete = (): unknown => onMessageComplete.call(parser);
  parser[ON_HEADERS_COMPLETE] = (info: { statusCode: number; headers: string[] }) => {
    informational = info.statusCode >= 100 && info.statusCode < 200 && info.statusCode !== 101;
    if (informational) return undefined;
    if (info.headers.reduce((sum, part) => sum + part.length + 2, 0) > maxHeaderSize) throw new BadResponse('HPE_HEADER_OVERFLOW');
    // Three digits, but below 100 (`099`): no HTTP status. From 600 up it is an answer, judged as a 5xx (RFC 9110).
    if (info.statusCode < 100) throw new BadResponse('HPE_INVALID_STATUS');
    bodyBytes = 0;
    failing = info.statusCode < 200 || info.statusCode >= 300;
    return onHeadersComplete.call(parser, info);
  };
  parser[ON_BODY] = (chunk: Buffer, start: number, length: number) => {
    bodyBytes += length;
    if (failing && bodyBytes > DEFAULT_MAX_BODY_BYTES) throw client.pipelinedRequests.size() > 0 ? new Judged() : new BadResponse(ANSWER_WITHOUT_REQUEST);
    return onBody.call(parser, chunk, start, length);
  };
  parser[ON_MESSAGE_COMPLETE] = () => {
    if (informational) {
      informational = false;
      return undefined;
    }
    if (client.pipelinedRequests.size() === 0) throw new BadResponse(ANSWER_WITHOUT_REQUEST);
    return complete();
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
      driver.cut();
      complete();
      return 0;
    }
    const code = (result as NodeJS.ErrnoException).code;
    driver.bad(code !== undefined && (result instanceof BadResponse || code.startsWith('HPE_')) ? code : result.message === 'max header size exceeded' ? 'HPE_HEADER_OVERFLOW' : 'HPE_INVALID');
    client._resetConnection();
    return result;
  };
}

// The one table of why a delivery got no complete answer: the causes, what each is called, and how an error code is classified, for both engines, every report and the breaker.
import { maxHeaderSize } from 'node:http';

export type ErrorCause =
  | 'connection-refused'
  | 'connection-reset'
  | 'dns'
  | 'tls'
  | 'socket-closed'
  | 'protocol'
  /** The response's header names and values passed drhook's limit (MAX_HEADER_BYTES, Node's): it read no further. */
  | 'headers-too-large'
  /** The caller gave up (Ctrl-C): says nothing about the receiver. */
  | 'aborted'
  | 'other';

/** The most bytes of response header names and values read before the answer is given up: Node's limit (16 KiB unless changed with --max-http-header-size), for send, contract and load alike. */
export const MAX_HEADER_BYTES = maxHeaderSize;

/** `headers larger than 16 KiB`: what a header block over MAX_HEADER_BYTES is called wherever it is reported. */
export function headersTooLarge(): string {
  return `headers larger than ${Math.round((MAX_HEADER_BYTES / 1024) * 10) / 10} KiB`;
}

export interface CauseEntry {
  /** A short name shared by every delivery with this cause, as the reports show it. */
  label: string;
  /**
   * No HTTP answer came at all: the receiver is not answering (nothing listens, the connection is refused or reset,
   * its name does not resolve, its certificate is not trusted). The breaker stops a run whose first deliveries all end so.
   */
  unreachable: boolean;
}

/** Every cause, in the order reports list them. */
export const causeTable: Readonly<Record<ErrorCause, CauseEntry>> = {
  'connection-refused': { label: 'connection refused', unreachable: true },
  'connection-reset': { label: 'connection reset', unreachable: true },
  dns: { label: 'DNS lookup failed', unreachable: true },
  tls: { label: 'TLS handshake failed', unreachable: true },
  'socket-closed': { label: 'connection closed before a complete answer', unreachable: false },
  protocol: { label: 'HTTP protocol error', unreachable: false },
  'headers-too-large': { label: `response ${headersTooLarge()}`, unreachable: false },
  aborted: { label: 'stopped before an answer (run interrupted)', unreachable: false },
  other: { label: 'request failed', unreachable: false },
};

export const errorCauses = Object.keys(causeTable) as ErrorCause[];

/** Load's own codes for what its HTTP parser and connections report without a Node error code. */
export const CLOSED_BEFORE_ANSWER = 'closed-before-answer';
export const ANSWER_WITHOUT_REQUEST = 'answer-without-request';

/** What is known of a failure: its error code (Node's, undici's, OpenSSL's or load's own), and the error's name and first message line. */
export interface FailureSignal {
  code: string | undefined;
  name?: string;
  message?: string;
}

const TLS_CODE = /^(ERR_TLS_|ERR_SSL_|CERT_|DEPTH_ZERO_SELF_SIGNED_CERT|SELF_SIGNED_CERT_IN_CHAIN|UNABLE_TO_|HOSTNAME_MISMATCH)/;

const codeIn = (...codes: string[]) => ({ code }: FailureSignal): boolean => code !== undefined && codes.includes(code);

/**
 * undici's HTTP/1.1 client drops the connection on any 100 status and has no option to skip one (nodejs/undici#197);
 * an answer to no request fails no request, so for a delivery this is an unsolicited 100 Continue.
 */
export function isUnsolicitedContinue({ code, message }: FailureSignal): boolean {
  return code === 'UND_ERR_SOCKET' && message === 'bad response';
}

/** undici asserts what its parser let through (a status code of at least 100): such an answer is not valid HTTP. */
export function isClientCheckFailure({ code }: FailureSignal): boolean {
  return code === 'ERR_ASSERTION';
}

/** The classification, first match wins; anything else is `other`. */
const rules: ReadonlyArray<readonly [Exclude<ErrorCause, 'aborted' | 'other'>, (signal: FailureSignal) => boolean]> = [
  ['connection-refused', codeIn('ECONNREFUSED')],
  ['connection-reset', codeIn('ECONNRESET', 'EPIPE')],
  ['dns', codeIn('ENOTFOUND', 'EAI_AGAIN', 'EAI_FAIL', 'EAI_NODATA', 'EAI_NONAME')],
  ['tls', ({ code, message }) => (code !== undefined && TLS_CODE.test(code)) || (code === 'EPROTO' && /SSL|TLS/i.test(message ?? ''))],
  ['protocol', isUnsolicitedContinue],
  ['socket-closed', codeIn('UND_ERR_SOCKET', 'UND_ERR_CLOSED', CLOSED_BEFORE_ANSWER)],
  ['headers-too-large', codeIn('UND_ERR_HEADERS_OVERFLOW', 'HPE_HEADER_OVERFLOW')],
  ['protocol', ({ code, name }) => name === 'HTTPParserError' || code?.startsWith('HPE_') === true || code === 'UND_ERR_RES_CONTENT_LENGTH_MISMATCH' || code === ANSWER_WITHOUT_REQUEST],
  // undici's own checks of a parsed answer fail as assertions: a status line `099` passes its parser, not its check.
  ['protocol', isClientCheckFailure],
];

/** The cause of a transport failure, from what is known of it: one classification for contract, send and load. */
export function classifyFailure(signal: FailureSignal): ErrorCause {
  return rules.find(([, matches]) => matches(signal))?.[0] ?? 'other';
}

/** Counts by cause, in the table's order, without the causes never seen. */
export function sortCauses(counts: Partial<Record<ErrorCause, number>>): Partial<Record<ErrorCause, number>> {
  return Object.fromEntries(errorCauses.filter((cause) => (counts[cause] ?? 0) > 0).map((cause) => [cause, counts[cause]]));
}

// What happened to one delivery: a complete response, a timeout at the deadline, or a transport error.
import { STATUS_CODES } from 'node:http';
import type { ErrorCause } from './causes.js';

export interface BodyExcerpt {
  /** The first bytes of the body (at most the read limit), decoded as UTF-8. */
  text: string;
  /** Every byte the receiver sent, including those past the read limit. */
  bytes: number;
  truncated: boolean;
}

export type { ErrorCause };

export type DeliveryOutcome =
  | {
      kind: 'response';
      status: number;
      headers: Record<string, string>;
      body: BodyExcerpt;
      /** Monotonic milliseconds from the start of the request to the end of the response body. */
      durationMs: number;
      /** Monotonic milliseconds until the status line and headers arrived. */
      headersMs: number;
    }
  | ({ kind: 'timeout'; deadlineMs: number; durationMs: number } & TimeoutPhase)
  | {
      kind: 'error';
      cause: ErrorCause;
      message: string;
      code?: string;
      durationMs: number;
      /** The status line had arrived before the error (a reset mid-body): the receiver did answer. */
      status?: number;
    };

/** How far an exchange got before the deadline aborted it, with the status it had by then. */
export type TimeoutPhase =
  /** No connection; or connected, but not a byte of an answer. */
  | { phase: 'connect' | 'headers'; status?: undefined }
  /** Only interim answers came (1xx: 102 Processing, 103 Early Hints), no final status; `status` is the last of them. */
  | { phase: 'interim'; status: number }
  /** The final status and headers came, the body did not finish. */
  | { phase: 'body'; status: number };

export type DeliveryTimeout = Extract<DeliveryOutcome, { kind: 'timeout' }>;

/** `102 Processing`, `103 Early Hints`, `199`: an interim status as a person reads it. */
export function statusName(status: number): string {
  const text = STATUS_CODES[status];
  return text === undefined ? String(status) : `${status} ${text}`;
}

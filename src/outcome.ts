// What happened to one delivery: a complete response, a timeout at the deadline, or a transport error.
export interface BodyExcerpt {
  /** The first bytes of the body (at most the read limit), decoded as UTF-8. */
  text: string;
  /** Every byte the receiver sent, including those past the read limit. */
  bytes: number;
  truncated: boolean;
}

export type ErrorCause =
  | 'connection-refused'
  | 'connection-reset'
  | 'dns'
  | 'tls'
  | 'socket-closed'
  | 'protocol'
  /** The caller gave up (Ctrl-C): says nothing about the receiver. */
  | 'aborted'
  | 'other';

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
  | {
      kind: 'timeout';
      deadlineMs: number;
      durationMs: number;
      /** How far the exchange got before the deadline aborted it. */
      phase: 'connect' | 'headers' | 'body';
      status?: number;
    }
  | {
      kind: 'error';
      cause: ErrorCause;
      message: string;
      code?: string;
      durationMs: number;
      /** The status line had arrived before the error (a reset mid-body): the receiver did answer. */
      status?: number;
    };

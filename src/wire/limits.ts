// The delivery's defaults, apart from the HTTP client so that settings and options can name them without loading it.

/** Digital River waits 3000 ms for an answer: drhook's deadline, and the longest it allows. */
export const DEFAULT_DEADLINE_MS = 3000;
/** Deliveries in flight at once, unless a run asks for another number. */
export const DEFAULT_CONCURRENCY = 8;
/** The most of a response body drhook reads and keeps to judge it. */
export const DEFAULT_MAX_BODY_BYTES = 64 * 1024;

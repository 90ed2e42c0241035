// Execution segments: shard K of N takes every Nth slot, count and event id of a step, so N shards together send exactly what one process would.
import { createHash } from 'node:crypto';
import { UsageError } from '../base/errors.js';

/** The K-th (1-based) of N execution segments of one test. */
export interface Segment {
  index: number;
  count: number;
}

/** A shard of a test: its segment, and the wall-clock time every shard starts its clock at. */
export interface ShardSettings {
  segment: Segment;
  startAt: Date;
}

/** The most shards a test may be split into. */
export const MAX_SHARDS = 1000;
/** --start-at may lie at most this far ahead. */
export const MAX_START_AHEAD_MS = 24 * 3600 * 1000;
/** A shard whose clock starts later than this after --start-at says so in its report. */
export const LATE_START_TOLERANCE_MS = 100;

/** `2/3`: the second of three shards; anything else is a usage error. */
export function parseSegment(text: string): Segment {
  const match = /^\s*(\d+)\s*\/\s*(\d+)\s*$/.exec(text);
  const index = match ? Number(match[1]) : Number.NaN;
  const count = match ? Number(match[2]) : Number.NaN;
  if (!(count >= 1 && count <= MAX_SHARDS && index >= 1 && index <= count)) {
    throw new UsageError(`--shard must be K/N, the K-th of N shards with 1 ≤ K ≤ N ≤ ${MAX_SHARDS} (e.g. 2/3), got '${text}'`);
  }
  return { index, count };
}

/** An ISO 8601 time with its zone (`2026-05-01T12:00:00Z`, `…+02:00`); anything else is a usage error. */
export function parseStartAt(text: string): Date {
  const iso = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/.test(text.trim());
  const at = new Date(text.trim());
  if (!iso || Number.isNaN(at.getTime())) throw new UsageError(`--start-at must be an ISO 8601 time with its zone, such as 2026-05-01T12:00:00Z, got '${text}'`);
  return at;
}

/** How many of `total` items (numbered 0 … total − 1) fall to the segment: those numbered index − 1 modulo count. */
export function segmentShare(total: number, segment: Segment | undefined): number {
  if (segment === undefined) return total;
  return Math.max(0, Math.ceil((total - (segment.index - 1)) / segment.count));
}

/**
 * A fixed arrival rate's slots fall due at k / rate; the segment's are those with k ≡ index − 1 (mod count): its own
 * rate is rate / count, the first of them (index − 1) / rate after the step's start.
 */
export function segmentPace(rate: number, segment: Segment | undefined): { rate: number; offsetMs: number } {
  if (segment === undefined) return { rate, offsetMs: 0 };
  return { rate: rate / segment.count, offsetMs: ((segment.index - 1) * 1000) / rate };
}

/** Event ids: a prefix all shards of one test share, then a counter that goes index − 1, index − 1 + count, …: never the same id twice. */
export interface IdSpace {
  /** `xxxxxxxx-xxxx-4xxx-yxxx-`, the random part of a version-4 UUID. */
  prefix: string;
  index: number;
  count: number;
}

/** The id space of a shard: the prefix from the test's settings hash (which includes --start-at), the counter interleaved. */
export function shardIdSpace(settingsHash: string, segment: Segment): IdSpace {
  return { prefix: uuidPrefix(createHash('sha256').update(`ids|${settingsHash}`).digest('hex')), index: segment.index - 1, count: segment.count };
}

/** A version-4 UUID's first 24 characters from 20 hex digits. */
export function uuidPrefix(hex: string): string {
  const variant = '89ab'[parseInt(hex[16]!, 16) & 3]!;
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(12, 15)}-${variant}${hex.slice(17, 20)}-`;
}

/**
 * What makes shards parts of one test: the target, the settings as reported (less the seed, which each shard may draw
 * for itself), the number of shards and the start time. Shards whose hashes differ are never merged.
 */
export function settingsHash(target: string, reported: Record<string, unknown>, count: number, startAt: Date): string {
  const { seed: _seed, ...rest } = reported;
  return createHash('sha256').update(canonical({ target, settings: rest, shards: count, startAt: startAt.toISOString() })).digest('hex').slice(0, 16);
}

/** JSON with the keys of every object sorted: the same value always hashes alike. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined);
    return `{${entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/**
 * Waits until `startAt` (wall clock), or returns at once when it has passed; the signal ends the wait. Returns how late
 * the shard is, in milliseconds (0 when on time).
 */
export async function waitForStart(startAt: Date, signal?: AbortSignal): Promise<number> {
  const wait = startAt.getTime() - Date.now();
  if (wait > 0) {
    await new Promise<void>((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', done);
        resolve();
      };
      const timer = setTimeout(done, wait);
      signal?.addEventListener('abort', done, { once: true });
    });
  }
  return Math.max(0, Date.now() - startAt.getTime());
}

// Durations as people write them (30, 30s, 500ms, 2m, 1h, 1.5s): the one parser for flags and scenario files alike.

export type DurationUnit = 'ms' | 's' | 'm' | 'h';

const msPerUnit: Record<DurationUnit, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
const DURATION = /^(\d+(?:\.\d+)?)\s*(ms|s|m|h)?$/;

/**
 * `text` counted in `unit` (a bare number is in `unit` too), or NaN when it is not a duration written in one of
 * `units`. Callers check the range and word the message, as each knows what the duration is for.
 */
export function parseDuration(text: string, unit: DurationUnit, units: readonly DurationUnit[] = ['ms', 's', 'm', 'h']): number {
  const match = DURATION.exec(text.trim());
  const written = (match?.[2] as DurationUnit | undefined) ?? unit;
  if (!match || !units.includes(written)) return Number.NaN;
  return Number(match[1]) * (msPerUnit[written] / msPerUnit[unit]);
}

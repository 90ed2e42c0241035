// The one test for "a JSON object" (not null, not an array), shared by every module that walks events or schemas.
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

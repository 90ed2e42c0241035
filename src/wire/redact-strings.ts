// Redaction of a whole report: the redactor runs over every string in it, before any writer escapes or truncates text.
export type Redactor = (text: string) => string;

/** A copy of `value` with `redact` applied to every string (object keys are kept: they are drhook's own names); numbers, booleans and null pass through. */
export function redactStrings<T>(value: T, redact: Redactor): T {
  return walk(value, redact) as T;
}

function walk(value: unknown, redact: Redactor): unknown {
  if (typeof value === 'string') return redact(value);
  if (Array.isArray(value)) return value.map((item) => walk(item, redact));
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, walk(item, redact)]));
  }
  return value;
}

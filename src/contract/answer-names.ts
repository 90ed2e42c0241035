// Whether a receiver's answer names a field in its own words: what it repeats of the event it was sent never counts.

/** The ways a field may be named. */
export interface FieldNames {
  /** Paths from the envelope (`data.object.items[0].skuId`, `/data/object/items/0/skuId`); a prefix such as `body.` may precede them. */
  rooted: readonly string[];
  /** Paths from data.object (`/items/0/skuId`, `items.0.skuId`): nothing path-like may precede them. */
  relative: readonly string[];
  /**
   * The field's own key, alone: not inside a path to another field (`invoice.id`), not after a word that makes it
   * another field's (`event id`, `invoice id`: the `qualifiers`). A key that is a common word (`object`: "invalid
   * request object") counts only quoted, first in the text ("object is missing") or after "field" or "property".
   */
  key?: { name: string; commonWord: boolean; qualifiers: readonly string[] };
}

/** Tests text for one field's names; made once per field, used for every answer. */
export interface FieldMatcher {
  /** The text mentions the field. */
  inText(text: string): boolean;
  /** The whole text is one of the field's names (a JSON value such as `"pointer": "/id"` or a key). */
  whole(text: string): boolean;
}

const escape = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const word = 'A-Za-z0-9_';
/** Words that make a bare key the envelope's or a delivery's (`event id`), not data.object's. */
const envelopeWords = ['event', 'webhook', 'request', 'delivery', 'envelope', 'message', 'notification'];

export function fieldMatcher(names: FieldNames): FieldMatcher {
  const rooted = names.rooted.map((name) => `${/^[A-Za-z0-9_]/.test(name) ? `(?<![${word}])` : ''}${escape(name)}(?![${word}])`);
  const relative = names.relative.map((name) => `(?<![${word}./\\]-])${escape(name)}(?![${word}])`);
  const patterns = [...rooted, ...relative];
  const { key } = names;
  if (key?.commonWord) {
    const name = escape(key.name);
    patterns.push(`["'\`]${name}["'\`]`, `^\\s*${name}(?![${word}.\\/[])`, `\\b(?:field|property|key|attribute|parameter)s?[\\s:]+${name}(?![${word}.\\/[])`);
  } else if (key) {
    const qualifiers = [...envelopeWords, ...key.qualifiers].map(escape).join('|');
    patterns.push(`(?<![${word}./\\]-])(?<!(?<![${word}])(?:${qualifiers})(?:'s)?\\s+)${escape(key.name)}(?![${word}[-]|[./][${word}])`);
  }
  const mention = new RegExp(patterns.join('|'), 'i');
  const all = [...names.rooted, ...names.relative, ...(key ? [key.name] : [])].map((name) => name.toLowerCase());
  const exact = new Set(all);
  // Every name holds the key (or, without one, the shortest name): texts without it skip the pattern.
  const core = key?.name.toLowerCase() ?? all.reduce((shortest, name) => (name.length < shortest.length ? name : shortest));
  return { inText: (text) => text.toLowerCase().includes(core) && mention.test(text), whole: (text) => exact.has(text.trim().toLowerCase()) };
}

type Json = Record<string, unknown>;

const isRecord = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value);

/** A run of at least this many characters that also occurs in the request is a copy of it. */
const ECHO_CHARS = 32;
/** Every copied run holds a piece this long starting at a multiple of it: only those pieces are looked for. */
const PROBE_CHARS = ECHO_CHARS / 2;

/** What a request carried, to recognise it in an answer; each part is worked out when first asked for. */
export interface SentRequest {
  /** Whether the text occurs in the body as sent, or as JSON.stringify(…, null, 2) writes it. */
  contains(piece: string): boolean;
  /** Every string value and every key of the event. */
  words(): { strings: ReadonlySet<string>; keys: ReadonlySet<string> };
  /** The event as key-sorted JSON: every object and array in it appears in it, written the same way. */
  canonical(): string;
}

export function sentRequest(event: unknown, body: string): SentRequest {
  let pretty: string | undefined;
  let words: { strings: Set<string>; keys: Set<string> } | undefined;
  let sorted: string | undefined;
  const collect = (value: unknown, into: { strings: Set<string>; keys: Set<string> }) => {
    if (typeof value === 'string') into.strings.add(value);
    else if (Array.isArray(value)) for (const inner of value) collect(inner, into);
    else if (isRecord(value)) {
      for (const key in value) {
        into.keys.add(key);
        collect(value[key], into);
      }
    }
    return into;
  };
  return {
    // The indented text differs from the compact one only in line breaks and the space after a key's colon.
    contains: (piece) => body.includes(piece) || (/\n|": /.test(piece) && (pretty ??= JSON.stringify(event, null, 2)).includes(piece)),
    words: () => (words ??= collect(event, { strings: new Set(), keys: new Set() })),
    canonical: () => (sorted ??= canonical(event)),
  };
}

/**
 * Whether `value` may be a copy of a part of the event: its keys are the event's keys and its strings the event's
 * strings, two levels deep (`canonical` settles it).
 */
function mayBeCopy(value: unknown, sent: SentRequest, depth = 2): boolean {
  const { strings, keys } = sent.words();
  if (typeof value === 'string') return strings.has(value);
  if (depth === 0 || typeof value !== 'object' || value === null) return true;
  if (Array.isArray(value)) return value.every((inner) => mayBeCopy(inner, sent, depth - 1));
  return Object.entries(value).every(([key, inner]) => keys.has(key) && mayBeCopy(inner, sent, depth - 1));
}

/** Key-sorted JSON. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (isRecord(value)) return `{${Object.keys(value).sort().map((k) => `${JSON.stringify(k)}:${canonical(value[k])}`).join(',')}}`;
  return JSON.stringify(value) ?? 'null';
}

/** The text with every run copied from the request (ECHO_CHARS or longer) cut out. */
function withoutCopies(text: string, sent: SentRequest): { text: string; copied: boolean } {
  if (text.length < ECHO_CHARS) return { text, copied: false };
  const occurs = (from: number, to: number) => sent.contains(text.slice(from, to));
  /** The farthest bound from `bound` towards `limit` keeping text between it and `fixed` a copy: every part of a copy is one. */
  const widen = (fixed: number, bound: number, limit: number): number => {
    for (let step = PROBE_CHARS; step >= 1; ) {
      const next = bound < limit ? Math.min(limit, bound + step) : Math.max(limit, bound - step);
      if (next !== bound && occurs(Math.min(fixed, next), Math.max(fixed, next))) {
        bound = next;
        step *= 2;
      } else {
        step = Math.floor(step / 2);
      }
    }
    return bound;
  };
  const runs: Array<[number, number]> = [];
  for (let probe = 0; probe + PROBE_CHARS <= text.length; probe += PROBE_CHARS) {
    const previousEnd = runs.at(-1)?.[1] ?? 0;
    if (probe < previousEnd || !occurs(probe, probe + PROBE_CHARS)) continue;
    const start = widen(probe + PROBE_CHARS, probe, previousEnd);
    const end = widen(start, probe + PROBE_CHARS, text.length);
    if (end - start >= ECHO_CHARS) runs.push([start, end]);
  }
  let kept = '';
  let from = 0;
  for (const [start, end] of runs) {
    kept += `${text.slice(from, start)} `;
    from = end;
  }
  return { text: kept + text.slice(from), copied: runs.length > 0 };
}

/** A value that reads as a message about its key (`{"id": ["can't be blank"]}`): a sentence, or a word such as required. */
const messageWord = /^(required|missing|invalid|malformed|null|blank|empty|wrong|bad|unknown|unexpected|not[ _-]?\w+)[.!]?$/i;

/** What the answer says in its own words: string values (and keys that carry a message), copies of the request left out. */
export function ownWords(answer: string, sent: SentRequest): { texts: string[]; copied: boolean } {
  let parsed: unknown;
  try {
    parsed = JSON.parse(answer);
  } catch {
    const own = withoutCopies(answer, sent);
    return { texts: [own.text], copied: own.copied };
  }
  const texts: string[] = [];
  let copied = false;
  /** Collects the texts under `value`; true when one of them reads as a message. */
  const visit = (value: unknown): boolean => {
    const copy =
      typeof value === 'string' ? sent.words().strings.has(value)
      : typeof value === 'object' && value !== null && mayBeCopy(value, sent) && sent.canonical().includes(canonical(value));
    if (copy) {
      copied = true;
      return false;
    }
    if (typeof value === 'string') {
      const own = withoutCopies(value, sent);
      copied ||= own.copied;
      texts.push(own.text);
      const text = own.text.trim();
      return /\s/.test(text) ? /[A-Za-z]{2}/.test(text) : messageWord.test(text);
    }
    if (typeof value !== 'object' || value === null) return false;
    if (Array.isArray(value)) return value.map(visit).some(Boolean);
    let message = false;
    for (const [key, inner] of Object.entries(value)) {
      if (!visit(inner)) continue;
      message = true;
      texts.push(key);
    }
    return message;
  };
  visit(parsed);
  return { texts, copied };
}

// Whether a receiver's answer names a field in its own words: what it repeats of the event it was sent never counts.
import { isRecord } from '../base/is-record.js';
import { fieldKey, fieldPath, pointerSegments } from '../events/pointer.js';
import { fieldSchema } from '../events/schemas.js';

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
  /** A path that goes on into the field (`billTo.address.city` for `billTo.address`) names it too: what is wrong is inside it. */
  within?: boolean;
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
/** The words of a key: `orderId`, `order_id` and `order-id` are order, id. */
const wordsOf = (key: string): string[] => key.split(/(?<=[a-z0-9])(?=[A-Z])|[_-]/).filter(Boolean).map((part) => part.toLowerCase());
/** A key in any of its spellings: `orderId`, `order_id`, `order-id`, `Order ID`. */
const spellings = (key: string): string => wordsOf(key).map(escape).join('(?:[_-]|\\s+)?');
/** The words before `key`'s in a sibling's name (`order` of `orderId` for `id`), which make `key` the sibling's. */
function heads(key: string, siblings: readonly string[]): string[] {
  const own = wordsOf(key).join(' ');
  return siblings.map((sibling) => wordsOf(sibling).join(' ')).filter((name) => name.endsWith(` ${own}`)).map((name) => name.slice(0, -own.length - 1));
}
/** Words that make a bare key the envelope's or a delivery's (`event id`), not data.object's. */
const envelopeWords = ['event', 'webhook', 'request', 'delivery', 'envelope', 'message', 'notification'];

export function fieldMatcher(names: FieldNames): FieldMatcher {
  // Not followed by a deeper path: `data.object.invoice.id` names invoice.id, not data.object (unless `within`).
  const end = names.within ? `(?![${word}])` : `(?![${word}]|[./][${word}])`;
  const rooted = names.rooted.map((name) => `${/^[A-Za-z0-9_]/.test(name) ? `(?<![${word}])` : ''}${escape(name)}${end}`);
  const relative = names.relative.map((name) => `(?<![${word}./\\]-])${escape(name)}${end}`);
  const patterns = [...rooted, ...relative];
  const { key } = names;
  if (key?.commonWord) {
    const name = escape(key.name);
    patterns.push(`["'\`]${name}["'\`]`, `^\\s*${name}(?![${word}.\\/[])`, `\\b(?:field|property|key|attribute|parameter)s?[\\s:]+${name}(?![${word}.\\/[])`);
  } else if (key) {
    const qualifiers = [...envelopeWords, ...key.qualifiers, ...heads(key.name, key.qualifiers)].map(spellings).join('|');
    const after = names.within ? `(?![${word}[-])` : `(?![${word}[-]|[./][${word}])`;
    patterns.push(`(?<![${word}./\\]-])(?<!(?<![${word}])(?:${qualifiers})(?:'s)?\\s+)${spellings(key.name)}${after}`);
  }
  const mention = new RegExp(patterns.join('|'), 'i');
  const keyWords = key ? wordsOf(key.name) : [];
  const all = [...names.rooted, ...names.relative, ...(key ? [key.name] : [])].map((name) => name.toLowerCase());
  const exact = new Set([...all, ...(keyWords.length > 1 ? ['_', '-', ' '].map((glue) => keyWords.join(glue)) : [])]);
  // Every name holds the key's last word (or, without a key, the shortest name): texts without it skip the pattern.
  const core = keyWords.at(-1) ?? all.reduce((shortest, name) => (name.length < shortest.length ? name : shortest));
  return { inText: (text) => text.toLowerCase().includes(core) && mention.test(text), whole: (text) => exact.has(text.trim().toLowerCase().replace(/\s+/g, ' ')) };
}

/** A field's matcher, and its names as a failing verdict asks for them. */
export interface NamedField {
  matcher: FieldMatcher;
  /** `"currency", "data.object.currency" or its pointer /data/object/currency` */
  wanted: string;
}

/**
 * How a receiver may name the field at `pointer` of the type's data.object: `/data/object/subscription/id`,
 * `data.object.subscription.id`, `/subscription/id`, `subscription.id`, `object.subscription.id`, or `id` alone where
 * no other word or path makes it another field's; with `within`, a path into the field names it too.
 */
export function fieldNames(type: string, pointer: string, options: { within?: boolean } = {}): NamedField {
  const segments = pointerSegments(pointer);
  const path = fieldPath(pointer);
  const key = fieldKey(pointer);
  const rooted = [`/data/object${pointer}`, path, `data.object.${segments.join('.')}`];
  const relative = [pointer, `object.${segments.join('.')}`, ...(segments.length > 1 ? [segments.join('.'), path.slice('data.object.'.length)] : [])];
  // Other fields of data.object: "invoice id" names invoice.id, not subscription.id.
  const siblings = Object.keys(fieldSchema(type, '')?.properties ?? {}).filter((name) => !segments.includes(name));
  const matcher = fieldMatcher({
    rooted: [...new Set(rooted)],
    relative: [...new Set(relative)],
    ...(key !== undefined ? { key: { name: key, commonWord: false, qualifiers: siblings } } : {}),
    ...(options.within ? { within: true } : {}),
  });
  const inside = options.within ? ', or a path inside it' : '';
  return { matcher, wanted: `${key !== undefined ? `"${key}", ` : ''}"${path}" or its pointer /data/object${pointer}${inside}` };
}

/** An answer's body on one line, cut for a reason. It was redacted when recorded: the cut can split a mask, never a secret. */
export function answerExcerpt(text: string): string {
  return text.replace(/\s+/g, ' ').trim().slice(0, 160);
}

/** Whether `answer`, sent back for `event`, names the field in its own words; `copied`: it repeats some of the event. */
export function answerNames(answer: string, event: unknown, matcher: FieldMatcher): { names: boolean; copied: boolean } {
  const own = ownWords(answer, sentRequest(event));
  return { names: own.texts.some((text) => matcher.whole(text) || matcher.inText(text)), copied: own.copied };
}

type Json = Record<string, unknown>;

/** A run of at least this many tokens that also occurs, in the same order, in the event is a copy of it. */
const ECHO_TOKENS = 6;
/** Keys and scalar values as any serialisation writes them (JSON, util.inspect, a Python repr): quotes, brackets and separators apart. */
const tokenPattern = /[\p{L}\p{N}_$@+-]+(?:\.[\p{L}\p{N}_$@+-]+)*/gu;
const tokensOf = (text: string): string[] => Array.from(text.matchAll(tokenPattern), (found) => found[0].toLowerCase());

/** The event's keys and scalar values in order, and where each token occurs in that stream. */
interface TokenStream {
  tokens: readonly string[];
  at: ReadonlyMap<string, readonly number[]>;
}

/** What a request carried, to recognise it in an answer; each part is worked out when first asked for. */
export interface SentRequest {
  /** Every string value and every key of the event. */
  words(): { strings: ReadonlySet<string>; keys: ReadonlySet<string> };
  /** The event as key-sorted JSON: every object and array in it appears in it, written the same way. */
  canonical(): string;
  /** The event's tokens, however it is written. */
  stream(): TokenStream;
  /** Whether the segments lead from the event's root through objects or arrays of it (the last one need not be there). */
  descends(segments: ReadonlyArray<string | number>): boolean;
}

export function sentRequest(event: unknown): SentRequest {
  let words: { strings: Set<string>; keys: Set<string> } | undefined;
  let sorted: string | undefined;
  let stream: TokenStream | undefined;
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
  const child = (value: unknown, segment: string | number): unknown => (typeof value === 'object' && value !== null ? (value as Json)[segment] : undefined);
  return {
    words: () => (words ??= collect(event, { strings: new Set(), keys: new Set() })),
    canonical: () => (sorted ??= canonical(event)),
    stream: () => (stream ??= tokenStream(event)),
    descends: (segments) => {
      let at: unknown = event;
      for (const segment of segments.slice(0, -1)) if (typeof (at = child(at, segment)) !== 'object' || at === null) return false;
      return true;
    },
  };
}

function tokenStream(event: unknown): TokenStream {
  const tokens: string[] = [];
  const walk = (value: unknown): void => {
    if (Array.isArray(value)) value.forEach(walk);
    else if (isRecord(value)) {
      for (const [key, inner] of Object.entries(value)) {
        tokens.push(...tokensOf(key));
        walk(inner);
      }
    } else tokens.push(...tokensOf(String(value)));
  };
  walk(event);
  const at = new Map<string, number[]>();
  tokens.forEach((token, index) => {
    const places = at.get(token);
    if (places) places.push(index);
    else at.set(token, [index]);
  });
  return { tokens, at };
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

/** What util.inspect writes for the parts of a value it leaves out: a copy goes on after it, further on in the event. */
const elision = /\[(?:Object|Array)\]|\.\.\. \d+ more items?/;
const elisionOrToken = new RegExp(`${elision.source}|${tokenPattern.source}`, 'gu');
const isElision = (text: string): boolean => text.startsWith('[') || text.startsWith('...');
/** Stands for an elision among a text's tokens. */
const GAP = '';

/** The text with every run of ECHO_TOKENS or more tokens that the event holds in the same order (elisions apart) cut out. */
function withoutCopies(text: string, sent: SentRequest): { text: string; copied: boolean } {
  const found = Array.from(text.matchAll(elisionOrToken));
  if (found.length < ECHO_TOKENS) return { text, copied: false };
  const words = found.map((match) => (isElision(match[0]) ? GAP : match[0].toLowerCase()));
  const { tokens, at } = sent.stream();
  /** How many of the text's tokens from `from` the event holds in order from its token `start`. */
  const run = (from: number, start: number): number => {
    let [index, place] = [from, start];
    while (index < words.length) {
      if (words[index] === GAP) {
        const next = (at.get(words[index + 1] ?? GAP) ?? []).find((later) => later >= place);
        if (next === undefined) break;
        [index, place] = [index + 1, next];
      } else if (tokens[place] === words[index]) {
        [index, place] = [index + 1, place + 1];
      } else break;
    }
    return index - from;
  };
  let kept = '';
  let cut = 0;
  for (let index = 0; index < words.length; ) {
    const length = Math.max(0, ...(at.get(words[index]!) ?? []).map((start) => run(index, start)));
    if (length < ECHO_TOKENS) {
      index += 1;
      continue;
    }
    const last = found[index + length - 1]!;
    kept += `${text.slice(cut, found[index]!.index)} `;
    cut = last.index + last[0].length;
    index += length;
  }
  return { text: kept + text.slice(cut), copied: cut > 0 };
}

/** A word of a value that makes it a message about its key (`{"id": "required"}`, `"is_required"`, `"invalid_type"`). */
const messageWord = /^(?:required|missing|invalid|malformed|null|blank|empty|wrong|bad|unknown|unexpected|not\w*)$/;
/** A value without spaces that reads as a message, or a code holding a message word. */
const isMessageCode = (text: string): boolean => wordsOf(text.replace(/[.!]$/, '')).some((part) => messageWord.test(part));
/** A key under which an answer reports errors, not a field: it starts no path (`errors` of `{"errors": {"id": …}}`). */
const reportKey = /error|detail|^fields?$|messag|issue|invalid|violation|problem|validat|^body$|^payload$/i;
/** A path as an array (`["body", "data", "object", "id"]`): keys and indices only, not a list of message words. */
const isSegments = (value: readonly unknown[]): value is Array<string | number> =>
  value.length > 1 &&
  value.every((item) => Number.isInteger(item) || (typeof item === 'string' && /^(?:[A-Za-z_$][\w$-]*|\d+)$/.test(item))) &&
  !value.every((item) => typeof item === 'string' && isMessageCode(item));

/**
 * What the answer says in its own words: string values, paths given as arrays (joined with dots), and keys that carry
 * a message (with the keys of the fields above them: `{"invoice": {"id": …}}` names invoice.id); copies of the request
 * left out.
 */
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
  /** The event's keys listed (`["id", "type", "data"]`) rather than a path through it. */
  const listsKeys = (segments: ReadonlyArray<string | number>) =>
    segments.every((segment) => typeof segment === 'string' && sent.words().keys.has(segment)) && !sent.descends(segments);
  /** Collects the texts under `value`, whose fields are `path`; true when `value` reads as a message. */
  const visit = (value: unknown, path: readonly string[]): boolean => {
    const copy =
      typeof value === 'string' ? sent.words().strings.has(value)
      : Array.isArray(value) && isSegments(value) ? listsKeys(value)
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
      return /\s/.test(text) ? /[A-Za-z]{2}/.test(text) : isMessageCode(text);
    }
    if (Array.isArray(value)) {
      if (!isSegments(value)) return value.map((inner) => visit(inner, [])).some(Boolean);
      texts.push(value.join('.'));
      return false;
    }
    if (!isRecord(value)) return false;
    for (const [key, inner] of Object.entries(value)) {
      const field = [...path, key];
      if (visit(inner, reportKey.test(key) ? [] : field)) texts.push(field.join('.'));
    }
    return false;
  };
  visit(parsed, []);
  return { texts, copied };
}

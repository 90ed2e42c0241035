// Negative data derived from the schemas: the fields of a type's data.object and each way to break one of them, applied to a copy.
import { isRecord } from '../base/is-record.js';
import { fieldPath, pointerSegments } from './pointer.js';

type Schema = Record<string, unknown>;
type JsonType = 'string' | 'number' | 'integer' | 'boolean' | 'object' | 'array' | 'null';

/** One field the schema describes, with the schemas on the way to it (data.object's first) to make absent parents from. */
export interface DescribedField {
  /** JSON pointer into data.object; array items are `/0` (`/items/0/amount`). */
  pointer: string;
  schema: Schema;
  /** The schemas of data.object and of every container on the way, then the field's own: one more than the pointer has segments. */
  trail: readonly Schema[];
  /** An element of an array (`/items/0`) rather than a named field. */
  element: boolean;
}

/** Every field `schema` (a data.object schema) describes, depth first: named properties and the first item of each array. */
export function describedFields(schema: Schema): DescribedField[] {
  const fields: DescribedField[] = [];
  const walk = (node: Schema, pointer: string, trail: readonly Schema[]): void => {
    const properties = node.properties;
    if (isRecord(properties)) {
      for (const [name, child] of Object.entries(properties)) {
        if (!isRecord(child)) continue;
        const at = `${pointer}/${name.replace(/~/g, '~0').replace(/\//g, '~1')}`;
        fields.push({ pointer: at, schema: child, trail: [...trail, child], element: false });
        walk(child, at, [...trail, child]);
      }
    }
    if (isRecord(node.items)) {
      const at = `${pointer}/0`;
      fields.push({ pointer: at, schema: node.items, trail: [...trail, node.items], element: true });
      walk(node.items, at, [...trail, node.items]);
    }
  };
  walk(schema, '', [schema]);
  return fields;
}

/** The field at `pointer` of `schema` (a data.object schema), or undefined when the schema does not describe it. */
export function fieldAt(schema: Schema, pointer: string): DescribedField | undefined {
  const trail: Schema[] = [schema];
  let element = false;
  for (const segment of pointerSegments(pointer)) {
    const node = trail.at(-1)!;
    const properties = node.properties;
    const next = isRecord(properties) && Object.hasOwn(properties, segment) ? properties[segment] : /^\d+$/.test(segment) ? node.items : undefined;
    if (!isRecord(next)) return undefined;
    element = next === node.items;
    trail.push(next);
  }
  return pointer === '' ? undefined : { pointer, schema: trail.at(-1)!, trail, element };
}

/** The ways to break a field, by name; a case's slug ends with it. */
export const mutationKinds = [
  'missing', 'null', 'wrong-type', 'empty', 'not-in-enum', 'bad-format', 'zero', 'negative', 'huge', 'fraction', 'long-string', 'non-latin-1', 'unknown-key',
] as const;
export type MutationKind = (typeof mutationKinds)[number];

/** Stands for "remove the field" where a mutation gives a value. */
const removed: unique symbol = Symbol('removed');

/** The value of a field not known when planning (each case makes its own event): every mutation applies. */
export const anyValue: unique symbol = Symbol('any value');

export interface Mutation {
  pointer: string;
  kind: MutationKind;
  /** `items.0.amount-negative`: the field's path and the kind. */
  slug: string;
  /** `data.object.items[0].amount: negative (sent -1)` */
  fault: string;
  /** Whether the answer must be a 2xx (an unknown key must be ignored), rather than a 2xx or a 4xx naming the field. */
  mustAccept: boolean;
  /** data.object with the change: only the containers on the way to the field are copied, the rest is shared. */
  apply(object: unknown): unknown;
}

/** A value of each JSON type, in the order they are tried for "wrong type". */
const wrongValues: ReadonlyArray<{ type: Exclude<JsonType, 'integer' | 'null'>; make(): unknown; text: string }> = [
  { type: 'number', make: () => 12345, text: '12345, a number' },
  { type: 'string', make: () => 'not-a-number', text: '"not-a-number", a string' },
  { type: 'boolean', make: () => true, text: 'true, a boolean' },
  { type: 'object', make: () => ({}), text: '{}, an object' },
];
const wrongValue = (types: ReadonlySet<JsonType>) => (types.size === 0 ? undefined : wrongValues.find((candidate) => !types.has(candidate.type)));

/** Invalid values for the formats the schemas use. */
const badFormats: Readonly<Record<string, string>> = {
  'date-time': 'not-a-date-time',
  date: 'not-a-date',
  email: 'not-an-email',
  uri: 'not a uri',
  uuid: 'not-a-uuid',
};

/** The key an unknown-key mutation adds, as a later API version might add one. */
export const unknownKey = 'drhookFutureField';
const unknownValue = 'added in a later API version';
const longString = 'x'.repeat(10_000);
/** CJK, an emoji sequence, right-to-left text, U+2028 (a line break to JavaScript, not to JSON) and a combining accent. */
const nonLatin1 = '東京都渋谷区 👩🏽‍💻 مرحبا בעולם\u2028Zoe\u0301';

/** A value Digital River might add to an enum tomorrow, written like the values it has (codes stay codes). */
export function newEnumValue(choices: readonly unknown[]): string {
  const sample = choices.find((choice): choice is string => typeof choice === 'string') ?? '';
  const taken = (value: string) => choices.includes(value);
  if (/^[A-Z]{2,3}$/.test(sample)) {
    const code = ['Z', 'X', 'Q'].map((letter) => letter.repeat(sample.length)).find((candidate) => !taken(candidate));
    if (code !== undefined) return code;
  }
  const words = ['announced', 'later'];
  const styled =
    /^[A-Z0-9]+(?:_[A-Z0-9]+)*$/.test(sample) ? words.join('_').toUpperCase()
    : /^[a-z0-9]+(?:-[a-z0-9]+)+$/.test(sample) ? words.join('-')
    : /^[a-z]+[A-Z]/.test(sample) ? 'announcedLater'
    : words.join('_');
  return taken(styled) ? `${styled}_2` : styled;
}

interface KindRule {
  /** The value to put in place of `current` (undefined: the kind does not apply to this field). */
  value(schema: Schema, types: ReadonlySet<JsonType>, current: unknown): unknown | typeof removed | undefined;
  words(value: unknown, types: ReadonlySet<JsonType>, schema: Schema): string;
}

const numeric = (types: ReadonlySet<JsonType>) => types.has('number') || types.has('integer');

/** How each kind breaks a field, by what its schema says it is. */
const rules: Readonly<Record<MutationKind, KindRule>> = {
  missing: { value: () => removed, words: () => 'missing' },
  null: { value: () => null, words: () => 'null' },
  'wrong-type': {
    value: (_schema, types) => wrongValue(types)?.make(),
    words: (_value, types) => `wrong type (sent ${wrongValue(types)!.text}, expected ${[...types].join(' or ')})`,
  },
  empty: {
    value: (_schema, types) => (types.has('string') ? '' : types.has('array') ? [] : types.has('object') ? {} : undefined),
    words: (value) => `empty (sent ${JSON.stringify(value)})`,
  },
  'not-in-enum': {
    value: (schema) => (Array.isArray(schema.enum) ? newEnumValue(schema.enum) : undefined),
    words: (value) => `not in the enum (sent ${JSON.stringify(value)})`,
  },
  'bad-format': {
    value: (schema, types) => (typeof schema.format === 'string' && types.has('string') ? (badFormats[schema.format] ?? `not-a-${schema.format}`) : undefined),
    words: (value, _types, schema) => `not a valid ${String(schema.format)} (sent ${JSON.stringify(value)})`,
  },
  zero: { value: (_schema, types) => (numeric(types) ? 0 : undefined), words: () => 'zero (sent 0)' },
  negative: { value: (_schema, types) => (numeric(types) ? -1 : undefined), words: () => 'negative (sent -1)' },
  huge: { value: (_schema, types) => (numeric(types) ? 1e20 : undefined), words: () => 'very large (sent 100000000000000000000)' },
  fraction: { value: (_schema, types) => (types.has('integer') ? 1.5 : undefined), words: () => 'not a whole number (sent 1.5)' },
  'long-string': { value: (_schema, types) => (types.has('string') ? longString : undefined), words: () => `a long string (sent ${longString.length} characters)` },
  'non-latin-1': {
    value: (_schema, types) => (types.has('string') ? nonLatin1 : undefined),
    words: () => 'text outside Latin-1 (sent CJK, an emoji, right-to-left text, U+2028 and a combining accent)',
  },
  'unknown-key': {
    value: (schema, types, current) => (types.has('object') ? { ...(isRecord(current) ? current : (minimalValue(schema) as object)), [unknownKey]: unknownValue } : undefined),
    words: () => `an unknown key added (${unknownKey})`,
  },
};

function typesOf(schema: Schema): Set<JsonType> {
  const declared = schema.type;
  const types = new Set((Array.isArray(declared) ? declared : declared !== undefined ? [declared] : []) as JsonType[]);
  if (types.has('integer')) types.add('number');
  return types;
}

/**
 * The mutations of `kinds` that apply to the field, in the order of `kinds`. `current` is the field's value in the event
 * they will be applied to (undefined when it has none, `anyValue` when unknown): a mutation that would leave it as it
 * is (removing an absent field, zero for a zero) is left out.
 */
export function fieldMutations(field: DescribedField, current: unknown, kinds: readonly MutationKind[]): Mutation[] {
  const types = typesOf(field.schema);
  const segments = pointerSegments(field.pointer);
  const path = fieldPath(field.pointer);
  return kinds.flatMap((kind): Mutation[] => {
    // An element is not removed: its array's own cases (missing, empty) cover that.
    if (kind === 'missing' && field.element) return [];
    const rule = rules[kind];
    const value = rule.value(field.schema, types, current);
    if (value === undefined || (value === removed ? current === undefined : sameJson(value, current))) return [];
    const words = rule.words(value === removed ? undefined : value, types, field.schema);
    return [{
      pointer: field.pointer,
      kind,
      slug: `${segments.join('.')}-${kind}`,
      fault: `${path}: ${words}`,
      mustAccept: kind === 'unknown-key',
      apply: (object) => replaceAt(object, segments, field.trail, 0, value),
    }];
  });
}

/** `container` with the value at `segments[depth…]` replaced: containers on the way copied, absent ones made minimal from `trail`. */
function replaceAt(container: unknown, segments: readonly string[], trail: readonly Schema[], depth: number, value: unknown): unknown {
  const copy: Record<string, unknown> | unknown[] =
    Array.isArray(container) ? [...container] : isRecord(container) ? { ...container } : (minimalValue(trail[depth]!) as Record<string, unknown> | unknown[]);
  const segment = segments[depth]!;
  const key: string | number = Array.isArray(copy) ? Number(segment) : segment;
  const at = copy as Record<string | number, unknown>;
  if (depth === segments.length - 1) {
    if (value !== removed) at[key] = value;
    else if (Array.isArray(copy)) copy.splice(Number(segment), 1);
    else delete at[key];
    return copy;
  }
  at[key] = replaceAt(at[key], segments, trail, depth + 1, value);
  return copy;
}

/** Sample values of the formats the schemas use, for containers made from a schema. */
const formatSamples: Readonly<Record<string, string>> = {
  'date-time': '2021-03-23T12:00:00Z',
  date: '2021-03-23',
  email: 'shopper@example.com',
  uri: 'https://www.example.com/',
  uuid: '3f2b7d4e-8a1c-4e5f-9b6a-0c1d2e3f4a5b',
};

/**
 * The smallest value the schema accepts: its required properties, each the smallest of its own. What a field absent from
 * the event is put into, so that the field is the only thing wrong with the event.
 */
export function minimalValue(schema: Schema): unknown {
  for (const listed of [schema.examples, schema.enum]) if (Array.isArray(listed) && listed.length > 0) return structuredClone(listed[0]);
  const [type] = typesOf(schema);
  switch (type) {
    case 'object': {
      const properties = isRecord(schema.properties) ? schema.properties : {};
      const required = Array.isArray(schema.required) ? (schema.required as string[]) : [];
      return Object.fromEntries(required.filter((name) => isRecord(properties[name])).map((name) => [name, minimalValue(properties[name] as Schema)]));
    }
    case 'array':
      return [];
    case 'string':
      return typeof schema.format === 'string' ? (formatSamples[schema.format] ?? 'sample') : 'sample';
    case 'number':
    case 'integer':
      return typeof schema.minimum === 'number' ? Math.max(schema.minimum, 0) : 0;
    case 'boolean':
      return false;
    default:
      return null;
  }
}

/** Whether two JSON values are equal. */
function sameJson(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null || Array.isArray(a) !== Array.isArray(b)) return false;
  const keys = Object.keys(a);
  if (keys.length !== Object.keys(b).length) return false;
  return keys.every((key) => Object.hasOwn(b, key) && sameJson((a as Record<string, unknown>)[key], (b as Record<string, unknown>)[key]));
}

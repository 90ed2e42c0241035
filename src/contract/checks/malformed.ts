// malformed.*: events whose data.object is broken (wrong shape, or a field the receiver depends on missing or wrong).
import type { DrEvent } from '../../event.js';
import type { DeliveryOutcome } from '../../outcome.js';
import { fieldSchema } from '../../schemas.js';
import type { Verdict } from '../../verdict.js';
import { answered, expectStatus, statusesText } from '../judges.js';
import type { CheckFamily } from '../plan.js';
import { fieldKey, fieldPath, pointerSegments, removePointer, setPointer } from '../pointer.js';
import { plainDelivery } from '../request.js';

/** One way to break an event: where, what, and the change itself (made on a copy). */
interface Breakage {
  slug: string;
  /** `data.object.currency: not in the enum (sent "ZZZ")` */
  fault: string;
  /** The field as a receiver may name it: key and pointer forms (empty for data.object itself). */
  names: readonly string[];
  apply(event: DrEvent): void;
}

const objectNames = ['object'];

/** Marks the "missing" breakage: the field is removed rather than set. */
const removed = Symbol('removed');

const objectBreakages: readonly Breakage[] = [
  { slug: 'data.object-missing', fault: 'data.object: missing', names: objectNames, apply: (event) => void delete (event.data as { object?: unknown }).object },
  { slug: 'data.object-null', fault: 'data.object: null', names: objectNames, apply: (event) => void (event.data.object = null) },
  { slug: 'data.object-array', fault: 'data.object: an array instead of an object', names: objectNames, apply: (event) => void (event.data.object = [event.data.object]) },
  { slug: 'data.object-string', fault: 'data.object: a string instead of an object', names: objectNames, apply: (event) => void (event.data.object = 'not an object') },
];

type JsonType = 'string' | 'number' | 'integer' | 'boolean' | 'object' | 'array' | 'null';

/** A value of each JSON type, in the order they are tried for "wrong type". */
const wrongValues: ReadonlyArray<{ type: Exclude<JsonType, 'integer'>; value: unknown; text: string }> = [
  { type: 'number', value: 12345, text: '12345, a number' },
  { type: 'string', value: 'not-a-number', text: '"not-a-number", a string' },
  { type: 'boolean', value: true, text: 'true, a boolean' },
  { type: 'object', value: {}, text: '{}, an object' },
];

const jsonTypeOf = (value: unknown): JsonType | undefined =>
  value === null ? 'null' : Array.isArray(value) ? 'array' : (['string', 'number', 'boolean', 'object'] as const).find((type) => typeof value === type);

/** Invalid values for the formats the schemas use. */
const badFormats: Readonly<Record<string, string>> = {
  'date-time': 'not-a-date-time',
  date: 'not-a-date',
  email: 'not-an-email',
  uri: 'not a uri',
  uuid: 'not-a-uuid',
};

/** `sample` is a generated event of the type, consulted only when the schema does not say the field's type. */
function fieldBreakages(type: string, pointer: string, sample: () => DrEvent): Breakage[] {
  const path = fieldPath(pointer);
  const key = fieldKey(pointer);
  const names = [...(key !== undefined ? [key] : []), `/data/object${pointer}`, path, `data.object.${pointerSegments(pointer).join('.')}`, pointer];
  const at = (fault: string, slug: string, value: unknown | typeof removed): Breakage => ({
    slug: `${pointerSegments(pointer).join('.')}-${slug}`,
    fault: `${path}: ${fault}`,
    names,
    apply: (event) =>
      value === removed ? removePointer(event.data.object, pointer) : setPointer(event.data.object as Record<string, unknown>, pointer, value),
  });
  const schema = fieldSchema(type, pointer);
  const declared = schema?.type;
  const inferred = declared === undefined ? jsonTypeOf(readField(sample(), pointer)) : undefined;
  const allowed = new Set<JsonType>((Array.isArray(declared) ? declared : declared !== undefined ? [declared] : inferred !== undefined ? [inferred] : []) as JsonType[]);
  if (allowed.has('integer')) allowed.add('number');
  const breakages = [at('missing', 'missing', removed), at('null', 'null', null)];
  const wrong = allowed.size > 0 ? wrongValues.find((candidate) => !allowed.has(candidate.type)) : undefined;
  if (wrong) breakages.push(at(`wrong type (sent ${wrong.text}, expected ${[...allowed].join(' or ')})`, 'wrong-type', wrong.value));
  const choices = schema?.enum;
  if (Array.isArray(choices)) {
    const value = ['ZZZ', 'not-in-the-enum'].find((candidate) => !choices.includes(candidate)) ?? 'not-in-the-enum';
    breakages.push(at(`not in the enum (sent "${value}")`, 'not-in-enum', value));
  }
  const format = typeof schema?.format === 'string' ? schema.format : undefined;
  if (format !== undefined && allowed.has('string')) {
    const value = badFormats[format] ?? `not-a-${format}`;
    breakages.push(at(`not a valid ${format} (sent "${value}")`, 'bad-format', value));
  }
  return breakages;
}

function readField(event: DrEvent, pointer: string): unknown {
  return pointerSegments(pointer).reduce<unknown>(
    (value, segment) => (typeof value === 'object' && value !== null ? (value as Record<string, unknown>)[segment] : undefined),
    event.data.object,
  );
}

/** True when `text` names the field: one of its names, not as part of a longer word. */
function namesField(text: string, names: readonly string[]): boolean {
  return names.some((name) => new RegExp(`(?<![A-Za-z0-9_])${name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(?![A-Za-z0-9_])`, 'i').test(text));
}

function judgeMessage(allowed: readonly number[], breakage: Breakage) {
  const wanted = breakage.names === objectNames ? '"data.object" or "object"' : `"${breakage.names[0]}" or its pointer ${breakage.names[1]}`;
  return ([outcome]: readonly DeliveryOutcome[]): Verdict => {
    if (outcome?.kind !== 'response' || !allowed.includes(outcome.status)) {
      const what = outcome === undefined ? 'nothing was delivered' : answered(outcome);
      return { status: 'fail', reason: `${what}, not ${statusesText(allowed)}, so there is no 400 message to judge` };
    }
    const excerpt = outcome.body.text.replace(/\s+/g, ' ').trim().slice(0, 160);
    return namesField(outcome.body.text, breakage.names)
      ? { status: 'pass', reason: `the ${outcome.status} answer names the field: "${excerpt}"` }
      : {
          status: 'fail',
          reason: `the ${outcome.status} answer does not name the field (expected ${wanted}): "${excerpt || '(empty body)'}"; say which field is wrong and why`,
        };
  };
}

export const malformedFamily: CheckFamily = {
  checks: ['malformed.400', 'malformed.message'],
  plan(context) {
    const allowed = context.allowedStatuses('malformed.400');
    const mode = context.mode;
    const cases = context.events.flatMap(({ type, requires }) => {
      const sample = () => context.event('malformed', { eventType: type, mode, slug: 'sample' });
      const breakages = [...objectBreakages, ...requires.flatMap((pointer) => fieldBreakages(type, pointer, sample))];
      return breakages.map((breakage) => {
        const at = { eventType: type, mode, slug: breakage.slug };
        return context.makeCase('malformed', {
          ...at,
          control: 'the malformed data.object',
          build: () => {
            const event = context.event('malformed', at);
            breakage.apply(event);
            return { fault: breakage.fault, deliveries: [plainDelivery(event)] };
          },
          judges: {
            'malformed.400': ([outcome]) =>
              expectStatus(outcome, allowed, context.settings.deadlineMs, `a malformed data.object must be answered with ${statusesText(allowed)} (and a message naming the field)`),
            'malformed.message': judgeMessage(allowed, breakage),
          },
        });
      });
    });
    return { cases };
  },
};

// malformed.*: events whose data.object is broken (wrong shape, or a field the receiver depends on missing or wrong).
import type { DrEvent } from '../../events/event.js';
import type { DeliveryOutcome } from '../../wire/outcome.js';
import { fieldSchema } from '../../events/schemas.js';
import type { Verdict } from '../../wire/verdict.js';
import { fieldMatcher, ownWords, sentRequest, type FieldMatcher } from '../answer-names.js';
import { answered, expectStatus, statusesText } from '../judges.js';
import { checkFamily, type Judge, type PlanContext } from '../family.js';
import { fieldKey, fieldPath, pointerSegments, removePointer, setPointer } from '../../events/pointer.js';
import { plainDelivery, type DeliverySpec } from '../request.js';

/** One way to break an event: where, what, and the change itself (made on a copy). */
interface Breakage {
  slug: string;
  /** `data.object.currency: not in the enum (sent "ZZZ")` */
  fault: string;
  /** Finds the field's names in an answer (its key, dotted path or JSON pointer); one per field, shared by its breakages. */
  matcher: FieldMatcher;
  /** The names a failing verdict asks for. */
  wanted: string;
  apply(event: DrEvent): void;
}

const objectNames = {
  matcher: fieldMatcher({ rooted: ['data.object', '/data/object'], relative: [], key: { name: 'object', commonWord: true, qualifiers: [] } }),
  wanted: '"data.object" or its pointer /data/object',
};

/** Marks the "missing" breakage: the field is removed rather than set. */
const removed = Symbol('removed');

const objectBreakages: readonly Breakage[] = [
  { slug: 'data.object-missing', fault: 'data.object: missing', ...objectNames, apply: (event) => void delete (event.data as { object?: unknown }).object },
  { slug: 'data.object-null', fault: 'data.object: null', ...objectNames, apply: (event) => void (event.data.object = null) },
  { slug: 'data.object-array', fault: 'data.object: an array instead of an object', ...objectNames, apply: (event) => void (event.data.object = [event.data.object]) },
  { slug: 'data.object-string', fault: 'data.object: a string instead of an object', ...objectNames, apply: (event) => void (event.data.object = 'not an object') },
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
  const names = fieldNames(type, pointer);
  const at = (fault: string, slug: string, value: unknown | typeof removed): Breakage => ({
    slug: `${pointerSegments(pointer).join('.')}-${slug}`,
    fault: `${path}: ${fault}`,
    ...names,
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

/**
 * How a receiver may name the field at `pointer`: `/data/object/subscription/id`, `data.object.subscription.id`,
 * `/subscription/id`, `subscription.id`, `object.subscription.id`, or `id` alone where no other word or path makes it another field's.
 */
function fieldNames(type: string, pointer: string): Pick<Breakage, 'matcher' | 'wanted'> {
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
  });
  return { matcher, wanted: `${key !== undefined ? `"${key}", ` : ''}"${path}" or its pointer /data/object${pointer}` };
}

function readField(event: DrEvent, pointer: string): unknown {
  return pointerSegments(pointer).reduce<unknown>(
    (value, segment) => (typeof value === 'object' && value !== null ? (value as Record<string, unknown>)[segment] : undefined),
    event.data.object,
  );
}

/** `sent()` is what the case delivered: an answer's copies of it (an echoed event, its id) name nothing. */
function judgeMessage(allowed: readonly number[], breakage: Breakage, sent: () => DeliverySpec) {
  return ([outcome]: readonly DeliveryOutcome[]): Verdict => {
    if (outcome?.kind !== 'response' || !allowed.includes(outcome.status)) {
      const what = outcome === undefined ? 'nothing was delivered' : answered(outcome);
      return { status: 'fail', reason: `${what}, not ${statusesText(allowed)}, so there is no 400 message to judge` };
    }
    // The body was redacted when the delivery was recorded: the cut can split a mask, never a secret.
    const excerpt = outcome.body.text.replace(/\s+/g, ' ').trim().slice(0, 160);
    const delivery = sent();
    const own = ownWords(outcome.body.text, sentRequest(delivery.event));
    if (own.texts.some((text) => breakage.matcher.whole(text) || breakage.matcher.inText(text))) {
      return { status: 'pass', reason: `the ${outcome.status} answer names the field: "${excerpt}"` };
    }
    const copies = own.copied ? ' (what it repeats of the event sent does not count)' : '';
    return {
      status: 'fail',
      reason: `the ${outcome.status} answer does not name the field${copies} (expected ${breakage.wanted}): "${excerpt || '(empty body)'}"; say which field is wrong and why`,
    };
  };
}

/** The status the rule wants: the scenario's statuses for malformed.400 (400 by default), within the deadline. */
function judgeStatus(context: PlanContext): Judge {
  const allowed = context.allowedStatuses('malformed.400');
  return ([outcome]) =>
    expectStatus(outcome, allowed, context.settings.deadlineMs, `a malformed data.object must be answered with ${statusesText(allowed)} (and a message naming the field)`);
}

export const malformedFamily = checkFamily({
  judges: {
    'malformed.400': judgeStatus,
    'malformed.message': (context) => {
      const allowed = context.allowedStatuses('malformed.400');
      return (breakage: Breakage, sent: () => DeliverySpec) => judgeMessage(allowed, breakage, sent);
    },
  },
  plan(context, judges) {
    const mode = context.mode;
    const cases = context.events.flatMap(({ type, requires }) => {
      const sample = () => context.event('malformed', { eventType: type, mode, slug: 'sample' });
      const breakages = [...objectBreakages, ...requires.flatMap((pointer) => fieldBreakages(type, pointer, sample))];
      return breakages.map((breakage) => {
        const at = { eventType: type, mode, slug: breakage.slug };
        let delivery: DeliverySpec | undefined;
        return context.makeCase('malformed', {
          ...at,
          control: 'the malformed data.object',
          build: () => {
            const event = context.event('malformed', at);
            breakage.apply(event);
            delivery = plainDelivery(event);
            return { fault: breakage.fault, deliveries: [delivery] };
          },
          judges: {
            'malformed.400': judges['malformed.400'],
            // A case is built before it is sent, so before it is judged.
            'malformed.message': judges['malformed.message'](breakage, () => delivery!),
          },
        });
      });
    });
    return { cases };
  },
});

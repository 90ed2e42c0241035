// malformed.*: events whose data.object is broken (wrong shape, or a field the receiver depends on missing or wrong).
import type { DrEvent } from '../../events/event.js';
import { anyValue, fieldAt, fieldMutations, type MutationKind } from '../../events/mutations.js';
import { objectSchemaBundle } from '../../events/schemas.js';
import type { DeliveryOutcome } from '../../wire/outcome.js';
import type { Verdict } from '../../wire/verdict.js';
import { answerExcerpt, answerNames, fieldMatcher, fieldNames, type NamedField } from '../answer-names.js';
import { answered, expectStatus, statusesText } from '../judges.js';
import { checkFamily, type Judge, type PlanContext } from '../family.js';
import { plainDelivery, type DeliverySpec } from '../request.js';

/** One way to break an event: where, what, and the change itself (made on a copy of data.object). */
interface Breakage {
  slug: string;
  /** `data.object.currency: not in the enum (sent "ZZZ")` */
  fault: string;
  /** Finds the field's names in an answer; one per field, shared by its breakages. */
  names: NamedField;
  apply(event: DrEvent): void;
}

const objectNames: NamedField = {
  matcher: fieldMatcher({ rooted: ['data.object', '/data/object'], relative: [], key: { name: 'object', commonWord: true, qualifiers: [] } }),
  wanted: '"data.object" or its pointer /data/object',
};

const objectBreakages: readonly Breakage[] = [
  { slug: 'data.object-missing', fault: 'data.object: missing', names: objectNames, apply: (event) => void delete (event.data as { object?: unknown }).object },
  { slug: 'data.object-null', fault: 'data.object: null', names: objectNames, apply: (event) => void (event.data.object = null) },
  { slug: 'data.object-array', fault: 'data.object: an array instead of an object', names: objectNames, apply: (event) => void (event.data.object = [event.data.object]) },
  { slug: 'data.object-string', fault: 'data.object: a string instead of an object', names: objectNames, apply: (event) => void (event.data.object = 'not an object') },
];

/** What the declared contract demands a 400 for: a required field missing, null, of the wrong type, off its enum or format. */
export const contractKinds: readonly MutationKind[] = ['missing', 'null', 'wrong-type', 'not-in-enum', 'bad-format'];

/** The breakages of a field the scenario requires, each applied to the case's own event. */
function fieldBreakages(type: string, pointer: string): Breakage[] {
  const field = fieldAt(objectSchemaBundle(type), pointer);
  if (field === undefined) return [];
  const names = fieldNames(type, pointer);
  // Each case makes its own event: every kind applies whatever it holds (a field it lacks is still sent missing).
  return fieldMutations(field, anyValue, contractKinds).map((mutation) => ({
    slug: mutation.slug,
    fault: mutation.fault,
    names,
    apply: (event) => void (event.data.object = mutation.apply(event.data.object)),
  }));
}

/** `sent()` is what the case delivered: an answer's copies of it (an echoed event, its id) name nothing. */
function judgeMessage(allowed: readonly number[], breakage: Breakage, sent: () => DeliverySpec) {
  return ([outcome]: readonly DeliveryOutcome[]): Verdict => {
    if (outcome?.kind !== 'response' || !allowed.includes(outcome.status)) {
      const what = outcome === undefined ? 'nothing was delivered' : answered(outcome);
      return { status: 'fail', reason: `${what}, not ${statusesText(allowed)}, so there is no 400 message to judge` };
    }
    const excerpt = answerExcerpt(outcome.body.text);
    const found = answerNames(outcome.body.text, sent().event, breakage.names.matcher);
    if (found.names) return { status: 'pass', reason: `the ${outcome.status} answer names the field: "${excerpt}"` };
    const copies = found.copied ? ' (what it repeats of the event sent does not count)' : '';
    return {
      status: 'fail',
      reason: `the ${outcome.status} answer does not name the field${copies} (expected ${breakage.names.wanted}): "${excerpt || '(empty body)'}"; say which field is wrong and why`,
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
      const breakages = [...objectBreakages, ...requires.flatMap((pointer) => fieldBreakages(type, pointer))];
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

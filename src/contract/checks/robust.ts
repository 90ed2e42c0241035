// malformed.robust: every field of data.object the contract does not demand, broken one way at a time in the valid event of its type.
import type { DrEvent, Mode } from '../../events/event.js';
import { describedFields, fieldMutations, mutationKinds, type MutationKind, type Mutation } from '../../events/mutations.js';
import { orderIdOf } from '../../events/order-ref.js';
import { getPointer } from '../../events/pointer.js';
import { objectSchemaBundle } from '../../events/schemas.js';
import type { Verdict } from '../../wire/verdict.js';
import { answerExcerpt, answerNames, fieldNames, type NamedField } from '../answer-names.js';
import { answered, isSuccess } from '../judges.js';
import { checkFamily, type CaseOutline, type Judge, type PlanContext } from '../family.js';
import type { MutationCoverage, TypeCoverage } from '../results.js';
import { lazyDelivery, type DeliverySpec } from '../request.js';
import type { EventSetting } from '../settings.js';

/** What a field the base event lacks gets at the default depth: enough to see a handler trip over it being there. */
const absentKinds: readonly MutationKind[] = ['null', 'wrong-type'];

const crashAdvice = 'Digital River counts it as a failed delivery and disables endpoints that keep failing';

/**
 * The judge of one case: a 2xx passes (the handler does not rely on the field), so does a 4xx naming the field, within
 * the deadline; an unknown key must get a 2xx. Anything else fails.
 */
function judgeRobust(context: PlanContext) {
  const { deadlineMs } = context.settings;
  return (mutation: Mutation, names: () => NamedField, sent: () => DeliverySpec): Judge =>
    ([outcome]): Verdict => {
      if (outcome === undefined) return { status: 'fail', reason: 'nothing was delivered' };
      const what = answered(outcome);
      if (outcome.kind !== 'response') return { status: 'fail', reason: `${what}; ${crashAdvice}: accept the event with a 2xx, or reject it with a 4xx naming the field` };
      if (outcome.durationMs > deadlineMs) return { status: 'fail', reason: `${what}, after the ${deadlineMs} ms deadline; ${crashAdvice}` };
      const { status } = outcome;
      if (isSuccess(status)) return { status: 'pass', reason: `${what}: the field is not relied on` };
      if (mutation.mustAccept) {
        return { status: 'fail', reason: `${what}; keys it does not know must be ignored with a 2xx: Digital River adds fields over time, and counts a rejection as a failed delivery` };
      }
      if (status >= 400 && status < 500) {
        const excerpt = answerExcerpt(outcome.body.text);
        const field = names();
        const found = answerNames(outcome.body.text, sent().event, field.matcher);
        if (found.names) return { status: 'pass', reason: `${what}, naming the field: "${excerpt}"` };
        const copies = found.copied ? ' (what it repeats of the event sent does not count)' : '';
        return {
          status: 'fail',
          reason: `${what}, but the answer does not name the field${copies} (expected ${field.wanted}): "${excerpt || '(empty body)'}"; accept the event with a 2xx, or say which field is wrong`,
        };
      }
      const why = status >= 500 ? 'the handler failed on it' : status >= 300 && status < 400 ? 'Digital River never follows a redirect' : 'not a final answer';
      return { status: 'fail', reason: `${what}: ${why}; ${crashAdvice}: accept the event with a 2xx, or reject it with a 4xx naming the field` };
    };
}

interface TypeMutations {
  base: DrEvent;
  present: Mutation[];
  absent: Mutation[];
  coverage: Omit<TypeCoverage, 'absentCases'> & { absentOf: number };
}

/**
 * The types' mutations planned lately, by all they depend on: a Playwright suite plans each of its thousands of cases on
 * its own, and would otherwise make the same base event and walk the same schema for every one.
 */
const recent = new Map<string, TypeMutations>();
const RECENT_TYPES = 32;

function typeMutations(context: PlanContext, setting: EventSetting, mode: Mode): TypeMutations {
  const { settings } = context;
  const key = JSON.stringify([settings.seed, setting, mode, settings.mutations.kind, settings.knownIds.order, settings.captured[setting.type] ?? null]);
  let found = recent.get(key);
  if (!found) {
    found = planType(context, setting, mode);
    if (recent.size >= RECENT_TYPES) recent.delete(recent.keys().next().value!);
    recent.set(key, found);
  }
  return found;
}

/**
 * The base event of a type and every mutation the depth allows. Left out: the fields the contract demands (malformed.400
 * judges them), and those naming the order the event is about (a receiver may answer 404 to an order it does not know:
 * environment.unknown-resource's concern).
 */
function planType(context: PlanContext, setting: EventSetting, mode: Mode): TypeMutations {
  const { type, requires, expanded } = setting;
  // The valid event ack.2xx sends: a case that fails where it passed is about the one field changed.
  const base = freeze(context.validEventOf(type, mode));
  const object = base.data.object;
  const demanded = new Set(requires);
  const orderId = orderIdOf(base);
  const orderReferences: string[] = [];
  const present: Mutation[] = [];
  const absent: Mutation[] = [];
  let fields = 0;
  let presentFields = 0;
  for (const field of describedFields(objectSchemaBundle(type, { expanded }))) {
    if (demanded.has(field.pointer)) continue;
    const current = getPointer(object, field.pointer);
    if (orderId !== undefined && current === orderId) {
      orderReferences.push(field.pointer);
      continue;
    }
    fields++;
    if (current === undefined) {
      absent.push(...fieldMutations(field, current, context.settings.mutations.kind === 'all' ? mutationKinds : absentKinds));
      continue;
    }
    presentFields++;
    present.push(...fieldMutations(field, current, mutationKinds));
  }
  return {
    base,
    present,
    absent,
    coverage: { type, fields, presentFields, presentCases: present.length, absentOf: absent.length, demanded: [...demanded], orderReferences },
  };
}

/** Freezes the base event: every case shares the parts of it that it does not change. */
function freeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    for (const inner of Object.values(value)) freeze(inner);
    Object.freeze(value);
  }
  return value;
}

export const robustFamily = checkFamily({
  judges: { 'malformed.robust': judgeRobust },
  plan(context, judges) {
    const mode = context.mode;
    const { mutations: depth, caseId } = context.settings;
    // A --case run makes only its own type's.
    const perType = context.events
      .filter(({ type }) => context.mayKeep('malformed.robust', type, mode))
      .map((setting) => ({ setting, ...typeMutations(context, setting, mode) }));

    // Past the budget, the absent fields' cases are sampled by the seed; present fields keep every case. A --case run
    // plans every case, so the one it names is there whatever the others are.
    const presentTotal = perType.reduce((sum, entry) => sum + entry.present.length, 0);
    const absentTotal = perType.reduce((sum, entry) => sum + entry.absent.length, 0);
    const room = depth.kind === 'all' || caseId !== undefined ? absentTotal : Math.max(0, depth.cases - presentTotal);
    const sampled = room < absentTotal;
    const chosen = new Set<Mutation>();
    if (sampled) {
      const ranked = perType.flatMap(({ setting, absent }) =>
        absent.map((mutation) => ({ mutation, rank: context.random('robust', `${setting.type}/${mode}/${mutation.slug}#sample`).uint32() })),
      );
      ranked.sort((a, b) => a.rank - b.rank);
      for (const { mutation } of ranked.slice(0, room)) chosen.add(mutation);
    }

    const cases: Array<CaseOutline | undefined> = [];
    const coverage: MutationCoverage = { depth: depth.kind === 'all' ? 'all' : { budget: depth.cases }, sampled, types: [] };
    for (const { setting, base, present, absent, coverage: counts } of perType) {
      const kept = sampled ? absent.filter((mutation) => chosen.has(mutation)) : absent;
      const { absentOf, ...rest } = counts;
      coverage.types.push({ ...rest, absentCases: { planned: kept.length, of: absentOf } });
      const names = new Map<string, NamedField>();
      const namesOf = (pointer: string) => () => {
        let found = names.get(pointer);
        if (!found) names.set(pointer, (found = fieldNames(setting.type, pointer, { within: true })));
        return found;
      };
      for (const mutation of [...present, ...kept]) {
        if (!context.mayKeep('malformed.robust', setting.type, mode, mutation.slug)) continue;
        const at = { eventType: setting.type, mode, slug: mutation.slug };
        let delivery: DeliverySpec | undefined;
        cases.push(
          context.makeCase('robust', {
            ...at,
            mutation: { pointer: mutation.pointer, kind: mutation.kind },
            build: () => {
              // A fresh id per case: a receiver that skips event ids it has seen must still read this one.
              const id = context.random('robust', `${setting.type}/${mode}/${mutation.slug}`).uuid();
              const event: DrEvent = { ...base, id, data: { ...base.data, object: mutation.apply(base.data.object) } };
              delivery = lazyDelivery(event);
              return { fault: mutation.fault, deliveries: [delivery] };
            },
            // A case is built before it is sent, so before it is judged.
            judges: { 'malformed.robust': judges['malformed.robust'](mutation, namesOf(mutation.pointer), () => delivery!) },
          }),
        );
      }
    }
    return { cases, coverage };
  },
});

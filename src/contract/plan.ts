// Plans a contract run: each check family turns the settings into cases; a case is deliveries plus the judges of them.
import { UsageError } from '../base/errors.js';
import type { DrEvent, Mode } from '../events/event.js';
import { copyJson } from '../events/schemas.js';
import { generateEvent } from '../events/generate.js';
import { setOrderId } from '../events/order-ref.js';
import { createRandom, deriveSeed } from '../base/random.js';
import { closestMatch } from '../base/did-you-mean.js';
import { checks as catalog, type CheckId } from '../catalog/checks.js';
import { families, familyOf } from './checks/index.js';
import type { CaseInput, CaseOutline, CheckFamily, FamilyJudges, Judge, PlanContext, PlannedCase } from './family.js';
import type { MutationCoverage } from './results.js';
import { plainDelivery } from './request.js';
import type { ContractSettings } from './settings.js';

/** A plan whose events are made only when a case is built, so a run can send some cases while it makes the others. */
export interface ContractOutline {
  /**
   * The cases in plan order, then one valid event per event type and mode that rejection cases compare with: it applies
   * only when no case provides that control and a rejection case of that type and mode applies.
   */
  cases: readonly CaseOutline[];
  /** Which fields malformed.robust breaks and how deep, when it runs. */
  coverage?: MutationCoverage;
  /** The plan with every case built: what planContract returns. Throws a UsageError when the --case names no case that applies. */
  finish(): ContractPlan;
}

export type PlannedCheck = { id: CheckId; status: 'planned' } | { id: CheckId; status: 'skipped'; reason: string };

export interface ContractPlan {
  checks: PlannedCheck[];
  cases: PlannedCase[];
  coverage?: MutationCoverage;
}

/** Which control a case provides or needs: its event type and mode. */
export function controlKey(planned: Pick<PlannedCase, 'eventType' | 'mode'>): string {
  return `${planned.eventType}/${planned.mode}`;
}

export function caseId(checkId: CheckId, planned: Pick<PlannedCase, 'eventType' | 'mode' | 'slug'>): string {
  return `${checkId}/${planned.eventType}/${planned.mode}/${planned.slug}`;
}

/** FNV-1a: a stable 32-bit number for a case key. */
function hash32(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) hash = Math.imul(hash ^ text.charCodeAt(i), 0x01000193) >>> 0;
  return hash;
}

/** Plans a run and makes every event of it. */
export function planContract(settings: ContractSettings): ContractPlan {
  return outlineContract(settings).finish();
}

/** Plans a run without making its events: each case makes them when it is built. Seeded per case, so the order does not matter. */
export function outlineContract(settings: ContractSettings): ContractOutline {
  const ackModes: Mode[] = settings.mode === 'both' ? ['test', 'live'] : [settings.mode];
  const mode = ackModes[0]!;
  const prerequisiteSkips = new Map<CheckId, string>();
  for (const id of settings.checks) {
    const reason = unmetPrerequisite(settings, id, mode);
    if (reason !== undefined) prerequisiteSkips.set(id, reason);
  }
  const running = new Set(settings.checks.filter((id) => !prerequisiteSkips.has(id)));
  /** Every case id the families planned, for suggestions when --case names none of them. */
  const plannedIds: string[] = [];
  const keyOf = (family: string, input: { eventType: string; mode: Mode; slug: string }) => `${family}/${input.eventType}/${input.mode}/${input.slug}`;
  /** The valid event of each type and mode, made once. */
  const validEvents = new Map<string, DrEvent>();

  const context: PlanContext = {
    settings,
    events: settings.events,
    ackModes,
    mode,
    allowedStatuses: (id) => settings.policies[id].allowedStatuses ?? catalog[id].defaultAllowedStatuses ?? [],
    mayKeep: (checkId, eventType, mode, slug) =>
      running.has(checkId) && (settings.caseId === undefined || (slug === undefined ? settings.caseId.startsWith(`${checkId}/${eventType}/${mode}/`) : settings.caseId === caseId(checkId, { eventType, mode, slug }))),
    makeCase(family, input) {
      const judges = (Object.entries(input.judges) as Array<[CheckId, Judge]>)
        .filter(([id]) => running.has(id))
        .map(([checkId, judge]) => ({ checkId, judge }));
      plannedIds.push(...judges.map((j) => caseId(j.checkId, input)));
      const kept = settings.caseId === undefined ? judges : judges.filter((j) => caseId(j.checkId, input) === settings.caseId);
      return kept.length === 0 ? undefined : outline(family, input, kept, () => true);
    },
    validEvent(eventType, mode) {
      const at = { eventType, mode, slug: 'valid-event' };
      return { ...at, provides: true, build: () => ({ fault: 'valid event', deliveries: [plainDelivery(context.validEventOf(eventType, mode))] }) };
    },
    validEventOf(eventType, mode) {
      const at = { eventType, mode, slug: 'valid-event' };
      let made = validEvents.get(keyOf('ack', at));
      if (!made) validEvents.set(keyOf('ack', at), (made = context.event('ack', at)));
      return copyJson(made);
    },
    event(family, input, options = {}) {
      const key = hash32(`${keyOf(family, input)}#${options.index ?? 0}`);
      const expanded = settings.events.find((event) => event.type === input.eventType)?.expanded ?? false;
      const itemCount = options.itemCount !== undefined ? { itemCount: options.itemCount } : {};
      const event = generateEvent(input.eventType, { seed: deriveSeed(settings.seed, key), mode: input.mode, expanded, digitalriverVersion: settings.digitalriverVersion, ...itemCount });
      // A captured event stands in for the generated one, but for resources never seen (environment) and an item count
      // of the case's own (payload.large). It keeps its resources and takes the case's id and mode: a receiver that
      // skips ids it has seen must still read every case.
      const captured = settings.captured[input.eventType];
      if (captured !== undefined && family !== 'environment' && options.itemCount === undefined) {
        return { ...copyJson(captured[key % captured.length]!), id: event.id, liveMode: input.mode === 'live' };
      }
      const known = settings.knownIds.order;
      // environment.unknown-resource is about resources never seen: its events keep their fresh ids.
      if (family !== 'environment' && known.length > 0) setOrderId(event, known[key % known.length]!);
      return event;
    },
    random: (family, slug) => createRandom(deriveSeed(settings.seed, hash32(`${family}/${slug}`))),
  };

  /** The outline of a case whose `build` makes it when `applies()` (asked then) and the input's own build allow. */
  function outline(family: string, input: Omit<CaseInput, 'judges'>, judges: PlannedCase['judges'], applies: () => boolean): CaseOutline {
    const { eventType, mode, slug } = input;
    const key = keyOf(family, input);
    const events = input.events ?? [eventType];
    const simultaneous = input.simultaneous ?? false;
    const provides = input.provides ?? false;
    const control = input.control !== undefined ? { control: input.control } : {};
    const mutation = input.mutation !== undefined ? { mutation: input.mutation } : {};
    let built: { planned: PlannedCase | undefined } | undefined;
    return {
      key, eventType, mode, slug, ...mutation, events, simultaneous, judges, provides, ...control,
      build() {
        if (!built) {
          const made = applies() ? input.build() : undefined;
          const planned = made && { key, eventType, mode, slug, ...mutation, fault: made.fault, events, deliveries: made.deliveries, simultaneous, judges, provides, ...control };
          built = { planned };
        }
        return built.planned;
      },
    };
  }

  const familySkips = new Map<CheckId, string>();
  let coverage: MutationCoverage | undefined;
  const planned: CaseOutline[] = [];
  const planning = new Set<CheckFamily>([...running].map((id) => familyOf[id]));
  for (const family of families) {
    if (!planning.has(family)) continue;
    const result = planFamily(family, context);
    for (const entry of result.cases) if (entry) planned.push(entry);
    for (const [id, reason] of Object.entries(result.skipped ?? {}) as Array<[CheckId, string]>) familySkips.set(id, reason);
    coverage ??= result.coverage;
  }
  if (settings.caseId !== undefined && planned.length === 0) throw unknownCase(settings.caseId, plannedIds);

  // Rejection cases whose control no case provides get it sent on its own, unjudged.
  const applying = (test: (candidate: CaseOutline) => boolean) => planned.some((candidate) => test(candidate) && candidate.build() !== undefined);
  const controls = new Map<string, CaseOutline>();
  for (const rejection of planned) {
    const key = controlKey(rejection);
    if (rejection.control === undefined || controls.has(key)) continue;
    const needed = () =>
      !applying((candidate) => candidate.provides && controlKey(candidate) === key) &&
      applying((candidate) => candidate.control !== undefined && controlKey(candidate) === key);
    controls.set(key, outline('ack', context.validEvent(rejection.eventType, rejection.mode), [], needed));
  }

  return {
    cases: [...planned, ...controls.values()],
    ...(coverage ? { coverage } : {}),
    finish() {
      const cases = planned.flatMap((candidate) => candidate.build() ?? []);
      if (settings.caseId !== undefined && cases.length === 0) throw unknownCase(settings.caseId, plannedIds);
      const provided = new Set(cases.filter((entry) => entry.provides).map(controlKey));
      for (const entry of [...cases]) {
        if (entry.control === undefined || provided.has(controlKey(entry))) continue;
        provided.add(controlKey(entry));
        cases.push(controls.get(controlKey(entry))!.build()!);
      }
      const judged = new Set(cases.flatMap((entry) => entry.judges.map((j) => j.checkId)));
      const checks = settings.checks.flatMap((id): PlannedCheck[] => {
        if (judged.has(id)) return [{ id, status: 'planned' }];
        if (settings.caseId !== undefined) return [];
        const reason = prerequisiteSkips.get(id) ?? familySkips.get(id) ?? 'no case applies to the selected event types';
        return [{ id, status: 'skipped', reason }];
      });
      return { checks, cases, ...(coverage ? { coverage } : {}) };
    },
  };
}

/** A family's cases, judged by the judges its makers make for this plan. */
function planFamily<Made extends FamilyJudges>(family: CheckFamily<Made>, context: PlanContext): ReturnType<CheckFamily['plan']> {
  const makers = Object.entries(family.judges) as Array<[string, (context: PlanContext) => unknown]>;
  const judges = Object.fromEntries(makers.map(([id, make]) => [id, make(context)])) as Made;
  return family.plan(context, judges);
}

function unknownCase(id: string, known: readonly string[]): UsageError {
  const guess = closestMatch(id, known);
  return new UsageError(`--case ${id}: no such case in this run${guess ? ` (did you mean ${guess}?)` : '; use the --only, --events, --mode and --seed of the run that reported it'}`);
}

/** Why no signature check runs in an unsigned run. */
export const unsignedReason = 'not run: the events are sent unsigned (--unsigned), as for a receiver that does not verify signatures';

/** Why check `id` cannot run, when it cannot; the signature checks sign in `mode`, the mode of the non-ack checks. */
function unmetPrerequisite(settings: ContractSettings, id: CheckId, mode: Mode): string | undefined {
  const needs = catalog[id].needs;
  if (settings.unsigned && (needs === 'signing-token' || needs === 'both-mode-tokens')) return unsignedReason;
  switch (needs) {
    case 'none':
      return undefined;
    case 'signing-token':
      return settings.secrets[mode].length === 0 ? `no signing token given for ${mode} mode (${tokenSource(mode)})` : undefined;
    case 'both-mode-tokens': {
      const missing = (['test', 'live'] as const).filter((mode) => settings.secrets[mode].length === 0);
      return missing.length > 0 ? `needs the signing tokens of both modes; missing: ${missing.map(tokenSource).join('; ')}` : undefined;
    }
    case 'auth':
      return settings.auth.kind === 'none' ? 'the webhook has no authentication configured (--auth basic or oauth, or auth in the scenario)' : undefined;
  }
}

function tokenSource(mode: Mode): string {
  return mode === 'test' ? 'test: --secret or DRHOOK_TEST_SECRET' : 'live: --live-secret or DRHOOK_LIVE_SECRET';
}

// Plans a contract run: each check family turns the settings into cases; a case is deliveries plus the judges of them.
import { UsageError } from '../errors.js';
import type { DrEvent, Mode } from '../event.js';
import { generateEvent } from '../generate.js';
import type { DeliveryOutcome } from '../outcome.js';
import { createRandom, deriveSeed, type Random } from '../random.js';
import type { Verdict } from '../verdict.js';
import { closestMatch } from '../did-you-mean.js';
import { checks as catalog, type CheckId } from './catalog.js';
import { ackFamily } from './checks/ack.js';
import { authFamily } from './checks/auth.js';
import { compatFamily } from './checks/compat.js';
import { environmentFamily } from './checks/environment.js';
import { malformedFamily } from './checks/malformed.js';
import { patternsFamily } from './checks/patterns.js';
import { signatureFamily } from './checks/signature.js';
import { plainDelivery, type DeliverySpec } from './request.js';
import type { ContractSettings, EventSetting } from './settings.js';

/** Judges the outcomes of a case's deliveries (in delivery order) by one check's rule. */
export type Judge = (outcomes: readonly DeliveryOutcome[]) => Verdict;

export interface PlannedCase {
  /** `<family>/<event type>/<mode>/<slug>`: names the case and seeds its events, so a rerun makes the same ones. */
  key: string;
  eventType: string;
  mode: Mode;
  slug: string;
  /** What was done to the event, in words. */
  fault: string;
  /** The event types a reproduce command passes with --events (the case's own type unless planning needed more). */
  events: readonly string[];
  deliveries: readonly DeliverySpec[];
  /** Fired all at once on an engine of their own (otherwise one after another). */
  simultaneous: boolean;
  /** Every check judging these deliveries: one case record each (none for a case sent only as a control). */
  judges: ReadonlyArray<{ checkId: CheckId; judge: Judge }>;
  /** Its delivery is the valid event of its type and mode that rejection cases compare with (sent before them). */
  provides: boolean;
  /**
   * For a case that must be rejected: what the rejection is about ("signatures"). It passes only if the valid event of
   * the same type and mode got another answer; a receiver that answers everything with the same 4xx proves nothing.
   */
  control?: string;
}

export interface CaseInput {
  eventType: string;
  mode: Mode;
  slug: string;
  events?: readonly string[];
  simultaneous?: boolean;
  provides?: boolean;
  control?: string;
  judges: Partial<Record<CheckId, Judge>>;
  /** Generates the case's events, only when one of its checks runs; undefined when the case cannot apply to them. */
  build(): { fault: string; deliveries: readonly DeliverySpec[] } | undefined;
}

export interface PlanContext {
  settings: ContractSettings;
  /** The event types the receiver subscribes to. */
  events: readonly EventSetting[];
  /** The data modes of the ack checks: both of them with --mode both. */
  ackModes: readonly Mode[];
  /** The data mode of the other checks (test with --mode both). */
  mode: Mode;
  allowedStatuses(checkId: CheckId): readonly number[];
  /** A case of `family`, keeping only the judges of checks that run (and the --case); undefined when none is left. */
  makeCase(family: string, input: CaseInput): PlannedCase | undefined;
  /** The valid, correctly signed event of a type and mode: judged by the ack checks, the control of rejection cases. */
  validEvent(eventType: string, mode: Mode): Omit<CaseInput, 'judges'>;
  /** The `index`-th event of a case: the same for the same run seed and case key, whatever else the run plans. */
  event(family: string, input: { eventType: string; mode: Mode; slug: string }, options?: { index?: number; itemCount?: number }): DrEvent;
  /** Seeded choices for a case (wrong tokens, picked types). */
  random(family: string, slug: string): Random;
}

export interface CheckFamily {
  checks: readonly CheckId[];
  /** Cases for the checks of this family that run; a check that cannot apply gets a reason instead. */
  plan(context: PlanContext): { cases: Array<PlannedCase | undefined>; skipped?: Partial<Record<CheckId, string>> };
}

export type PlannedCheck = { id: CheckId; status: 'planned' } | { id: CheckId; status: 'skipped'; reason: string };

export interface ContractPlan {
  checks: PlannedCheck[];
  cases: PlannedCase[];
}

const families: readonly CheckFamily[] = [ackFamily, malformedFamily, compatFamily, signatureFamily, patternsFamily, authFamily, environmentFamily];

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

export function planContract(settings: ContractSettings): ContractPlan {
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

  const context: PlanContext = {
    settings,
    events: settings.events,
    ackModes,
    mode,
    allowedStatuses: (id) => settings.policies[id].allowedStatuses ?? catalog[id].defaultAllowedStatuses ?? [],
    makeCase(family, input) {
      const judges = (Object.entries(input.judges) as Array<[CheckId, Judge]>)
        .filter(([id]) => running.has(id))
        .map(([checkId, judge]) => ({ checkId, judge }));
      plannedIds.push(...judges.map((j) => caseId(j.checkId, input)));
      const kept = settings.caseId === undefined ? judges : judges.filter((j) => caseId(j.checkId, input) === settings.caseId);
      return kept.length === 0 ? undefined : assemble(family, input, kept);
    },
    validEvent(eventType, mode) {
      const at = { eventType, mode, slug: 'valid-event' };
      return { ...at, provides: true, build: () => ({ fault: 'valid event', deliveries: [plainDelivery(context.event('ack', at))] }) };
    },
    event(family, input, options = {}) {
      const seed = deriveSeed(settings.seed, hash32(`${keyOf(family, input)}#${options.index ?? 0}`));
      const expanded = settings.events.find((event) => event.type === input.eventType)?.expanded ?? false;
      return generateEvent(input.eventType, { seed, mode: input.mode, expanded, ...(options.itemCount !== undefined ? { itemCount: options.itemCount } : {}) });
    },
    random: (family, slug) => createRandom(deriveSeed(settings.seed, hash32(`${family}/${slug}`))),
  };

  function assemble(family: string, input: Omit<CaseInput, 'judges'>, judges: PlannedCase['judges']): PlannedCase | undefined {
    const built = input.build();
    if (built === undefined) return undefined;
    return {
      key: keyOf(family, input),
      eventType: input.eventType,
      mode: input.mode,
      slug: input.slug,
      fault: built.fault,
      events: input.events ?? [input.eventType],
      deliveries: built.deliveries,
      simultaneous: input.simultaneous ?? false,
      judges,
      provides: input.provides ?? false,
      ...(input.control !== undefined ? { control: input.control } : {}),
    };
  }

  const familySkips = new Map<CheckId, string>();
  const cases: PlannedCase[] = [];
  for (const family of families) {
    if (!family.checks.some((id) => running.has(id))) continue;
    const planned = family.plan(context);
    for (const entry of planned.cases) if (entry) cases.push(entry);
    for (const [id, reason] of Object.entries(planned.skipped ?? {}) as Array<[CheckId, string]>) familySkips.set(id, reason);
  }

  if (settings.caseId !== undefined && cases.length === 0) throw unknownCase(settings.caseId, plannedIds);
  // Rejection cases whose control the ack checks do not send get it sent on its own, unjudged.
  const provided = new Set(cases.filter((planned) => planned.provides).map(controlKey));
  for (const planned of [...cases]) {
    if (planned.control === undefined || provided.has(controlKey(planned))) continue;
    provided.add(controlKey(planned));
    cases.push(assemble('ack', context.validEvent(planned.eventType, planned.mode), [])!);
  }
  const judged = new Set(cases.flatMap((planned) => planned.judges.map((j) => j.checkId)));
  const checks = settings.checks.flatMap((id): PlannedCheck[] => {
    if (judged.has(id)) return [{ id, status: 'planned' }];
    if (settings.caseId !== undefined) return [];
    const reason = prerequisiteSkips.get(id) ?? familySkips.get(id) ?? 'no case applies to the selected event types';
    return [{ id, status: 'skipped', reason }];
  });
  return { checks, cases };
}

function unknownCase(id: string, known: readonly string[]): UsageError {
  const guess = closestMatch(id, known);
  return new UsageError(`--case ${id}: no such case in this run${guess ? ` (did you mean ${guess}?)` : '; use the --only, --events, --mode and --seed of the run that reported it'}`);
}

/** Why check `id` cannot run, when it cannot; the signature checks sign in `mode`, the mode of the non-ack checks. */
function unmetPrerequisite(settings: ContractSettings, id: CheckId, mode: Mode): string | undefined {
  switch (catalog[id].needs) {
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

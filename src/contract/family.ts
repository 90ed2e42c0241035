// What the check families and the planner share: the context a family plans in, the cases it returns, how it judges them.
import type { CheckId } from '../catalog/checks.js';
import type { DrEvent, Mode } from '../events/event.js';
import type { Random } from '../base/random.js';
import type { DeliveryOutcome } from '../wire/outcome.js';
import type { Verdict } from '../wire/verdict.js';
import type { DeliverySpec } from './request.js';
import type { CaseMutation, MutationCoverage } from './results.js';
import type { ContractSettings, EventSetting } from './settings.js';

/** Judges the outcomes of a case's deliveries (in delivery order) by one check's rule. */
export type Judge = (outcomes: readonly DeliveryOutcome[]) => Verdict;

export interface PlannedCase {
  /** `<family>/<event type>/<mode>/<slug>`: names the case and seeds its events, so a rerun makes the same ones. */
  key: string;
  eventType: string;
  mode: Mode;
  slug: string;
  /** The field the case breaks, for a case that breaks one field of an otherwise valid event. */
  mutation?: CaseMutation;
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
  mutation?: CaseMutation;
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
  /**
   * Whether a case of `checkId` about this type and mode (and with this slug, when given) can be kept: always, unless
   * --case names another. Lets a family with thousands of cases skip making what no case it keeps would use.
   */
  mayKeep(checkId: CheckId, eventType: string, mode: Mode, slug?: string): boolean;
  /** A case of `family`, keeping only the judges of checks that run (and the --case); undefined when none is left. */
  makeCase(family: string, input: CaseInput): CaseOutline | undefined;
  /** The valid event of a type and mode, as ack.2xx sends it: made once per plan, a fresh copy on every call. */
  validEventOf(eventType: string, mode: Mode): DrEvent;
  /** The valid, correctly signed event of a type and mode: judged by the ack checks, the control of rejection cases. */
  validEvent(eventType: string, mode: Mode): Omit<CaseInput, 'judges'>;
  /**
   * The `index`-th event of a case: the same for the same run seed and case key, whatever else the run plans. Outside
   * the environment family an event about an order is about one of the orders the receiver knows, when it knows some.
   */
  event(family: string, input: { eventType: string; mode: Mode; slug: string }, options?: { index?: number; itemCount?: number }): DrEvent;
  /** Seeded choices for a case (wrong tokens, picked types). */
  random(family: string, slug: string): Random;
}

/** A case as planned before its events exist. */
export type CaseOutline = Omit<PlannedCase, 'fault' | 'deliveries'> & {
  /** The case with its events, made on the first call (the same object on later calls); undefined when it cannot apply to them. */
  build(): PlannedCase | undefined;
};

/**
 * What makes each check's judge, once per plan: a Judge, or for a check whose rule depends on the case (its field, its
 * words) a function that makes the case's Judge.
 */
export type JudgeMakers<Made> = { readonly [Id in keyof Made]: (context: PlanContext) => Made[Id] };

/** A family's judges as made for a plan, by check id. */
export type FamilyJudges = { readonly [Id in CheckId]?: unknown };

/** Checks planned together: how each of them is judged, and the cases they judge. */
export interface CheckFamily<Made extends FamilyJudges = FamilyJudges> {
  /** One entry per check of the family: the registry of families requires one for every check of the catalog. */
  judges: JudgeMakers<Made>;
  /** Cases for the checks of this family that run, judged by `judges` as made; a check that cannot apply gets a reason instead. */
  plan(context: PlanContext, judges: Made): { cases: Array<CaseOutline | undefined>; skipped?: Partial<Record<CheckId, string>>; coverage?: MutationCoverage };
}

/** A family, its judges' types inferred from its makers (whose keys must be check ids). */
export function checkFamily<Made extends FamilyJudges>(family: CheckFamily<Made> & { judges: Record<Exclude<keyof Made, CheckId>, never> }): CheckFamily<Made> {
  return family;
}

/**
 * The name idempotency.redelivery, concurrency.burst and payload.large plan their cases under (they were one family):
 * it keys their cases and seeds their events, so reproduce commands of earlier runs still make the same events.
 */
export const deliveryPatterns = 'patterns';

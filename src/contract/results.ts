// What a contract run found: per case the deliveries made and the verdict, per check the cases, per run the gate.
import type { Mode } from '../events/event.js';
import type { DeliveryOutcome } from '../wire/outcome.js';
import type { Verdict } from '../wire/verdict.js';
import type { CheckId } from '../catalog/checks.js';
import type { MutationKind } from '../events/mutations.js';

/** The one field of data.object a malformed.robust case breaks, and how. */
export interface CaseMutation {
  /** JSON pointer into data.object (`/items/0/amount`). */
  pointer: string;
  kind: MutationKind;
}

/** Which fields of each type malformed.robust breaks, and how deep: what a run covered, as its reports say. */
export interface MutationCoverage {
  /** `all`: every mutation of every field; otherwise at most `budget` cases, beyond which absent fields' cases are sampled. */
  depth: 'all' | { budget: number };
  /** Whether the budget left out some cases of fields absent from the base events (chosen by the seed). */
  sampled: boolean;
  types: TypeCoverage[];
}

/** What malformed.robust breaks of one event type. */
export interface TypeCoverage {
  type: string;
  /** Fields the type's schema describes that the check breaks. */
  fields: number;
  /** Of those, the fields its base event holds: every mutation of each is sent. */
  presentFields: number;
  presentCases: number;
  /** Cases of the fields the base event lacks: planned, out of how many the depth allows before sampling. */
  absentCases: { planned: number; of: number };
  /** Fields left out: those the contract demands (judged by malformed.400 and malformed.message)… */
  demanded: string[];
  /** …and those naming the order the event is about (whether a receiver knows it is environment.unknown-resource's concern). */
  orderReferences: string[];
}

/** One HTTP request as it was sent, secrets already redacted. */
export interface RequestRecord {
  url: string;
  method: 'POST';
  headers: Record<string, string>;
  /** The first characters of the body as sent (at most a few KiB); left out of passing malformed.robust cases. */
  bodyExcerpt?: string;
  bodyBytes: number;
  eventId?: string;
  /** The type of the event sent (a burst sends several types in one case); absent from reports written before it was recorded. */
  eventType?: string;
}

export interface DeliveryRecord {
  request: RequestRecord;
  outcome: DeliveryOutcome;
}

export interface CaseRecord {
  /** Stable within a scenario: `<check>/<event type>/<mode>/<fault slug>`. */
  id: string;
  checkId: CheckId;
  eventType: string;
  mode: Mode;
  /** What was done to the event, in words: "valid event", "data.object.currency missing", "no signature header". */
  fault: string;
  /** For a malformed.robust case: the one field broken, and how. */
  mutation?: CaseMutation;
  deliveries: DeliveryRecord[];
  verdict: Verdict;
  /** A drhook command that reproduces this case (secrets come from the environment, never the command line). */
  reproduce: string;
}

export interface DiscoveredType extends TypeCoverage {
  /**
   * Fields the receiver requires: every break the declared contract sends (missing, null, wrong type, and off its enum
   * or format where it has one) was rejected with a status malformed.400 accepts, naming the field. Pinned in a scenario's
   * `requires`, they pass malformed.400 and malformed.message.
   */
  requires: string[];
  /** Fields it tolerates: every break of them got a 2xx. */
  tolerates: string[];
  /** Fields it checks in part: some breaks rejected naming the field (these kinds), the others acknowledged. */
  validates: Array<{ field: string; rejects: MutationKind[] }>;
  /** Fields with a failing case: a 5xx, a timeout, a redirect, a reset or a 4xx naming nothing (see the check's cases). */
  failing: string[];
}

export interface DiscoveredContract {
  depth: MutationCoverage['depth'];
  sampled: boolean;
  types: DiscoveredType[];
}

/** A case the comparison names: its failure key, and the case as this run (or the baseline) recorded it. */
export interface BaselineCase {
  key: string;
  /** This run's case id, for --case and the reports' case lists; absent for a case of the baseline this run did not plan. */
  id?: string;
  checkId: string;
  fault: string;
}

/** How a run's failures compare with a baseline's. */
export interface BaselineComparison {
  /** The baseline file as given. */
  file: string;
  /** The run the baseline was taken from. */
  runId: string;
  /** Failures the baseline did not have: these fail the gate. */
  new: BaselineCase[];
  /** Failures the baseline already had. */
  stillFailing: BaselineCase[];
  /** Cases the baseline had failing that this run sent and that no longer fail. */
  fixed: BaselineCase[];
  /** Cases the baseline had failing that this run did not plan (other types, checks, scenario or sampling): neither fixed nor failing. */
  notRun: BaselineCase[];
}

/**
 * How the receiver refused deliveries of a type that Digital River makes: it retries each, and an endpoint that keeps
 * failing them is disabled automatically. `fails`: 5xx, timeouts or dropped connections; `rejects`: only 3xx or 4xx.
 */
export interface Refusal {
  kind: 'fails' | 'rejects';
  /** Deliveries refused, across the failing cases about the type. */
  deliveries: number;
}

export type TypeAdvice =
  | {
      type: string;
      verdict: 'subscribe';
      /** The checks whose cases about the type all passed (or, advisory, warned). */
      passed: CheckId[];
      /** Advisory checks that warned about the type. */
      warnings: CheckId[];
    }
  | {
      type: string;
      /** Fix the handler first, or deselect the type in the Dashboard if the application does not need it. */
      verdict: 'fix-or-deselect';
      /** Required checks with a failing case about the type. */
      failing: CheckId[];
      warnings: CheckId[];
      /** Null when every delivery Digital River would make was acknowledged (the failures are about rejecting what it never sends). */
      refusal: Refusal | null;
    }
  | {
      type: string;
      verdict: 'not-judged';
      /** Why no advice is given: no case about the type was answered. */
      reason: string;
    };

export interface SubscriptionAdvice {
  types: TypeAdvice[];
  /** Required checks failing on cases about no single selected type (a burst mixing types): to fix whatever is subscribed. */
  endpoint: CheckId[];
}

export type CheckStatus = 'pass' | 'fail' | 'warn' | 'skipped';

export type CheckResult =
  | {
      id: CheckId;
      rule: string;
      required: boolean;
      status: 'skipped';
      /** Why the check did not run, e.g. "no signing token given". */
      skippedReason: string;
      counts: CaseCounts;
      cases: [];
    }
  | {
      id: CheckId;
      rule: string;
      required: boolean;
      status: 'pass' | 'fail' | 'warn';
      counts: CaseCounts;
      cases: CaseRecord[];
    };

export interface CaseCounts {
  pass: number;
  fail: number;
  warn: number;
}

/**
 * How a run ended: to the end; interrupted (SIGINT/SIGTERM: the checks listed are those that ran); or unreachable (the
 * receiver answered none of the first deliveries: the cases not sent are listed, failed).
 */
export type Completion = { complete: true; stoppedBy: null } | { complete: false; stoppedBy: 'interrupted' | 'unreachable' };

export type ContractReport = Completion & {
  tool: 'drhook';
  version: string;
  kind: 'contract';
  runId: string;
  startedAt: string;
  finishedAt: string;
  target: string;
  /** The effective settings of the run, secrets redacted. */
  settings: Record<string, unknown>;
  gate: {
    status: 'pass' | 'fail';
    /** One sentence: what gates and why. */
    summary: string;
    failedRequired: CheckId[];
    warnings: CheckId[];
    /** The events were sent unsigned, as asked (--unsigned): no signature check ran, whatever the status. */
    unsigned: boolean;
  };
  checks: CheckResult[];
  /** When malformed.robust ran: what it covered per event type, and which fields the answers show the receiver requires or tolerates. */
  discoveredContract?: DiscoveredContract;
  /** With --baseline: this run's failures against the baseline's; the gate then fails only on new ones. */
  baseline?: BaselineComparison;
  /** Per selected event type: safe to subscribe, fix the handler first (or deselect it), or not judged. Reports saved before it have none. */
  subscriptions?: SubscriptionAdvice;
};

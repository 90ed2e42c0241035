// What a contract run found: per case the deliveries made and the verdict, per check the cases, per run the gate.
import type { Mode } from '../events/event.js';
import type { DeliveryOutcome } from '../wire/outcome.js';
import type { Verdict } from '../wire/verdict.js';
import type { CheckId } from '../catalog/checks.js';

/** One HTTP request as it was sent, secrets already redacted. */
export interface RequestRecord {
  url: string;
  method: 'POST';
  headers: Record<string, string>;
  /** The first characters of the body as sent (at most a few KiB). */
  bodyExcerpt: string;
  bodyBytes: number;
  eventId?: string;
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
  deliveries: DeliveryRecord[];
  verdict: Verdict;
  /** A drhook command that reproduces this case (secrets come from the environment, never the command line). */
  reproduce: string;
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
};

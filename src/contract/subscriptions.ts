// Which event types a webhook can subscribe to now: per selected type, from the cases about it, safe, to fix first (or deselect), or not judged.
import { checks as catalog, type CheckId } from '../catalog/checks.js';
import { judgeAcknowledgement } from '../wire/ack.js';
import type { DeliveryOutcome } from '../wire/outcome.js';
import type { CaseRecord, CheckResult, Completion, SubscriptionAdvice, TypeAdvice } from './results.js';

/** The advice for `types` (the selected event types, in order) from the checks a run judged. */
export function adviseSubscriptions(types: readonly string[], checks: readonly CheckResult[], completion: Completion, deadlineMs: number): SubscriptionAdvice {
  const judged = checks.flatMap((check) => check.cases.filter(answered).map((record) => ({ check: check.id, record })));
  const selected = new Set(types);
  const endpoint = unique(judged.filter(({ record }) => !selected.has(record.eventType) && record.verdict.status === 'fail').map(({ check }) => check));
  return {
    types: types.map((type) => adviseType(type, judged.filter(({ record }) => record.eventType === type), completion, deadlineMs)),
    endpoint: endpoint.filter((id) => catalog[id].required),
  };
}

function adviseType(type: string, cases: ReadonlyArray<{ check: CheckId; record: CaseRecord }>, completion: Completion, deadlineMs: number): TypeAdvice {
  const withStatus = (status: 'pass' | 'fail' | 'warn') => unique(cases.filter(({ record }) => record.verdict.status === status).map(({ check }) => check));
  const failing = withStatus('fail');
  const warnings = withStatus('warn');
  if (failing.length > 0) {
    const refused = cases
      .filter(({ check, record }) => record.verdict.status === 'fail' && catalog[check].expects === 'acknowledgement')
      .flatMap(({ record }) => record.deliveries.map((delivery) => delivery.outcome))
      .filter((outcome) => judgeAcknowledgement(outcome, deadlineMs).status !== 'pass');
    const kind = refused.some(failed) ? 'fails' : 'rejects';
    return { type, verdict: 'fix-or-deselect', failing, warnings, refusal: refused.length === 0 ? null : { kind, deliveries: refused.length } };
  }
  // An unfinished run has not judged every case: no type is called safe on part of them.
  if (!completion.complete) return { type, verdict: 'not-judged', reason: completion.stoppedBy === 'unreachable' ? 'the receiver was unreachable' : 'the run was interrupted' };
  if (cases.length === 0) return { type, verdict: 'not-judged', reason: 'no check that ran sent an event of this type' };
  return { type, verdict: 'subscribe', passed: withStatus('pass').filter((id) => !warnings.includes(id)), warnings };
}

/** A case the receiver answered, in part at least: one never sent (unreachable receiver, too slow a type) shows nothing about the type. */
function answered(record: CaseRecord): boolean {
  return record.deliveries.length > 0;
}

/** Not a redirect or a 4xx: a 5xx, no answer in time (a 2xx too late included), or no connection. */
function failed(outcome: DeliveryOutcome): boolean {
  return outcome.kind !== 'response' || outcome.status >= 500 || (outcome.status >= 200 && outcome.status < 300);
}

function unique<T>(values: readonly T[]): T[] {
  return [...new Set(values)];
}

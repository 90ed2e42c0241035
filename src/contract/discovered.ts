// The contract a receiver showed under malformed.robust: per event type, the fields it rejects when broken and those it does not rely on.
import { isSuccess } from '../wire/ack.js';
import type { MutationKind } from '../events/mutations.js';
import { contractKinds } from './checks/malformed.js';
import type { CaseMutation, CaseRecord, DiscoveredContract, DiscoveredType, MutationCoverage } from './results.js';

type Answer = 'accepted' | 'rejected' | 'failed';

/** How a malformed.robust case went: acknowledged, rejected naming the field (passing), or failed (`warn` included). */
function answerOf(record: CaseRecord): { answer: Answer; status?: number } {
  const outcome = record.deliveries[0]?.outcome;
  if (record.verdict.status !== 'pass' || outcome?.kind !== 'response') return { answer: 'failed' };
  return { answer: isSuccess(outcome.status) ? 'accepted' : 'rejected', status: outcome.status };
}

/**
 * What the answers of malformed.robust's cases show, per type of `coverage`, fields in the order they were planned.
 * `allowed`: the statuses malformed.400 passes, which a field must have been rejected with to count as required.
 */
export function discoverContract(coverage: MutationCoverage, records: readonly CaseRecord[], allowed: readonly number[]): DiscoveredContract {
  const byType = new Map<string, Map<string, Array<{ kind: MutationKind; answer: Answer; status?: number }>>>();
  for (const record of records) {
    const mutation: CaseMutation | undefined = record.mutation;
    if (record.checkId !== 'malformed.robust' || mutation === undefined) continue;
    let fields = byType.get(record.eventType);
    if (!fields) byType.set(record.eventType, (fields = new Map()));
    const answers = fields.get(mutation.pointer) ?? [];
    answers.push({ kind: mutation.kind, ...answerOf(record) });
    fields.set(mutation.pointer, answers);
  }
  const types = coverage.types.map((covered): DiscoveredType => {
    const discovered: DiscoveredType = { ...covered, requires: [], tolerates: [], validates: [], failing: [] };
    for (const [field, answers] of byType.get(covered.type) ?? []) {
      if (answers.some((entry) => entry.answer === 'failed')) discovered.failing.push(field);
      else if (answers.every((entry) => entry.answer === 'accepted')) discovered.tolerates.push(field);
      else if (isRequired(answers, allowed)) discovered.requires.push(field);
      else discovered.validates.push({ field, rejects: answers.filter((entry) => entry.answer === 'rejected').map((entry) => entry.kind) });
    }
    return discovered;
  });
  return { depth: coverage.depth, sampled: coverage.sampled, types };
}

/** Missing, null and of the wrong type (and every other break the declared contract sends) rejected with an allowed status. */
function isRequired(answers: ReadonlyArray<{ kind: MutationKind; answer: Answer; status?: number }>, allowed: readonly number[]): boolean {
  const demanded = answers.filter((entry) => contractKinds.includes(entry.kind));
  const kinds = new Set(demanded.map((entry) => entry.kind));
  return (
    (['missing', 'null', 'wrong-type'] as const).every((kind) => kinds.has(kind)) &&
    demanded.every((entry) => entry.answer === 'rejected' && entry.status !== undefined && allowed.includes(entry.status))
  );
}

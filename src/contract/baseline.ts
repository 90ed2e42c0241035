// A baseline of known failures: the gate then fails only on failures it did not have, and says what was fixed.
import { UsageError } from '../base/errors.js';
import { isRecord } from '../base/is-record.js';
import type { BaselineCase, BaselineComparison, CaseRecord, ContractReport } from './results.js';

/**
 * What `--write-baseline` writes: the failing cases of a run by their failure keys. A full report.json is accepted as a
 * baseline too: its failing cases are read the same way.
 */
export interface ContractBaseline {
  tool: 'drhook';
  kind: 'contract-baseline';
  version: string;
  /** The run the failures were found in. */
  runId: string;
  target: string;
  failures: BaselineFailure[];
}

export interface BaselineFailure {
  key: string;
  /** What the case did, in words: for people reading the file. */
  fault: string;
}

/**
 * Checks whose case ids carry an event type the case did not choose: compat.unknown-type's unsubscribed type is picked by
 * the seed, concurrency.burst's lists every type of the run. Their keys put `*` in its place.
 */
const typeNotOwn: ReadonlySet<string> = new Set(['compat.unknown-type/unsubscribed-type', 'concurrency.burst']);

/**
 * The key a failure is known by across runs: `<check>/<event type>/<mode>/<slug>`, the case id without what the seed
 * or the run's set of types put in it. The same check, type, mode and fault (field and mutation, signature break…)
 * make the same key whatever the seed; event ids, tokens and timestamps never appear in it.
 */
export function failureKey(record: Pick<CaseRecord, 'id' | 'checkId' | 'eventType' | 'mode'>): string {
  const prefix = `${record.checkId}/${record.eventType}/${record.mode}/`;
  const slug = record.id.startsWith(prefix) ? record.id.slice(prefix.length) : record.id;
  const seeded = typeNotOwn.has(record.checkId) || typeNotOwn.has(`${record.checkId}/${slug}`);
  return `${record.checkId}/${seeded ? '*' : record.eventType}/${record.mode}/${slug}`;
}

/** The failing cases of a report: those of required checks that failed (an advisory check's failures only warn). */
function failingCases(report: ContractReport): CaseRecord[] {
  return report.checks.flatMap((check) => (check.status === 'skipped' ? [] : check.cases.filter((record) => record.verdict.status === 'fail')));
}

/** The baseline a finished run makes: its failures, one per key. */
export function baselineOf(report: ContractReport): ContractBaseline {
  const failures = new Map<string, BaselineFailure>();
  for (const record of failingCases(report)) {
    const key = failureKey(record);
    if (!failures.has(key)) failures.set(key, { key, fault: record.fault });
  }
  return {
    tool: 'drhook',
    kind: 'contract-baseline',
    version: report.version,
    runId: report.runId,
    target: report.target,
    failures: [...failures.values()].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0)),
  };
}

/** A baseline file's text: a baseline drhook wrote, or a contract report.json. Throws a one-line UsageError otherwise. */
export function parseBaseline(text: string, file: string): ContractBaseline {
  const bad = (what: string) => new UsageError(`--baseline ${file}: ${what}; give a file written by --write-baseline or a contract run's report.json`);
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    throw bad('not JSON');
  }
  if (!isRecord(data) || data.tool !== 'drhook') throw bad('not a drhook file');
  if (data.kind === 'load') throw bad('a load report, not a contract one (load reports are baselines of drhook load --baseline)');
  if (data.kind === 'contract') {
    if (!Array.isArray(data.checks) || typeof data.runId !== 'string') throw bad('a contract report without its checks');
    const report = data as unknown as ContractReport;
    if (!report.complete) throw bad(`the run it reports did not finish (${String(report.stoppedBy)}), so not every failure it would have had is known`);
    const malformed = report.checks.some(
      (check) => !isRecord(check) || typeof check.id !== 'string' || !Array.isArray(check.cases) || check.cases.some((record) => !isCaseLike(record)),
    );
    if (malformed) throw bad('a contract report whose cases lack their id, check, event type or mode');
    return baselineOf(report);
  }
  if (data.kind !== 'contract-baseline') throw bad(`kind ${JSON.stringify(data.kind)} is not a contract baseline`);
  const failures = data.failures;
  if (!Array.isArray(failures) || !failures.every((entry) => isRecord(entry) && typeof entry.key === 'string' && entry.key.split('/').length >= 4)) {
    throw bad('its failures must be a list of { key: "<check>/<event type>/<mode>/<case>", fault }');
  }
  return {
    tool: 'drhook',
    kind: 'contract-baseline',
    version: typeof data.version === 'string' ? data.version : 'unknown',
    runId: typeof data.runId === 'string' ? data.runId : 'unknown',
    target: typeof data.target === 'string' ? data.target : 'unknown',
    failures: failures.map((entry) => ({ key: entry.key as string, fault: typeof entry.fault === 'string' ? entry.fault : '' })),
  };
}

function isCaseLike(record: unknown): boolean {
  return isRecord(record) && ['id', 'checkId', 'eventType', 'mode', 'fault'].every((key) => typeof record[key] === 'string') && isRecord(record.verdict);
}

/** Each failure of `report` judged against `baseline`, with what the baseline had that is fixed or was not run. */
export function compareWithBaseline(report: ContractReport, baseline: ContractBaseline, file: string): BaselineComparison {
  const known = new Map(baseline.failures.map((failure) => [failure.key, failure]));
  /** Every case this run judged, by key: a baseline failure among them that does not fail now is fixed. */
  const ran = new Map<string, CaseRecord>();
  for (const check of report.checks) if (check.status !== 'skipped') for (const record of check.cases) ran.set(failureKey(record), record);
  const failing = failingCases(report);
  const failingKeys = new Set(failing.map(failureKey));
  const named = (record: CaseRecord): BaselineCase => ({ key: failureKey(record), id: record.id, checkId: record.checkId, fault: record.fault });
  const comparison: BaselineComparison = { file, runId: baseline.runId, new: [], stillFailing: [], fixed: [], notRun: [] };
  for (const record of failing) (known.has(failureKey(record)) ? comparison.stillFailing : comparison.new).push(named(record));
  for (const failure of known.values()) {
    if (failingKeys.has(failure.key)) continue;
    const now = ran.get(failure.key);
    if (now !== undefined) comparison.fixed.push(named(now));
    else comparison.notRun.push({ key: failure.key, checkId: failure.key.split('/')[0]!, fault: failure.fault });
  }
  return comparison;
}

/**
 * The report judged against a baseline: a finished run passes when it has no failure the baseline did not have. A run
 * that did not finish keeps its failing gate: what it did not send cannot be known to fail only as before.
 */
export function withBaseline(report: ContractReport, baseline: ContractBaseline, file: string): ContractReport {
  const comparison = compareWithBaseline(report, baseline, file);
  if (!report.complete) return { ...report, baseline: comparison };
  const count = (n: number, what: string) => `${n} ${what}${n === 1 ? '' : 's'}`;
  const tail = [
    comparison.fixed.length > 0 ? `${count(comparison.fixed.length, 'baseline failure')} fixed` : '',
    comparison.notRun.length > 0 ? `${count(comparison.notRun.length, 'baseline case')} not run` : '',
  ].filter(Boolean);
  const notes = tail.length > 0 ? `; ${tail.join('; ')}` : '';
  const newChecks = [...new Set(comparison.new.map((entry) => entry.checkId))];
  const gate: ContractReport['gate'] =
    comparison.new.length > 0
      ? { ...report.gate, status: 'fail', summary: `${count(comparison.new.length, 'new failing case')} the baseline did not have (${newChecks.join(', ')}); ${comparison.stillFailing.length} still failing as in the baseline${notes}.` }
      : {
          ...report.gate,
          status: 'pass',
          summary:
            comparison.stillFailing.length > 0
              ? `No new failure: the ${count(comparison.stillFailing.length, 'failing case')} ${comparison.stillFailing.length === 1 ? 'was' : 'were'} all in the baseline${notes}. Without it: ${report.gate.summary}`
              : `No failing case${notes}. ${report.gate.summary}`,
        };
  return { ...report, gate, baseline: comparison };
}

// What the contract writers say about a case: its title, whether it fails or warns, what was sent and what came back.
import type { CaseRecord, CheckResult, ContractReport, DeliveryRecord, RequestRecord } from '../../contract/results.js';
import { causeTable } from '../../wire/causes.js';
import type { DeliveryOutcome } from '../../wire/outcome.js';
import { knownIdsHint } from '../../contract/judges.js';
import { formatBytes, formatMs, oneLine } from '../text.js';

export type RunCheck = Exclude<CheckResult, { status: 'skipped' }>;

/** The notes every writer shows under the gate: why a run stopped early, and that an unsigned run checked no signature. */
export function gateNotes(report: ContractReport): string[] {
  return [stopNote(report), report.gate.unsigned ? unsignedNote : undefined].filter((note): note is string => note !== undefined);
}

const unsignedNote = 'No signature check ran: the events were sent unsigned (--unsigned), so this gate says nothing about whether the receiver verifies signatures.';

function stopNote(report: ContractReport): string | undefined {
  switch (report.stoppedBy) {
    case null:
      return undefined;
    case 'interrupted':
      return 'The run was interrupted: only the checks that ran are listed.';
    case 'unreachable':
      return 'The run stopped sending: the receiver answered none of the first deliveries, so the cases not sent fail.';
  }
}

/** How a case counts in the reports: a non-passing case fails only in a required check, otherwise it warns. */
export type CaseState = 'pass' | 'fail' | 'warn';

export interface FlaggedCase {
  record: CaseRecord;
  state: 'fail' | 'warn';
}

export interface FlaggedCheck {
  check: RunCheck;
  /** Failing cases first, then warnings, each in run order. */
  cases: FlaggedCase[];
}

export function caseState(check: CheckResult, record: CaseRecord): CaseState {
  if (record.verdict.status === 'pass') return 'pass';
  return check.required && record.verdict.status === 'fail' ? 'fail' : 'warn';
}

/** Flagged cases of one check whose reasons say the same, timings aside. */
export interface ReasonGroup {
  /** The first of them, in run order: the one shown. */
  example: FlaggedCase;
  count: number;
}

/** A reason with its durations (`12 ms`, `3.01 s`) blanked: reasons that differ only in them say the same. */
function reasonKey(flagged: FlaggedCase): string {
  return `${flagged.state}\u0000${flagged.record.verdict.reason.replace(/\b\d+(?:\.\d+)? ?m?s\b/g, '…')}`;
}

/** `cases` grouped by what their reasons say: the largest group first, equal ones in run order (failures before warnings). */
export function groupByReason(cases: readonly FlaggedCase[]): ReasonGroup[] {
  const groups = new Map<string, ReasonGroup>();
  for (const flagged of cases) {
    const key = reasonKey(flagged);
    const group = groups.get(key);
    if (group) group.count++;
    else groups.set(key, { example: flagged, count: 1 });
  }
  const ordered = [...groups.values()];
  const rank = (group: ReasonGroup) => (group.example.state === 'fail' ? 0 : 1);
  return ordered.sort((a, b) => rank(a) - rank(b) || b.count - a.count);
}

/**
 * A setup the user can fix, said once, when every valid event (ack.2xx) got the same refusal: 401 or 403 (the token or
 * the credentials), or 404 while no known orders are configured (events about orders the receiver never saw).
 */
export function setupNote(report: ContractReport): string | undefined {
  const valid = report.checks.find((check) => check.id === 'ack.2xx')?.cases ?? [];
  const statuses = new Set(
    valid.map((record) => {
      const outcome = record.deliveries[0]?.outcome;
      return outcome?.kind === 'response' ? outcome.status : undefined;
    }),
  );
  const [status] = statuses;
  if (valid.length === 0 || statuses.size !== 1 || status === undefined) return undefined;
  const all = valid.length === 1 ? 'the valid event' : valid.length === 2 ? 'both valid events' : `all ${valid.length} valid events`;
  if (status === 401 || status === 403) {
    const fix = report.gate.unsigned
      ? 'the events went unsigned (--unsigned), and a receiver that verifies signatures refuses them: give drhook its signing token instead'
      : 'check that drhook signs with the token the receiver verifies (DRHOOK_TEST_SECRET, DRHOOK_LIVE_SECRET or --secret-file) and sends the credentials it expects (--auth, DRHOOK_PASSWORD or DRHOOK_CLIENT_SECRET)';
    return `Setup: the receiver answered ${status} to ${all}, so most failures below share that cause; ${fix}.`;
  }
  const knownOrders = (report.settings['knownIds'] as { order?: readonly unknown[] } | undefined)?.order ?? [];
  if (status === 404 && knownOrders.length === 0) {
    return (
      `Setup: the receiver answered 404 to ${all}, about orders it has never seen (no known orders are configured), so most failures ` +
      `below share that cause; if it answers 404 to unknown orders, name orders it knows (${knownIdsHint}).`
    );
  }
  return undefined;
}

/** `order.accepted [test] data.object.currency missing` */
export function caseTitle(record: CaseRecord): string {
  return `${record.eventType} [${record.mode}] ${record.fault}`;
}

/** The checks with failing or warning cases: failing required checks first, then the others, each in report order. */
export function flaggedChecks(report: ContractReport): FlaggedCheck[] {
  const flagged: FlaggedCheck[] = [];
  for (const check of report.checks) {
    if (check.status === 'skipped') continue;
    const cases = check.cases
      .map((record) => ({ record, state: caseState(check, record) }))
      .filter((c): c is FlaggedCase => c.state !== 'pass');
    if (cases.length > 0) flagged.push({ check, cases: [...cases.filter((c) => c.state === 'fail'), ...cases.filter((c) => c.state === 'warn')] });
  }
  const failing = (f: FlaggedCheck) => f.cases.some((c) => c.state === 'fail');
  return [...flagged.filter(failing), ...flagged.filter((f) => !failing(f))];
}

/** `POST http://host/hook · 1.2 KB · event 5b0c…` */
export function describeRequest(request: RequestRecord): string {
  const parts = [`${request.method} ${oneLine(request.url, 200)}`, formatBytes(request.bodyBytes)];
  if (request.eventId !== undefined) parts.push(`event ${oneLine(request.eventId, 80)}`);
  return parts.join(' · ');
}

const phaseText = { connect: 'while connecting', headers: 'waiting for the status line', interim: 'waiting for the final status after interim', body: 'reading the body of' } as const;

/** A short name shared by similar outcomes: `HTTP 500`, `timeout`, `connection refused`. */
export function outcomeLabel(outcome: DeliveryOutcome): string {
  switch (outcome.kind) {
    case 'response':
      return `HTTP ${outcome.status}`;
    case 'timeout':
      return 'timeout';
    case 'error':
      return causeTable[outcome.cause].label;
  }
}

/** One line without the body: `HTTP 500 in 12 ms`, `timeout after 3.00 s (deadline 3000 ms) reading the body of HTTP 200`. */
export function describeOutcome(outcome: DeliveryOutcome): string {
  switch (outcome.kind) {
    case 'response':
      return `HTTP ${outcome.status} in ${formatMs(outcome.durationMs)}`;
    case 'timeout': {
      const of = outcome.status === undefined ? '' : ` HTTP ${outcome.status}`;
      return `timeout after ${formatMs(outcome.durationMs)} (deadline ${outcome.deadlineMs} ms) ${phaseText[outcome.phase]}${of}`;
    }
    case 'error': {
      const code = outcome.code !== undefined && !outcome.message.includes(outcome.code) ? ` [${outcome.code}]` : '';
      return `${causeTable[outcome.cause].label} after ${formatMs(outcome.durationMs)}: ${oneLine(outcome.message, 200)}${code}`;
    }
  }
}

/** The response body excerpt as one line, with its size when it was cut; undefined when nothing came back. */
export function bodyExcerpt(outcome: DeliveryOutcome, max: number): string | undefined {
  if (outcome.kind !== 'response' || outcome.body.bytes === 0) return undefined;
  return oneLine(outcome.body.text, max);
}

export interface OutcomeGroup {
  /** How many deliveries of the case ended like `first`. */
  count: number;
  first: DeliveryOutcome;
}

/** A case's deliveries grouped by outcome label in first-seen order (a burst of 50 reads as `45× HTTP 200, 5× timeout`). */
export function groupOutcomes(deliveries: readonly DeliveryRecord[]): OutcomeGroup[] {
  const groups = new Map<string, OutcomeGroup>();
  for (const { outcome } of deliveries) {
    const label = outcomeLabel(outcome);
    const group = groups.get(label);
    if (group) group.count++;
    else groups.set(label, { count: 1, first: outcome });
  }
  return [...groups.values()];
}

/** Time spent in the case's deliveries, in seconds. */
export function caseSeconds(record: CaseRecord): number {
  return record.deliveries.reduce((sum, d) => sum + d.outcome.durationMs, 0) / 1000;
}

/** `deadlineMs: 3000 · modes: ["test"]`: the run's settings in one line, each value cut to `maxValue` characters. */
export function settingsLine(settings: Record<string, unknown>, maxValue: number): string {
  return Object.entries(settings)
    .map(([key, value]) => `${oneLine(key, 40)}: ${oneLine(typeof value === 'string' ? value : JSON.stringify(value) ?? String(value), maxValue)}`)
    .join(' · ');
}

// What the contract writers say about a case: its title, whether it fails or warns, what was sent and what came back.
import type { CaseRecord, CheckResult, ContractReport, DeliveryRecord, RequestRecord } from '../../contract/results.js';
import type { DeliveryOutcome, ErrorCause } from '../../wire/outcome.js';
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

const causeText: Record<ErrorCause, string> = {
  'connection-refused': 'connection refused',
  'connection-reset': 'connection reset',
  dns: 'DNS lookup failed',
  tls: 'TLS handshake failed',
  'socket-closed': 'connection closed before a complete answer',
  protocol: 'HTTP protocol error',
  'headers-too-large': 'response headers too large',
  aborted: 'stopped before an answer (run interrupted)',
  other: 'request failed',
};

const phaseText = { connect: 'while connecting', headers: 'waiting for the status line', interim: 'waiting for the final status after interim', body: 'reading the body of' } as const;

/** A short name shared by similar outcomes: `HTTP 500`, `timeout`, `connection refused`. */
export function outcomeLabel(outcome: DeliveryOutcome): string {
  switch (outcome.kind) {
    case 'response':
      return `HTTP ${outcome.status}`;
    case 'timeout':
      return 'timeout';
    case 'error':
      return causeText[outcome.cause];
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
      return `${causeText[outcome.cause]} after ${formatMs(outcome.durationMs)}: ${oneLine(outcome.message, 200)}${code}`;
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

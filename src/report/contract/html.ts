// The contract report as report.html: the gate, the settings, the checks, a matrix of event types × checks, every flagged case.
import type { CaseRecord, CheckResult, CheckStatus, ContractReport, DeliveryRecord, DiscoveredType } from '../../contract/results.js';
import type { DeliveryOutcome } from '../../wire/outcome.js';
import { caseState, caseTitle, describeOutcome, describeRequest, flaggedChecks, gateNotes, groupOutcomes, outcomeLabel, type CaseState, type RunCheck } from './describe.js';
import { baselineHtml } from './baseline.js';
import { banner, copyableCommand, escapeHtml, pageHeader, renderPage, settingsSection } from '../html-page.js';
import { chartJsSource } from '../html-assets.js';
import { describeCoverage } from './discovered.js';
import { latencyData, latencyScript, type LatencyChartData, type TypeLatency } from './latency.js';
import { formatBytes, formatMs, plural } from '../text.js';
import { subscriptionsHtml } from './subscriptions.js';

/** At most this many differently ending deliveries are shown per case (a burst is grouped by how each ended). */
const groupsPerCase = 5;

const statusText: Record<CheckStatus, string> = { pass: 'pass', fail: 'fail', warn: 'warn', skipped: 'skipped' };
const mark: Record<CaseState, string> = { pass: '✓', fail: '✗', warn: '!' };

/**
 * At most this many flagged cases of one check and event type are spelled out (malformed.robust can flag thousands);
 * the first of each is, so every link of the tables leads to one. report.json has them all.
 */
const casesPerType = 25;
/** At most this many cases are listed in a matrix cell's tooltip. */
const casesPerTooltip = 30;

/** The flagged cases spelled out: the first `casesPerType` of each event type, in the order given. */
function shownCases<T extends { record: CaseRecord }>(cases: readonly T[]): T[] {
  const seen = new Map<string, number>();
  return cases.filter(({ record }) => {
    const count = (seen.get(record.eventType) ?? 0) + 1;
    seen.set(record.eventType, count);
    return count <= casesPerType;
  });
}

export function renderContractHtml(report: ContractReport): string {
  const flagged = flaggedChecks(report).map((entry) => ({ ...entry, shown: shownCases(entry.cases) }));
  /** Each flagged case's anchor, by record. */
  const anchors = new Map<CaseRecord, string>();
  flagged.forEach(({ shown }) => shown.forEach(({ record }) => anchors.set(record, `case-${anchors.size + 1}`)));
  const deadlineMs = typeof report.settings.deadlineMs === 'number' ? report.settings.deadlineMs : undefined;
  const latency = latencyData(report);

  const body = [
    pageHeader('drhook contract', report),
    gateBanner(report),
    ...(report.baseline ? [baselineHtml(report)] : []),
    '<section id="checks-section">',
    '<h2>Checks</h2>',
    checksTable(report.checks, anchors),
    '</section>',
    '<section id="matrix-section">',
    '<h2>Event types × checks</h2>',
    matrix(report.checks, anchors, subscribedTypes(report.settings)),
    '</section>',
    typesSection(report, latency),
    '<section id="cases">',
    `<h2>Failing and warning cases</h2>`,
    flagged.length === 0
      ? '<p>No case failed or warned.</p>'
      : [
          '<div class="toolbar"><button type="button" data-expand="open">Expand all</button><button type="button" data-expand="close">Collapse all</button></div>',
          ...flagged.map(({ check, cases, shown }) => {
            const failing = cases.filter((c) => c.state === 'fail').length;
            const tally = [failing > 0 ? `${failing} failing` : '', cases.length > failing ? plural(cases.length - failing, 'warning') : ''].filter(Boolean).join(', ');
            return [
              `<h3 id="cases-${escapeHtml(check.id)}">${failing > 0 ? '✗' : '!'} ${escapeHtml(check.id)} <span class="muted">(${check.required ? 'required' : 'advisory'}): ${tally}</span></h3>`,
              `<p class="rule">${escapeHtml(check.rule)}</p>`,
              ...shown.map(({ record, state }) => caseDetails(record, state, anchors.get(record)!, deadlineMs)),
              ...(shown.length < cases.length ? [`<p class="muted">…and ${cases.length - shown.length} more in report.json (at most ${casesPerType} per event type are shown).</p>`] : []),
            ].join('\n');
          }),
        ].join('\n'),
    '</section>',
    subscriptionsHtml(report),
    settingsSection(report.settings),
  ].join('\n');

  const charts = latency.types.length > 0 ? { data: latency, scripts: [chartJsSource(), latencyScript] } : {};
  return renderPage({ kind: 'contract', title: `drhook contract: ${report.gate.status} — ${report.target}`, status: report.gate.status, body, version: report.version, ...charts });
}

/** At most this many fields are named in a cell of the event types' table; report.json and --write-requires have them all. */
const fieldsPerCell = 8;

function fieldList(fields: readonly string[]): string {
  if (fields.length === 0) return '–';
  const named = fields.slice(0, fieldsPerCell).map((field) => `<code>${escapeHtml(field)}</code>`).join(' ');
  return fields.length > fieldsPerCell ? `${named} <span class="muted">and ${fields.length - fieldsPerCell} more</span>` : named;
}

/**
 * Per event type, side by side: every delivery's latency against the deadline (the chart, and its figures in the
 * table) and, when malformed.robust ran, the contract the answers showed.
 */
function typesSection(report: ContractReport, latency: LatencyChartData): string {
  const discovered = new Map((report.discoveredContract?.types ?? []).map((entry) => [entry.type, entry]));
  const timed = new Map(latency.types.map((entry) => [entry.type, entry]));
  const types = [...new Set([...timed.keys(), ...discovered.keys()])];
  if (types.length === 0) return '';
  const withContract = discovered.size > 0;
  const ms = (value: number) => `${value} ms`;
  const latencyCells = (entry: TypeLatency | undefined) =>
    entry === undefined
      ? '<td class="num">0</td><td class="num">–</td><td class="num">–</td><td class="num">–</td><td class="num">–</td>'
      : [
          String(entry.deliveries),
          ms(entry.p50),
          ms(entry.p95),
          `${ms(entry.max)} <span class="muted">(${Math.round((entry.max / latency.deadlineMs) * 100)} %)</span>`,
          entry.errors > 0 ? `${entry.timeouts} <span class="muted">+ ${entry.errors} conn. errors</span>` : String(entry.timeouts),
        ].map((cell) => `<td class="num">${cell}</td>`).join('');
  const contractCells = (entry: DiscoveredType | undefined) =>
    entry === undefined
      ? '<td>–</td><td>–</td><td class="num">–</td><td>–</td>'
      : [
          `<td class="requires">${fieldList(entry.requires)}</td>`,
          `<td class="validates">${fieldList(entry.validates.map((field) => field.field))}</td>`,
          `<td class="num tolerates">${entry.tolerates.length}</td>`,
          `<td class="failing">${fieldList(entry.failing)}</td>`,
        ].join('');
  const rows = types.map((type) => {
    const entry = timed.get(type);
    const late = entry !== undefined && (entry.timeouts > 0 || entry.max > latency.deadlineMs);
    return `<tr data-type="${escapeHtml(type)}"${late ? ' class="late"' : ''}><th scope="row" class="type"><code>${escapeHtml(type)}</code></th>${latencyCells(entry)}${withContract ? contractCells(discovered.get(type)) : ''}</tr>`;
  });
  const head = [
    '<th>Event type</th><th class="num">Deliveries</th><th class="num">p50</th><th class="num">p95</th><th class="num" title="the slowest, and how much of the deadline it took">Max</th><th class="num">Timeouts</th>',
    withContract ? '<th>Requires</th><th>Checks in part</th><th class="num">Tolerates</th><th>Failing</th>' : '',
  ].join('');
  const height = 60 + 34 * latency.types.length;
  return [
    '<section id="types-section">',
    `<h2>Event types: latency${withContract ? ' and discovered contract' : ''}</h2>`,
    latency.types.length === 0
      ? '<p>No delivery was answered or timed out: nothing to draw.</p>'
      : [
          `<p class="muted">Every delivery of the run, once however many checks judged it, by event type: how long the receiver took to answer, against the ${latency.deadlineMs} ms after which Digital River counts a delivery as not received (red line). A timeout is drawn at the deadline; the black tick is the type's p95.</p>`,
          `<div class="chart" style="height: ${height}px"><canvas id="chart-type-latency" aria-label="Latency of every delivery per event type against the ${latency.deadlineMs} ms deadline"></canvas></div>`,
        ].join('\n'),
    latency.untyped > 0 ? `<p class="muted">${latency.untyped === 1 ? '1 delivery' : `${latency.untyped} deliveries`} of cases that send several event types at once are left out: this report predates the type recorded per delivery.</p>` : '',
    withContract
      ? `<p class="muted">Discovered contract, from malformed.robust (${escapeHtml(describeCoverage(report.discoveredContract!))}). Requires: every break of the field was rejected naming it. Checks in part: some breaks rejected naming it, the others acknowledged. Tolerates: every break acknowledged. Failing: a break got a 5xx, no answer in time, a redirect, a reset or a 4xx naming nothing. <code>--write-requires</code> writes the required fields as a scenario fragment.</p>`
      : '',
    '<div class="scroll"><table class="types" id="types-table">',
    `<thead><tr>${head}</tr></thead>`,
    `<tbody>\n${rows.join('\n')}\n</tbody>`,
    '</table></div>',
    '</section>',
  ]
    .filter(Boolean)
    .join('\n');
}

function gateBanner(report: ContractReport): string {
  const { gate } = report;
  const list = (label: string, ids: readonly string[]) =>
    ids.length === 0 ? '' : `<li>${label}: ${ids.map((id) => `<a href="#check-${escapeHtml(id)}"><code>${escapeHtml(id)}</code></a>`).join(', ')}</li>`;
  // Under a baseline, a passing gate's failed checks failed only as the baseline had.
  const failedLabel = report.baseline && gate.status === 'pass' ? 'Required checks failing only as in the baseline' : 'Failed required checks';
  const items = [list(failedLabel, gate.failedRequired), list('Advisory checks that warn', gate.warnings)].filter(Boolean);
  const extra = [
    ...(items.length > 0 ? [`<ul>${items.join('')}</ul>`] : []),
    ...gateNotes(report).map((note) => `<p class="note">${escapeHtml(note)}</p>`),
    '<p class="muted">Required checks gate: a failing case of a required check fails the gate. Advisory checks only warn.</p>',
  ];
  return banner(gate.status, `Gate: ${gate.status.toUpperCase()}`, gate.summary, extra);
}

function checksTable(checks: readonly CheckResult[], anchors: ReadonlyMap<CaseRecord, string>): string {
  const rows = checks.map((check) => {
    const head = [
      `<td><code>${escapeHtml(check.id)}</code></td>`,
      `<td>${check.required ? 'required' : 'advisory'}</td>`,
      `<td><span class="badge ${check.status}">${statusText[check.status]}</span></td>`,
    ];
    const counts =
      check.status === 'skipped'
        ? ['–', '–', '–'].map((dash) => `<td class="num">${dash}</td>`)
        : (['pass', 'fail', 'warn'] as const).map((key) => {
            const count = check.counts[key];
            const first = key === 'pass' ? undefined : check.cases.find((record) => record.verdict.status === key);
            const anchor = first ? anchors.get(first) : undefined;
            return `<td class="num count-${key}">${anchor && count > 0 ? `<a href="#${anchor}">${count}</a>` : count}</td>`;
          });
    const rule = check.status === 'skipped' ? `${escapeHtml(check.rule)} <em>Skipped: ${escapeHtml(check.skippedReason)}</em>` : escapeHtml(check.rule);
    return `<tr class="check status-${check.status}" id="check-${escapeHtml(check.id)}" data-check="${escapeHtml(check.id)}">${[...head, ...counts, `<td class="rule">${rule}</td>`].join('')}</tr>`;
  });
  return [
    '<div class="scroll"><table class="checks" id="checks-table">',
    '<thead><tr><th>Check</th><th>Kind</th><th>Status</th><th class="num">Pass</th><th class="num">Fail</th><th class="num">Warn</th><th>Rule</th></tr></thead>',
    `<tbody>\n${rows.join('\n')}\n</tbody>`,
    '</table></div>',
  ].join('\n');
}

/** The scenario's event types as the settings record them. */
function subscribedTypes(settings: Record<string, unknown>): ReadonlySet<string> {
  return new Set(Array.isArray(settings.events) ? settings.events.filter((type): type is string => typeof type === 'string') : []);
}

/** A row's header: a case of several types at once (a burst) is named by their number, the list in its tooltip. */
function typeHeader(type: string, subscribed: ReadonlySet<string>): string {
  const types = type.split(',');
  if (types.length === 1) return `<th class="type" scope="row">${escapeHtml(type)}</th>`;
  const all = types.length === subscribed.size && types.every((one) => subscribed.has(one));
  return `<th class="type" scope="row" title="${escapeHtml(types.join(', '))}">${all ? 'all ' : ''}${types.length} types</th>`;
}

/** Rows are the event types in the order the run met them, columns the checks that ran; a cell sums its cases. */
function matrix(checks: readonly CheckResult[], anchors: ReadonlyMap<CaseRecord, string>, subscribed: ReadonlySet<string>): string {
  const ran = checks.filter((check): check is RunCheck => check.status !== 'skipped');
  if (ran.length === 0) return '<p>No check ran.</p>';
  const types = [...new Set(ran.flatMap((check) => check.cases.map((record) => record.eventType)))];
  const head = `<thead><tr><th class="corner">Event type</th>${ran.map((check) => `<th class="check" scope="col" title="${escapeHtml(check.rule)}">${escapeHtml(check.id)}</th>`).join('')}</tr></thead>`;
  const rows = types.map((type) => {
    const cells = ran.map((check) => {
      const cases = check.cases.filter((record) => record.eventType === type).map((record) => ({ record, state: caseState(check, record) }));
      const data = `data-check="${escapeHtml(check.id)}" data-type="${escapeHtml(type)}"`;
      if (cases.length === 0) return `<td class="cell none" ${data}>—</td>`;
      const count = (state: CaseState) => cases.filter((c) => c.state === state).length;
      const worst = (['fail', 'warn'] as const).find((state) => count(state) > 0) ?? 'pass';
      // Failing and warning cases first: a cell of malformed.robust holds hundreds.
      const ordered = [...cases.filter((c) => c.state !== 'pass'), ...cases.filter((c) => c.state === 'pass')];
      const listed = ordered.slice(0, casesPerTooltip).map(({ record, state }) => `${mark[state]} [${record.mode}] ${record.fault}`);
      const title = [...listed, ...(cases.length > casesPerTooltip ? [`…and ${cases.length - casesPerTooltip} more`] : [])].join('\n');
      const text = worst === 'pass' ? `${mark.pass} ${cases.length}` : `${mark[worst]} ${count(worst)}/${cases.length}`;
      const first = worst === 'pass' ? undefined : cases.find((c) => c.state === worst);
      const shown = first ? `<a href="#${anchors.get(first.record)!}">${text}</a>` : text;
      return `<td class="cell ${worst}" ${data} title="${escapeHtml(title)}">${shown}</td>`;
    });
    return `<tr>${typeHeader(type, subscribed)}${cells.join('')}</tr>`;
  });
  return [
    '<div class="scroll"><table class="matrix" id="matrix">',
    head,
    `<tbody>\n${rows.join('\n')}\n</tbody>`,
    '</table></div>',
    '<p class="legend">✓ n: every case passed · ✗ f/n: f of n cases failed · ! w/n: w of n cases warned (advisory check) · —: no case. A cell links to its first failing case; hover for the cases.</p>',
  ].join('\n');
}

function caseDetails(record: CaseRecord, state: 'fail' | 'warn', anchor: string, deadlineMs: number | undefined): string {
  const groups = groupOutcomes(record.deliveries);
  const tally = groups.map((group) => `${group.count}× ${outcomeLabel(group.first)}`).join(', ');
  return [
    `<details class="case ${state}" id="${anchor}" data-case-id="${escapeHtml(record.id)}">`,
    `<summary><span class="mark">${mark[state]}</span> <span class="title">${escapeHtml(caseTitle(record))}</span><span class="reason">${escapeHtml(record.verdict.reason)}</span></summary>`,
    '<div class="case-body">',
    `<p class="why"><strong>Why${state === 'warn' ? ' it warns' : ' it fails'}:</strong> <span class="reason-text">${escapeHtml(record.verdict.reason)}</span></p>`,
    record.deliveries.length > 1 ? `<p class="line">${record.deliveries.length} deliveries: ${escapeHtml(tally)}</p>` : '',
    ...groups.slice(0, groupsPerCase).map((group) => {
      const delivery = record.deliveries.find((candidate) => candidate.outcome === group.first)!;
      return exchange(delivery, groups.length > 1 ? `${group.count}× ${outcomeLabel(group.first)}` : undefined, deadlineMs);
    }),
    groups.length > groupsPerCase ? `<p class="muted">${groups.length - groupsPerCase} more kinds of answer in report.json.</p>` : '',
    '<h4>Reproduce</h4>',
    copyableCommand(`${anchor}-reproduce`, record.reproduce),
    '</div>',
    '</details>',
  ]
    .filter(Boolean)
    .join('\n');
}

function exchange(delivery: DeliveryRecord, label: string | undefined, deadlineMs: number | undefined): string {
  const { request, outcome } = delivery;
  return [
    label ? `<h4 class="group">${escapeHtml(label)}</h4>` : '',
    '<div class="exchange">',
    '<div class="request">',
    '<h4>Request</h4>',
    `<p class="line">${escapeHtml(describeRequest(request))}</p>`,
    headersTable(request.headers),
    request.bodyExcerpt === undefined ? '<p class="muted">(body not kept: the reproduce command sends it again)</p>'
    : request.bodyExcerpt === '' ? '<p class="muted">(empty body)</p>'
    : `<pre class="body">${escapeHtml(request.bodyExcerpt)}</pre>`,
    request.bodyExcerpt !== undefined && request.bodyExcerpt.length < request.bodyBytes ? `<p class="muted">First ${escapeHtml(String(request.bodyExcerpt.length))} characters of ${formatBytes(request.bodyBytes)}.</p>` : '',
    '</div>',
    `<div class="response">${response(outcome, deadlineMs)}</div>`,
    '</div>',
  ]
    .filter(Boolean)
    .join('\n');
}

function response(outcome: DeliveryOutcome, deadlineMs: number | undefined): string {
  const lines = ['<h4>Response</h4>', `<p class="line outcome">${escapeHtml(describeOutcome(outcome))}</p>`];
  switch (outcome.kind) {
    case 'response': {
      const deadline = deadlineMs === undefined ? '' : ` (deadline ${deadlineMs} ms)`;
      lines.push(`<p class="line timing">Headers after ${formatMs(outcome.headersMs)}, complete after ${formatMs(outcome.durationMs)}${deadline}</p>`);
      lines.push(headersTable(outcome.headers));
      if (outcome.body.bytes === 0) lines.push('<p class="muted">(empty body)</p>');
      else {
        lines.push(`<pre class="body">${escapeHtml(outcome.body.text)}</pre>`);
        if (outcome.body.truncated) lines.push(`<p class="muted">The first part of ${formatBytes(outcome.body.bytes)}.</p>`);
      }
      break;
    }
    case 'timeout':
      lines.push(`<p class="line timing">Aborted at the ${outcome.deadlineMs} ms deadline after ${formatMs(outcome.durationMs)}${outcome.phase === 'interim' ? `; only the interim status ${outcome.status} had arrived` : outcome.status === undefined ? '' : `; status ${outcome.status} had arrived`}</p>`);
      break;
    case 'error':
      lines.push(`<p class="line">Cause: ${escapeHtml(outcome.cause)}${outcome.code === undefined ? '' : ` (${escapeHtml(outcome.code)})`}, after ${formatMs(outcome.durationMs)}</p>`);
      break;
  }
  return lines.join('\n');
}

function headersTable(headers: Record<string, string>): string {
  const entries = Object.entries(headers);
  if (entries.length === 0) return '<p class="muted">(no headers)</p>';
  return `<table class="headers"><tbody>${entries.map(([name, value]) => `<tr><th>${escapeHtml(name)}</th><td>${escapeHtml(value)}</td></tr>`).join('')}</tbody></table>`;
}

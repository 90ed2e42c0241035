// The load report as report.html: the verdict, capacity, latency distribution, throughput and p99 over time, outcomes, steps.
import { describeLoadBaseline } from '../../load/baseline.js';
import { fmtRate } from '../../load/diagnose.js';
import { percent } from '../../load/judge.js';
import { capacityFigure } from '../../load/ramp.js';
import { causeTallies, describeTally } from '../../load/stats.js';
import type { LatencySummary, LoadReport, Outcomes, StepResult } from '../../load/report.js';
import { chartJsSource } from '../html-assets.js';
import { verdictWord } from './words.js';
import { chartData, chartScript, SHORTEST_PART_SEC, stepState, type LoadChartData, type StepState } from './charts.js';
import { banner, escapeHtml, pageHeader, renderPage, settingsSection } from '../html-page.js';

const stateBadge: Record<StepState, string> = {
  pass: '<span class="badge pass">pass</span>',
  warn: '<span class="badge warn">warn</span>',
  fail: '<span class="badge fail">fail</span>',
  above: '<span class="badge warn">above capacity</span>',
  inconclusive: '<span class="badge inconclusive">inconclusive</span>',
};

export function renderLoadHtml(report: LoadReport): string {
  const data = chartData(report);
  const stepwise = report.steps.length > 1;
  const body = [
    pageHeader('drhook load', report),
    verdictBanner(report),
    '<section id="plan">',
    '<h2>What ran</h2>',
    `<p>${escapeHtml(capitalize(report.plan.description))}.</p>`,
    `<p>${report.pool.templates} generated events of ${report.pool.types} type${report.pool.types === 1 ? '' : 's'} (${report.pool.bytes.min}–${report.pool.bytes.max} bytes, mean ${report.pool.bytes.mean}); every request stamped with its own id and time and signed afresh.</p>`,
    ...report.plan.notes.map((note) => `<p class="muted">${escapeHtml(note)}</p>`),
    ...(report.baseline ? [`<p id="baseline">${escapeHtml(describeLoadBaseline(report)!)}</p>`] : []),
    '</section>',
    report.capacity ? capacitySection(report) : '',
    '<section id="latency">',
    '<h2>Latency distribution</h2>',
    `<p class="muted">Share of deliveries answered within a time, ${data.fullDistribution ? 'from the whole latency histogram' : 'from the measured percentiles only (p50, p90, p99, p99.9, max: this report predates the recorded distribution)'}; the red line is the ${data.budgetMs} ms p99 budget. A timeout counts as just over the deadline.</p>`,
    '<div class="chart"><canvas id="chart-latency" aria-label="Latency distribution"></canvas></div>',
    latencyTable(report),
    '</section>',
    '<section id="over-time">',
    '<h2>Throughput and p99 over time</h2>',
    `<p class="muted">Per second of ${stepwise ? 'each step, one after another' : 'the run'}: sent by sending time, answered and failed by completion time. ${partialSeconds(report)}</p>`,
    '<div class="charts">',
    '<div><h3>Requests per second</h3><div class="chart"><canvas id="chart-throughput" aria-label="Throughput over time"></canvas></div></div>',
    '<div><h3>p99 latency per second</h3><div class="chart"><canvas id="chart-p99" aria-label="p99 latency over time"></canvas></div></div>',
    '</div>',
    '</section>',
    '<section id="outcomes">',
    '<h2>Outcomes</h2>',
    '<p class="muted">Everything but a 2xx is a failure, as Digital River counts it; a redirect is never followed.</p>',
    '<div class="charts">',
    '<div class="chart"><canvas id="chart-outcomes" aria-label="Outcomes"></canvas></div>',
    outcomesTable(data.outcomes, report.totals.outcomes),
    '</div>',
    '</section>',
    '<section id="steps">',
    `<h2>${stepwise ? 'Steps' : 'Thresholds'}</h2>`,
    stepwise ? '<div class="chart"><canvas id="chart-steps" aria-label="p99 and failures per step"></canvas></div>' : '',
    stepsTable(report.steps, report.capacity !== null),
    ...report.steps.map((step) => stepDetails(step, stepwise, report.capacity !== null)),
    '</section>',
    settingsSection(report.settings),
  ].join('\n');
  return renderPage({
    kind: 'load',
    title: `drhook load: ${verdictWord(report.verdict)} — ${report.target}`,
    status: report.verdict.status,
    body,
    data,
    scripts: [chartJsSource(), chartScript],
    version: report.version,
  });
}

function verdictBanner(report: LoadReport): string {
  const { verdict } = report;
  const word = verdictWord(verdict);
  const headline = report.capacity ? `Capacity: ${capacityFigure(report.capacity)}` : `Load: ${word.toUpperCase()}`;
  const inconclusive = verdict.status === 'inconclusive' && verdict.cause !== 'interrupted' ? ['<p class="note">Inconclusive: this run neither passes nor fails the receiver.</p>'] : [];
  const extra = [
    ...(verdict.reasons.length > 0 ? [`<ul>${verdict.reasons.map((reason) => `<li>${escapeHtml(reason)}</li>`).join('')}</ul>`] : []),
    ...inconclusive,
    ...(report.complete ? [] : [`<p class="note">${report.stoppedBy === 'time-cap' ? 'The run reached its time cap' : 'The run was interrupted'}: only the steps that ran are listed.</p>`]),
    `<p class="muted">${report.capacity ? 'A capacity search fails only when no step held its thresholds.' : 'The run fails when any step breaks a threshold: p99 latency, the share of failed deliveries, or the rate asked for.'}</p>`,
  ];
  return banner(verdict.status, headline, verdict.summary, extra);
}

function capacitySection(report: LoadReport): string {
  const capacity = report.capacity!;
  const point = (label: string, found: { label: string; rate: number; p99Ms: number | null; failureRate: number } | null, why?: string) =>
    found === null
      ? `<li>${label}: none</li>`
      : `<li>${label}: ${fmtRate(found.rate)} (${escapeHtml(found.label)}), p99 ${found.p99Ms ?? '–'} ms, failures ${percent(found.failureRate)}${why ? `: ${escapeHtml(why)}` : ''}</li>`;
  return [
    '<section id="capacity">',
    '<h2>Capacity</h2>',
    `<p class="capacity-figure">${capacity.capacity === null ? (capacity.firstBad ? 'No step held every threshold' : 'No step was judged') : capitalize(capacityFigure(capacity))}</p>`,
    '<ul>',
    point('Last good', capacity.lastGood),
    point('First bad', capacity.firstBad, capacity.firstBad?.why),
    '</ul>',
    `<p class="muted">${escapeHtml(capacity.explanation)}</p>`,
    '</section>',
  ].join('\n');
}

function latencyTable(report: LoadReport): string {
  const rows: Array<[string, LatencySummary | null]> = [...report.steps.map((step): [string, LatencySummary | null] => [step.label, step.latencyMs])];
  if (report.steps.length > 1) rows.push(['all steps', report.totals.latencyMs]);
  const cells = (l: LatencySummary | null) =>
    (l ? [l.count, l.mean, l.p50, l.p90, l.p99, l.p999, l.max] : ['–', '–', '–', '–', '–', '–', '–']).map((value) => `<td class="num">${value}</td>`).join('');
  return [
    '<div class="scroll"><table class="latency" id="latency-table">',
    '<thead><tr><th></th><th class="num" title="every delivery judged; a timeout counts as just over the deadline">Deliveries</th><th class="num">Mean ms</th><th class="num">p50</th><th class="num">p90</th><th class="num">p99</th><th class="num">p99.9</th><th class="num">Max</th></tr></thead>',
    `<tbody>${rows.map(([label, latency]) => `<tr><th scope="row">${escapeHtml(label)}</th>${cells(latency)}</tr>`).join('')}</tbody>`,
    '</table></div>',
  ].join('\n');
}

function outcomesTable(outcomes: LoadChartData['outcomes'], totals: Outcomes): string {
  const rows = outcomes.map((o) => `<tr class="outcome-${o.kind}"><th scope="row">${escapeHtml(o.label)}</th><td class="num">${o.count}</td><td class="num">${totals.judged === 0 ? '–' : percent(o.count / totals.judged)}</td></tr>`);
  return [
    '<div><table class="outcomes" id="outcomes-table">',
    '<thead><tr><th>Outcome</th><th class="num">Deliveries</th><th class="num">Share</th></tr></thead>',
    `<tbody>${rows.join('')}</tbody>`,
    `<tfoot><tr><th scope="row">Judged</th><td class="num">${totals.judged}</td><td class="num">failed ${percent(totals.failureRate)}</td></tr></tfoot>`,
    '</table></div>',
  ].join('\n');
}

function stepsTable(steps: readonly StepResult[], capacityRun: boolean): string {
  const rows = steps.map((step) => {
    const o = step.outcomes;
    const l = step.latencyMs;
    const cells = [
      step.pace.kind === 'open' ? fmtRate(step.pace.rate) : 'closed loop',
      String(step.achievedRate),
      String(step.sent),
      String(o.acknowledged),
      `${o.failures} (${percent(o.failureRate)})`,
      String(o.timeouts),
      String(o.connectionErrors),
      ...(l ? [l.p50, l.p90, l.p99, l.max].map((value) => `${value} ms`) : ['–', '–', '–', '–']),
    ];
    const state = stepState(step, capacityRun);
    return `<tr class="step status-${state === 'above' ? 'warn' : state}" data-step="${escapeHtml(step.label)}"><td>${escapeHtml(step.label)}</td>${cells.map((cell) => `<td class="num">${escapeHtml(cell)}</td>`).join('')}<td>${stateBadge[state]}</td></tr>`;
  });
  return [
    '<div class="scroll"><table class="steps" id="steps-table">',
    '<thead><tr><th>Step</th><th class="num">Rate asked</th><th class="num">Sent/s</th><th class="num">Sent</th><th class="num">2xx</th><th class="num">Failed</th><th class="num">Timeouts</th><th class="num">Conn. errors</th><th class="num">p50</th><th class="num">p90</th><th class="num">p99</th><th class="num">Max</th><th>Status</th></tr></thead>',
    `<tbody>${rows.join('\n')}</tbody>`,
    '</table></div>',
  ].join('\n');
}

function stepDetails(step: StepResult, stepwise: boolean, capacityRun: boolean): string {
  const d = step.diagnostics;
  const checks = step.checks.map((check) => {
    const shown = check.verdict.status === 'fail' && capacityRun ? 'warn' : check.verdict.status;
    return `<li class="threshold ${check.verdict.status}"><span class="badge ${shown}">${check.verdict.status}</span> ${escapeHtml(check.limit)}: measured ${escapeHtml(check.measured)}. <span class="muted">${escapeHtml(check.verdict.reason)}</span></li>`;
  });
  const causes = causeTallies(step.outcomes).map(describeTally);
  return [
    stepwise ? `<h3>${escapeHtml(step.label)} ${stateBadge[stepState(step, capacityRun)]}</h3>` : '',
    `<ul class="thresholds">${checks.join('')}</ul>`,
    step.shortfall ? `<p><strong>Rate shortfall:</strong> ${escapeHtml(step.shortfall.explanation)}</p>` : '',
    causes.length > 0 ? `<p>Connection errors: ${escapeHtml(causes.join(', '))}</p>` : '',
    step.outcomes.unfinished > 0 ? `<p>${step.outcomes.unfinished} still in flight when the step ended (not judged).</p>` : '',
    `<p class="muted">drhook itself: CPU ${percent(d.cpuShare)}, stamping and signing ${percent(d.stampShare)} (${d.stampMicros} µs per event), event-loop delay p99 ${d.eventLoopLagP99Ms} ms, at most ${d.maxInFlight} in flight.</p>`,
  ]
    .filter(Boolean)
    .join('\n');
}

/** How the charts treat a step's last, partial second: reports written before its length was recorded draw it as a whole one. */
function partialSeconds(report: LoadReport): string {
  const known = report.steps.every((step) => step.series.length === 0 || step.series[step.series.length - 1]!.lengthSec !== undefined);
  return known
    ? `A step's last, partial second is shown as a rate over its real length, or counted into the second before it when shorter than ${SHORTEST_PART_SEC} s.`
    : "This report predates the recorded length of a step's last, partial second: it is drawn as a whole second.";
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

// The load report as report.html: the verdict, capacity, latency distribution, throughput and p99 over time, outcomes, steps.
import { fmtRate } from '../load/diagnose.js';
import { percent } from '../load/judge.js';
import type { LatencySummary, LoadReport, Outcomes, StepResult } from '../load/report.js';
import { chartJsSource } from './html-assets.js';
import { banner, escapeHtml, pageHeader, renderPage, settingsSection } from './html.js';

/** What the page script draws, embedded as JSON: every number the charts need, nothing else. */
interface LoadChartData {
  /** The p99 budget, marked on the latency charts. */
  budgetMs: number;
  /** Per step (and in total when there are several): latency in ms at each known percentile, for a CDF. */
  latency: Array<{ label: string; points: Array<{ x: number; y: number }> }>;
  /** Every second of every step, on one time line (seconds since the first step started). */
  timeline: Array<{ x: number; step: string; sent: number; completed: number; failures: number; p99: number | null }>;
  /** Deliveries by how they ended, over all steps. */
  outcomes: Array<{ label: string; count: number; kind: 'acknowledged' | 'redirect' | 'rejected' | 'timeout' | 'error' | 'unfinished' }>;
  /** Ramp and capacity runs: one bar per step; in a capacity search a step that broke a threshold is `above` it. */
  steps: Array<{ label: string; rate: number; p99: number | null; failureRate: number; status: StepState }>;
  capacity: number | null;
}

/** How a step is shown: in a capacity search the steps that break a threshold are above the capacity, not failures. */
type StepState = 'pass' | 'fail' | 'above';

function stepState(step: StepResult, capacityRun: boolean): StepState {
  return step.status === 'pass' ? 'pass' : capacityRun ? 'above' : 'fail';
}

const stateBadge: Record<StepState, string> = { pass: '<span class="badge pass">pass</span>', fail: '<span class="badge fail">fail</span>', above: '<span class="badge warn">above capacity</span>' };

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
    '</section>',
    report.capacity ? capacitySection(report) : '',
    '<section id="latency">',
    '<h2>Latency distribution</h2>',
    `<p class="muted">Share of deliveries answered within a time, from the measured percentiles (p50, p90, p99, p99.9, max); the red line is the ${data.budgetMs} ms p99 budget. A timeout counts as just over the deadline.</p>`,
    '<div class="chart"><canvas id="chart-latency" aria-label="Latency distribution"></canvas></div>',
    latencyTable(report),
    '</section>',
    '<section id="over-time">',
    '<h2>Throughput and p99 over time</h2>',
    `<p class="muted">Per second of ${stepwise ? 'each step, one after another' : 'the run'}, by completion time.</p>`,
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
    title: `drhook load: ${report.verdict.status} — ${report.target}`,
    status: report.verdict.status,
    body,
    data,
    scripts: [chartJsSource(), chartScript],
    version: report.version,
  });
}

function verdictBanner(report: LoadReport): string {
  const { verdict } = report;
  const headline = report.capacity
    ? report.capacity.capacity === null ? 'Capacity: no step held' : `Capacity: about ${fmtRate(report.capacity.capacity)}`
    : `Load: ${verdict.status.toUpperCase()}`;
  const extra = [
    ...(verdict.reasons.length > 0 ? [`<ul>${verdict.reasons.map((reason) => `<li>${escapeHtml(reason)}</li>`).join('')}</ul>`] : []),
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
    `<p class="capacity-figure">${capacity.capacity === null ? 'No step held every threshold' : `About ${fmtRate(capacity.capacity)}`}</p>`,
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
    '<thead><tr><th></th><th class="num">Answers</th><th class="num">Mean ms</th><th class="num">p50</th><th class="num">p90</th><th class="num">p99</th><th class="num">p99.9</th><th class="num">Max</th></tr></thead>',
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
  const codes = Object.entries(step.outcomes.errorCodes).map(([code, count]) => `${code} ×${count}`);
  return [
    stepwise ? `<h3>${escapeHtml(step.label)} ${stateBadge[stepState(step, capacityRun)]}</h3>` : '',
    `<ul class="thresholds">${checks.join('')}</ul>`,
    step.shortfall ? `<p><strong>Rate shortfall:</strong> ${escapeHtml(step.shortfall.explanation)}</p>` : '',
    codes.length > 0 ? `<p>Connection errors: ${escapeHtml(codes.join(', '))}</p>` : '',
    step.outcomes.unfinished > 0 ? `<p>${step.outcomes.unfinished} still in flight when the step ended (not judged).</p>` : '',
    `<p class="muted">drhook itself: CPU ${percent(d.cpuShare)}, stamping and signing ${percent(d.stampShare)} (${d.stampMicros} µs per event), event-loop delay p99 ${d.eventLoopLagP99Ms} ms, at most ${d.maxInFlight} in flight.</p>`,
  ]
    .filter(Boolean)
    .join('\n');
}

/** The charts' numbers: the budget from the settings (the deadline when no budget is recorded). */
function chartData(report: LoadReport): LoadChartData {
  const settings = report.settings as { thresholds?: { p99Ms?: unknown }; deadlineMs?: unknown };
  const budgetMs = typeof settings.thresholds?.p99Ms === 'number' ? settings.thresholds.p99Ms : typeof settings.deadlineMs === 'number' ? settings.deadlineMs : 3000;
  const cdf = (label: string, latency: LatencySummary | null) =>
    latency === null
      ? []
      : [{ label, points: ([[latency.p50, 50], [latency.p90, 90], [latency.p99, 99], [latency.p999, 99.9], [latency.max, 100]] as const).map(([x, y]) => ({ x, y })) }];
  const latency = [...report.steps.flatMap((step) => cdf(step.label, step.latencyMs)), ...(report.steps.length > 1 ? cdf('all steps', report.totals.latencyMs) : [])];
  const origin = Date.parse(report.steps[0]?.startedAt ?? report.startedAt);
  const timeline = report.steps.flatMap((step) => {
    const offset = Math.max(0, (Date.parse(step.startedAt) - origin) / 1000);
    return step.series.map((sample) => ({
      x: Math.round((offset + sample.second) * 100) / 100,
      step: step.label,
      sent: sample.sent,
      completed: sample.completed,
      failures: sample.failures,
      p99: sample.p99Ms,
    }));
  });
  return {
    budgetMs,
    latency,
    timeline,
    outcomes: outcomeBars(report.totals.outcomes),
    steps: report.steps.map((step) => ({
      label: step.label,
      rate: step.pace.kind === 'open' ? step.pace.rate : step.achievedRate,
      p99: step.latencyMs?.p99 ?? null,
      failureRate: step.outcomes.failureRate,
      status: stepState(step, report.capacity !== null),
    })),
    capacity: report.capacity?.capacity ?? null,
  };
}

function outcomeBars(outcomes: Outcomes): LoadChartData['outcomes'] {
  const bars: LoadChartData['outcomes'] = Object.entries(outcomes.statuses).map(([status, count]) => {
    const code = Number(status);
    if (code >= 200 && code < 300) return { label: `${status} (acknowledged)`, count, kind: 'acknowledged' };
    if (code >= 300 && code < 400) return { label: `${status} (redirect, not followed)`, count, kind: 'redirect' };
    return { label: `HTTP ${status}`, count, kind: 'rejected' };
  });
  if (outcomes.timeouts > 0) bars.push({ label: 'timeout', count: outcomes.timeouts, kind: 'timeout' });
  for (const [code, count] of Object.entries(outcomes.errorCodes)) bars.push({ label: `connection error ${code}`, count, kind: 'error' });
  if (outcomes.unfinished > 0) bars.push({ label: 'unfinished (not judged)', count: outcomes.unfinished, kind: 'unfinished' });
  return bars;
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** Draws the charts from the embedded data with Chart.js; no animation, so what is drawn is final at once. */
const chartScript = String.raw`(function () {
  'use strict';
  var data = JSON.parse(document.getElementById('drhook-data').textContent);
  var colors = { pass: '#1a7f37', fail: '#cf222e', warn: '#bf8700', blue: '#0969da', purple: '#8250df', gray: '#8c959f' };
  var palette = ['#0969da', '#8250df', '#1a7f37', '#bf3989', '#953800', '#1b7c83', '#6639ba', '#57606a'];
  var kindColor = { acknowledged: colors.pass, redirect: colors.warn, rejected: colors.fail, timeout: '#953800', error: colors.purple, unfinished: colors.gray };
  Chart.defaults.animation = false;
  Chart.defaults.responsive = true;
  Chart.defaults.maintainAspectRatio = false;
  Chart.defaults.font.size = 12;
  function draw(id, config) {
    var canvas = document.getElementById(id);
    if (canvas) canvas.drawn = new Chart(canvas, config);
  }
  /** Log-scale ticks only at 1, 2 and 5 times a power of ten, written without trailing zeros. */
  function logTicks(value) {
    var power = Math.pow(10, Math.floor(Math.log10(value) + 1e-9));
    var lead = Math.round(value / power);
    if ((lead !== 1 && lead !== 2 && lead !== 5) || Math.abs(value - lead * power) > power * 1e-6) return '';
    return value >= 1 ? String(Math.round(value)) : String(Number(value.toPrecision(2)));
  }
  function budgetLine(points) {
    return { label: 'p99 budget ' + data.budgetMs + ' ms', data: points, borderColor: colors.fail, borderDash: [6, 4], borderWidth: 2, pointRadius: 0, fill: false };
  }
  var maxLatency = data.budgetMs;
  data.latency.forEach(function (series) { series.points.forEach(function (p) { if (p.x > maxLatency) maxLatency = p.x; }); });
  var minLatency = data.budgetMs;
  data.latency.forEach(function (series) { series.points.forEach(function (p) { if (p.x > 0 && p.x < minLatency) minLatency = p.x; }); });
  draw('chart-latency', {
    type: 'line',
    data: {
      datasets: data.latency.map(function (series, i) {
        var last = i === data.latency.length - 1 && series.label === 'all steps';
        return { label: series.label, data: series.points, borderColor: last ? '#1f2328' : palette[i % palette.length], backgroundColor: last ? '#1f2328' : palette[i % palette.length], borderWidth: last ? 3 : 2, pointRadius: 3, tension: 0 };
      }).concat([budgetLine([{ x: data.budgetMs, y: 0 }, { x: data.budgetMs, y: 100 }])])
    },
    options: {
      parsing: false,
      scales: {
        x: { type: 'logarithmic', min: Math.max(0.01, minLatency / 2), max: maxLatency * 1.5, ticks: { callback: logTicks, autoSkip: false, maxRotation: 0 }, title: { display: true, text: 'latency (ms, log scale)' } },
        y: { min: 0, max: 100, title: { display: true, text: '% of deliveries answered within' } }
      },
      plugins: { tooltip: { callbacks: { label: function (context) { return context.dataset.label + ': ' + context.raw.y + ' % within ' + context.raw.x + ' ms'; } } } }
    }
  });
  var end = Math.ceil(data.timeline.length > 0 ? data.timeline[data.timeline.length - 1].x + 1 : 1);
  var seconds = { type: 'linear', min: 0, max: end, ticks: { precision: 0 }, title: { display: true, text: 'seconds' } };
  function series(key) { return data.timeline.map(function (s) { return { x: s.x, y: s[key], step: s.step }; }); }
  var stepTitle = function (items) { return items.length ? items[0].raw.step + ', second ' + items[0].raw.x : ''; };
  draw('chart-throughput', {
    type: 'line',
    data: { datasets: [
      { label: 'sent', data: series('sent'), borderColor: colors.blue, backgroundColor: colors.blue, pointRadius: 0, borderWidth: 2 },
      { label: 'answered or timed out', data: series('completed'), borderColor: colors.purple, backgroundColor: colors.purple, pointRadius: 0, borderWidth: 2 },
      { label: 'failed', type: 'bar', data: series('failures'), backgroundColor: colors.fail, borderColor: colors.fail }
    ] },
    options: {
      parsing: false,
      scales: { x: seconds, y: { beginAtZero: true, title: { display: true, text: 'requests per second' } } },
      plugins: { tooltip: { callbacks: { title: stepTitle } } }
    }
  });
  var p99Points = series('p99').filter(function (p) { return p.y !== null; });
  draw('chart-p99', {
    type: 'line',
    data: { datasets: [
      { label: 'p99', data: p99Points, borderColor: colors.purple, backgroundColor: colors.purple, pointRadius: 2, borderWidth: 2 },
      budgetLine([{ x: 0, y: data.budgetMs }, { x: end, y: data.budgetMs }])
    ] },
    options: {
      parsing: false,
      scales: { x: seconds, y: { type: 'logarithmic', ticks: { callback: logTicks, autoSkip: false }, title: { display: true, text: 'ms (log scale)' } } },
      plugins: { tooltip: { callbacks: { title: stepTitle } } }
    }
  });
  draw('chart-outcomes', {
    type: 'bar',
    data: {
      labels: data.outcomes.map(function (o) { return o.label; }),
      datasets: [{ label: 'deliveries', data: data.outcomes.map(function (o) { return o.count; }), backgroundColor: data.outcomes.map(function (o) { return kindColor[o.kind]; }), maxBarThickness: 40 }]
    },
    options: { indexAxis: 'y', scales: { x: { beginAtZero: true, title: { display: true, text: 'deliveries' } } }, plugins: { legend: { display: false } } }
  });
  draw('chart-steps', {
    type: 'bar',
    data: {
      labels: data.steps.map(function (s) { return s.label + ' (' + s.rate + '/s)'; }),
      datasets: [
        { label: 'p99 (ms)', data: data.steps.map(function (s) { return s.p99; }), backgroundColor: data.steps.map(function (s) { return s.status === 'pass' ? colors.pass : s.status === 'above' ? colors.warn : colors.fail; }), yAxisID: 'y', maxBarThickness: 80 },
        { label: 'failed (%)', type: 'line', data: data.steps.map(function (s) { return Math.round(s.failureRate * 10000) / 100; }), borderColor: colors.purple, backgroundColor: colors.purple, yAxisID: 'y1' },
        { label: 'p99 budget ' + data.budgetMs + ' ms', type: 'line', data: data.steps.map(function () { return data.budgetMs; }), borderColor: colors.fail, borderDash: [6, 4], pointRadius: 0, borderWidth: 2, yAxisID: 'y' }
      ]
    },
    options: {
      scales: {
        y: { type: 'logarithmic', position: 'left', ticks: { callback: logTicks, autoSkip: false }, title: { display: true, text: 'p99 ms (log scale)' } },
        y1: { beginAtZero: true, suggestedMax: 5, position: 'right', grid: { drawOnChartArea: false }, title: { display: true, text: '% failed' } }
      }
    }
  });
})();`;

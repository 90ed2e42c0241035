// The load report's charts: the numbers they need, shaped from a LoadReport, and the page script that draws them with Chart.js.
import { isSuccess } from '../../wire/ack.js';
import { capacityReading } from '../../load/ramp.js';
import { causeTallies } from '../../load/stats.js';
import type { LatencySummary, LoadReport, Outcomes, StepResult } from '../../load/report.js';
import { chartKit } from '../chart-kit.js';

/** What the page script draws, embedded as JSON: every number the charts need, nothing else. */
export interface LoadChartData {
  /** The p99 budget, marked on the latency charts. */
  budgetMs: number;
  /** Per step (and in total when there are several): the % of deliveries (y) answered within a latency in ms (x). */
  latency: Array<{ label: string; points: Array<{ x: number; y: number }> }>;
  /** True when every curve comes from the histogram's distribution; false for older reports (five percentiles only). */
  fullDistribution: boolean;
  /** Per second of every step, on one time line (seconds since the first step started): rates over the time each covers, x its middle. */
  throughput: Array<{ x: number; step: string; sent: number; completed: number; failures: number }>;
  /** p99 of the deliveries judged in each second that had any, on the same time line. */
  p99: Array<{ x: number; step: string; y: number }>;
  /** Where the last step ended on the time line. */
  end: number;
  /** Deliveries by how they ended, over all steps. */
  outcomes: Array<{ label: string; count: number; kind: 'acknowledged' | 'redirect' | 'rejected' | 'timeout' | 'error' | 'unfinished' }>;
  /** Ramp and capacity runs: one bar per step. */
  steps: Array<{ label: string; rate: number; p99: number | null; failureRate: number; status: StepState }>;
  capacity: number | null;
}

/**
 * How a step is shown. A capacity search reads its steps as the search did: one that broke a threshold is above the
 * capacity, not a failure, and one drhook could not judge is inconclusive; elsewhere a step is shown by its status, and
 * (in an older report) a step with a warning but no failure shows the warning.
 */
export type StepState = 'pass' | 'warn' | 'fail' | 'above' | 'inconclusive';

export function stepState(step: StepResult, capacityRun: boolean): StepState {
  if (capacityRun) {
    const reading = capacityReading(step);
    return reading === 'held' ? 'pass' : reading === 'broke' ? 'above' : 'inconclusive';
  }
  if (step.status === 'fail' || step.status === 'inconclusive') return step.status;
  return step.checks.every((check) => check.verdict.status === 'pass') ? 'pass' : 'warn';
}

/** A step's last part shorter than this is counted into the second before it: a rate over a sliver of time says little. */
export const SHORTEST_PART_SEC = 0.5;

/** The charts' numbers: the budget from the settings (the deadline when no budget is recorded). */
export function chartData(report: LoadReport): LoadChartData {
  const settings = report.settings as { thresholds?: { p99Ms?: unknown }; deadlineMs?: unknown };
  const budgetMs = typeof settings.thresholds?.p99Ms === 'number' ? settings.thresholds.p99Ms : typeof settings.deadlineMs === 'number' ? settings.deadlineMs : 3000;
  const measured: Array<[string, LatencySummary]> = report.steps.flatMap((step): Array<[string, LatencySummary]> => (step.latencyMs ? [[step.label, step.latencyMs]] : []));
  if (report.steps.length > 1 && report.totals.latencyMs) measured.push(['all steps', report.totals.latencyMs]);
  const origin = Date.parse(report.steps[0]?.startedAt ?? report.startedAt);
  const timed = report.steps.map((step) => ({ step, offset: Math.max(0, (Date.parse(step.startedAt) - origin) / 1000) }));
  const round = (value: number) => Math.round(value * 1000) / 1000;
  return {
    budgetMs,
    latency: measured.map(([label, latency]) => ({ label, points: cdf(latency) })),
    fullDistribution: measured.every(([, latency]) => latency.distribution !== undefined),
    throughput: timed.flatMap(({ step, offset }) =>
      rateBuckets(step).map((bucket) => ({
        x: round(offset + bucket.start + bucket.length / 2),
        step: step.label,
        sent: round(bucket.sent / bucket.sending),
        completed: round(bucket.completed / bucket.length),
        failures: round(bucket.failures / bucket.length),
      })),
    ),
    p99: timed.flatMap(({ step, offset }) =>
      step.series.flatMap((sample) => (sample.p99Ms === null ? [] : [{ x: round(offset + sample.second + (sample.lengthSec ?? 1) / 2), step: step.label, y: sample.p99Ms }])),
    ),
    end: round(Math.max(0, ...timed.map(({ step, offset }) => offset + stepEnd(step)))),
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

/** The recorded distribution in %; reports written before it was recorded give only p50, p90, p99, p99.9 and the maximum. */
function cdf(latency: LatencySummary): Array<{ x: number; y: number }> {
  const points = latency.distribution ?? [[latency.p50, 0.5], [latency.p90, 0.9], [latency.p99, 0.99], [latency.p999, 0.999], [latency.max, 1]];
  return points.map(([x, share]) => ({ x, y: Math.round(share * 1e6) / 1e4 }));
}

/** Seconds from the step's start to the end of its last sample (a sample without a recorded length counts as a whole second). */
function stepEnd(step: StepResult): number {
  const last = step.series[step.series.length - 1];
  return last ? last.second + (last.lengthSec ?? 1) : step.durationSec;
}

/**
 * A step's seconds with the time each covers, and the part of it inside the step's sending window: a last second that
 * also holds the wait for the final answers sent only until the window closed. A last part under SHORTEST_PART_SEC
 * joins the second before it.
 */
function rateBuckets(step: StepResult): Array<{ start: number; length: number; sending: number; sent: number; completed: number; failures: number }> {
  const buckets = step.series.map((sample) => {
    const length = sample.lengthSec ?? 1;
    const sending = Math.min(length, step.durationSec - sample.second);
    return { start: sample.second, length, sending: sending > 0 ? sending : length, sent: sample.sent, completed: sample.completed, failures: sample.failures };
  });
  const last = buckets[buckets.length - 1];
  const before = buckets[buckets.length - 2];
  if (last && before && last.length < SHORTEST_PART_SEC) {
    buckets.pop();
    before.length += last.length;
    before.sending += Math.min(last.sending, Math.max(0, step.durationSec - last.start));
    before.sent += last.sent;
    before.completed += last.completed;
    before.failures += last.failures;
  }
  return buckets;
}

export function outcomeBars(outcomes: Outcomes): LoadChartData['outcomes'] {
  const bars: LoadChartData['outcomes'] = Object.entries(outcomes.statuses).map(([status, count]) => {
    const code = Number(status);
    if (isSuccess(code)) return { label: `${status} (acknowledged)`, count, kind: 'acknowledged' };
    if (code >= 300 && code < 400) return { label: `${status} (redirect, not followed)`, count, kind: 'redirect' };
    return { label: `HTTP ${status}`, count, kind: 'rejected' };
  });
  if (outcomes.timeouts > 0) bars.push({ label: 'timeout', count: outcomes.timeouts, kind: 'timeout' });
  for (const { label, codes, count } of causeTallies(outcomes)) bars.push({ label: codes.length > 0 ? `${label} (${codes.join(', ')})` : label, count, kind: 'error' });
  if (outcomes.unfinished > 0) bars.push({ label: 'unfinished (not judged)', count: outcomes.unfinished, kind: 'unfinished' });
  return bars;
}

/** Draws the charts from the embedded data with Chart.js; no animation, so what is drawn is final at once. */
export const chartScript = String.raw`(function () {
  'use strict';
  var data = JSON.parse(document.getElementById('drhook-data').textContent);
  var colors = { pass: '#1a7f37', fail: '#cf222e', warn: '#bf8700', blue: '#0969da', purple: '#8250df', gray: '#8c959f' };
  var palette = ['#0969da', '#8250df', '#1a7f37', '#bf3989', '#953800', '#1b7c83', '#6639ba', '#57606a'];
  var kindColor = { acknowledged: colors.pass, redirect: colors.warn, rejected: colors.fail, timeout: '#953800', error: colors.purple, unfinished: colors.gray };
  var stateColor = { pass: colors.pass, warn: colors.warn, above: colors.warn, inconclusive: colors.warn, fail: colors.fail };
  ${chartKit}
  function budgetLine(points) {
    return { label: 'p99 budget ' + data.budgetMs + ' ms', data: points, borderColor: colors.fail, backgroundColor: colors.fail, borderDash: [6, 4], borderWidth: 2, pointRadius: 0, fill: false };
  }
  var latencies = [data.budgetMs];
  data.latency.forEach(function (series) { series.points.forEach(function (p) { latencies.push(p.x); }); });
  draw('chart-latency', {
    type: 'line',
    data: {
      datasets: data.latency.map(function (series, i) {
        var last = i === data.latency.length - 1 && series.label === 'all steps';
        var color = last ? '#1f2328' : palette[i % palette.length];
        // Stepped: between two measured points the share is only known to be at least the lower one.
        return { label: series.label, data: series.points, borderColor: color, backgroundColor: color, borderWidth: last ? 3 : 2, pointRadius: data.fullDistribution ? 0 : 3, stepped: 'before' };
      }).concat([budgetLine([{ x: data.budgetMs, y: 0 }, { x: data.budgetMs, y: 100 }])])
    },
    options: {
      parsing: false,
      interaction: { mode: 'nearest', intersect: false },
      scales: {
        x: logAxis(latencies, 'latency (ms, log scale)'),
        y: { min: 0, max: 100, title: { display: true, text: '% of deliveries answered within' } }
      },
      plugins: { tooltip: { callbacks: { label: function (context) { return context.dataset.label + ': ' + context.raw.y + ' % within ' + context.raw.x + ' ms'; } } } }
    }
  });
  var seconds = { type: 'linear', min: 0, max: data.end, ticks: { stepSize: 1, callback: function (value) { return String(Math.round(value * 10) / 10); } }, title: { display: true, text: 'seconds' } };
  function rates(key) { return data.throughput.map(function (s) { return { x: s.x, y: s[key], step: s.step }; }); }
  var stepTitle = function (items) { return items.length ? items[0].raw.step + ', at ' + items[0].raw.x + ' s' : ''; };
  draw('chart-throughput', {
    type: 'line',
    data: { datasets: [
      { label: 'sent', data: rates('sent'), borderColor: 'rgba(9, 105, 218, 0.45)', backgroundColor: 'rgba(9, 105, 218, 0.45)', pointRadius: 0, borderWidth: 6, order: 2 },
      { label: 'answered or timed out', data: rates('completed'), borderColor: colors.purple, backgroundColor: colors.purple, pointRadius: 0, borderWidth: 2, borderDash: [6, 4], order: 1 },
      { label: 'failed', type: 'bar', data: rates('failures'), backgroundColor: colors.fail, borderColor: colors.fail, order: 0 }
    ] },
    options: {
      parsing: false,
      scales: { x: seconds, y: { beginAtZero: true, title: { display: true, text: 'requests per second' } } },
      plugins: { legend: { reverse: true }, tooltip: { callbacks: { title: stepTitle } } }
    }
  });
  draw('chart-p99', {
    type: 'line',
    data: { datasets: [
      { label: 'p99', data: data.p99, borderColor: colors.purple, backgroundColor: colors.purple, pointRadius: 2, borderWidth: 2 },
      budgetLine([{ x: 0, y: data.budgetMs }, { x: data.end, y: data.budgetMs }])
    ] },
    options: {
      parsing: false,
      scales: { x: seconds, y: logAxis([data.budgetMs].concat(data.p99.map(function (p) { return p.y; })), 'ms (log scale)') },
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
  var stepP99 = data.steps.map(function (s) { return s.p99; });
  draw('chart-steps', {
    type: 'bar',
    data: {
      labels: data.steps.map(function (s) { return s.label + ' (' + s.rate + '/s)'; }),
      datasets: [
        { label: 'p99 (ms)', data: stepP99, backgroundColor: data.steps.map(function (s) { return stateColor[s.status]; }), yAxisID: 'y', maxBarThickness: 80 },
        { label: 'failed (%)', type: 'line', data: data.steps.map(function (s) { return Math.round(s.failureRate * 10000) / 100; }), borderColor: colors.purple, backgroundColor: colors.purple, yAxisID: 'y1' },
        { label: 'p99 budget ' + data.budgetMs + ' ms', type: 'line', data: data.steps.map(function () { return data.budgetMs; }), borderColor: colors.fail, borderDash: [6, 4], pointRadius: 0, borderWidth: 2, yAxisID: 'y' }
      ]
    },
    options: {
      scales: {
        y: Object.assign(logAxis([data.budgetMs].concat(stepP99.filter(function (p) { return p !== null; })), 'p99 ms (log scale)'), { position: 'left' }),
        y1: { beginAtZero: true, suggestedMax: 5, position: 'right', grid: { drawOnChartArea: false }, title: { display: true, text: '% failed' } }
      }
    }
  });
})();`;

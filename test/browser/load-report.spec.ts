// report.html of load runs, opened from disk in Chromium: the verdict, charts actually drawn, outcomes, steps, safe data.
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { expect, test, type Page, type TestInfo } from '@playwright/test';
import type { LoadReport } from '../../src/load/report.js';
import {
  axisOf,
  capacityShortOfRate,
  drawnDatasets,
  hostile,
  hostileLoad,
  loadCapacity,
  loadMixed,
  loadRamp,
  loadTimeouts,
  loadTooFew,
  openReport,
  type BrowserGlobals,
  type ChartInstance,
  type Written,
} from './reports.js';

let ramp: Written<LoadReport>;
let mixed: Written<LoadReport>;
let capacity: Written<LoadReport>;
let timeouts: Written<LoadReport>;
let tooFew: Written<LoadReport>;

test.beforeAll(async ({}, testInfo) => {
  // Real runs, five at once: on a busy machine they may take longer than one test may.
  testInfo.setTimeout(180_000);
  // The ramp must pass, so it shares this process only with runs that wait: a capacity search beside it could take
  // the event loop its rate needs. The heavy runs go next, together.
  [ramp, timeouts, tooFew] = await Promise.all([loadRamp(), loadTimeouts(), loadTooFew()]);
  [mixed, capacity] = await Promise.all([loadMixed(), loadCapacity()]);
});

test.afterAll(async () => {
  await Promise.all([ramp, mixed, capacity, timeouts, tooFew].map((written) => written && rm(written.dir, { recursive: true, force: true })));
});

/** The chart's first dataset (what it measures) has points, and its colour is drawn inside the chart area. */
async function expectDrawn(page: Page, chart: string): Promise<void> {
  const [first] = await drawnDatasets(page, chart);
  expect(first!.points, `${chart}: "${first!.label}" has points`).toBeGreaterThan(0);
  expect(first!.pixels, `${chart}: "${first!.label}" is drawn`).toBeGreaterThan(0);
}

/** Seconds from the first step's start to each step's, as the report records them. */
function offsets(report: LoadReport): number[] {
  const origin = Date.parse(report.steps[0]!.startedAt);
  return report.steps.map((step) => (Date.parse(step.startedAt) - origin) / 1000);
}

async function screenshot(page: Page, testInfo: TestInfo, name: string): Promise<void> {
  const body = await page.screenshot({ fullPage: true, path: testInfo.outputPath(`${name}.png`) });
  await testInfo.attach(name, { body, contentType: 'image/png' });
}

const charts = ['#chart-latency', '#chart-throughput', '#chart-p99', '#chart-outcomes'];

test('a ramp against the reference receiver: PASS, every chart drawn, a row per step, nothing loaded from anywhere', async ({ page }, testInfo) => {
  expect(ramp.report.verdict.status).toBe('pass');
  const { requests, errors } = await openReport(page, ramp.url);
  await expect(page.locator('#verdict')).toHaveClass(/\bpass\b/);
  await expect(page.locator('#verdict .headline')).toHaveText('✓ Load: PASS');
  await expect(page.locator('#verdict')).toContainText(ramp.report.verdict.summary);

  for (const chart of [...charts, '#chart-steps']) {
    await expect(page.locator(chart)).toBeVisible();
    await expectDrawn(page, chart);
  }
  expect(await page.locator('#chart-latency').evaluate((canvas) => (canvas as unknown as { drawn: { data: { datasets: Array<{ label: string }> } } }).drawn.data.datasets.map((d) => d.label))).toEqual([
    'ramp 1/2',
    'ramp 2/2',
    'all steps',
    'p99 budget 3000 ms',
  ]);

  await expect(page.locator('#steps-table tbody tr')).toHaveCount(2);
  await expect(page.locator('#steps-table tr[data-step="ramp 2/2"] td').nth(1)).toHaveText('80/s');
  const acknowledged = ramp.report.totals.outcomes.acknowledged;
  await expect(page.locator('#outcomes-table tbody tr.outcome-acknowledged td').first()).toHaveText(String(acknowledged));
  await expect(page.locator('#latency-table tbody tr')).toHaveCount(3);
  expect(requests.filter((url) => !url.startsWith('file://'))).toEqual([]);
  expect(errors).toEqual([]);
  await screenshot(page, testInfo, 'load-ramp');
});

test('a receiver that answers 503, redirects and drops connections: FAIL, and each kind of outcome counted', async ({ page }, testInfo) => {
  const outcomes = mixed.report.totals.outcomes;
  expect(mixed.report.verdict.status).toBe('fail');
  const { errors } = await openReport(page, mixed.url);
  await expect(page.locator('#verdict')).toHaveClass(/\bfail\b/);
  await expect(page.locator('#verdict .headline')).toHaveText('✗ Load: FAIL');
  for (const reason of mixed.report.verdict.reasons) await expect(page.locator('#verdict')).toContainText(reason);

  const table = page.locator('#outcomes-table');
  await expect(table.locator('tr.outcome-rejected th')).toHaveText('HTTP 503');
  await expect(table.locator('tr.outcome-rejected td').first()).toHaveText(String(outcomes.statuses['503']));
  await expect(table.locator('tr.outcome-redirect th')).toHaveText('308 (redirect, not followed)');
  await expect(table.locator('tr.outcome-redirect td').first()).toHaveText(String(outcomes.redirects));
  if (outcomes.connectionErrors > 0) await expect(table.locator('tr.outcome-error')).not.toHaveCount(0);
  await expect(table.locator('tfoot')).toContainText(String(outcomes.judged));

  for (const chart of charts) await expectDrawn(page, chart);
  await expect(page.locator('#chart-steps')).toHaveCount(0);
  await expect(page.locator('#steps-table tr.status-fail')).toHaveCount(1);
  expect(errors).toEqual([]);
  await screenshot(page, testInfo, 'load-mixed');
});

test('too few deliveries to judge a p99: INCONCLUSIVE in the warning colour, never PASS, saying why', async ({ page }, testInfo) => {
  const { verdict } = tooFew.report;
  expect(verdict.status).toBe('inconclusive');
  const { errors } = await openReport(page, tooFew.url);
  await expect(page.locator('#verdict')).toHaveClass(/\binconclusive\b/);
  await expect(page.locator('#verdict .headline')).toHaveText('? Load: INCONCLUSIVE');
  await expect(page.locator('#verdict .summary')).toHaveText(verdict.summary);
  await expect(page.locator('#verdict')).toContainText('only 15 deliveries were timed, too few to judge a p99');
  await expect(page.locator('#verdict')).toContainText('this run neither passes nor fails the receiver');
  const colors = await page.locator('#verdict').evaluate((element) => {
    const style = (globalThis as unknown as BrowserGlobals).getComputedStyle(element);
    return [style.backgroundColor, style.borderTopColor];
  });
  expect(colors).toEqual(['rgb(255, 248, 197)', 'rgb(154, 103, 0)']);
  await expect(page.locator('#steps-table tr.status-inconclusive .badge')).toHaveText('inconclusive');
  await expect(page.locator('.threshold.inconclusive .badge')).toHaveText('inconclusive');
  expect(errors).toEqual([]);
  await screenshot(page, testInfo, 'load-too-few');
});

test('a capacity search: the capacity found, the steps above it marked as such (not failed), the steps chart drawn', async ({ page }, testInfo) => {
  const found = capacity.report.capacity!;
  expect(found.capacity, found.explanation).not.toBeNull();
  const { errors } = await openReport(page, capacity.url);
  await expect(page.locator('#verdict')).toHaveClass(/\bpass\b/);
  await expect(page.locator('#verdict .headline')).toHaveText(`✓ Capacity: about ${found.capacity}/s`);
  await expect(page.locator('#capacity .capacity-figure')).toHaveText(`About ${found.capacity}/s`);
  await expect(page.locator('#capacity')).toContainText(`First bad: ${found.firstBad!.rate}/s`);
  const steps = capacity.report.steps;
  await expect(page.locator('#steps-table tbody tr')).toHaveCount(steps.length);
  const above = steps.filter((step) => step.pace.kind === 'open' && step.pace.rate > found.capacity!);
  expect(above.length).toBeGreaterThan(0);
  await expect(page.locator('#steps-table tr.status-warn .badge')).toHaveText(above.map(() => 'above capacity'));
  await expect(page.locator('#steps-table tr.status-fail')).toHaveCount(0);
  await expectDrawn(page, '#chart-steps');
  expect(errors).toEqual([]);
  await screenshot(page, testInfo, 'load-capacity');
});

test('hostile text in a load report stays text, and the embedded JSON reads back exactly', async ({ page }) => {
  const written = await hostileLoad(ramp.report);
  try {
    const { errors } = await openReport(page, written.url);
    await expect(page.locator('#plan')).toContainText('note </script><script>window.__pwned = 1</script><img');
    expect(await page.evaluate(() => (globalThis as unknown as BrowserGlobals).__pwned)).toBeUndefined();
    await expect(page.locator('img')).toHaveCount(0);
    expect(await page.locator('script').count()).toBe(4);
    const data = await page.evaluate(() => JSON.parse((globalThis as unknown as BrowserGlobals).document.getElementById('drhook-data')!.textContent!) as { latency: Array<{ label: string }>; outcomes: Array<{ label: string }> });
    expect(data.latency[0]!.label).toBe(`step ${hostile}`);
    expect(data.outcomes.map((o) => o.label)).toContain(`request failed (E_${hostile})`);
    for (const chart of charts) await expectDrawn(page, chart);
    expect(errors).toEqual([]);
  } finally {
    await rm(written.dir, { recursive: true, force: true });
  }
});

test('an emptied chart counts as not drawn: its axes, grid and legend alone are no data', async ({ page }) => {
  await openReport(page, ramp.url);
  await expectDrawn(page, '#chart-throughput');
  const legend = await page.locator('#chart-throughput').evaluate((element) => {
    const chart = (element as unknown as { drawn: ChartInstance }).drawn;
    for (const dataset of chart.data.datasets) dataset.data = [];
    chart.update();
    return chart.legend.legendItems.length;
  });
  expect(legend).toBe(3);
  for (const dataset of await drawnDatasets(page, '#chart-throughput')) expect(dataset, dataset.label).toMatchObject({ points: 0, pixels: 0 });
});

test('every delivery timing out just over the budget: the latency axes bracket data and budget, with labelled ticks', async ({ page }, testInfo) => {
  const { report } = timeouts;
  expect(report.totals.outcomes.timeouts).toBe(report.totals.outcomes.judged);
  const budget = 3000;
  const { errors } = await openReport(page, timeouts.url);
  const p99s = report.steps.flatMap((step) => step.series.flatMap((sample) => (sample.p99Ms === null ? [] : [sample.p99Ms])));
  const latencies = report.steps.flatMap((step) => [step.latencyMs!.p50, step.latencyMs!.max]);
  for (const [chart, axis, values] of [['#chart-p99', 'y', p99s], ['#chart-latency', 'x', latencies]] as const) {
    expect(values.length, chart).toBeGreaterThan(0);
    const scale = await axisOf(page, chart, axis);
    expect(scale.labels.length, `${chart} ${axis} labels: ${scale.labels.join(', ')}`).toBeGreaterThanOrEqual(2);
    expect(scale.min, `${chart} starts below the budget and every value`).toBeLessThan(Math.min(budget, ...values));
    expect(scale.max, `${chart} ends above the budget and every value`).toBeGreaterThan(Math.max(budget, ...values));
    await expectDrawn(page, chart);
  }
  expect((await drawnDatasets(page, '#chart-p99')).find((dataset) => dataset.label === `p99 budget ${budget} ms`)!.pixels).toBeGreaterThan(0);
  expect(errors).toEqual([]);
  await screenshot(page, testInfo, 'load-timeouts');
});

test('throughput per second: a partial last second shown at its real rate, the lines told apart, the axis ending with the run', async ({ page }) => {
  const { report } = ramp;
  await openReport(page, ramp.url);
  const chart = await page.locator('#chart-throughput').evaluate((element) => {
    const { data, scales } = (element as unknown as { drawn: ChartInstance }).drawn;
    return { datasets: data.datasets.map((d) => ({ label: d.label, dash: d.borderDash ?? [], points: d.data as Array<{ x: number; y: number }> })), max: scales.x!.max };
  });
  const [sent, answered] = chart.datasets;
  expect([sent!.label, answered!.label]).toEqual(['sent', 'answered or timed out']);
  expect(sent!.dash).toEqual([]);
  expect(answered!.dash.length, 'answered is dashed, so it shows over an equal sent line').toBeGreaterThan(0);
  const drawn = await drawnDatasets(page, '#chart-throughput');
  expect(drawn[1]!.pixels, 'answered is visible').toBeGreaterThan(0);

  const starts = offsets(report);
  report.steps.forEach((step, index) => {
    const rate = step.pace.kind === 'open' ? step.pace.rate : 0;
    const inWindow = sent!.points.filter((point) => point.x >= starts[index]! && point.x <= starts[index]! + step.durationSec);
    expect(inWindow.length, step.label).toBeGreaterThan(0);
    for (const point of inWindow) expect(point.y / rate, `${step.label}: sent ${point.y}/s at ${point.x} s, asked ${rate}/s`).toBeGreaterThan(0.75);
    for (const point of inWindow) expect(point.y / rate, `${step.label}: sent ${point.y}/s at ${point.x} s, asked ${rate}/s`).toBeLessThan(1.25);
  });
  const last = report.steps.length - 1;
  const sendingEnded = starts[last]! + report.steps[last]!.durationSec;
  expect(chart.max, 'the axis ends when the last answers came').toBeGreaterThanOrEqual(sendingEnded);
  expect(chart.max, 'the axis ends when the last answers came').toBeLessThan(sendingEnded + 0.5);
});

test('a capacity search whose receiver only falls short of the rate: the steps the search judged bad are above capacity, not pass', async ({ page }, testInfo) => {
  const written = await capacityShortOfRate(ramp.report, 21);
  try {
    const found = written.report.capacity!;
    expect(found.capacity, found.explanation).not.toBeNull();
    expect(found.firstBad, found.explanation).not.toBeNull();
    const steps = written.report.steps;
    expect(steps.every((step) => step.outcomes.failures === 0)).toBe(true);
    const { errors } = await openReport(page, written.url);
    await expect(page.locator('#capacity')).toContainText(`First bad: ${found.firstBad!.rate}/s`);
    await expect(page.locator(`#steps-table tr[data-step="${found.firstBad!.label}"] .badge`)).toHaveText('above capacity');
    for (const step of steps) {
      const rate = step.pace.kind === 'open' ? step.pace.rate : 0;
      await expect(page.locator(`#steps-table tr[data-step="${step.label}"] .badge`), `${step.label} at ${rate}/s`).toHaveText(rate > found.capacity! ? 'above capacity' : 'pass');
    }
    const summary = page.locator('#verdict .summary');
    await expect(summary).toContainText(`At ${found.firstBad!.rate}/s no delivery failed, but: `);
    expect(await summary.textContent()).not.toMatch(/\.\./);
    expect(errors).toEqual([]);
    await screenshot(page, testInfo, 'load-capacity-short');
  } finally {
    await rm(written.dir, { recursive: true, force: true });
  }
});

test('the latency distribution comes from the histogram, per step, with the budget marked; older reports still render', async ({ page }, testInfo) => {
  const { report } = ramp;
  const curves = [...report.steps.map((step) => [step.label, step.latencyMs!] as const), ['all steps', report.totals.latencyMs!] as const];
  for (const [label, latency] of curves) {
    const points = latency.distribution!;
    expect(points.length, label).toBeGreaterThan(5);
    expect(points.length, label).toBeLessThanOrEqual(76);
    expect(points[0]![1], label).toBe(0);
    expect(points[points.length - 1], label).toEqual([latency.max, 1]);
    points.slice(1).forEach(([ms, share], i) => {
      expect(ms, `${label}: latency never falls`).toBeGreaterThanOrEqual(points[i]![0]);
      expect(share, `${label}: share rises`).toBeGreaterThan(points[i]![1]);
    });
  }
  await openReport(page, ramp.url);
  const datasets = await page.locator('#chart-latency').evaluate((element) =>
    (element as unknown as { drawn: ChartInstance }).drawn.data.datasets.map((d) => ({ label: d.label, points: d.data as Array<{ x: number; y: number }> })),
  );
  expect(datasets.map((d) => d.label)).toEqual([...curves.map(([label]) => label), 'p99 budget 3000 ms']);
  curves.forEach(([label, latency], i) => {
    expect(datasets[i]!.points.map((p) => p.x), label).toEqual(latency.distribution!.map(([ms]) => ms));
    datasets[i]!.points.forEach((p, n) => expect(p.y, `${label}: % within ${p.x} ms`).toBeCloseTo(latency.distribution![n]![1] * 100, 6));
  });
  expect(datasets[curves.length]!.points.map((p) => p.x)).toEqual([3000, 3000]);
  await expect(page.locator('#latency')).toContainText('from the whole latency histogram');

  // A report written before the distribution (and the length of a step's last second) was recorded: `drhook report` renders it.
  const dir = await mkdtemp(path.join(os.tmpdir(), 'drhook-browser-old-'));
  try {
    const old = JSON.parse(await readFile(path.join(ramp.dir, 'report.json'), 'utf8')) as LoadReport;
    for (const latency of [...old.steps.map((step) => step.latencyMs), old.totals.latencyMs]) delete latency!.distribution;
    for (const sample of old.steps.flatMap((step) => step.series)) delete sample.lengthSec;
    await writeFile(path.join(dir, 'report.json'), JSON.stringify(old));
    await promisify(execFile)(process.execPath, [fileURLToPath(new URL('../../dist/src/cli.js', import.meta.url)), 'report', path.join(dir, 'report.json')]);
    const { errors } = await openReport(page, `file://${path.join(dir, 'report.html')}`);
    await expect(page.locator('#latency')).toContainText('from the measured percentiles only');
    await expect(page.locator('#over-time')).toContainText('it is drawn as a whole second');
    const [first] = await drawnDatasets(page, '#chart-latency');
    expect(first).toMatchObject({ label: 'ramp 1/2', points: 5 });
    for (const chart of charts) await expectDrawn(page, chart);
    expect(errors).toEqual([]);
    await screenshot(page, testInfo, 'load-old-report');
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

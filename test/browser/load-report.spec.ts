// report.html of load runs, opened from disk in Chromium: the verdict, charts actually drawn, outcomes, steps, safe data.
import { rm } from 'node:fs/promises';
import { expect, test, type Page, type TestInfo } from '@playwright/test';
import type { LoadReport } from '../../src/load/report.js';
import { drawnShare, hostile, hostileLoad, loadCapacity, loadMixed, loadRamp, openReport, type BrowserGlobals, type Written } from './reports.js';

let ramp: Written<LoadReport>;
let mixed: Written<LoadReport>;
let capacity: Written<LoadReport>;

test.beforeAll(async () => {
  [ramp, mixed, capacity] = await Promise.all([loadRamp(), loadMixed(), loadCapacity()]);
});

test.afterAll(async () => {
  await Promise.all([ramp, mixed, capacity].map((written) => written && rm(written.dir, { recursive: true, force: true })));
});

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
    expect(await drawnShare(page, chart), `${chart} is drawn`).toBeGreaterThan(0.01);
  }
  expect(await page.locator('#chart-latency').evaluate((canvas) => (canvas as unknown as { drawn: { data: { datasets: Array<{ label: string }> } } }).drawn.data.datasets.map((d) => d.label))).toEqual([
    'ramp 1/2',
    'ramp 2/2',
    'all steps',
    'p99 budget 3000 ms',
  ]);

  await expect(page.locator('#steps-table tbody tr')).toHaveCount(2);
  await expect(page.locator('#steps-table tr[data-step="ramp 2/2"] td').nth(1)).toHaveText('40/s');
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

  for (const chart of charts) expect(await drawnShare(page, chart), `${chart} is drawn`).toBeGreaterThan(0.01);
  await expect(page.locator('#chart-steps')).toHaveCount(0);
  await expect(page.locator('#steps-table tr.status-fail')).toHaveCount(1);
  expect(errors).toEqual([]);
  await screenshot(page, testInfo, 'load-mixed');
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
  const above = steps.filter((step) => step.status === 'fail');
  expect(above.length).toBeGreaterThan(0);
  await expect(page.locator('#steps-table tr.status-warn .badge')).toHaveText(above.map(() => 'above capacity'));
  await expect(page.locator('#steps-table tr.status-fail')).toHaveCount(0);
  expect(await drawnShare(page, '#chart-steps')).toBeGreaterThan(0.01);
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
    expect(data.outcomes.map((o) => o.label)).toContain(`connection error E_${hostile}`);
    for (const chart of charts) expect(await drawnShare(page, chart), `${chart} is drawn`).toBeGreaterThan(0.01);
    expect(errors).toEqual([]);
  } finally {
    await rm(written.dir, { recursive: true, force: true });
  }
});

// report.html of contract runs, opened from disk in Chromium: what a person checks first, and that nothing hostile runs.
import { rm } from 'node:fs/promises';
import { expect, test, type Page, type TestInfo } from '@playwright/test';
import type { ContractReport } from '../../src/contract/results.js';
import { contractRun, hostile, hostileContractRun, openReport, password, tokens, type BrowserGlobals, type Written } from './reports.js';

let passing: Written<ContractReport>;
let failing: Written<ContractReport>;
let hostileRun: Written<ContractReport>;
/**
 * The bundled default scenario (every subscribed type) against a receiver whose 400 answers name no field; without
 * malformed.robust, whose thousands of cases add nothing to the matrix's columns.
 */
let defaultFailing: Written<ContractReport>;

test.beforeAll(async ({}, testInfo) => {
  // Real runs, four at once: on a busy machine they may take longer than one test may.
  testInfo.setTimeout(180_000);
  [passing, failing, hostileRun, defaultFailing] = await Promise.all([contractRun(), contractRun('reject-duplicates'), hostileContractRun(), contractRun('malformed-no-message', { skip: ['malformed.robust'] })]);
});

test.afterAll(async () => {
  await Promise.all([passing, failing, hostileRun, defaultFailing].map((written) => written && rm(written.dir, { recursive: true, force: true })));
});

async function screenshot(page: Page, testInfo: TestInfo, name: string): Promise<void> {
  const body = await page.screenshot({ fullPage: true, path: testInfo.outputPath(`${name}.png`) });
  await testInfo.attach(name, { body, contentType: 'image/png' });
}

test('a passing run: a green PASS banner, every check passed or skipped, no flagged case, nothing loaded from anywhere', async ({ page }, testInfo) => {
  const { requests, errors } = await openReport(page, passing.url);
  const banner = page.locator('#verdict');
  await expect(banner).toHaveClass(/\bpass\b/);
  await expect(banner.locator('.headline')).toHaveText('✓ Gate: PASS');
  await expect(banner).toContainText(passing.report.gate.summary);
  expect(await banner.evaluate((element) => (globalThis as unknown as BrowserGlobals).getComputedStyle(element).backgroundColor)).toBe('rgb(218, 251, 225)');

  const rows = page.locator('#checks-table tbody tr');
  await expect(rows).toHaveCount(passing.report.checks.length);
  await expect(page.locator('#checks-table tr.status-fail, #checks-table tr.status-warn')).toHaveCount(0);
  await expect(page.locator('#matrix td.fail, #matrix td.warn')).toHaveCount(0);
  await expect(page.locator('#matrix td.cell[data-check="ack.2xx"][data-type="order.accepted"]')).toHaveText('✓ 2');
  await expect(page.locator('#cases')).toContainText('No case failed or warned.');
  await expect(page.locator('#settings-table')).toContainText('basic as drhook');

  const html = await page.content();
  for (const secret of [...tokens.test, ...tokens.live, password]) expect(html).not.toContain(secret);
  expect(requests.filter((url) => !url.startsWith('file://'))).toEqual([]);
  expect(errors).toEqual([]);
  await screenshot(page, testInfo, 'contract-pass');
});

test('a failing run: a red FAIL banner naming the check, its row and matrix cell, the case with request, response and reason', async ({ page }, testInfo) => {
  const record = failing.report.checks.find((check) => check.id === 'idempotency.redelivery')!.cases[0]!;
  expect(record.verdict.status).toBe('fail');
  const { errors } = await openReport(page, failing.url);

  const banner = page.locator('#verdict');
  await expect(banner).toHaveClass(/\bfail\b/);
  await expect(banner.locator('.headline')).toHaveText('✗ Gate: FAIL');
  await expect(banner).toContainText('idempotency.redelivery');
  expect(await banner.evaluate((element) => (globalThis as unknown as BrowserGlobals).getComputedStyle(element).borderTopColor)).toBe('rgb(207, 34, 46)');

  const row = page.locator('#checks-table tr[data-check="idempotency.redelivery"]');
  await expect(row).toHaveClass(/status-fail/);
  await expect(row.locator('.badge')).toHaveText('fail');
  await expect(row.locator('td.count-fail')).toHaveText('1');
  // The copy answered 409 while the first was in flight fails idempotency.concurrent too.
  await expect(page.locator('#checks-table tr.status-fail')).toHaveCount(2);
  await expect(page.locator('#checks-table tr.status-fail[data-check="idempotency.concurrent"]')).toHaveCount(1);

  const cell = page.locator('#matrix td.cell[data-check="idempotency.redelivery"][data-type="order.accepted"]');
  await expect(cell).toHaveClass(/\bfail\b/);
  await expect(cell).toHaveText('✗ 1/1');

  const details = page.locator(`details.case[data-case-id="${record.id}"]`);
  await expect(details).toHaveClass(/\bfail\b/);
  await expect(details.locator('.reason-text')).toBeHidden();
  await cell.locator('a').click();
  await expect(details).toHaveAttribute('open', '');
  await expect(details.locator('.reason-text')).toHaveText(record.verdict.reason);
  await expect(details).toContainText('2 deliveries: 1× HTTP 202, 1× HTTP 409');
  await expect(details.locator('.request').first()).toContainText('POST');
  await expect(details.locator('.request').first()).toContainText('Authorization');
  await expect(details.locator('.request').first()).toContainText('Basic [redacted]');
  await expect(details.locator('.response').nth(1)).toContainText('HTTP 409');
  await expect(details.locator('.response').nth(1).locator('pre.body')).toContainText('already received');
  await expect(details.locator('.response').nth(1)).toContainText('complete after');
  expect(errors).toEqual([]);
  await screenshot(page, testInfo, 'contract-fail');
});

test('the report ends its sections with the subscription advice: the failing type in red, to fix first or deselect, with the risk of being disabled', async ({ page }, testInfo) => {
  const { errors } = await openReport(page, failing.url);
  const sections = await page.locator('section').evaluateAll((elements) => elements.map((element) => (element as unknown as { id: string }).id));
  expect(sections.slice(-2)).toEqual(['subscriptions-section', 'settings']);
  const row = page.locator('#subscriptions tr[data-type="order.accepted"]');
  await expect(row).toHaveAttribute('data-verdict', 'fix-or-deselect');
  await expect(row.locator('.verdict')).toHaveText('✗ fix the handler first');
  await expect(row.locator('.detail')).toContainText('failing: idempotency.redelivery, idempotency.concurrent; or deselect it in the Dashboard if your application does not need it');
  await expect(row.locator('.refusal')).toContainText('The receiver rejects 6 deliveries of it as Digital River makes them (redirects or 4xx): Digital River retries each, and disables an endpoint that keeps failing them.');
  expect(await row.locator('.verdict').evaluate((element) => (globalThis as unknown as BrowserGlobals).getComputedStyle(element).color)).toBe('rgb(207, 34, 46)');

  await openReport(page, passing.url);
  const safe = page.locator('#subscriptions tr[data-type="order.accepted"]');
  await expect(safe.locator('.verdict')).toHaveText('✓ safe to subscribe');
  await expect(page.locator('#subscriptions .refusal')).toHaveCount(0);
  expect(errors).toEqual([]);
  await screenshot(page, testInfo, 'contract-subscriptions');
});

test('the copy button puts the reproduce command on the clipboard and says so', async ({ page, context }) => {
  await context.grantPermissions(['clipboard-read', 'clipboard-write']);
  const record = failing.report.checks.find((check) => check.id === 'idempotency.redelivery')!.cases[0]!;
  await openReport(page, failing.url);
  const details = page.locator(`details.case[data-case-id="${record.id}"]`);
  await details.locator('summary').click();
  const button = details.locator('button.copy');
  await expect(button).toHaveText('Copy');
  await button.click();
  await expect(button).toHaveText('Copied');
  await expect(button).toHaveClass(/copied/);
  expect(await page.evaluate(() => (globalThis as unknown as BrowserGlobals).navigator.clipboard!.readText())).toBe(record.reproduce);
  expect(record.reproduce).toMatch(/^drhook contract http:\/\/127\.0\.0\.1:\d+\/webhooks\/digitalriver .*--case idempotency\.redelivery\/order\.accepted\/test\/delivered-twice$/);
});

test('without the clipboard API the copy button falls back to a selection copy', async ({ page }) => {
  await page.addInitScript(() => Object.defineProperty((globalThis as unknown as BrowserGlobals).navigator, 'clipboard', { value: undefined }));
  await openReport(page, failing.url);
  await page.locator('button[data-expand="open"]').click();
  const button = page.locator('details.case button.copy').first();
  await button.click();
  await expect(button).toHaveText(/^(Copied|Select and copy)$/);
  const copied = (await button.textContent()) === 'Copied';
  if (!copied) expect(await page.evaluate(() => (globalThis as unknown as BrowserGlobals).getSelection()?.toString())).toContain('drhook contract');
});

test('a hostile receiver body and header are shown as text: no markup, no script runs', async ({ page }, testInfo) => {
  const { errors } = await openReport(page, hostileRun.url);
  await expect(page.locator('#verdict')).toHaveClass(/\bfail\b/);
  await page.locator('button[data-expand="open"]').click();
  const body = page.locator('details.case .response pre.body').first();
  await expect(body).toContainText('<h1>boom</h1></script><script>window.__pwned = 1</script><img src=x onerror="window.__pwned = 2"><!--');
  await expect(body).toContainText('\\x07');
  await expect(page.locator('details.case .response').first()).toContainText('X-Hostile'.toLowerCase());
  expect(await page.evaluate(() => (globalThis as unknown as BrowserGlobals).__pwned)).toBeUndefined();
  await expect(page.locator('img, h1:has-text("boom")')).toHaveCount(0);
  // Its own: the embedded data, Chart.js, the chart's script and the page's.
  expect(await page.locator('script').count()).toBe(4);
  expect(errors).toEqual([]);
  expect(hostile).toContain('</script>');
  await screenshot(page, testInfo, 'contract-hostile');
});

test('the default scenario at 1280 px: a failing matrix cell is in view, the burst row named by its number of types', async ({ page }, testInfo) => {
  const burst = defaultFailing.report.checks.find((check) => check.id === 'concurrency.burst')!;
  expect(burst.status).toBe('pass');
  const types = burst.cases[0]!.eventType.split(',');
  expect(types.length).toBeGreaterThan(1);
  const failed = defaultFailing.report.checks.find((check) => check.id === 'malformed.message')!;
  expect(failed.status).toBe('fail');
  const { errors } = await openReport(page, defaultFailing.url);
  expect(page.viewportSize()!.width).toBe(1280);

  const matrix = page.locator('#matrix');
  await matrix.evaluate((element) => (element as unknown as { scrollIntoView(options: object): void }).scrollIntoView({ block: 'start', inline: 'nearest' }));
  const cell = page.locator(`#matrix td.cell.fail[data-check="malformed.message"][data-type="${failed.cases[0]!.eventType}"]`);
  await expect(cell).toHaveText(/^✗ \d+\/\d+$/);
  await expect(cell).toBeInViewport({ ratio: 1 });
  await expect(page.locator(`#matrix td.cell[data-check="concurrency.burst"][data-type="${burst.cases[0]!.eventType}"]`)).toBeInViewport({ ratio: 1 });

  // The burst's row (every type at once); ordering.out-of-order's story has a row of its own, named by its count too.
  const header = page.locator('#matrix th.type[title]', { hasText: /^all / });
  await expect(header).toHaveText(`all ${types.length} types`);
  await expect(header).toHaveAttribute('title', types.join(', '));
  await expect(page.locator('#matrix th.type[title]', { hasText: /^\d+ types$/ })).toHaveCount(1);

  // Narrower, the matrix scrolls sideways inside its box and keeps its event-type column in view.
  await page.setViewportSize({ width: 800, height: 900 });
  const box = page.locator('#matrix-section .scroll');
  const firstType = page.locator('#matrix tbody th.type').first();
  const before = { type: (await firstType.boundingBox())!.x, cell: (await cell.boundingBox())!.x };
  const scrolled = await box.evaluate((element) => {
    const scroller = element as unknown as { scrollLeft: number; scrollWidth: number; clientWidth: number };
    scroller.scrollLeft = scroller.scrollWidth;
    return scroller.scrollLeft;
  });
  expect(scrolled).toBeGreaterThan(0);
  expect((await firstType.boundingBox())!.x).toBe(before.type);
  expect((await cell.boundingBox())!.x).toBeLessThan(before.cell);
  expect(errors).toEqual([]);
  await screenshot(page, testInfo, 'contract-default-scenario');
});

test('an unsigned run: the PASS banner says, in the warning colour, that no signature check ran', async ({ page }, testInfo) => {
  // A receiver that verifies no signature, run with --unsigned.
  const unsigned = await contractRun('skip-signature', { events: ['order.accepted'], mode: 'test', unsigned: true, secrets: { test: [], live: [] } });
  try {
    expect(unsigned.report.gate.unsigned).toBe(true);
    const { errors } = await openReport(page, unsigned.url);
    const banner = page.locator('#verdict');
    await expect(banner.locator('.headline')).toHaveText('✓ Gate: PASS');
    await expect(banner.locator('.summary')).toHaveText(/; no signature check ran \(--unsigned\)\.$/);
    const note = banner.locator('.note');
    await expect(note).toHaveText('No signature check ran: the events were sent unsigned (--unsigned), so this gate says nothing about whether the receiver verifies signatures.');
    await expect(note).toBeVisible();
    expect(await note.evaluate((element) => (globalThis as unknown as BrowserGlobals).getComputedStyle(element).color)).not.toBe(
      await banner.locator('.summary').evaluate((element) => (globalThis as unknown as BrowserGlobals).getComputedStyle(element).color),
    );
    await expect(page.locator('#checks-table tr.status-skipped[data-check^="signature."]')).toHaveCount(7);
    expect(errors).toEqual([]);
    await screenshot(page, testInfo, 'contract-unsigned');
  } finally {
    await rm(unsigned.dir, { recursive: true, force: true });
  }
});

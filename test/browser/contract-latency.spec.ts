// report.html of a contract run, opened from disk in Chromium: every delivery's latency per event type against the deadline, beside the discovered contract.
import { rm } from 'node:fs/promises';
import { expect, test } from '@playwright/test';
import { axisOf, drawnDatasets, latencyContractRun, openReport, slowType, type ChartInstance } from './reports.js';

test('latency per event type: one strip per type against the 3000 ms deadline line, beside the discovered contract, nothing loaded', async ({ page }, testInfo) => {
  // refund.complete and a type the receiver answers late, with malformed.robust: the chart beside the discovered contract.
  const latency = await latencyContractRun();
  try {
    const types = ['refund.complete', slowType.type];
    expect(latency.report.discoveredContract?.types.map((entry) => entry.type)).toEqual(types);
    const { requests, errors } = await openReport(page, latency.url);
    const section = page.locator('#types-section');
    await expect(section.locator('h2')).toHaveText('Event types: latency and discovered contract');
    const chart = section.locator('#chart-type-latency');
    await expect(chart).toBeVisible();

    // One row of the chart and of the table per event type, in the scenario's order.
    expect((await axisOf(page, '#chart-type-latency', 'y')).labels).toEqual(types);
    await expect(section.locator('#types-table tbody tr')).toHaveCount(types.length);
    expect(await section.locator('#types-table tbody th.type').allTextContents()).toEqual(types);
    await expect(section.locator('#types-table thead')).toContainText('Requires');

    // The deadline: a red dashed line at 3000 ms, drawn, right of every delivery; the axis spans both.
    const drawn = await drawnDatasets(page, '#chart-type-latency');
    const deadline = drawn.find((dataset) => dataset.label === 'deadline 3000 ms');
    expect(deadline, drawn.map((dataset) => dataset.label).join(', ')).toBeDefined();
    expect(deadline!.pixels).toBeGreaterThan(0);
    const acknowledged = drawn.find((dataset) => dataset.label === 'acknowledged (2xx)')!;
    expect(acknowledged.pixels).toBeGreaterThan(0);
    const placed = await chart.evaluate((element) => {
      const instance = (element as unknown as { drawn: ChartInstance & { scales: Record<string, { getPixelForValue(value: number): number }> } }).drawn;
      const line = instance.data.datasets.find((dataset) => dataset.label === 'deadline 3000 ms')!;
      const points = instance.data.datasets.filter((dataset) => dataset.label === 'acknowledged (2xx)').flatMap((dataset) => dataset.data as Array<{ x: number; y: number }>);
      return {
        line: (line.data as Array<{ x: number }>).map((point) => point.x),
        lineDash: line.borderDash ?? [],
        linePixel: instance.scales.x!.getPixelForValue(3000),
        rightmost: Math.max(...points.map((point) => instance.scales.x!.getPixelForValue(point.x))),
        slowest: { fast: Math.min(...points.filter((p) => Math.round(p.y) === 1).map((p) => p.x)), count: points.length },
      };
    });
    expect(placed.line).toEqual([3000, 3000]);
    expect(placed.lineDash.length).toBeGreaterThan(0);
    expect(placed.linePixel).toBeGreaterThan(placed.rightmost);
    // Every delivery the run made is a point, the late type's none earlier than the receiver held it.
    const deliveries = latency.report.checks.find((check) => check.id === 'malformed.robust')!.cases.length + types.length;
    expect(placed.slowest.count).toBe(deliveries);
    expect(placed.slowest.fast).toBeGreaterThanOrEqual(slowType.ms);
    const x = await axisOf(page, '#chart-type-latency', 'x');
    expect(x.max).toBeGreaterThan(3000);
    expect(x.labels.length).toBeGreaterThanOrEqual(2);

    expect(requests.filter((url) => !url.startsWith('file://'))).toEqual([]);
    expect(errors).toEqual([]);
    await section.screenshot({ path: testInfo.outputPath('contract-latency.png') });
  } finally {
    await rm(latency.dir, { recursive: true, force: true });
  }
});

// Reports for the browser tests, from real runs against real receivers on 127.0.0.1, written by the real report writers.
import http from 'node:http';
import { mkdtemp } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import type { Page } from '@playwright/test';
import type { ContractReport } from '../../src/contract/results.js';
import type { ContractOptions } from '../../src/contract/settings.js';
import type { LoadReport } from '../../src/load/report.js';
import type { LoadOptions } from '../../src/load/settings.js';
import type { ReceiverOptions } from '../../src/receiver/server.js';

/**
 * drhook as built in dist/ (it finds its schemas and scenarios relative to its compiled files); its types come from
 * the sources, so the TypeScript build never reads its own output.
 */
function built<T>(module: string): Promise<T> {
  return import(new URL(`../../dist/src/${module}`, import.meta.url).href) as Promise<T>;
}
const [
  { runContract },
  { resolveSettings, settingsSecrets },
  { runLoad, describePlan },
  loadSettings,
  { runPlan },
  { runVerdict, stepStatus },
  { addOutcomes },
  { startReceiver },
  { createRedactor },
  { writeReports },
] = await Promise.all([
  built<typeof import('../../src/contract/run.js')>('contract/run.js'),
  built<typeof import('../../src/contract/settings.js')>('contract/settings.js'),
  built<typeof import('../../src/load/run.js')>('load/run.js'),
  built<typeof import('../../src/load/settings.js')>('load/settings.js'),
  built<typeof import('../../src/load/ramp.js')>('load/ramp.js'),
  built<typeof import('../../src/load/judge.js')>('load/judge.js'),
  built<typeof import('../../src/load/stats.js')>('load/stats.js'),
  built<typeof import('../../src/receiver/server.js')>('receiver/server.js'),
  built<typeof import('../../src/wire/redact.js')>('wire/redact.js'),
  built<typeof import('../../src/report/report-files.js')>('report/report-files.js'),
]);
const { resolveLoadSettings, settingsSecrets: loadSecrets } = loadSettings;

/**
 * The few browser globals the page functions use. They run in the page, not here, so the tests compile without the
 * DOM library: they reach them through `globalThis as unknown as BrowserGlobals`.
 */
export interface BrowserGlobals {
  navigator: { clipboard?: { readText(): Promise<string> } };
  document: { getElementById(id: string): { textContent: string | null } | null };
  getComputedStyle(element: unknown): { backgroundColor: string; borderTopColor: string; color: string };
  getSelection(): { toString(): string } | null;
  /** Set only if injected markup ran. */
  __pwned?: number;
}

interface Canvas {
  width: number;
  height: number;
  getContext(kind: '2d'): { getImageData(x: number, y: number, width: number, height: number): { data: ArrayLike<number> } };
}

/** The parts of a Chart.js instance (the page keeps each on its canvas as `drawn`) the tests read. */
export interface ChartInstance {
  chartArea: { left: number; top: number; right: number; bottom: number };
  currentDevicePixelRatio: number;
  data: { datasets: Array<{ label?: string; data: unknown[]; borderColor?: unknown; backgroundColor?: unknown; borderDash?: number[] }> };
  scales: Record<string, { min: number; max: number; ticks: Array<{ value: number; label: string | string[] }> }>;
  legend: { legendItems: unknown[] };
  update(): void;
}

export const tokens = { test: ['tok_browser_test_5d2a'], live: ['tok_browser_live_8c1f'] };
export const password = 'PASSWORD-browser-3e9b';
const auth = { kind: 'basic', username: 'drhook', password } as const;

/** Markup, a script end tag, an HTML comment opener, U+2028 and a control character: what a hostile receiver might send. */
export const hostile = `</script><script>window.__pwned = 1</script><img src=x onerror="window.__pwned = 2"><!-- \u2028 \u0007 "quotes" & 'apostrophes'`;

export interface Written<R> {
  report: R;
  /** report.html as a file:// URL. */
  url: string;
  dir: string;
}

const tempDir = () => mkdtemp(path.join(os.tmpdir(), 'drhook-browser-'));

/** order.accepted in both modes: with basic auth every check can run. */
const oneType: ContractOptions = { events: ['order.accepted'], mode: 'both' };

/** A contract run with basic auth; without events, of the bundled default scenario. */
async function contractAgainst(url: string, options: ContractOptions): Promise<Written<ContractReport>> {
  const settings = resolveSettings(url, { secrets: tokens, auth, seed: 7, ...options });
  const report = await runContract(settings);
  const dir = await tempDir();
  const paths = await writeReports(report, dir, createRedactor(settingsSecrets(settings)));
  return { report, url: `file://${paths.html}`, dir };
}

/** Against the reference receiver, correct or with one fault; of order.accepted unless other options are given. */
export async function contractRun(fault?: ReceiverOptions['fault'], options: ContractOptions = oneType): Promise<Written<ContractReport>> {
  const receiver = await startReceiver({ secrets: tokens, auth, ...(fault ? { fault } : {}) });
  try {
    return await contractAgainst(receiver.url, options);
  } finally {
    await receiver.close();
  }
}

/** Against a receiver that answers every delivery 500 with hostile text in its body and a header. */
export async function hostileContractRun(): Promise<Written<ContractReport>> {
  const server = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => res.writeHead(500, { 'Content-Type': 'text/html', 'X-Hostile': hostile.replace(/[\u2028\u0007]/g, '') }).end(`<h1>boom</h1>${hostile}`));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    const { port } = server.address() as AddressInfo;
    return await contractAgainst(`http://127.0.0.1:${port}/hook`, { ...oneType, only: ['ack'], mode: 'test' });
  } finally {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
}

/** The type a receiver of `latencyContractRun` answers late, and how late. */
export const slowType = { type: 'subscription.created', ms: 300 } as const;

/**
 * ack and malformed.robust (present fields only) of refund.complete and subscription.created, against a receiver that
 * verifies nothing and answers 202, subscription.created only after `slowType.ms`.
 */
export async function latencyContractRun(): Promise<Written<ContractReport>> {
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const slow = Buffer.concat(chunks).toString('utf8').includes(`"type":"${slowType.type}"`);
      setTimeout(() => res.writeHead(202).end(), slow ? slowType.ms : 0);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    const { port } = server.address() as AddressInfo;
    return await contractAgainst(`http://127.0.0.1:${port}/hook`, { events: ['refund.complete', slowType.type], mode: 'test', only: ['ack', 'malformed.robust'], mutations: { kind: 'budget', cases: 0 } });
  } finally {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
}

async function writeLoad(report: LoadReport, secrets: string[]): Promise<Written<LoadReport>> {
  const dir = await tempDir();
  const paths = await writeReports(report, dir, createRedactor(secrets));
  return { report, url: `file://${paths.html}`, dir };
}

/** A ramp of two short steps against the reference receiver. */
export async function loadRamp(): Promise<Written<LoadReport>> {
  const receiver = await startReceiver({ secrets: tokens });
  try {
    const options: LoadOptions = { events: ['order.accepted:3', 'refund.complete'], secrets: tokens, ramp: [40, 80], stepSec: 2.5, connections: 10, poolSize: 4, seed: 3 };
    const settings = resolveLoadSettings(receiver.url, options);
    return await writeLoad(await runLoad(settings), loadSecrets(settings));
  } finally {
    await receiver.close();
  }
}

/** A steady run against a receiver that answers some deliveries 503, redirects some and drops some connections. */
export async function loadMixed(): Promise<Written<LoadReport>> {
  let count = 0;
  const server = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      const n = count++;
      if (n % 10 === 3) res.writeHead(503).end('busy');
      else if (n % 10 === 6) res.writeHead(308, { Location: '/elsewhere' }).end();
      else if (n % 25 === 9) req.socket.destroy();
      else res.writeHead(202).end('{"status":"accepted"}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    const { port } = server.address() as AddressInfo;
    const settings = resolveLoadSettings(`http://127.0.0.1:${port}/hook`, { events: ['order.accepted'], secrets: tokens, rate: 40, durationSec: 2, connections: 10, poolSize: 4, seed: 4 });
    return await writeLoad(await runLoad(settings), loadSecrets(settings));
  } finally {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
}

/** A capacity search against a receiver that takes about 120 events/s (a token bucket of half a second's) and answers 503 beyond. */
export async function loadCapacity(): Promise<Written<LoadReport>> {
  let bucket = 60;
  let last = performance.now();
  const server = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      const now = performance.now();
      bucket = Math.min(60, bucket + ((now - last) * 120) / 1000);
      last = now;
      if (bucket >= 1) {
        bucket -= 1;
        res.writeHead(202).end();
      } else res.writeHead(503, { 'Retry-After': '1' }).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    const { port } = server.address() as AddressInfo;
    const options: LoadOptions = { events: ['order.accepted'], secrets: tokens, capacity: true, rate: 50, stepSec: 2, timeLimitSec: 10, connections: 20, poolSize: 2, seed: 5 };
    const settings = resolveLoadSettings(`http://127.0.0.1:${port}/hook`, options);
    return await writeLoad(await runLoad(settings), loadSecrets(settings));
  } finally {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
}

/** A steady run of 15 deliveries against the reference receiver: too few to judge a p99, so inconclusive. */
export async function loadTooFew(): Promise<Written<LoadReport>> {
  const receiver = await startReceiver({ secrets: tokens });
  try {
    const settings = resolveLoadSettings(receiver.url, { events: ['order.accepted'], secrets: tokens, rate: 15, durationSec: 1, connections: 5, poolSize: 2, seed: 8 });
    return await writeLoad(await runLoad(settings), loadSecrets(settings));
  } finally {
    await receiver.close();
  }
}

/** A steady run against a receiver that never answers: every delivery times out and counts as just over the deadline. */
export async function loadTimeouts(): Promise<Written<LoadReport>> {
  const server = http.createServer((req) => req.resume());
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    const { port } = server.address() as AddressInfo;
    const settings = resolveLoadSettings(`http://127.0.0.1:${port}/hook`, { events: ['order.accepted'], secrets: tokens, rate: 10, durationSec: 1, connections: 10, poolSize: 2, seed: 6 });
    return await writeLoad(await runLoad(settings), loadSecrets(settings));
  } finally {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
}

/**
 * The capacity search itself (runPlan) over a receiver that answers every delivery in time but takes no more than
 * `ceiling` events/s, as an earlier drhook judged it: above the ceiling the rate threshold only warned (the numbers
 * pinned the shortfall on neither side), no threshold failed. Each step is a real step of `base` (a load report).
 */
export async function capacityShortOfRate(base: LoadReport, ceiling: number): Promise<Written<LoadReport>> {
  const template = base.steps.find((step) => step.status === 'pass' && step.outcomes.failures === 0)!;
  const start = Date.parse(template.startedAt);
  const plan = { kind: 'capacity', startRate: 10, maxRate: 160, stepSec: 1, timeLimitSec: 60 } as const;
  const outcome = await runPlan(plan, {
    elapsedSec: () => 0,
    step: async (label, pace) => {
      const rate = pace.kind === 'open' ? pace.rate : ceiling;
      const short = rate * 0.95 > ceiling;
      const reason = `sent ${ceiling}/s of the ${rate}/s requested, but neither the connections nor drhook's CPU was clearly the limit.`;
      const checks = template.checks.map((check) => (check.id === 'rate' && short ? { ...check, measured: `${ceiling}/s`, verdict: { status: 'warn' as const, reason } } : check));
      const startedAt = new Date(start + (Number(label.replace(/\D+/g, '')) - 1) * 1500).toISOString();
      return { result: { ...structuredClone(template), label, pace, startedAt, achievedRate: Math.min(rate, ceiling), checks, status: stepStatus(checks) }, cutShort: null };
    },
  });
  const outcomes = addOutcomes(outcome.steps.map((step) => step.outcomes));
  const report: LoadReport = {
    ...structuredClone(base),
    plan: { kind: 'capacity', loop: 'open', description: describePlan(plan, 20), notes: [] },
    steps: outcome.steps,
    totals: { ...base.totals, outcomes },
    capacity: outcome.capacity,
    verdict: runVerdict(outcome.steps, outcomes, outcome.capacity, 3000),
  };
  return writeLoad(report, []);
}

/** A load report with hostile text where a receiver or a flag could put it, written as a report.html. */
export async function hostileLoad(report: LoadReport): Promise<Written<LoadReport>> {
  const tampered: LoadReport = structuredClone(report);
  tampered.plan.notes.push(`note ${hostile}`);
  tampered.totals.outcomes.errorCodes[`E_${hostile}`] = 1;
  // An unknown code is classified `other`; the code itself is shown beside the cause.
  tampered.totals.outcomes.causes = { ...tampered.totals.outcomes.causes, other: (tampered.totals.outcomes.causes?.other ?? 0) + 1 };
  tampered.steps[0]!.label = `step ${hostile}`;
  return writeLoad(tampered, []);
}

/** Opens a report from disk and records every request the page makes and every error it logs. */
export async function openReport(page: Page, url: string): Promise<{ requests: string[]; errors: string[] }> {
  const requests: string[] = [];
  const errors: string[] = [];
  page.on('request', (request) => requests.push(request.url()));
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(message.text());
  });
  page.on('pageerror', (error) => errors.push(error.message));
  await page.goto(url);
  return { requests, errors };
}

/** What a chart drew, per dataset: the points that have a value, and the pixels of the dataset's colours inside the chart area. */
export interface DrawnDataset {
  label: string;
  points: number;
  pixels: number;
}

/**
 * Reads the Chart.js instance on a canvas: per dataset its points with a value, and how many pixels inside the chart
 * area (not the axes, grid labels or legend) have one of its colours. An empty chart has neither.
 */
export function drawnDatasets(page: Page, selector: string): Promise<DrawnDataset[]> {
  return page.locator(selector).evaluate((element) => {
    const canvas = element as unknown as Canvas & { drawn: ChartInstance };
    const chart = canvas.drawn;
    const rgb = (color: unknown): number[] | null => {
      const text = String(color);
      const hex = /^#([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})$/i.exec(text);
      if (hex) return hex.slice(1).map((part) => parseInt(part, 16));
      const fn = /^rgba?\((\d+),\s*(\d+),\s*(\d+)/.exec(text);
      return fn ? fn.slice(1).map(Number) : null;
    };
    const ratio = chart.currentDevicePixelRatio;
    const area = chart.chartArea;
    const [left, top] = [Math.ceil(area.left * ratio), Math.ceil(area.top * ratio)];
    const [width, height] = [Math.floor((area.right - area.left) * ratio), Math.floor((area.bottom - area.top) * ratio)];
    const { data } = canvas.getContext('2d').getImageData(left, top, width, height);
    return chart.data.datasets.map((dataset) => {
      const colors = [dataset.borderColor, dataset.backgroundColor].flatMap((color) => (Array.isArray(color) ? color : [color])).map(rgb).filter((color): color is number[] => color !== null);
      let pixels = 0;
      for (let i = 0; i < data.length; i += 4) {
        if (data[i + 3]! > 0 && colors.some((color) => color.every((channel, c) => Math.abs(channel - data[i + c]!) <= 40))) pixels++;
      }
      const points = dataset.data.filter((point) => point !== null && point !== undefined && (typeof point === 'number' || (point as { y?: unknown }).y != null)).length;
      return { label: dataset.label ?? '', points, pixels };
    });
  });
}

/** An axis of a chart as drawn: its range and the tick labels that are not empty. */
export function axisOf(page: Page, selector: string, axis: string): Promise<{ min: number; max: number; labels: string[] }> {
  return page.locator(selector).evaluate((element, id) => {
    const scale = (element as unknown as { drawn: ChartInstance }).drawn.scales[id]!;
    return { min: scale.min, max: scale.max, labels: scale.ticks.map((tick) => String(tick.label)).filter((label) => label !== '') };
  }, axis);
}

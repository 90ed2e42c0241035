// The load report writers on fixed reports: JUnit per threshold and step, Markdown, the console table, redaction, the progress bar.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { runVerdict } from '../src/load/judge.js';
import type { LoadReport, Outcomes, StepResult, ThresholdCheck } from '../src/load/report.js';
import { schemasDir } from '../src/base/paths.js';
import { createRedactor } from '../src/wire/redact.js';
import { renderLoadConsole } from '../src/report/load/console.js';
import { renderLoadJunit } from '../src/report/load/junit.js';
import { createLoadProgress } from '../src/report/load/progress.js';
import { renderLoadSummaryMarkdown } from '../src/report/load/summary.js';
import { writeReports } from '../src/report/report-files.js';

const planted = 'tok_planted_7a1c93';

let work: string;
before(async () => {
  work = await mkdtemp(path.join(tmpdir(), 'drhook-load-report-'));
});
after(async () => {
  await rm(work, { recursive: true, force: true });
});

function outcomes(ok: number, statuses: Record<string, number>, timeouts = 0): Outcomes {
  const answered = Object.values(statuses).reduce((a, b) => a + b, 0);
  const judged = ok + answered + timeouts;
  const failures = answered + timeouts;
  return {
    judged,
    acknowledged: ok,
    statuses: { '202': ok, ...statuses },
    redirects: Object.entries(statuses).filter(([s]) => s.startsWith('3')).reduce((a, [, n]) => a + n, 0),
    timeouts,
    connectionErrors: 0,
    errorCodes: {},
    failures,
    failureRate: failures / judged,
    unfinished: 0,
  };
}

function check(id: ThresholdCheck['id'], status: 'pass' | 'fail' | 'warn', reason: string): ThresholdCheck {
  return { id, limit: `${id} limit`, measured: `${id} measured`, verdict: { status, reason } };
}

function step(label: string, rate: number, result: Outcomes, checks: ThresholdCheck[]): StepResult {
  return {
    label,
    pace: { kind: 'open', rate },
    startedAt: '2026-11-22T14:00:00.000Z',
    durationSec: 2,
    sent: result.judged,
    achievedRate: rate,
    outcomes: result,
    latencyMs: { count: result.judged, mean: 5, p50: 4, p90: 8, p99: 12, p999: 20, max: 21 },
    series: [{ second: 0, sent: result.judged, completed: result.judged, failures: result.failures, p99Ms: 12 }],
    shortfall: null,
    diagnostics: { cpuShare: 0.2, stampShare: 0.01, stampMicros: 5, eventLoopLagP99Ms: 1, connectionBoundShare: 0, maxInFlight: 3 },
    checks,
    status: checks.some((c) => c.verdict.status === 'fail') ? 'fail' : 'pass',
  };
}

function report(steps: StepResult[], capacity: LoadReport['capacity'] = null): LoadReport {
  const totals = steps.map((s) => s.outcomes)[0]!;
  return {
    tool: 'drhook',
    version: '0.1.0',
    kind: 'load',
    runId: '20261122-140000-load-abcd',
    target: 'http://127.0.0.1:8080/hook',
    startedAt: '2026-11-22T14:00:00.000Z',
    finishedAt: '2026-11-22T14:00:05.000Z',
    complete: true,
    stoppedBy: null,
    settings: { headers: { 'X-Note': `carries ${planted}` } },
    plan: { kind: capacity ? 'capacity' : steps.length > 1 ? 'ramp' : 'steady', loop: 'open', description: 'a fixed arrival rate', notes: [] },
    pool: { templates: 4, types: 2, bytes: { min: 700, max: 4000, mean: 2500 } },
    steps,
    totals: { durationSec: 2 * steps.length, sent: totals.judged, outcomes: totals, latencyMs: steps[0]!.latencyMs },
    capacity,
    verdict: runVerdict(steps, totals, capacity, 3000),
  };
}

const steady = report([
  step('steady', 100, outcomes(195, { '308': 3, '500': 2 }), [
    check('p99', 'pass', 'p99 12 ms is within the 3000 ms budget'),
    check('failure-rate', 'fail', '2.5 % of 200 deliveries failed'),
    check('rate', 'warn', 'sent 90/s of the 100/s requested, but neither was clearly the limit'),
  ]),
]);

const capacityRun = report(
  [
    step('capacity 1', 100, outcomes(200, {}), [check('p99', 'pass', 'ok'), check('failure-rate', 'pass', 'no delivery failed'), check('rate', 'pass', 'sent')]),
    step('capacity 2', 200, outcomes(380, { '503': 20 }), [check('p99', 'pass', 'ok'), check('failure-rate', 'fail', '5 % of 400 deliveries failed'), check('rate', 'pass', 'sent')]),
  ],
  {
    capacity: 100,
    lastGood: { label: 'capacity 1', rate: 100, p99Ms: 12, failureRate: 0 },
    firstBad: { label: 'capacity 2', rate: 200, p99Ms: 12, failureRate: 0.05, why: '5 % of 400 deliveries failed' },
    ended: 'time-limit',
    explanation: 'the time limit left no room for another step',
  },
);

describe('load report writers', () => {
  test('JUnit: a testcase per threshold, failures only for broken thresholds, warnings as output', () => {
    const xml = renderLoadJunit(steady);
    assert.match(xml, /^<\?xml version="1.0" encoding="UTF-8"\?>\n<testsuites name="drhook load http:\/\/127.0.0.1:8080\/hook" tests="3" failures="1"/);
    assert.equal(xml.match(/<testcase /g)?.length, 3);
    assert.match(xml, /<testcase classname="steady \(100\/s\)" name="failure-rate limit \(measured failure-rate measured\)" time="0.000">\n\s+<failure message="2.5 % of 200 deliveries failed" type="failure-rate">/);
    assert.match(xml, /<system-out>warning: sent 90\/s of the 100\/s requested/);
  });

  test('JUnit: a capacity search fails none of the steps above the capacity, and reports the capacity', () => {
    const xml = renderLoadJunit(capacityRun);
    assert.match(xml, /<testsuites [^>]*tests="7" failures="0"/);
    assert.match(xml, /<system-out>above the capacity: 5 % of 400 deliveries failed<\/system-out>/);
    assert.match(xml, /<testcase classname="capacity" name="capacity: about 100\/s"/);
  });

  test('Markdown and console: the verdict sentence, a row per step, the failures by status', () => {
    const markdown = renderLoadSummaryMarkdown(steady);
    assert.match(markdown, /^## ❌ drhook load: fail\n\nDigital River would have counted 2\.5 % of these 200 deliveries \(5\) as failed: 3 answered 308 \(a redirect, not followed\), 2 answered 500\. .*disabled automatically\./);
    assert.match(markdown, /\| steady \| 100\/s \| 100 \| 200 \| 195 \| 5 \(2\.5 %\) \| 0 \| 0 \| 4 ms \| 8 ms \| 12 ms \| 20 ms \| 21 ms \| ❌ fail \|/);
    assert.match(markdown, /- Statuses: 202 ×195, 308 ×3, 500 ×2/);
    const paths = { json: 'r/report.json', junit: 'r/junit.xml', summary: 'r/summary.md', html: 'r/report.html' };
    const text = renderLoadConsole(steady, paths, { color: false });
    assert.match(text, /^drhook load http:\/\/127\.0\.0\.1:8080\/hook \(run 20261122-140000-load-abcd\)/);
    assert.match(text, /\n {2}steady +100\/s +100 +200 +195 +5 2\.5% +0 +0 +4ms +8ms +12ms +20ms +21ms +fail\n/);
    assert.match(text, /✗ failure-rate limit — measured failure-rate measured\n {6}2\.5 % of 200 deliveries failed/);
    assert.match(text, /Load: FAIL {2}Digital River would have counted 2\.5 %/);
    assert.ok(!text.includes('\u001b['), 'no colour when asked for none');
    const capacityText = renderLoadConsole(capacityRun, paths, { color: false });
    assert.match(capacityText, /capacity 2 +200\/s .* above\n/);
    assert.match(capacityText, /Capacity: about 100\/s\n {2}last good {2}100\/s \(capacity 1\)/);
    assert.match(capacityText, /Load: PASS {2}Capacity: about 100\/s, the highest rate that held every threshold\. At 200\/s Digital River would have counted 5 % of the deliveries as failed \(20 answered 503\)\./);
  });

  test('the files are written redacted, and report.json matches its schema', async () => {
    const paths = await writeReports(steady, work, createRedactor([planted]));
    const ajv = new Ajv2020({ allErrors: true, strict: true });
    addFormats.default(ajv);
    const validate = ajv.compile(JSON.parse(await readFile(path.join(schemasDir, 'load-report.schema.json'), 'utf8')) as object);
    const json = JSON.parse(await readFile(paths.json, 'utf8')) as { settings: { headers: Record<string, string> } };
    assert.ok(validate(json), JSON.stringify(validate.errors));
    assert.equal(json.settings.headers['X-Note'], 'carries [redacted]');
    for (const file of Object.values(paths)) assert.ok(!(await readFile(file, 'utf8')).includes(planted), `${file} holds no secret`);
  });
});

describe('load progress bar', () => {
  function fakeStream(isTTY: boolean) {
    const stream = Object.assign(new PassThrough(), { isTTY, columns: 120, cursorTo: () => true, moveCursor: () => true, clearLine: () => true, clearScreenDown: () => true });
    let written = '';
    stream.on('data', (chunk: Buffer) => (written += chunk.toString()));
    return { stream: stream as unknown as NodeJS.WriteStream, written: () => written };
  }
  const live = { step: 'steady', stepElapsedSec: 3.2, stepSec: 10, runElapsedSec: 3.2, rate: 98, p99Ms: 41.6, failures: 2, sent: 300 };

  test('on a terminal it shows the step, elapsed time, rate, p99 and failures', async () => {
    const { stream, written } = fakeStream(true);
    const bar = createLoadProgress(stream);
    bar.update(live);
    bar.stop();
    await new Promise((resolve) => setImmediate(resolve));
    assert.match(written(), /load steady .* 3\/10 s \| 98\/s \| p99 42 ms \| failed 2/);
  });

  test('off a terminal it writes nothing', async () => {
    const { stream, written } = fakeStream(false);
    const bar = createLoadProgress(stream);
    bar.update(live);
    bar.stop();
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(written(), '');
  });
});

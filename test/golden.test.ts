// Golden files pin drhook's output end to end: a contract run and two load runs (closed loop, open-loop ramp) against the
// reference receiver (`drhook serve`), seed 1, each report.json and console transcript normalized (times, ports, run ids,
// paths, signatures and measurements become placeholders) and compared with test/golden/. To accept an intended change
// of output, run with DRHOOK_UPDATE_GOLDEN=1: the golden files are rewritten instead of compared; review their diff.
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { matchGoldenJson, matchGoldenText, type Json } from './helpers/golden-file.js';
import { runCli } from './helpers/http.js';
import { createNormalizer, type MeasuredField } from './helpers/normalize-output.js';
import { startServeCli } from './helpers/serve-cli.js';
import { checkIds } from '../src/catalog/checks.js';

const testToken = 'whsec-GOLDEN-test-7f3a91c2';
const liveToken = 'whsec-GOLDEN-live-4b8e06d5';
const password = 'PASS-golden-basic-2c9d';
const secrets: Record<string, string> = {
  'the test-mode token': testToken,
  'the live-mode token': liveToken,
  'the password': password,
  'the basic credentials': Buffer.from(`digitalriver:${password}`).toString('base64'),
};
const env = { DRHOOK_TEST_SECRET: testToken, DRHOOK_LIVE_SECRET: liveToken, DRHOOK_PASSWORD: password, DRHOOK_CLIENT_SECRET: '' };

/** The receiver: both modes' tokens, basic auth, no fault; --quiet, as its per-request log follows the order of arrival. */
const serveArgs = ['--auth', 'basic', '--username', 'digitalriver', '--quiet'];
/** The flags every golden run shares, with the event types it sends. */
const common = (events: string) => ['--seed', '1', '--auth', 'basic', '--username', 'digitalriver', '--events', events, '--no-progress'];
/** The default deadline, which is also the default p99 budget: figures in ms that are settings, not measurements. */
const DEADLINE_MS = 3000;

const packageRoot = fileURLToPath(new URL('../../', import.meta.url));
const tempDirs: string[] = [];
after(() => Promise.all(tempDirs.map((dir) => rm(dir, { recursive: true, force: true }))));

interface GoldenRun {
  report: Json;
  /** The receiver's banner, the command, its output and exit code, and the receiver's summary when stopped. */
  transcript: string;
  normalize: ReturnType<typeof createNormalizer>;
}

/** Starts `drhook serve`, runs `drhook <command> <url> …args` against it with a fresh --report-dir, stops the receiver. */
async function runAgainstServe(command: 'contract' | 'load', args: readonly string[]): Promise<GoldenRun> {
  const reportDir = await mkdtemp(path.join(os.tmpdir(), 'drhook-golden-'));
  tempDirs.push(reportDir);
  const serve = await startServeCli(serveArgs, env);
  const result = await runCli([command, serve.url, ...args, '--report-dir', reportDir], { env }).finally(() => serve.stop());
  const served = await serve.stop();
  assert.equal(served.code, 0, `drhook serve: ${served.stderr}`);

  const [runId, ...others] = await readdir(reportDir);
  assert.ok(runId !== undefined && others.length === 0, `one run directory: ${result.stdout}${result.stderr}`);
  const files = await Promise.all((await readdir(path.join(reportDir, runId))).map((name) => readFile(path.join(reportDir, runId, name), 'utf8')));
  for (const text of [result.stdout, result.stderr, served.stdout, served.stderr, ...files]) {
    for (const [name, secret] of Object.entries(secrets)) assert.ok(!text.includes(secret), `${name} appears in the output`);
  }

  const transcript = [
    `$ drhook serve ${serveArgs.join(' ')}`,
    served.stdout.trimEnd(),
    `$ drhook ${command} <url> ${args.join(' ')}`,
    result.stdout.trimEnd(),
    ...(result.stderr === '' ? [] : ['[stderr]', result.stderr.trimEnd()]),
    `[exit ${result.code}]`,
    '$ kill -INT <drhook serve>',
    served.stderr.trimEnd(),
    '',
  ].join('\n');
  const report = JSON.parse(await readFile(path.join(reportDir, runId, 'report.json'), 'utf8')) as Json;
  return { report, transcript, normalize: createNormalizer({ reportDir, packageRoot, keptMs: [DEADLINE_MS] }) };
}

/** What a load run measured, by path in its report.json; its counts, statuses, thresholds and verdict stay. */
const loadMeasured: MeasuredField[] = [
  { path: /^(steps\.\d+|totals)\.durationSec$/, placeholder: '<s>' },
  { path: /^steps\.\d+\.achievedRate$/, placeholder: '<rate>' },
  { path: /(^|\.)(latencyMs|serviceMs)\.(?!count$)[^.]+$/, placeholder: '<ms>' },
  { path: /^steps\.\d+\.series$/, placeholder: '<per-second series>' },
  { path: /^steps\.\d+\.diagnostics\.[^.]+$/, placeholder: '<measured>' },
];
/** The same in the console's table of steps. */
const loadColumns = { 'ANSWERED/S': '<rate>', 'SENT/S': '<rate>', P50: '<ms>', P90: '<ms>', P99: '<ms>', 'P99.9': '<ms>', MAX: '<ms>' };

// Open loop, the rates are low enough that each half of a step has fewer deliveries than the pace diagnosis reads a
// latency trend from: whether the answers kept pace is then the share answered within the deadline, not a timing.
// The ramp's steps are too few deliveries to judge a p99: that run is inconclusive (exit 3), whatever the timing.
const loadRuns: Array<[name: string, args: string[], sent: number[], verdict: 'pass' | 'inconclusive']> = [
  ['load', ['--count', '100', '--connections', '4'], [100], 'pass'],
  ['load-ramp', ['--ramp', '8,16', '--step-duration', '1s', '--connections', '4'], [8, 16], 'inconclusive'],
];

// The three runs at once: each has its own receiver and report directory, and what timing changes is normalized away.
describe('golden files', { concurrency: true }, () => {
  test('contract: every check, both modes, basic auth, seed 1: report.json and console output match test/golden', async (t) => {
    // A charge and a refund (two steps of one order's story, so every check runs): malformed.robust breaks each of their
    // fields in a few hundred cases, where an order's thousand would make a golden file of megabytes.
    const run = await runAgainstServe('contract', [...common('order.charge.capture.complete,refund.complete'), '--mode', 'both']);
    const report = run.report as { complete: boolean; gate: { status: string }; checks: Array<{ id: string; status: string }> };
    assert.equal(report.complete, true);
    assert.equal(report.gate.status, 'pass', run.transcript);
    assert.equal(report.checks.length, checkIds.length, 'every check ran');
    assert.match(run.transcript, /^\[exit 0\]$/m);

    const measured: MeasuredField[] = [{ path: /\.outcome\.\w+Ms$/, placeholder: '<ms>' }];
    await t.test('contract.json', () => matchGoldenJson('contract.json', run.normalize.json(run.report, measured)));
    await t.test('contract.console.txt', () => matchGoldenText('contract.console.txt', run.normalize.consoleText(run.transcript, {})));
  });

  for (const [name, args, sent, verdict] of loadRuns) {
    test(`${name}: ${args.join(' ')}, seed 1: report.json and console output match test/golden`, async (t) => {
      const run = await runAgainstServe('load', [...common('order.accepted,refund.complete'), ...args]);
      const report = run.report as { complete: boolean; verdict: { status: string }; steps: Array<{ sent: number; outcomes: { acknowledged: number } }> };
      assert.equal(report.complete, true);
      assert.equal(report.verdict.status, verdict, run.transcript);
      assert.deepEqual(report.steps.map((step) => step.sent), sent);
      assert.deepEqual(report.steps.map((step) => step.outcomes.acknowledged), sent);

      await t.test(`${name}.json`, () => matchGoldenJson(`${name}.json`, run.normalize.json(run.report, loadMeasured)));
      await t.test(`${name}.console.txt`, () => matchGoldenText(`${name}.console.txt`, run.normalize.consoleText(run.transcript, loadColumns)));
    });
  }
});

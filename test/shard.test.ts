// Sharded load end to end: three `drhook load --shard K/3` processes against one real receiver, merged by `drhook merge` into exactly what one process sends; missing, incomplete and foreign shards.
import { before, after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { schemasDir } from '../src/base/paths.js';
import type { LoadReport } from '../src/load/report.js';
import { runCli, startServer, type TestServer } from './helpers/http.js';
import { UsageError } from '../src/base/errors.js';
import { mergeShards } from '../src/load/merge.js';
import { resolveLoadSettings, type LoadOptions } from '../src/load/settings.js';
import { mergeExitCode } from '../src/commands/merge.js';

const token = 'tok_shard_test_5f1c29';
const env = { DRHOOK_TEST_SECRET: '', DRHOOK_LIVE_SECRET: '', DRHOOK_PASSWORD: '', DRHOOK_CLIENT_SECRET: '' };
/** 50/s for 2 s: 100 deliveries, enough for a p99 together, too few on any one shard. */
const test100 = ['--secret', token, '--events', 'order.accepted', '--pool-size', '3', '--rate', '50', '--duration', '2', '--connections', '10', '--no-progress'];
const DELAY_MS = 20;

let work: string;
let receiver: TestServer;
/** The run directory of each shard, by index. */
const shardDirs: Record<number, string> = {};
let shardReports: LoadReport[] = [];

before(async () => {
  work = await mkdtemp(path.join(tmpdir(), 'drhook-shard-'));
  receiver = await startServer((_req, res) => {
    setTimeout(() => res.writeHead(202).end('{}'), DELAY_MS);
  });
  // Far enough ahead for three processes to start on a busy machine; a late one still sends its part, and says so.
  const startAt = new Date(Date.now() + 4000).toISOString();
  const runs = await Promise.all(
    [1, 2, 3].map((index) =>
      runCli(['load', `${receiver.url}/hook`, ...test100, '--seed', String(index), '--shard', `${index}/3`, '--start-at', startAt, '--report-dir', path.join(work, 'shards', `s${index}`)], { env }),
    ),
  );
  for (const [i, run] of runs.entries()) {
    // Each shard alone has about 33 deliveries: too few to judge a p99, so inconclusive (exit 3).
    assert.equal(run.code, 3, run.stderr);
    const base = path.join(work, 'shards', `s${i + 1}`);
    const [runId] = await readdir(base);
    shardDirs[i + 1] = path.join(base, runId!);
  }
  shardReports = await Promise.all([1, 2, 3].map(async (index) => JSON.parse(await readFile(path.join(shardDirs[index]!, 'report.json'), 'utf8')) as LoadReport));
});
after(async () => {
  await receiver.close();
  await rm(work, { recursive: true, force: true });
});

async function mergeRun(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string; report?: LoadReport }> {
  const out = await mkdtemp(path.join(work, 'merged-'));
  const result = await runCli(['merge', ...args, '--report-dir', out], { env });
  const [runId] = await readdir(out);
  const report = runId === undefined ? undefined : (JSON.parse(await readFile(path.join(out, runId, 'report.json'), 'utf8')) as LoadReport);
  if (runId !== undefined) for (const file of ['junit.xml', 'summary.md', 'report.html']) assert.ok((await readdir(path.join(out, runId))).includes(file), file);
  return { ...result, ...(report ? { report } : {}) };
}

test('three shards send exactly what one process would: rate × duration deliveries, each id once, split 34/33/33', () => {
  assert.equal(receiver.requests.length, 100);
  const ids = receiver.requests.map((request) => JSON.parse(request.body.toString('utf8')).id as string);
  assert.equal(new Set(ids).size, 100, 'no event id sent twice across the shards');
  assert.deepEqual(shardReports.map((report) => report.steps[0]!.sent), [34, 33, 33]);
  assert.deepEqual(shardReports.map((report) => report.steps[0]!.pace), [1, 2, 3].map(() => ({ kind: 'open', rate: 50 / 3 })));
  const hashes = new Set(shardReports.map((report) => report.shard!.settingsHash));
  assert.equal(hashes.size, 1, 'one test: one settings hash, the seeds apart');
  for (const report of shardReports) assert.ok(report.steps[0]!.shardData!.latency !== null && report.steps[0]!.shardData!.seconds.length === report.steps[0]!.series.length);
});

test('drhook merge: one report of 100 deliveries judged on the merged histograms, p50 over the receiver delay, exit 0', async () => {
  const merged = await mergeRun([path.join(work, 'shards')]);
  assert.equal(merged.code, 0, merged.stderr + merged.stdout);
  const report = merged.report!;
  const ajv = new Ajv2020({ allErrors: true, strict: true });
  addFormats.default(ajv);
  const validate = ajv.compile(JSON.parse(await readFile(path.join(schemasDir, 'load-report.schema.json'), 'utf8')) as object);
  assert.ok(validate(report), JSON.stringify(validate.errors));
  assert.equal(report.verdict.status, 'pass', report.verdict.summary);
  assert.deepEqual({ shards: report.merge!.shards, missing: report.merge!.missing, incomplete: report.merge!.incomplete }, { shards: 3, missing: [], incomplete: [] });
  const [step] = report.steps;
  assert.deepEqual(step!.pace, { kind: 'open', rate: 50 });
  assert.equal(step!.sent, 100);
  assert.equal(report.totals.sent, 100);
  assert.deepEqual({ judged: step!.outcomes.judged, acknowledged: step!.outcomes.acknowledged, statuses: step!.outcomes.statuses }, { judged: 100, acknowledged: 100, statuses: { '202': 100 } });
  assert.equal(step!.latencyMs!.count, 100);
  // The p99 is judged on the shards together (100), which no shard could alone.
  assert.equal(step!.checks.find((check) => check.id === 'p99')!.verdict.status, 'pass');
  // The receiver's delay is a floor no delivery beats; the ceiling is loose, for three processes and the receiver
  // sharing a busy two-core machine (a p50 averaged from microseconds, or in the wrong unit, would miss both).
  const p50 = step!.latencyMs!.p50;
  assert.ok(p50 >= DELAY_MS && p50 <= 150, `merged p50 ${p50} ms: the receiver answers after ${DELAY_MS} ms`);
  assert.equal(step!.series.reduce((sum, sample) => sum + sample.sent, 0), 100);
  assert.equal(step!.shardData, undefined, 'a merged report is no shard');
  assert.match(merged.stdout, /3 of 3 shards merged/);
  assert.ok(!merged.stdout.includes(token));
});

test('a missing shard makes the merge inconclusive (exit 1), naming it', async () => {
  const merged = await mergeRun([shardDirs[1]!, shardDirs[2]!]);
  assert.equal(merged.code, 1, merged.stderr);
  const { verdict, merge, totals } = merged.report!;
  assert.equal(verdict.status, 'inconclusive');
  assert.ok(verdict.status === 'inconclusive' && verdict.cause === 'missing-shards');
  assert.deepEqual(merge!.missing, [3]);
  assert.equal(totals.sent, 67);
  assert.match(verdict.summary, /2 of 3 shards merged, shard 3 missing/);
  assert.match(merged.stdout, /INCONCLUSIVE/);
});

test('an incomplete shard (its run interrupted) makes the merge inconclusive (exit 1)', () => {
  const interrupted = { ...shardReports[2]!, complete: false, stoppedBy: 'interrupted' as const };
  const report = mergeShards(
    [shardReports[0]!, shardReports[1]!, interrupted].map((each, i) => ({ source: `shard ${i + 1}`, report: each })),
    'merged',
  );
  assert.deepEqual(report.merge!.incomplete, [3]);
  assert.deepEqual(report.merge!.missing, []);
  assert.ok(report.verdict.status === 'inconclusive' && report.verdict.cause === 'missing-shards');
  assert.match(report.verdict.summary, /shard 3 incomplete/);
  assert.equal(mergeExitCode(report.verdict), 1);
  // The same three, complete, pass: it is the interruption that holds the verdict back.
  const whole = mergeShards(shardReports.map((each, i) => ({ source: `shard ${i + 1}`, report: each })), 'merged');
  assert.equal(mergeExitCode(whole.verdict), 0, whole.verdict.summary);
});

test('shards of a different test are refused (exit 2), and a shard that starts late says by how much', async () => {
  const before = receiver.requests.length;
  const past = new Date(Date.now() - 1500).toISOString();
  const late = await runCli(['load', `${receiver.url}/hook`, '--secret', token, '--events', 'order.accepted', '--pool-size', '1', '--rate', '30', '--duration', '0.1', '--shard', '1/3', '--start-at', past, '--no-progress', '--report-dir', path.join(work, 'other')], { env });
  assert.ok(late.code === 3, late.stderr);
  assert.equal(receiver.requests.length - before, 1, 'the first of 3 deliveries (30/s for 0.1 s) falls to shard 1');
  const [runId] = await readdir(path.join(work, 'other'));
  const report = JSON.parse(await readFile(path.join(work, 'other', runId!, 'report.json'), 'utf8')) as LoadReport;
  assert.ok(report.shard!.lateStartMs >= 1500, `late by ${report.shard!.lateStartMs} ms`);
  assert.ok(report.plan.notes.some((note) => /started \d+ ms after --start-at/.test(note)));

  const merged = await mergeRun([path.join(work, 'other'), shardDirs[2]!, shardDirs[3]!]);
  assert.equal(merged.code, 2);
  assert.match(merged.stderr, /^drhook: .* is a shard of another test than .*settings hash [0-9a-f]+, not [0-9a-f]+\): merge only the shards of one run\n$/);
  assert.equal(merged.report, undefined);
});

test('usage errors: --capacity with --shard, --shard without --start-at, a shard with no delivery of its own', async () => {
  const url = 'http://127.0.0.1:9/hook';
  const startAt = new Date(Date.now() + 3600_000);
  const base = { secrets: { test: [token], live: [] }, events: ['order.accepted'] };
  const cases: Array<[LoadOptions, RegExp]> = [
    [{ capacity: true, timeLimitSec: 10, shard: { index: 1, count: 2 }, startAt }, /--capacity cannot run with --shard: a search needs one controller/],
    [{ rate: 10, durationSec: 2, shard: { index: 1, count: 2 } }, /--shard needs --start-at/],
    [{ rate: 10, durationSec: 2, startAt }, /--start-at applies to --shard only/],
    [{ rate: 2, durationSec: 1, shard: { index: 1, count: 3 }, startAt }, /the run has 2 deliveries, fewer than the 3 shards/],
    [{ ramp: [50, 1], stepSec: 2, shard: { index: 1, count: 3 }, startAt }, /a --ramp step at 1\/s has 2 deliveries, fewer than the 3 shards/],
    [{ rate: 10, durationSec: 2, shard: { index: 1, count: 2 }, startAt: new Date(Date.now() + 25 * 3600_000) }, /more than 24 hours ahead/],
  ];
  for (const [options, message] of cases) assert.throws(() => resolveLoadSettings(url, { ...base, ...options }, env), (error: unknown) => error instanceof UsageError && message.test(error.message));
  // On the command line: one line, exit 2.
  const result = await runCli(['load', url, '--secret', token, '--rate', '10', '--duration', '2', '--shard', '3/2', '--start-at', startAt.toISOString(), '--report-dir', path.join(work, 'unused')], { env });
  assert.equal(result.code, 2, result.stderr);
  assert.match(result.stderr, /^drhook: --shard must be K\/N[^\n]+\n$/);
});

// `drhook load --baseline`: each step's p99 and failure share against the baseline's step at the same pace; another test is refused.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { schemasDir } from '../src/base/paths.js';
import { checkLoadBaseline, parseLoadBaseline } from '../src/load/baseline.js';
import type { LoadReport } from '../src/load/report.js';
import { resolveLoadSettings } from '../src/load/settings.js';
import { runCli, startServer, type TestServer } from './helpers/http.js';

const token = 'tok_load_baseline_4b7e';
const env = { DRHOOK_TEST_SECRET: token, DRHOOK_LIVE_SECRET: '', DRHOOK_PASSWORD: '', DRHOOK_CLIENT_SECRET: '' };
/** 100/s for 1.2 s: 120 deliveries, enough to judge a p99; connections for more than a second of answers in flight. */
const steady = ['--events', 'order.accepted', '--pool-size', '2', '--seed', '4', '--connections', '160', '--rate', '100', '--duration', '1.2'];

/** A receiver that answers after `delayMs`, and every `failEvery`-th delivery with a 503. */
function receiverAnswering(delayMs: number, failEvery = 0): Promise<TestServer> {
  let count = 0;
  return startServer((_req, res) => {
    const fail = failEvery > 0 && ++count % failEvery === 0;
    setTimeout(() => {
      res.writeHead(fail ? 503 : 200);
      res.end(fail ? 'busy' : 'ok');
    }, delayMs);
  });
}

const receivers: TestServer[] = [];
let work: string;
before(async () => {
  work = await mkdtemp(path.join(tmpdir(), 'drhook-load-baseline-'));
});
after(async () => {
  await Promise.all(receivers.map((receiver) => receiver.close()));
  await rm(work, { recursive: true, force: true });
});

let runs = 0;
/** A load run against `receiver`; its report.json, path and console. */
async function load(receiver: TestServer, args: string[]) {
  const reportDir = path.join(work, `run-${++runs}`);
  const result = await runCli(['load', receiver.url, ...args, '--report-dir', reportDir], { env });
  const [runId] = await readdir(reportDir).catch(() => []);
  if (runId === undefined) return { result };
  const file = path.join(reportDir, runId, 'report.json');
  return { result, file, report: JSON.parse(await readFile(file, 'utf8')) as LoadReport, summary: await readFile(path.join(reportDir, runId, 'summary.md'), 'utf8') };
}

const check = (report: LoadReport | undefined, step: number, id: string) => report?.steps[step]?.checks.find((each) => each.id === id);

test('a step is judged against the baseline step at its pace: the same receiver holds, a slower one regresses on p99, a failing one on failures', async () => {
  const validate = new Ajv2020({ allErrors: true, strict: false });
  addFormats.default(validate);
  const schema = validate.compile(JSON.parse(await readFile(path.join(schemasDir, 'load-report.schema.json'), 'utf8')) as object);

  const receiver = await receiverAnswering(50);
  receivers.push(receiver);
  const base = await load(receiver, steady);
  assert.equal(base.result.code, 0, base.result.stdout + base.result.stderr);
  const baseP99 = base.report!.steps[0]!.latencyMs!.p99;
  assert.ok(base.report!.steps[0]!.latencyMs!.count >= 100);

  // The same receiver: within a wide tolerance (a busy machine moves a p99 of 50 ms answers by tens of ms). This run's
  // p99 is the one compared closely, so it runs alone; the runs after it go at once, each against its own receiver.
  const same = await load(receiver, [...steady, '--baseline', base.file!, '--regression', '300%']);
  assert.equal(same.result.code, 0, `baseline p99 ${baseP99} ms\n${same.result.stdout}${same.result.stderr}`);
  assert.deepEqual(same.report?.baseline?.compared, [{ label: 'steady', baselineLabel: 'steady' }]);
  assert.equal(check(same.report, 0, 'p99-baseline')?.verdict.status, 'pass');
  assert.equal(check(same.report, 0, 'failure-rate-baseline')?.verdict.status, 'pass');
  assert.match(same.result.stdout, /Against the baseline .*report\.json \(run .*, tolerance 300 %\): 1 of 1 step compared; none regressed\./);

  // Answers a second slower; a ramp whose answers 1 in 4 are a 503; a baseline of another test.
  const [slowReceiver, failingReceiver, otherReceiver] = await Promise.all([receiverAnswering(1000), receiverAnswering(50, 4), receiverAnswering(50)]);
  receivers.push(slowReceiver, failingReceiver, otherReceiver);
  const ramp = ['--events', 'order.accepted', '--pool-size', '2', '--seed', '4', '--connections', '160', '--ramp', '100,40', '--step-duration', '1.2', '--max-failure-rate', '50%'];
  const [slower, failing, other] = await Promise.all([
    load(slowReceiver, [...steady, '--baseline', base.file!, '--regression', '100%']),
    load(failingReceiver, [...ramp, '--baseline', base.file!, '--regression', '300%']),
    load(otherReceiver, ['--events', 'refund.complete', '--rate', '100', '--duration', '1.2', '--baseline', base.file!]),
  ]);

  // A second slower: p99 far beyond twice the baseline's, while the 3000 ms budget still holds.
  assert.equal(slower.result.code, 1, `baseline p99 ${baseP99} ms\n${slower.result.stdout}${slower.result.stderr}`);
  assert.equal(check(slower.report, 0, 'p99')?.verdict.status, 'pass', 'the budget held');
  const p99 = check(slower.report, 0, 'p99-baseline');
  assert.equal(p99?.verdict.status, 'fail', JSON.stringify(p99));
  assert.match(p99!.verdict.reason, new RegExp(`^p99 regressed: [\\d.]+ ms against the baseline's ${String(baseP99).replace('.', '\\.')} ms at 100/s \\(steady\\)`));
  assert.equal(slower.report?.verdict.status, 'fail');
  assert.match(slower.report!.verdict.reasons.join('\n'), /p99 regressed/);
  assert.match(slower.summary!, /p99 regressed/);

  // The ramp: its 100/s step has a counterpart and fails on failures (1 in 4 answered 503, the threshold at 50 % holds);
  // its 40/s step has none and says so.
  assert.equal(failing.result.code, 1, failing.result.stdout + failing.result.stderr);
  assert.equal(check(failing.report, 0, 'failure-rate')?.verdict.status, 'pass', 'the threshold held');
  assert.equal(check(failing.report, 0, 'failure-rate-baseline')?.verdict.status, 'fail');
  assert.match(check(failing.report, 0, 'failure-rate-baseline')!.verdict.reason, /^failures regressed: 2\d(\.\d+)? % \(\d+ of \d+\) against the baseline's 0 % at 100\/s \(steady\)/);
  assert.equal(check(failing.report, 1, 'failure-rate-baseline'), undefined, 'the 40/s step is not compared');
  assert.deepEqual(failing.report?.baseline?.unmatched, ['ramp 2/2']);
  assert.match(failing.result.stdout, /Not compared with the baseline: ramp 2\/2 \(40\/s\) has no step at that pace in it\./);

  for (const report of [base.report, same.report, slower.report, failing.report]) assert.ok(schema(report), JSON.stringify(schema.errors));

  // A baseline of another test is refused before anything is sent: other event types, or no step at this run's pace.
  assert.equal(other.result.code, 2);
  assert.match(other.result.stderr, /^drhook: --baseline .*report\.json: a baseline of another test: its events are order\.accepted:1, this run's refund\.complete:1\n$/);
  assert.equal(otherReceiver.requests.length, 0, 'nothing was sent');
  const settings = (rate: number) => resolveLoadSettings(receiver.url, { events: ['order.accepted'], rate, durationSec: 1.2, secrets: { test: [token], live: [] } }, {});
  assert.throws(() => checkLoadBaseline(base.report!, settings(20), 'b.json'), /no step of the baseline runs at a pace this run asks for \(20\/s; the baseline's: 100\/s\)/);
  assert.doesNotThrow(() => checkLoadBaseline(base.report!, settings(100), 'b.json'));
});

test('a baseline file that is not a load report: one line saying what is wrong', async () => {
  const cases: Array<[string, RegExp]> = [
    ['{', /^--baseline b\.json: not JSON; give the report\.json of an earlier drhook load run$/],
    [JSON.stringify({ tool: 'drhook', kind: 'contract' }), /a contract baseline, not a load report/],
    [JSON.stringify({ tool: 'drhook', kind: 'load', steps: [{ label: 'steady' }], settings: {}, plan: {}, runId: 'r' }), /steps lack their pace or outcomes/],
  ];
  for (const [text, message] of cases) assert.throws(() => parseLoadBaseline(text, 'b.json'), (error: Error) => error.name === 'UsageError' && message.test(error.message));
  const file = path.join(work, 'missing.json');
  const result = await runCli(['load', 'http://127.0.0.1:9/', '--rate', '10', '--duration', '1', '--secret', token, '--baseline', file, '--report-dir', path.join(work, 'unused')], { env });
  assert.equal(result.code, 2);
  assert.match(result.stderr, /^drhook: --baseline .*missing\.json: no such file; give the report\.json of an earlier drhook load run\n$/);
});

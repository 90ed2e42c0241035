// `drhook contract --baseline`: a receiver with known defects is gated on new failures only; fixed and not-run cases are told apart.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import ajvFormats from 'ajv-formats';
import { schemasDir } from '../src/base/paths.js';
import { failureKey, parseBaseline, withBaseline } from '../src/contract/baseline.js';
import { runContract } from '../src/contract/run.js';
import { resolveSettings } from '../src/contract/settings.js';
import { renderSummaryMarkdown } from '../src/report/contract/summary.js';
import type { ContractReport } from '../src/contract/results.js';
import { runCli, startServer } from './helpers/http.js';

const tempDirs: string[] = [];
const tempDir = async (): Promise<string> => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'drhook-baseline-'));
  tempDirs.push(dir);
  return dir;
};
after(() => Promise.all(tempDirs.map((dir) => rm(dir, { recursive: true, force: true }))));

type Defect = 'object-crash' | 'extra-key-crash';

/**
 * A receiver that requires data.object.id (400 naming it) and rejects a data.object that is not an object with a 400,
 * unless a defect makes it crash (500) there, or on an envelope key it does not know.
 */
async function defectiveReceiver(defects: Set<Defect>) {
  return startServer((_req, res, body) => {
    const answer = (status: number, error: string) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error }));
    };
    let event: any;
    try {
      event = JSON.parse(body.toString('utf8'));
    } catch {
      return answer(400, 'body is not JSON');
    }
    const object = event?.data?.object;
    if (object === null || typeof object !== 'object' || Array.isArray(object)) {
      return defects.has('object-crash') ? answer(500, 'TypeError') : answer(400, 'data.object must be an object');
    }
    if (typeof object.id !== 'string') return answer(400, 'data.object.id is required');
    if (defects.has('extra-key-crash') && 'drhookFutureField' in event) return answer(500, 'unknown key');
    return answer(200, 'ok');
  });
}

/** A cheap run: two checks, one event type, unsigned; its report and files read back. */
async function run(url: string, extra: string[], seed: number, events = 'order.accepted') {
  const reportDir = await tempDir();
  const result = await runCli(['contract', url, '--unsigned', '--only', 'malformed.400,compat.extra-fields', '--events', events, '--seed', String(seed), '--report-dir', reportDir, ...extra]);
  const [runId] = await readdir(reportDir);
  const read = (name: string) => readFile(path.join(reportDir, runId!, name), 'utf8');
  return runId === undefined
    ? { result }
    : { result, report: JSON.parse(await read('report.json')) as ContractReport, junit: await read('junit.xml'), summary: await read('summary.md'), html: await read('report.html') };
}

const keys = (cases: ReadonlyArray<{ key: string }> | undefined) => (cases ?? []).map((entry) => entry.key).sort();
const objectCases = ['array', 'missing', 'null', 'string'].map((slug) => `malformed.400/order.accepted/test/data.object-${slug}`);
const extraCase = 'compat.extra-fields/order.accepted/test/extra-fields';

test('a baseline gates only new failures: known ones pass, a new defect fails naming it, a fixed one is listed as fixed', async () => {
  // The receiver as it was, with a new defect, and with the baseline's defect fixed: each its own server, run at once.
  const receivers = await Promise.all([
    defectiveReceiver(new Set<Defect>(['object-crash'])),
    defectiveReceiver(new Set<Defect>(['object-crash', 'extra-key-crash'])),
    defectiveReceiver(new Set<Defect>(['extra-key-crash'])),
  ]);
  const [receiver, worseReceiver, fixedReceiver] = receivers;
  const dir = await tempDir();
  const baselineFile = path.join(dir, 'baseline.json');
  try {
    // The receiver crashes on a data.object that is not an object: 4 malformed.400 cases fail.
    const first = await run(receiver.url, ['--write-baseline', baselineFile], 1);
    assert.equal(first.result.code, 1, first.result.stdout + first.result.stderr);
    assert.match(first.result.stdout, /Wrote a baseline of 4 failing cases/);
    const written = JSON.parse(await readFile(baselineFile, 'utf8'));
    assert.equal(written.kind, 'contract-baseline');
    assert.deepEqual(keys(written.failures), objectCases);

    const [same, worse, fixed] = await Promise.all([
      run(receiver.url, ['--baseline', baselineFile], 2),
      run(worseReceiver.url, ['--baseline', baselineFile], 3),
      run(fixedReceiver.url, ['--baseline', baselineFile], 4),
    ]);

    // The same receiver, another seed (other event ids, other values): every failure is known, the gate passes.
    assert.equal(same.result.code, 0, same.result.stdout + same.result.stderr);
    assert.equal(same.report?.gate.status, 'pass');
    assert.deepEqual(keys(same.report?.baseline?.stillFailing), objectCases);
    assert.deepEqual(same.report?.baseline?.new, []);
    assert.match(same.result.stdout, /Against the baseline .*: 0 new, 4 still failing, 0 fixed, 0 not run\./);
    assert.match(same.result.stdout, /Gate: PASS/);
    // JUnit: the known failures are skipped, so a CI run stays green; the run's summary says why.
    assert.match(same.junit!, /<testsuites [^>]*failures="0"/);
    assert.equal((same.junit!.match(/<skipped message="known failure, in the baseline/g) ?? []).length, 4);
    assert.match(same.summary!, /### Against the baseline/);
    assert.match(same.html!, /id="baseline-section"/);
    assert.match(same.html!, /Required checks failing only as in the baseline: <a href="#check-malformed.400">/);

    // A new defect: crashing on an unknown envelope key. The gate fails and names it, and only it, as new.
    assert.equal(worse.result.code, 1, worse.result.stdout + worse.result.stderr);
    assert.deepEqual(keys(worse.report?.baseline?.new), [extraCase]);
    assert.deepEqual(keys(worse.report?.baseline?.stillFailing), objectCases);
    assert.match(worse.report!.gate.summary, /^1 new failing case the baseline did not have \(compat\.extra-fields\); 4 still failing/);
    assert.match(worse.result.stdout, /New failures \(not in the baseline: these fail the gate\): 1\n {4}compat\.extra-fields\/order\.accepted\/test\/extra-fields/);
    assert.match(worse.junit!, /<testsuites [^>]*failures="1"/);

    // The baseline's defect fixed, the new one kept: the baseline's failures are listed fixed, the new one still fails the gate.
    assert.equal(fixed.result.code, 1);
    assert.deepEqual(keys(fixed.report?.baseline?.fixed), objectCases);
    assert.deepEqual(keys(fixed.report?.baseline?.new), [extraCase]);
    assert.match(fixed.result.stdout, /Fixed \(failing in the baseline, passing now\): 4/);

    // Every report stays valid against the schema.
    const ajv = new Ajv2020({ allErrors: true, strict: false });
    ajvFormats.default(ajv);
    const validate = ajv.compile(JSON.parse(await readFile(path.join(schemasDir, 'report.schema.json'), 'utf8')) as object);
    for (const report of [first.report, same.report, worse.report, fixed.report]) assert.ok(validate(report), JSON.stringify(validate.errors));
  } finally {
    await Promise.all(receivers.map((server) => server.close()));
  }
});

test('a baseline of other event types: its cases are not run, not fixed; a report.json serves as a baseline too', async () => {
  const receiver = await defectiveReceiver(new Set(['object-crash']));
  try {
    const settings = (events: string[]) => resolveSettings(receiver.url, { unsigned: true, only: ['malformed.400', 'compat.extra-fields'], events, seed: 1 }, {});
    const first = await runContract(settings(['order.accepted']));
    assert.equal(first.gate.status, 'fail');
    const baseline = parseBaseline(JSON.stringify(first), 'report.json');
    assert.deepEqual(keys(baseline.failures), objectCases);

    const other = withBaseline(await runContract(settings(['refund.complete'])), baseline, 'report.json');
    assert.equal(other.gate.status, 'fail', 'the failures of refund.complete are new');
    assert.deepEqual(keys(other.baseline?.notRun), objectCases);
    assert.deepEqual(other.baseline?.fixed, []);
    assert.deepEqual(keys(other.baseline?.new), objectCases.map((key) => key.replace('order.accepted', 'refund.complete')));
    assert.match(renderSummaryMarkdown(other), /\*\*Not run \(failing in the baseline, not planned in this run\): 4\*\*/);
  } finally {
    await receiver.close();
  }
});

test('a baseline file that is not one: one line saying what is wrong', () => {
  const cases: Array<[unknown, RegExp]> = [
    ['{not json', /^--baseline b\.json: not JSON; give a file written by --write-baseline or a contract run's report\.json$/],
    [{ tool: 'drhook', kind: 'load' }, /a load report, not a contract one/],
    [{ tool: 'other' }, /not a drhook file/],
    [{ tool: 'drhook', kind: 'contract-baseline', failures: [{ key: 'nonsense' }] }, /its failures must be a list of/],
    [{ tool: 'drhook', kind: 'contract', runId: 'r', complete: false, stoppedBy: 'interrupted', checks: [] }, /did not finish \(interrupted\)/],
    [{ tool: 'drhook', kind: 'contract', runId: 'r', complete: true, stoppedBy: null, checks: [{ id: 'ack.2xx', cases: [{ id: 1 }] }] }, /cases lack their id/],
  ];
  for (const [content, message] of cases) {
    assert.throws(() => parseBaseline(typeof content === 'string' ? content : JSON.stringify(content), 'b.json'), (error: Error) => {
      assert.equal(error.name, 'UsageError');
      assert.match(error.message, message);
      assert.doesNotMatch(error.message, /\n/);
      return true;
    });
  }
});

test('a missing baseline file stops the run: exit 2, one line, before anything is sent', async () => {
  const receiver = await defectiveReceiver(new Set());
  const dir = await tempDir();
  try {
    const { result } = await run(receiver.url, ['--baseline', path.join(dir, 'missing.json')], 1);
    assert.equal(result.code, 2, result.stderr);
    assert.match(result.stderr, /^drhook: --baseline .*missing\.json: no such file; give a file written by --write-baseline or a contract run's report\.json\n$/);
    assert.equal(receiver.requests.length, 0, 'nothing was sent');
  } finally {
    await receiver.close();
  }
});

test('failure keys leave out what the seed or the set of types chose, and nothing else', () => {
  const at = (checkId: string, eventType: string, slug: string) => ({ id: `${checkId}/${eventType}/test/${slug}`, checkId: checkId as never, eventType, mode: 'test' as const });
  assert.equal(failureKey(at('compat.unknown-type', 'invoice.uncollectible', 'unsubscribed-type')), 'compat.unknown-type/*/test/unsubscribed-type');
  assert.equal(failureKey(at('compat.unknown-type', 'order.future_event_type', 'future-type')), 'compat.unknown-type/order.future_event_type/test/future-type');
  assert.equal(failureKey(at('concurrency.burst', 'order.accepted,refund.complete', '50-simultaneous')), 'concurrency.burst/*/test/50-simultaneous');
  assert.equal(failureKey(at('malformed.robust', 'order.accepted', 'items.0.amount-negative')), 'malformed.robust/order.accepted/test/items.0.amount-negative');
});

// A receiver slow only to process events is judged, not abandoned: its quick refusals get their own verdicts, its late acknowledgements fail, the run ends in bounded time.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac, timingSafeEqual } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import type { CheckId } from '../src/catalog/checks.js';
import type { ContractReport } from '../src/contract/results.js';
import { runCli, startServer, type TestServer } from './helpers/http.js';

const testToken = 'whsec-SLOW-test-5a1c9e07';
const liveToken = 'whsec-SLOW-live-8d2f4713';
const env = { DRHOOK_TEST_SECRET: testToken, DRHOOK_LIVE_SECRET: liveToken, DRHOOK_PASSWORD: '', DRHOOK_CLIENT_SECRET: '' };
/** The run's deadline: shorter than Digital River's 3000 ms, so that each round of timeouts takes less time. */
const DEADLINE_MS = 1500;
/** Well past the deadline (and past Digital River's 3000 ms): every valid event times out. */
const SLOW_MS = 3500;
const TOLERANCE_SEC = 300;
const types = ['order.accepted', 'refund.complete', 'order.complete', 'customer.created'];

const tempDirs: string[] = [];
after(() => Promise.all(tempDirs.map((dir) => rm(dir, { recursive: true, force: true }))));

/** `t=<unix seconds>,v0=<hex HMAC-SHA256(token, "<t>.<raw body>")>` (any v0), signed within the tolerance. */
function verified(header: string | string[] | undefined, body: Buffer, token: string): boolean {
  if (typeof header !== 'string') return false;
  const parts = header.split(',').map((part) => part.trim().split('='));
  const t = Number(parts.find(([key]) => key === 't')?.[1]);
  if (!Number.isInteger(t) || Math.abs(Date.now() / 1000 - t) > TOLERANCE_SEC) return false;
  const expected = createHmac('sha256', token).update(`${t}.`).update(body).digest();
  return parts.some(([key, value]) => {
    if (key !== 'v0' || value === undefined || !/^[0-9a-f]{64}$/.test(value)) return false;
    return timingSafeEqual(Buffer.from(value, 'hex'), expected);
  });
}

/**
 * Verifies the signature (the token of the event's data mode) and data.object (an object with a string id), refusing
 * at once with 401 or a 400 naming the field; acknowledges what passes with 202, but only after SLOW_MS.
 */
function slowReceiver(): Promise<TestServer> {
  return startServer(async (req, res, body) => {
    res.on('error', () => {});
    const refuse = (status: number, error: string) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error }));
    };
    let event: { liveMode?: unknown; data?: { object?: unknown } };
    try {
      event = JSON.parse(body.toString('utf8')) as typeof event;
    } catch {
      return refuse(400, 'the body is not JSON');
    }
    if (!verified(req.headers['digitalriver-signature'], body, event.liveMode === true ? liveToken : testToken)) return refuse(401, 'invalid signature');
    const object = event.data?.object;
    if (typeof object !== 'object' || object === null || Array.isArray(object)) return refuse(400, 'data.object must be an object');
    if (typeof (object as { id?: unknown }).id !== 'string') return refuse(400, 'data.object.id must be a string');
    await delay(SLOW_MS);
    if (!res.destroyed) res.writeHead(202).end();
  });
}

test('quick refusals, late acknowledgements: signature.* and malformed.* get their verdicts, ack.deadline fails, the run ends in bounded time', async () => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'drhook-slow-'));
  tempDirs.push(dir);
  // Four types in both modes, each requiring only its id (the rejections this receiver makes are all the malformed
  // cases there are): eight valid events, as many as the breaker's first deliveries.
  const scenario = path.join(dir, 'slow.yaml');
  await writeFile(scenario, `name: slow receiver\nevents:\n${types.map((type) => `  - ${type}\n`).join('')}mode: both\n`);
  const reportDir = path.join(dir, 'reports');
  const receiver = await slowReceiver();
  let took: number;
  let stdout: string;
  let code: number | null;
  try {
    const started = performance.now();
    ({ code, stdout } = await runCli(['contract', receiver.url, '--scenario', scenario, '--seed', '7', '--timeout-ms', String(DEADLINE_MS), '--no-progress', '--report-dir', reportDir], { env }));
    took = performance.now() - started;
  } finally {
    await receiver.close();
  }
  const [runId] = await readdir(reportDir);
  const report = JSON.parse(await readFile(path.join(reportDir, runId!, 'report.json'), 'utf8')) as ContractReport;
  const check = (id: CheckId) => {
    const found = report.checks.find((candidate) => candidate.id === id);
    assert.ok(found, `${id} ran`);
    return found;
  };

  assert.equal(code, 1, stdout);
  assert.equal(report.stoppedBy, null, report.gate.summary);
  assert.equal(report.complete, true);
  // Every refusal was sent and judged on its own answer: a 401 or a 400 naming the field, against a valid event that timed out.
  for (const id of ['signature.missing', 'signature.invalid', 'signature.tampered', 'signature.stale', 'signature.wrong-mode', 'malformed.400', 'malformed.message'] as const) {
    const result = check(id);
    assert.equal(result.status, 'pass', `${id}: ${result.cases.map((record) => record.verdict.reason).join(' | ')}`);
    assert.ok(result.cases.length >= 2, `${id} has a case per type`);
    for (const record of result.cases) assert.equal(record.deliveries[0]?.outcome.kind, 'response', record.id);
  }
  // Each valid event was sent and timed out.
  const deadline = check('ack.deadline');
  assert.equal(deadline.status, 'fail');
  assert.equal(deadline.cases.length, types.length * 2);
  for (const record of deadline.cases) {
    assert.equal(record.deliveries[0]?.outcome.kind, 'timeout', record.id);
    assert.match(record.verdict.reason, new RegExp(`within the ${DEADLINE_MS} ms deadline`));
  }
  // What a type's timeouts stopped is said so, under each check's own policy.
  const cases = report.checks.flatMap((result) => result.cases.map((record) => ({ record, required: result.required })));
  const unsent = cases.filter(({ record }) => record.deliveries.length === 0);
  assert.ok(unsent.length > 0, 'the processed events after a few timeouts were not sent');
  for (const { record, required } of unsent) {
    assert.match(record.verdict.reason, /^not sent: \d+ [a-z._]+ events timed out with none acknowledged in between/, record.id);
    assert.equal(record.verdict.status, required ? 'fail' : 'warn', record.id);
  }
  assert.match(report.gate.summary, /\d+ cases not sent, as the events of [a-z._, ]+ kept timing out/);
  // Bounded, generously (a busy machine is slow): a handful of rounds at the deadline, not one per case.
  assert.ok(took < 60_000, `took ${Math.round(took)} ms`);
});

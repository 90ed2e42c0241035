// The run-level breaker: contract against a receiver that never answers stops soon; one that answers, however late, or is only slow to process, is never cut short.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import ajvFormats from 'ajv-formats';
import type { ContractReport } from '../src/contract/results.js';
import { schemasDir } from '../src/base/paths.js';
import { startHostile, type HostileKind } from './helpers/hostile.js';
import { runCli } from './helpers/http.js';

const DEADLINE_MS = 1000;
/** The deliveries the breaker watches before it trips: the default concurrency, 8. */
const BREAKER_DELIVERIES = 8;
const env = { DRHOOK_TEST_SECRET: 'tok_breaker_4f7a2c', DRHOOK_LIVE_SECRET: 'tok_breaker_live_91d3', DRHOOK_PASSWORD: '', DRHOOK_CLIENT_SECRET: '' };

let work: string;
let validate: (report: unknown) => boolean;
before(async () => {
  work = await mkdtemp(path.join(tmpdir(), 'drhook-breaker-'));
  const ajv = new Ajv2020({ allErrors: true, strict: false });
  ajvFormats.default(ajv);
  validate = ajv.compile(JSON.parse(await readFile(path.join(schemasDir, 'report.schema.json'), 'utf8')) as object);
});
after(() => rm(work, { recursive: true, force: true }));

/** `drhook contract` against the receiver `kind`; resolves with its exit, wall time, the requests it received and the report.json written. */
async function contract(kind: HostileKind, args: string[]): Promise<{ code: number | null; stdout: string; tookMs: number; requests: number; report: ContractReport }> {
  const server = await startHostile(kind);
  const reportDir = await mkdtemp(path.join(work, `${kind}-`));
  try {
    const started = performance.now();
    const result = await runCli(['contract', server.url, '--timeout-ms', String(DEADLINE_MS), '--seed', '1', '--no-progress', '--report-dir', reportDir, ...args], { env });
    const tookMs = performance.now() - started;
    const [runDir] = await readdir(reportDir);
    const report = JSON.parse(await readFile(path.join(reportDir, runDir!, 'report.json'), 'utf8')) as ContractReport;
    assert.ok(validate(report), `report.json is valid against its schema`);
    return { code: result.code, stdout: result.stdout, tookMs, requests: server.requests, report };
  } finally {
    await server.close();
  }
}

// The cases at once: each has its own receiver, and none measures time closely.
describe('the breaker', { concurrency: true }, () => {
  for (const [kind, cause] of [['black-hole', /\(8× no answer within 1000 ms, among them \d+ events a correct receiver refuses at once\)/], ['nothing-listening', /\(8× connection refused/]] as const) {
    test(`the whole default suite against ${kind} stops after the first deliveries: every case not sent fails, exit 1`, async () => {
      const { code, stdout, requests, report } = await contract(kind, []);
      assert.equal(code, 1, stdout);
      // The first 8 deliveries (the concurrency) go unanswered, those started as they ended are aborted, and nothing
      // more is sent: not the thousands of deliveries of the whole suite. The request count says it without a clock.
      assert.ok(requests < 2 * BREAKER_DELIVERIES, `the receiver read ${requests} requests`);
      assert.equal(report.stoppedBy, 'unreachable');
      assert.equal(report.complete, false);
      assert.equal(report.gate.status, 'fail');
      assert.match(report.gate.summary, /^Stopped sending: the receiver answered none of the first 8 deliveries/);
      assert.match(report.gate.summary, cause);
      const cases = report.checks.flatMap((check) => check.cases);
      const unsent = cases.filter((record) => record.deliveries.length === 0);
      assert.ok(unsent.length > 100, `${unsent.length} cases not sent`);
      for (const record of unsent) {
        assert.match(record.verdict.reason, /^not sent: the receiver answered none of the first 8 deliveries \(.*\), so drhook stopped sending$/);
        // The check's own policy still applies: an advisory check warns.
        const required = report.checks.some((candidate) => candidate.id === record.checkId && candidate.required);
        assert.equal(record.verdict.status, required ? 'fail' : 'warn', record.id);
      }
      assert.match(stdout, /Gate: FAIL {2}Stopped sending: the receiver answered none of the first 8 deliveries/);
    });
  }

  for (const kind of ['drip-late', 'slowloris'] as const) {
    test(`a receiver that answers (${kind}) is never cut short`, async () => {
      const events = ['order.accepted', 'order.complete', 'order.blocked', 'refund.complete', 'fulfillment.created', 'customer.created', 'order.charge.failed', 'subscription.created', 'invoice.created', 'sku.created'];
      const { report } = await contract(kind, ['--only', 'ack', '--mode', 'test', '--events', events.join(',')]);
      assert.equal(report.stoppedBy, null);
      assert.equal(report.complete, true);
      const cases = report.checks.flatMap((check) => check.cases);
      assert.equal(cases.length, events.length * 3, 'every case was judged');
      assert.ok(cases.every((record) => record.deliveries.length === 1), 'every case was sent');
    });
  }

  test('a receiver that never answers, sent only events that need processing: every case is judged on its timeout, in bounded time', async () => {
    // No event a receiver refuses at once: timeouts alone may mean a slow receiver, so the breaker does not trip.
    const events = ['order.accepted', 'order.complete', 'refund.complete', 'customer.created', 'sku.created'];
    const { code, tookMs, report } = await contract('black-hole', ['--only', 'ack', '--mode', 'test', '--events', events.join(',')]);
    assert.equal(code, 1);
    assert.equal(report.stoppedBy, null);
    const cases = report.checks.flatMap((check) => check.cases);
    assert.equal(cases.length, events.length * 3);
    for (const record of cases) assert.equal(record.deliveries[0]?.outcome.kind, 'timeout', record.id);
    assert.equal(report.checks.find((check) => check.id === 'ack.deadline')?.status, 'fail');
    // One round at the deadline (5 deliveries, 8 at once), then the report; generous, for a busy machine.
    assert.ok(tookMs < 30_000, `took ${Math.round(tookMs)} ms`);
  });
});

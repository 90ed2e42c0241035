// Every contract check over real HTTP: it passes against the reference receiver and fails (or warns) against the fault that breaks it.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { CheckId } from '../src/catalog/checks.js';
import type { ContractReport } from '../src/contract/results.js';
import { runContract } from '../src/contract/run.js';
import { resolveSettings, type ContractOptions } from '../src/contract/settings.js';
import type { FaultName } from '../src/receiver/faults.js';
import { startReceiver, type ReceiverAuth } from '../src/receiver/server.js';
import type { ModeSecrets } from '../src/wire/secrets.js';
import { verifySignature } from '../src/wire/signing.js';
import { startServer } from './helpers/http.js';

const secrets: ModeSecrets = { test: ['whsec-SECRET-test-4f1c2d'], live: ['whsec-SECRET-live-9a8b7c'] };
const basic: ReceiverAuth = { kind: 'basic', username: 'digitalriver', password: 'PASS-checks-5e6f' };

interface Row {
  check: CheckId;
  fault: FaultName;
  /** `warn` for advisory checks. */
  expect: 'fail' | 'warn';
  events?: string[];
  options?: ContractOptions;
  /** Options for the run against the fault only, on top of `options`: what it takes to break it. */
  faultOptions?: ContractOptions;
  auth?: ReceiverAuth;
}

const orderAndRefund = ['order.accepted', 'refund.complete'];

const rows: Row[] = [
  { check: 'ack.2xx', fault: 'error-500', expect: 'fail' },
  { check: 'ack.deadline', fault: 'slow', expect: 'fail', events: ['order.accepted'] },
  { check: 'ack.no-redirect', fault: 'redirect', expect: 'fail' },
  { check: 'malformed.400', fault: 'malformed-500', expect: 'fail' },
  { check: 'malformed.message', fault: 'malformed-no-message', expect: 'fail' },
  { check: 'malformed.robust', fault: 'emoji-name-500', expect: 'fail', events: ['plan.created', 'location.created'] },
  { check: 'compat.extra-fields', fault: 'strict-fields', expect: 'fail' },
  { check: 'compat.unknown-type', fault: 'unknown-type-500', expect: 'warn' },
  { check: 'signature.missing', fault: 'skip-signature', expect: 'fail' },
  { check: 'signature.invalid', fault: 'skip-signature', expect: 'fail' },
  { check: 'signature.tampered', fault: 'skip-signature', expect: 'fail' },
  { check: 'signature.stale', fault: 'skip-signature', expect: 'fail' },
  { check: 'signature.stale', fault: 'accept-stale', expect: 'fail' },
  { check: 'signature.wrong-mode', fault: 'any-mode-token', expect: 'fail', options: { mode: 'both' } },
  { check: 'signature.rotation', fault: 'first-signature-only', expect: 'fail' },
  { check: 'signature.rotation', fault: 'last-signature-only', expect: 'fail' },
  { check: 'signature.raw-body', fault: 'reserialized-body', expect: 'fail' },
  { check: 'idempotency.redelivery', fault: 'reject-duplicates', expect: 'fail' },
  { check: 'idempotency.concurrent', fault: 'reject-duplicates', expect: 'fail' },
  // One at a time at 100 ms each, the 31st answer comes after 3 s; the correct receiver shows it with a small burst.
  { check: 'concurrency.burst', fault: 'serial-processing', expect: 'fail', events: ['order.accepted'], options: { burst: 10 }, faultOptions: { burst: 40 } },
  { check: 'payload.large', fault: 'small-body-limit', expect: 'fail', events: ['order.accepted'] },
  { check: 'auth.required', fault: 'skip-auth', expect: 'fail', auth: basic, options: { auth: { kind: 'basic', username: basic.username, password: basic.password } } },
  { check: 'environment.unknown-resource', fault: 'unknown-resource-404', expect: 'warn' },
];

async function runAgainst(row: Row, fault: FaultName | undefined): Promise<ContractReport> {
  const receiver = await startReceiver({ secrets, ...(fault ? { fault } : {}), ...(row.auth ? { auth: row.auth } : {}) });
  try {
    // Two deliveries in flight: the receiver answers each behind little other work in this process's one thread.
    const options: ContractOptions = { only: [row.check], events: row.events ?? orderAndRefund, secrets, seed: 7, concurrency: 2, ...row.options, ...(fault ? row.faultOptions : {}) };
    const settings = resolveSettings(receiver.url, options);
    return await runContract(settings);
  } finally {
    await receiver.close();
  }
}

function checkOf(report: ContractReport, id: CheckId) {
  const check = report.checks.find((c) => c.id === id);
  assert.ok(check, `${id} is in the report`);
  return check;
}

/** The reasons of the cases that did not pass, for assertion messages. */
function reasons(report: ContractReport): string {
  return report.checks.flatMap((c) => c.cases.filter((r) => r.verdict.status !== 'pass').map((r) => `${r.id}: ${r.verdict.reason}`)).join('\n');
}

// One row at a time: the receivers share this process's one thread with the runs, and every delivery to the correct
// receiver must be answered within the 3000 ms deadline however busy the machine is; rows run side by side would only
// queue each other's work in front of it (a burst of 40 among twenty other runs went unanswered).
describe('each check against the reference receiver and its fault', () => {
  for (const row of rows) {
    test(`${row.check}: passes against the correct receiver, ${row.expect}s against ${row.fault}`, async () => {
      const [good, bad] = await Promise.all([runAgainst(row, undefined), runAgainst(row, row.fault)]);
      const passing = checkOf(good, row.check);
      assert.equal(passing.status, 'pass', reasons(good));
      assert.ok(passing.cases.length > 0);
      assert.equal(good.gate.status, 'pass');

      const failing = checkOf(bad, row.check);
      assert.equal(failing.status, row.expect, `expected ${row.expect}:\n${reasons(bad)}`);
      assert.equal(bad.gate.status, row.expect === 'fail' ? 'fail' : 'pass', 'only required checks fail the gate');
      const flagged = failing.cases.find((c) => c.verdict.status === row.expect);
      assert.ok(flagged, 'a case carries the verdict');
      assert.match(flagged.verdict.reason, /\d/, 'the reason gives numbers');
      assert.match(flagged.reproduce, new RegExp(`^drhook contract \\S+ (\\S+ )*--only ${row.check.replace('.', '\\.')} --events \\S+ --mode (test|live) --seed 7 --case \\S+$`));
      for (const secret of [...secrets.test, ...secrets.live, basic.password]) {
        assert.ok(!JSON.stringify(bad).includes(secret) && !JSON.stringify(good).includes(secret), 'no secret in the report');
      }
    });
  }
});

test('without a token for a mode it sends, runContract refuses before sending anything', async () => {
  const server = await startServer((_req, res) => void res.writeHead(200).end());
  try {
    const settings = resolveSettings(server.url, { only: ['ack.2xx'], events: ['order.accepted'], secrets, seed: 3 });
    // Settings built by hand, as a library caller may: a signed run whose tokens went missing.
    for (const missing of [{ ...settings, secrets: { test: [], live: [] } }, { ...settings, mode: 'both' as const, secrets: { test: secrets.test, live: [] } }]) {
      await assert.rejects(runContract(missing), { name: 'UsageError', message: /^(no signing token for test mode: .*or pass --unsigned|the run sends live events but only a test-mode signing token is given)/ });
    }
    await assert.rejects(runContract({ ...settings, unsigned: true }), /--unsigned and a test-mode signing token were both given/);
    assert.equal(server.requests.length, 0, 'nothing was sent');
  } finally {
    await server.close();
  }
});

test('unsigned, as asked, no signature check runs, nothing is signed, and the gate says so; a check without its prerequisite is skipped with the reason', async () => {
  const receiver = await startReceiver({ secrets: { test: [], live: [] } });
  try {
    const settings = resolveSettings(receiver.url, { only: ['signature', 'auth.required', 'ack.2xx'], events: ['order.accepted'], seed: 3, unsigned: true });
    const report = await runContract(settings);
    assert.equal(checkOf(report, 'ack.2xx').status, 'pass');
    for (const check of report.checks.filter((c) => c.id.startsWith('signature.'))) {
      assert.equal(check.status, 'skipped', check.id);
      assert.match(check.status === 'skipped' ? check.skippedReason : '', /^not run: the events are sent unsigned \(--unsigned\)/);
    }
    const auth = checkOf(report, 'auth.required');
    assert.match(auth.status === 'skipped' ? auth.skippedReason : '', /no authentication configured/);
    const sent = report.checks.flatMap((check) => check.cases.flatMap((c) => c.deliveries.map((d) => d.request.headers)));
    assert.ok(sent.length > 0);
    assert.ok(sent.every((headers) => !Object.keys(headers).some((name) => /signature/i.test(name))), 'no delivery carried a signature');
    assert.equal(report.gate.status, 'pass');
    assert.equal(report.gate.unsigned, true);
    assert.match(report.gate.summary, /; no signature check ran \(--unsigned\)\.$/);
    assert.ok(checkOf(report, 'ack.2xx').cases.every((c) => c.reproduce.includes(' --unsigned')), 'reproduce commands run unsigned too');
  } finally {
    await receiver.close();
  }
});

test('a run in which no selected check can run is a usage error, not a passing gate', async () => {
  await assert.rejects(
    runContract(resolveSettings('http://127.0.0.1:9/hook', { only: ['auth.required', 'signature.stale'], events: ['order.accepted'], unsigned: true })),
    /no selected check can run \(signature\.stale: not run: the events are sent unsigned .*; auth\.required: the webhook has no authentication configured/,
  );
});

test('a receiver that verifies JSON written again with sorted keys fails the key-order cases too', async () => {
  const sorted = (value: unknown): unknown =>
    Array.isArray(value) ? value.map(sorted)
    : typeof value === 'object' && value !== null ? Object.fromEntries(Object.keys(value).sort().map((key) => [key, sorted((value as Record<string, unknown>)[key])]))
    : value;
  const server = await startServer((req, res, body) => {
    const rewritten = Buffer.from(JSON.stringify(sorted(JSON.parse(body.toString('utf8')))), 'utf8');
    const verified = verifySignature('digitalriver', req.headers, rewritten, { secrets: secrets.test, toleranceSec: 300, nowSec: Math.floor(Date.now() / 1000) });
    res.writeHead(verified.ok ? 202 : 401).end();
  });
  try {
    const events = ['order.accepted', 'refund.complete'];
    const report = await runContract(resolveSettings(server.url, { only: ['signature.raw-body'], events, secrets, seed: 8 }));
    const keyOrder = checkOf(report, 'signature.raw-body').cases.filter((c) => c.id.endsWith('/raw-key-order'));
    assert.deepEqual(keyOrder.map((c) => [c.eventType, c.verdict.status]), events.map((type) => [type, 'fail']));
  } finally {
    await server.close();
  }
});

test('malformed cases say which field and which fault, and the message check reads the 400 body', async () => {
  const receiver = await startReceiver({ secrets });
  const dir = await mkdtemp(path.join(os.tmpdir(), 'drhook-malformed-'));
  try {
    // A declared contract: the fields a handler depends on beyond the id.
    const scenario = path.join(dir, 'declared.yaml');
    await writeFile(scenario, 'name: declared\nevents:\n  - type: order.accepted\n    requires: [/id, /state, /items, /totalAmount, /currency]\n');
    const settings = resolveSettings(receiver.url, { scenario, only: ['malformed.400', 'malformed.message'], secrets, seed: 11 });
    const report = await runContract(settings);
    const faults = checkOf(report, 'malformed.400').cases.map((c) => c.fault);
    for (const expected of [
      'data.object: missing',
      'data.object: null',
      'data.object: an array instead of an object',
      'data.object: a string instead of an object',
      'data.object.id: missing',
      'data.object.id: null',
      'data.object.currency: not in the enum (sent "ZZZ")',
      'data.object.state: not in the enum (sent "announced_later")',
    ]) {
      assert.ok(faults.includes(expected), `${expected} in ${faults.join(' | ')}`);
    }
    assert.ok(faults.some((f) => /^data\.object\.totalAmount: wrong type \(sent "not-a-number", a string, expected number\)$/.test(f)), faults.join(' | '));
    assert.ok(faults.some((f) => /^data\.object\.items: wrong type \(sent 12345, a number, expected array\)$/.test(f)), faults.join(' | '));
    const message = checkOf(report, 'malformed.message');
    assert.equal(message.status, 'pass', reasons(report));
    assert.ok(message.cases.every((c) => /names the field/.test(c.verdict.reason)));
  } finally {
    await receiver.close();
    await rm(dir, { recursive: true, force: true });
  }
});

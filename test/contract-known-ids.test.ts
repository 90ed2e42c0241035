// Known orders: a receiver that 404s unknown orders fails environment.unknown-resource alone, once drhook and it share ids.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ContractReport } from '../src/contract/results.js';
import { planContract } from '../src/contract/plan.js';
import { runContract } from '../src/contract/run.js';
import { resolveSettings } from '../src/contract/settings.js';
import { orderIdOf } from '../src/events/order-ref.js';
import { startReceiver } from '../src/receiver/server.js';
import type { ModeSecrets } from '../src/wire/secrets.js';

const secrets: ModeSecrets = { test: ['whsec-SECRET-known-1a2b'], live: [] };
const known = ['240450000336', '240450010336'];

/** `check: status` of every check that did not pass. */
const notPassing = (report: ContractReport) => report.checks.filter((check) => check.status !== 'pass' && check.status !== 'skipped').map((check) => `${check.id}: ${check.status}`);

test('with the orders it knows named, a receiver that 404s unknown orders only warns on environment.unknown-resource', async () => {
  const receiver = await startReceiver({ secrets, fault: 'unknown-resource-404', knownOrderIds: known });
  try {
    // Every kind of event about an order (the order, its charge, refund and fulfillment, a renewal's invoice) and one about none.
    const events = ['order.accepted', 'order.charge.capture.complete', 'refund.complete', 'fulfillment.created', 'subscription.extended', 'subscription.created'];
    const report = await runContract(resolveSettings(receiver.url, { secrets, events, knownOrderIds: known, seed: 31, mutations: { kind: 'budget', cases: 0 } }));
    assert.deepEqual(notPassing(report), ['environment.unknown-resource: warn']);
    assert.equal(report.gate.status, 'pass');
    assert.deepEqual(report.settings.knownIds, { order: known });
    const environment = report.checks.find((check) => check.id === 'environment.unknown-resource')!;
    assert.ok(environment.cases.some((record) => /answered 404 .* to an event about order \d{12}, which it has never seen/.test(record.verdict.reason)));
    assert.ok(environment.cases.every((record) => !/no known orders/.test(record.verdict.reason)));
  } finally {
    await receiver.close();
  }
});

test('without known orders the same receiver fails ack.2xx, and the reasons point at knownIds', async () => {
  const receiver = await startReceiver({ secrets, fault: 'unknown-resource-404' });
  try {
    const settings = resolveSettings(receiver.url, { secrets, only: ['ack.2xx', 'environment.unknown-resource'], events: ['order.accepted', 'refund.complete', 'subscription.created'], seed: 32 });
    const report = await runContract(settings);
    const ack = report.checks.find((check) => check.id === 'ack.2xx')!;
    assert.equal(ack.status, 'fail');
    const refused = ack.cases.filter((record) => record.verdict.status === 'fail');
    assert.deepEqual(refused.map((record) => record.eventType).sort(), ['order.accepted', 'refund.complete']);
    assert.ok(refused.every((record) => /answered 404 .*knownIds\.order in the scenario, or --known-order-id/.test(record.verdict.reason)), refused[0]?.verdict.reason);
    const environment = report.checks.find((check) => check.id === 'environment.unknown-resource')!;
    // Known ids name orders: the hint is given for events about an order, and only for those.
    const hinted = (record: (typeof environment.cases)[number]) => /no known orders are configured .*the other checks' events were about unknown orders too/.test(record.verdict.reason);
    assert.deepEqual(environment.cases.filter(hinted).map((record) => record.eventType).sort(), ['order.accepted', 'refund.complete']);
    assert.deepEqual(report.settings.knownIds, { order: [] });
  } finally {
    await receiver.close();
  }
});

test("a failure the valid event shares leads with that, not with the failing check's own advice", async () => {
  const receiver = await startReceiver({ secrets, fault: 'unknown-resource-404' });
  try {
    const settings = resolveSettings(receiver.url, { secrets, only: ['ack.2xx', 'compat.extra-fields', 'signature.raw-body'], events: ['order.accepted'], seed: 34 });
    const report = await runContract(settings);
    const failed = report.checks.filter((check) => check.id !== 'ack.2xx').flatMap((check) => check.cases.filter((record) => record.verdict.status === 'fail'));
    assert.ok(failed.length >= 2, `${failed.length} failed cases`);
    for (const record of failed) {
      assert.match(record.verdict.reason, /^the valid event of this type and mode was not acknowledged either \(it answered 404 in \d+ ms\), so this is not particular to this check \(see ack\.2xx\): /, record.id);
    }
  } finally {
    await receiver.close();
  }
});

test("every case's events are about a known order, except environment.unknown-resource's; reproduce commands name them", () => {
  const events = ['order.accepted', 'order.charge.capture.complete', 'refund.complete', 'fulfillment.created', 'subscription.extended', 'subscription.created'];
  const settings = resolveSettings('http://127.0.0.1:9/hook', { secrets, events, knownOrderIds: ['KNOWN-1'], seed: 33 });
  assert.ok(settings.reproduceFlags.join(' ').includes('--known-order-id KNOWN-1'));
  const plan = planContract(settings);
  const about = (family: string) => plan.cases.filter((c) => c.key.startsWith(`${family}/`)).flatMap((c) => c.deliveries.map((d) => ({ type: c.eventType, id: orderIdOf(d.event) })));
  const ack = about('ack');
  assert.deepEqual(ack.filter((entry) => entry.id !== undefined).map((entry) => entry.type).sort(), events.filter((type) => type !== 'subscription.created').sort());
  for (const family of ['ack', 'compat', 'signature', 'patterns']) {
    const ids = about(family).flatMap((entry) => (entry.id === undefined ? [] : [entry.id]));
    assert.ok(ids.length > 0 && ids.every((id) => id === 'KNOWN-1'), `${family}: ${[...new Set(ids)].join(', ')}`);
  }
  const fresh = about('environment').flatMap((entry) => (entry.id === undefined ? [] : [entry.id]));
  assert.equal(fresh.length, 5);
  assert.ok(fresh.every((id) => /^\d{12}$/.test(id)), fresh.join(', '));
  const fulfillment = plan.cases.find((c) => c.key === 'ack/fulfillment.created/test/valid-event')!.deliveries[0]!.event.data.object as { orderId: string; orderDetails: { id: string } };
  assert.deepEqual([fulfillment.orderId, fulfillment.orderDetails.id], ['KNOWN-1', 'KNOWN-1']);
  assert.throws(() => resolveSettings('http://127.0.0.1:9/hook', { knownOrderIds: [] }), /--known-order-id lists no order id/);
});

test("drhook serve --scenario enforces the scenario's requires and knows its orders", async () => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'drhook-known-'));
  const scenario = path.join(dir, 'shop.yaml');
  await writeFile(scenario, ['name: shop', 'events:', '  - type: order.accepted', '    requires: [/id, /email]', '  - refund.complete', 'knownIds:', `  order: [${known[0]}]`, ''].join('\n'));
  const cli = fileURLToPath(new URL('../src/cli.js', import.meta.url));
  const child = spawn(process.execPath, [cli, 'serve', '--port', '0', '--scenario', scenario, '--fault', 'unknown-resource-404', '--quiet'], {
    env: { ...process.env, NO_COLOR: '1', DRHOOK_TEST_SECRET: secrets.test[0]! },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  try {
    let stdout = '';
    const url = await new Promise<string>((resolve, reject) => {
      child.stdout.on('data', (chunk: Buffer) => {
        stdout += chunk.toString();
        const found = /(http:\/\/\S+\/webhooks\/digitalriver)/.exec(stdout);
        if (found?.[1]) resolve(found[1]);
      });
      child.on('exit', (code) => reject(new Error(`serve exited early (${code})`)));
    });
    assert.match(stdout, /requires the scenario's fields of 2 event types; knows 1 order from the start/);
    const report = await runContract(resolveSettings(url, { scenario, secrets, seed: 34 }));
    assert.deepEqual(notPassing(report), ['environment.unknown-resource: warn']);
    const email = report.checks.find((check) => check.id === 'malformed.400')!.cases.filter((record) => record.id.includes('/email-'));
    assert.ok(email.some((record) => record.id.endsWith('/email-missing')), email.map((record) => record.id).join(', '));
    assert.ok(email.every((record) => record.verdict.status === 'pass'));
  } finally {
    child.kill('SIGTERM');
    await rm(dir, { recursive: true, force: true });
  }
});

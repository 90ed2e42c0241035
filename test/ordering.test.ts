// ordering.out-of-order over real HTTP: one order's events delivered backwards and at once, against receivers that look orders up.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { DrEvent } from '../src/events/event.js';
import { orderIdOf } from '../src/events/order-ref.js';
import type { ContractReport } from '../src/contract/results.js';
import { runContract } from '../src/contract/run.js';
import { resolveSettings } from '../src/contract/settings.js';
import type { ModeSecrets } from '../src/wire/secrets.js';
import { verifySignature } from '../src/wire/signing.js';
import { startServer, type TestServer } from './helpers/http.js';

const secrets: ModeSecrets = { test: ['whsec-ORDERING-test-7d2e1a'], live: ['whsec-ORDERING-live-3c4b5a'] };
const events = ['order.accepted', 'fulfillment.created', 'order.charge.capture.complete', 'order.complete', 'refund.complete'];

/**
 * A receiver that verifies the signature, creates the order on order.accepted and looks it up for every other event:
 * `unknown` is its answer to an event about an order it has not created (yet).
 */
function orderLookup(unknown: number): Promise<TestServer> {
  const orders = new Set<string>();
  return startServer((req, res, body) => {
    const verified = verifySignature('digitalriver', req.headers, body, { secrets: secrets.test, toleranceSec: 300, nowSec: Math.floor(Date.now() / 1000) });
    if (!verified.ok) return void res.writeHead(401).end('bad signature');
    const event = JSON.parse(body.toString('utf8')) as DrEvent;
    const orderId = orderIdOf(event);
    if (event.type === 'order.accepted' && orderId !== undefined) orders.add(orderId);
    else if (orderId === undefined || !orders.has(orderId)) return void res.writeHead(unknown, { 'content-type': 'text/plain' }).end(`order ${orderId ?? '?'} not found`);
    res.writeHead(202).end();
  });
}

async function outOfOrder(server: TestServer, scenario?: string): Promise<ContractReport> {
  return runContract(resolveSettings(`${server.url}/hooks`, { only: ['ordering.out-of-order'], events, secrets, seed: 4, ...(scenario ? { scenario } : {}) }));
}

function received(server: TestServer): DrEvent[] {
  return server.requests.map((request) => JSON.parse(request.body.toString('utf8')) as DrEvent);
}

test('a receiver that answers 500 to an event about an order it has not seen yet gets a warning (advisory by default)', async () => {
  const server = await orderLookup(500);
  try {
    const report = await outOfOrder(server);
    const check = report.checks.find((candidate) => candidate.id === 'ordering.out-of-order');
    assert.ok(check);
    assert.equal(check.required, false);
    assert.equal(check.status, 'warn', JSON.stringify(check.cases.map((c) => c.verdict)));
    assert.equal(report.gate.status, 'pass', 'an advisory check does not fail the gate');
    const [only] = check.cases;
    assert.match(only!.verdict.reason, /^4 of 5 deliveries of one order's events, sent out of order, failed: refund\.complete answered 500/);
    assert.match(only!.reproduce, /--only ordering\.out-of-order --events order\.accepted,fulfillment\.created,order\.charge\.capture\.complete,order\.complete,refund\.complete --mode test --seed 4 --case /);

    // What the receiver got: one order's events, every later one before the order was accepted.
    const got = received(server);
    assert.equal(got.length, 5);
    assert.equal(new Set(got.map((event) => orderIdOf(event))).size, 1, 'every event is about the same order');
    assert.equal(got.at(-1)!.type, 'order.accepted', 'the order is accepted last');
    assert.deepEqual(got.slice(0, -1).map((event) => event.type).sort(), events.filter((type) => type !== 'order.accepted').sort());
  } finally {
    await server.close();
  }
});

test('made required in the scenario, the same receiver fails the check and the gate', async () => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'drhook-ordering-'));
  const server = await orderLookup(500);
  try {
    const scenario = path.join(dir, 'strict.yaml');
    await writeFile(scenario, `name: strict\nevents: [${events.join(', ')}]\nchecks:\n  ordering.out-of-order: { required: true }\n`);
    const report = await outOfOrder(server, scenario);
    const check = report.checks.find((candidate) => candidate.id === 'ordering.out-of-order');
    assert.equal(check?.status, 'fail');
    assert.equal(report.gate.status, 'fail');
  } finally {
    await server.close();
    await rm(dir, { recursive: true, force: true });
  }
});

test('a receiver that asks for a retry (409) of an event about an unknown order, or acknowledges it (202), passes', async () => {
  for (const unknown of [409, 202]) {
    const server = await orderLookup(unknown);
    try {
      const report = await outOfOrder(server);
      const check = report.checks.find((candidate) => candidate.id === 'ordering.out-of-order');
      assert.equal(check?.status, 'pass', JSON.stringify(check?.cases.map((c) => c.verdict)));
      assert.match(check.cases[0]!.verdict.reason, new RegExp(`^all 5 deliveries answered without a 5xx, timeout or redirect \\(${unknown === 409 ? '202, 409' : '202'};`));
      const statuses = received(server).length;
      assert.equal(statuses, 5, 'every event of the story was delivered');
    } finally {
      await server.close();
    }
  }
});

test('with fewer than two of the story’s types subscribed, the check is skipped with the reason', async () => {
  const server = await startServer((_req, res) => void res.writeHead(200).end());
  try {
    const report = await runContract(resolveSettings(server.url, { only: ['ordering.out-of-order', 'ack.2xx'], events: ['order.accepted', 'subscription.created'], secrets, seed: 4 }));
    const check = report.checks.find((candidate) => candidate.id === 'ordering.out-of-order');
    assert.equal(check?.status, 'skipped');
    assert.match(check.skippedReason ?? '', /two or more of an order's event types/);
  } finally {
    await server.close();
  }
});

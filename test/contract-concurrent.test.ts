// idempotency.concurrent over real HTTP: a check-then-insert handler races with a copy in flight and fails it (yet passes idempotency.redelivery); the reference receiver passes; a 409 is named as what it is.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import express from 'express';
import type { CheckId } from '../src/catalog/checks.js';
import type { ContractReport } from '../src/contract/results.js';
import { runContract } from '../src/contract/run.js';
import { resolveSettings } from '../src/contract/settings.js';
import { startReceiver } from '../src/receiver/server.js';
import { signatureValid } from './helpers/framework-receivers.js';

const tokens = { test: 'whsec-SECRET-concurrent-test-71d2', live: 'whsec-SECRET-concurrent-live-82e3' };
const secrets = { test: [tokens.test], live: [tokens.live] };
const only: CheckId[] = ['idempotency.redelivery', 'idempotency.concurrent'];

interface RacyReceiver {
  url: string;
  /** The most deliveries of one event id the handler held at the same time. */
  maxOverlap: number;
  close(): Promise<void>;
}

/**
 * An Express receiver whose idempotency record is checked, then written after an awaited 250 ms (a slow database
 * round trip, long enough that every copy sent together arrives inside it even on a busy machine), in a set that
 * refuses a second insert of the same id (a unique constraint): the error becomes Express's 500.
 */
async function startRacyReceiver(): Promise<RacyReceiver> {
  const app = express();
  const processed = new Set<string>();
  const inFlight = new Map<string, number>();
  const state = { maxOverlap: 0 };
  const insertUnique = (id: string) => {
    if (processed.has(id)) throw new Error(`duplicate key value violates unique constraint "events_pkey" (${id})`);
    processed.add(id);
  };
  app.post('/webhooks/dr', express.raw({ type: '*/*', limit: '5mb' }), async (req, res) => {
    const raw = req.body as Buffer;
    const event = JSON.parse(raw.toString('utf8')) as { id: string; liveMode?: boolean };
    if (!signatureValid(req.headers['digitalriver-signature'], raw, event.liveMode === true ? tokens.live : tokens.test)) {
      return void res.status(401).json({ error: 'invalid signature' });
    }
    const holding = (inFlight.get(event.id) ?? 0) + 1;
    inFlight.set(event.id, holding);
    state.maxOverlap = Math.max(state.maxOverlap, holding);
    try {
      if (processed.has(event.id)) return void res.status(200).json({ status: 'duplicate' });
      await new Promise((resolve) => setTimeout(resolve, 250));
      insertUnique(event.id);
      res.status(202).json({ status: 'accepted' });
    } finally {
      inFlight.set(event.id, inFlight.get(event.id)! - 1);
    }
  });
  const server = await new Promise<Server>((resolve) => {
    const listening = app.listen(0, '127.0.0.1', () => resolve(listening));
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/webhooks/dr`,
    get maxOverlap() {
      return state.maxOverlap;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function run(url: string): Promise<ContractReport> {
  return runContract(resolveSettings(url, { only, events: ['order.accepted'], secrets, seed: 14, concurrency: 2 }));
}

function checkOf(report: ContractReport, id: CheckId) {
  const check = report.checks.find((c) => c.id === id);
  assert.ok(check, `${id} is in the report`);
  return check;
}

test('a check-then-insert receiver fails idempotency.concurrent on the 500 its unique constraint throws, and passes idempotency.redelivery', async () => {
  const receiver = await startRacyReceiver();
  try {
    const report = await run(receiver.url);
    assert.equal(checkOf(report, 'idempotency.redelivery').status, 'pass', 'one copy after another never races');
    const concurrent = checkOf(report, 'idempotency.concurrent');
    assert.equal(concurrent.status, 'fail');
    assert.equal(report.gate.status, 'fail', 'a required check');
    assert.deepEqual(concurrent.cases.map((c) => c.deliveries.length).sort(), [2, 5]);
    for (const record of concurrent.cases) {
      assert.equal(record.verdict.status, 'fail', record.id);
      const ids = new Set(record.deliveries.map((d) => d.request.eventId));
      assert.equal(ids.size, 1, 'every copy carries the same event id');
      assert.ok(record.deliveries.every((d) => /^t=\d+,v0=[0-9a-f]{64}$/.test(String(d.request.headers['DigitalRiver-Signature']))), 'each copy is signed');
      const statuses = record.deliveries.map((d) => (d.outcome.kind === 'response' ? d.outcome.status : d.outcome.kind));
      assert.equal(statuses.filter((s) => s === 202).length, 1, `one copy wins the insert: ${statuses.join(', ')}`);
      // A copy the machine delivers after the winner's insert finds the record and is answered 200 (a correct
      // duplicate); every copy that raced the insert hits the constraint. At least one always races it.
      const failed = statuses.filter((s) => s === 500).length;
      assert.ok(failed >= 1, `a copy hit the constraint: ${statuses.join(', ')}`);
      assert.equal(statuses.filter((s) => s === 200).length, record.deliveries.length - 1 - failed, `the rest are acknowledged duplicates: ${statuses.join(', ')}`);
      assert.match(record.verdict.reason, new RegExp(`^${failed} of ${record.deliveries.length} simultaneous copies of the same event id were not acknowledged .*answered 500.*atomic`));
    }
    assert.ok(receiver.maxOverlap >= 2, `the copies were in the handler together (at most ${receiver.maxOverlap})`);
  } finally {
    await receiver.close();
  }
});

test('the reference receiver passes idempotency.concurrent; one answering 409 to a copy in flight fails it, and the reason says Digital River counts it as not received', async () => {
  const good = await startReceiver({ secrets });
  const refusing = await startReceiver({ secrets, fault: 'reject-duplicates' });
  try {
    const [passed, refused] = await Promise.all([run(good.url), run(refusing.url)]);
    const ok = checkOf(passed, 'idempotency.concurrent');
    assert.equal(ok.status, 'pass', ok.cases.map((c) => c.verdict.reason).join('\n'));
    assert.equal(ok.cases.length, 2);
    assert.equal(passed.gate.status, 'pass');

    const failed = checkOf(refused, 'idempotency.concurrent');
    assert.equal(failed.status, 'fail');
    const five = failed.cases.find((c) => c.deliveries.length === 5);
    assert.ok(five);
    assert.match(five.verdict.reason, /^4 of 5 simultaneous copies .*\(4× answered 409\).*the 4 answers 409 for a copy still in flight are not an acknowledgement: Digital River counts such a copy as not received/);
    const two = failed.cases.find((c) => c.deliveries.length === 2);
    assert.match(two?.verdict.reason ?? '', /the 409 for a copy still in flight is not an acknowledgement/);
    for (const report of [passed, refused]) {
      const text = JSON.stringify(report);
      assert.ok(!text.includes(tokens.test) && !text.includes(tokens.live), 'no token in the report');
    }
  } finally {
    await Promise.all([good.close(), refusing.close()]);
  }
});

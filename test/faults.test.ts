// The fault catalogue tells the truth: each fault breaks exactly the checks it lists, measured with the default suite.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { CheckId } from '../src/catalog/checks.js';
import { runContract } from '../src/contract/run.js';
import { resolveSettings } from '../src/contract/settings.js';
import { faultNames, faults, type FaultName } from '../src/receiver/faults.js';
import { startReceiver } from '../src/receiver/server.js';

const secrets = { test: ['whsec-SECRET-faults-test'], live: ['whsec-SECRET-faults-live'] };
const basic = { kind: 'basic' as const, username: 'digitalriver', password: 'PASS-faults-1' };
const known = ['240450000336'];

/**
 * The checks that did not pass when the default suite's checks ran as the demo runs them (both modes, basic auth)
 * against the fault, for three of its types: an order, a refund (about an order) and a subscription (about none).
 * malformed.robust, whose cases are hundreds per type, runs on the refund, the subscription and a SKU (whose name
 * emoji-name-500 needs) with no cases beyond the fields their events hold: every break of every field they hold.
 */
async function broken(fault: FaultName, knownOrderIds: readonly string[] = []): Promise<CheckId[]> {
  const receiver = await startReceiver({ secrets, auth: basic, fault, knownOrderIds });
  try {
    const base = { secrets, auth: basic, mode: 'both' as const, seed: 1234, ...(knownOrderIds.length > 0 ? { knownOrderIds } : {}) };
    const events = ['order.accepted', 'refund.complete', 'subscription.created'];
    const suite = await runContract(resolveSettings(receiver.url, { ...base, events, skip: ['malformed.robust'] }));
    const robust = await runContract(
      resolveSettings(receiver.url, { ...base, events: ['refund.complete', 'subscription.created', 'sku.created'], only: ['malformed.robust'], mutations: { kind: 'budget', cases: 0 } }),
    );
    assert.ok(robust.checks.find((check) => check.id === 'malformed.robust')!.cases.length > 100, 'malformed.robust ran its cases');
    return [...suite.checks, ...robust.checks].filter((check) => check.status === 'fail' || check.status === 'warn').map((check) => check.id).sort();
  } finally {
    await receiver.close();
  }
}

// serial-processing takes a minute and more per run (its burst queues); the rows of contract-checks.test.ts show it
// failing its own check. slow is measured: its refusals come at once, and a type whose events keep timing out is sent
// no more of them, so the run takes a few rounds at the deadline.
const measured = faultNames.filter((name) => name !== 'serial-processing');

test('each fault breaks exactly the checks the catalogue (and so --list-faults and the README) lists', { concurrency: 2 }, async (t) => {
  await Promise.all(
    measured.map((name) =>
      t.test(name, async () => {
        const spec = faults.find((fault) => fault.name === name)!;
        assert.deepEqual(await broken(name), [...spec.breaks].sort());
        if (spec.breaksWithKnownIds) assert.deepEqual(await broken(name, known), [...spec.breaksWithKnownIds].sort());
      }),
    ),
  );
});

// The worker fed what drhook sends, directly: the valid events of the scenario, then every malformed and mutated variant.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mutations, validEvents } from 'drhook';
import { createWorker } from './worker.mjs';

// The events of a contract run with this seed: `drhook contract … --events order.accepted --seed 1 --mutations 0`
// sends these same events (--mutations 0: every field the events hold is broken each way, absent fields are left out).
const probes = { events: ['order.accepted'], seed: 1, mutations: 0 };

test('the worker books every valid event drhook sends', async () => {
  const worker = createWorker();
  for (const { event, eventType } of validEvents(probes)) {
    const result = await worker.handle(event);
    assert.equal(result.status, 'booked', `${eventType}: ${JSON.stringify(result)}`);
  }
});

test('the worker survives every malformed and mutated event drhook sends', async () => {
  const worker = createWorker();
  const crashes = [];
  let tried = 0;
  for (const probe of mutations(probes)) {
    tried++;
    try {
      await worker.handle(probe.event);
    } catch (error) {
      crashes.push(`${probe.fault} (mutation ${probe.mutation} of ${probe.field}, case ${probe.caseId}): ${error}`);
    }
  }
  assert.ok(tried > 0, 'no variant was made');
  assert.deepEqual(crashes, [], `the worker crashed on ${crashes.length} of ${tried} variants:\n${crashes.join('\n')}`);
});

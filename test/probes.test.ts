// validEvents() and mutations(): exactly the events a contract run with the same seed sends, each variant naming its field and mutation.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mutations, validEvents } from '../src/index.js';
import { runContract } from '../src/contract/run.js';
import { resolveSettings } from '../src/contract/settings.js';
import { fieldPath } from '../src/events/pointer.js';
import { startServer } from './helpers/http.js';

/**
 * An event's JSON text with its times written as `<time>`: events are made relative to the moment they are made (an
 * order accepted a while before its event), so the same event made a second later differs in its times only.
 */
const timeless = (text: string) => text.replace(/\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?Z/g, '<time>');
const texts = (events: readonly unknown[]) => events.map((event) => timeless(JSON.stringify(event))).sort();

/** The bodies a contract run sends to a receiver that acknowledges everything, sorted, times left out. */
async function sentBodies(options: { only: string[]; events: string[]; seed: number; mode?: 'both'; mutations?: number }): Promise<string[]> {
  const receiver = await startServer((_req, res) => {
    res.writeHead(200);
    res.end('ok');
  });
  try {
    const { mutations: budget, ...rest } = options;
    const settings = resolveSettings(receiver.url, { ...rest, unsigned: true, ...(budget !== undefined ? { mutations: { kind: 'budget', cases: budget } } : {}) }, {});
    await runContract(settings);
    return receiver.requests.map((request) => timeless(request.body.toString('utf8'))).sort();
  } finally {
    await receiver.close();
  }
}

test('validEvents() yields the valid events a contract run with the same seed sends', async () => {
  const events = ['order.accepted', 'refund.complete'];
  const probes = [...validEvents({ events, seed: 11, mode: 'both' })];
  assert.deepEqual(probes.map((probe) => probe.caseId).sort(), events.flatMap((type) => ['live', 'test'].map((mode) => `ack.2xx/${type}/${mode}/valid-event`)).sort());
  for (const probe of probes) assert.equal(probe.event.type, probe.eventType);
  const sent = await sentBodies({ only: ['ack.2xx'], events, seed: 11, mode: 'both' });
  assert.deepEqual(texts(probes.map((probe) => probe.event)), sent);
  // Another seed, other events.
  const [other] = validEvents({ events: ['order.accepted'], seed: 12 });
  assert.notEqual(other?.event.id, probes.find((probe) => probe.eventType === 'order.accepted')?.event.id);
});

test('mutations() yields every malformed and mutated event a contract run with the same seed sends, with its field and mutation', async () => {
  const options = { events: ['fileLink.created'], seed: 5, mutations: 0 };
  const probes = [...mutations(options)];
  const sent = await sentBodies({ only: ['malformed.400', 'malformed.robust'], ...options });
  // The run also sends the valid event, once, as the control of malformed.400's rejections.
  const [control] = validEvents(options);
  assert.deepEqual(texts([...probes.map((probe) => probe.event), control!.event]), sent);

  const robust = probes.filter((probe) => probe.checkId === 'malformed.robust');
  const malformed = probes.filter((probe) => probe.checkId === 'malformed.400');
  assert.ok(robust.length > 10 && malformed.length >= 4, `${robust.length} robust, ${malformed.length} malformed`);
  for (const probe of robust) {
    assert.equal(probe.field, fieldPath(probe.pointer));
    assert.ok(probe.fault.startsWith(`${probe.field}: `), probe.fault);
    assert.equal(probe.caseId, `malformed.robust/fileLink.created/test/${probe.pointer.slice(1).replace(/\//g, '.')}-${probe.mutation}`);
    assert.equal(probe.expect, probe.mutation === 'unknown-key' ? 'accept' : 'either');
  }
  const shapes = malformed.filter((probe) => probe.field === 'data.object').map((probe) => [probe.mutation, probe.pointer, probe.expect]);
  assert.deepEqual(shapes, [['missing', '', 'reject'], ['null', '', 'reject'], ['array', '', 'reject'], ['string', '', 'reject']]);
  const nulled = robust.find((probe) => probe.mutation === 'null');
  assert.ok(nulled, 'a field set to null');
  let value: unknown = nulled.event.data.object;
  for (const segment of nulled.pointer.slice(1).split('/')) value = (value as Record<string, unknown>)[segment];
  assert.equal(value, null, `${nulled.field} is null in the event`);
  // Each event is the test's own: a worker may change it (the run shares the unbroken parts between cases, frozen).
  // A worker that writes into every object of its event (a frozen one would throw here) changes no other event.
  const [first, second] = robust;
  const secondBefore = JSON.stringify(second!.event);
  const mark = (value: unknown): void => {
    if (value === null || typeof value !== 'object') return;
    for (const inner of Object.values(value)) mark(inner);
    if (!Array.isArray(value)) (value as Record<string, unknown>).addedByAWorker = true;
  };
  mark(first!.event);
  assert.equal((first!.event.data as Record<string, unknown>).addedByAWorker, true);
  assert.equal(JSON.stringify(second!.event), secondBefore);
});

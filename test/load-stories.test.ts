// drhook load --stories against a real receiver on 127.0.0.1: orders' lifecycles, each order's events in order, orders interleaved, every delivery unique and signed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { schemasDir } from '../src/base/paths.js';
import type { DrEvent } from '../src/events/event.js';
import { orderIdOf } from '../src/events/order-ref.js';
import { storyTypes } from '../src/events/story.js';
import { validateEvent } from '../src/events/schemas.js';
import { runLoad } from '../src/load/run.js';
import { resolveLoadSettings } from '../src/load/settings.js';
import { UsageError } from '../src/base/errors.js';
import { verifySignature } from '../src/wire/signing.js';
import { startServer } from './helpers/http.js';

const token = 'tok_load_stories_8e2d';

test('load --stories sends each order’s events in order, orders interleaved, each delivery unique and freshly signed, new orders every pass', async () => {
  const server = await startServer((_req, res) => void res.writeHead(202).end());
  try {
    const events = ['order.accepted:4', 'fulfillment.created:3', 'order.complete:3', 'refund.complete:1', 'subscription.created'];
    // Closed loop over one connection: the receiver gets the requests exactly in the order they are sent.
    const settings = resolveLoadSettings(server.url, { events, secrets: { test: [token], live: [] }, seed: 12, poolSize: 12, connections: 1, count: 60, stories: true });
    const report = await runLoad(settings);

    const ajv = new Ajv2020({ allErrors: true, strict: true });
    addFormats.default(ajv);
    const validate = ajv.compile(JSON.parse(await readFile(path.join(schemasDir, 'load-report.schema.json'), 'utf8')) as object);
    assert.ok(validate(JSON.parse(JSON.stringify(report))), JSON.stringify(validate.errors));
    assert.equal(report.totals.sent, 60);
    assert.ok(report.pool.stories !== undefined && report.pool.stories > 1, 'the report counts the orders in the pool');
    assert.equal((report.settings as { stories?: boolean }).stories, true);
    const note = report.plan.notes.find((text) => text.startsWith('stories: '));
    assert.ok(note, 'the report says stories were sent');
    assert.match(note, /subscription\.created is not a step of an order's lifecycle and was not sent/);

    const delivered = server.requests.map((request) => ({ event: JSON.parse(request.body.toString('utf8')) as DrEvent, request }));
    assert.equal(delivered.length, 60);
    assert.equal(new Set(delivered.map(({ event }) => event.id)).size, 60, 'every delivery has its own event id');
    const nowSec = Math.floor(Date.now() / 1000);
    for (const { event, request } of delivered) {
      assert.ok(verifySignature('digitalriver', request.headers, request.body, { secrets: [token], toleranceSec: 300, nowSec }).ok, 'signed for exactly this body');
      assert.deepEqual(validateEvent(event), [], `${event.type} is valid`);
      assert.notEqual(event.type, 'subscription.created');
    }

    // Per order: its events in the story's order, and no order's lifecycle sent twice.
    const byOrder = new Map<string, string[]>();
    const firstSeen: string[] = [];
    for (const { event } of delivered) {
      const orderId = orderIdOf(event)!;
      assert.match(orderId, /^[1-9]\d{7}0336$/, 'order ids look like Digital River’s');
      if (!byOrder.has(orderId)) firstSeen.push(orderId);
      byOrder.set(orderId, [...(byOrder.get(orderId) ?? []), event.type]);
    }
    const rank = (type: string) => storyTypes().indexOf(type);
    for (const [orderId, types] of byOrder) {
      assert.deepEqual(types, [...types].sort((a, b) => rank(a) - rank(b)), `order ${orderId}: its events in order (${types.join(', ')})`);
      assert.equal(new Set(types).size, types.length, `order ${orderId}: each step once`);
      assert.equal(types[0], 'order.accepted', 'every order starts with its acceptance (the heaviest step)');
    }
    // Interleaved: some order's events are sent while another order's are still to come.
    const lastIndex = (orderId: string) => delivered.map(({ event }) => orderIdOf(event)).lastIndexOf(orderId);
    const firstIndex = (orderId: string) => delivered.findIndex(({ event }) => orderIdOf(event) === orderId);
    assert.ok(firstSeen.some((a, i) => firstSeen.slice(i + 1).some((b) => firstIndex(b) < lastIndex(a))), 'orders are interleaved');
    // 60 deliveries from a pool of about 12 events: several passes, each about new orders.
    assert.ok(byOrder.size > report.pool.stories! * 2, `${byOrder.size} orders across passes of ${report.pool.stories} stories`);
  } finally {
    await server.close();
  }
});

test('load --stories without any of an order lifecycle’s types is refused before anything is sent', () => {
  assert.throws(
    () => resolveLoadSettings('http://127.0.0.1:9/hook', { events: ['subscription.created'], secrets: { test: [token], live: [] }, count: 1, stories: true }),
    (error: unknown) => error instanceof UsageError && /--stories .* none of the events/.test(error.message),
  );
});

// Tests of order stories: one order's events agree on ids, items and money, advance in time, stay valid, and `drhook generate --story` prints them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { DrEvent } from '../src/events/event.js';
import { orderIdOf } from '../src/events/order-ref.js';
import { validateEvent } from '../src/events/schemas.js';
import { generateStory, stories, storySteps, storyTypes } from '../src/index.js';
import { loadScenario } from '../src/scenario/scenario.js';
import { UsageError } from '../src/base/errors.js';
import { runCli } from './helpers/http.js';

type Json = Record<string, unknown>;
const now = new Date('2024-05-01T12:00:00.000Z');

function objectOf(events: readonly DrEvent[], type: string): Json {
  const event = events.find((candidate) => candidate.type === type);
  assert.ok(event, `the story has a ${type} event`);
  return event.data.object as Json;
}

function records(value: unknown): Json[] {
  return Array.isArray(value) ? (value as Json[]) : [];
}

const cents = (n: unknown) => Math.round(Number(n) * 100);

test('every event of an order story is valid, about the same order, and later than the one before', () => {
  for (const seed of [1, 2, 3, 42, 1234, 99_999]) {
    const story = generateStory('order', { seed, now });
    assert.deepEqual(story.events.map((event) => event.type), storyTypes('order'));
    for (const event of story.events) {
      assert.deepEqual(validateEvent(event), [], `${event.type} of seed ${seed} is valid`);
      assert.equal(orderIdOf(event), story.orderId, `${event.type} of seed ${seed} is about order ${story.orderId}`);
      // Nothing inside data.object is later than the event itself.
      for (const time of JSON.stringify(event.data.object).match(/\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ/g) ?? []) {
        assert.ok(Date.parse(time) <= Date.parse(event.createdTime), `${event.type}: ${time} is not after ${event.createdTime}`);
      }
    }
    const times = story.events.map((event) => Date.parse(event.createdTime));
    for (let i = 1; i < times.length; i++) assert.ok(times[i]! > times[i - 1]!, `seed ${seed}: ${story.events[i]!.type} follows ${story.events[i - 1]!.type}`);
    assert.equal(times.at(-1), now.getTime(), 'the last step happens at `now`');
    assert.equal(new Set(story.events.map((event) => event.id)).size, story.events.length, 'every event has its own id');
  }
});

test('an order story agrees on item ids, sku ids, the charge and amounts that add up; the refund never exceeds the capture', () => {
  let partial = 0;
  for (const seed of [1, 2, 3, 5, 8, 13, 21, 34]) {
    const { events } = generateStory('order', { seed, now });
    const accepted = objectOf(events, 'order.accepted');
    const complete = objectOf(events, 'order.complete');
    const fulfillment = objectOf(events, 'fulfillment.created');
    const capture = objectOf(events, 'order.charge.capture.complete');
    const refund = objectOf(events, 'refund.complete');
    const lines = (order: Json) => records(order.items).map((item) => `${String(item.id)}/${String(item.skuId)}/${String(item.quantity)}`);

    assert.deepEqual(lines(complete), lines(accepted), 'order.complete has order.accepted’s items');
    assert.deepEqual(lines(fulfillment.orderDetails as Json), lines(accepted), 'the fulfillment’s order has the same items');
    assert.deepEqual(
      records(fulfillment.items).map((item) => `${String(item.itemId)}/${String(item.skuId)}/${String(item.quantity)}`),
      lines(accepted),
      'the fulfillment ships every item of the order, by its item id and sku id',
    );
    assert.equal(cents(complete.totalAmount), cents(accepted.totalAmount));
    assert.equal(cents(capture.amount), cents(accepted.totalAmount), 'the capture takes the order’s total');
    assert.equal(cents(records(capture.captures)[0]?.amount), cents(accepted.totalAmount));
    assert.equal(records(capture.captures)[0]?.state, 'complete');
    assert.equal(cents(complete.capturedAmount), cents(accepted.totalAmount), 'order.complete says the total was captured');
    assert.equal(cents(accepted.capturedAmount), 0, 'nothing is captured when the order is accepted');

    // One charge throughout: the order's payment, the charge events and the refund's charge.
    const chargeIds = new Set([
      ...events.filter((event) => event.type.startsWith('order.charge.')).map((event) => (event.data.object as Json).id),
      records((accepted.payment as Json).charges)[0]?.id,
      records(refund.charges)[0]?.id,
    ]);
    assert.equal(chargeIds.size, 1, 'every event names the same charge');

    // What a refund is for: its amount, or (a refund of items, which has none of its own) its items' amounts.
    const askedFor = (object: Json) => ('amount' in object ? cents(object.amount) : records(object.items).reduce((sum, item) => sum + cents(item.amount), 0));
    const refunded = cents(refund.refundedAmount);
    assert.ok(refunded > 0 && refunded <= cents(capture.amount), `seed ${seed}: the refund (${String(refund.refundedAmount)}) does not exceed the capture (${String(capture.amount)})`);
    assert.equal(askedFor(refund), refunded, 'refund.complete refunded what it was for');
    const pending = objectOf(events, 'refund.pending');
    assert.equal(pending.id, refund.id, 'refund.pending and refund.complete are the same refund');
    assert.equal(askedFor(pending), refunded);
    assert.equal(cents(pending.refundedAmount), 0, 'nothing is refunded while the refund is pending');
    const refundItems = records(refund.items);
    assert.ok(Array.isArray(refund.items) && Array.isArray(pending.items), 'every refund carries items[], empty for a refund of an amount (the docs\' examples)');
    if (refundItems.length > 0) {
      partial++;
      assert.ok(!('amount' in refund) && !('amount' in pending), 'a refund of items carries no amount of its own (refund.pending.2 and refund.complete.3 of the docs)');
      assert.deepEqual(records(pending.items).map((item) => cents(item.refundedAmount)), [0]);
      assert.deepEqual(refundItems.map((item) => cents(item.refundedAmount)), [refunded]);
      const item = records(accepted.items).find((candidate) => candidate.id === refundItems[0]!.itemId);
      assert.ok(item, 'the refunded item is an item of the order');
      assert.equal(refundItems[0]!.skuId, item.skuId);
      assert.equal(refunded, cents(item.amount) + cents((item.tax as Json).amount), 'an item refund gives back the item and its tax');
    } else {
      assert.equal(refunded, cents(accepted.totalAmount), 'a refund of the whole order gives back its total');
    }
    // The order's transitions, as each event sees them, happen when their events say.
    const transitions = complete.stateTransitions as Json;
    assert.deepEqual(Object.keys(transitions), ['accepted', 'fulfilled', 'complete']);
    assert.deepEqual(transitions.accepted, (accepted.stateTransitions as Json).accepted, 'order.complete and order.accepted agree on when it was accepted');
  }
  assert.ok(partial > 0, 'some of these stories refund one item rather than the whole order');
});

test('the same seed makes the same story; a subset of steps keeps the story’s ids and times', () => {
  const whole = generateStory('order', { seed: 77, now });
  assert.deepEqual(generateStory('order', { seed: 77, now }), whole);
  const some = generateStory('order', { seed: 77, now, types: ['refund.complete', 'order.accepted'] });
  assert.deepEqual(some.events.map((event) => event.type), ['order.accepted', 'refund.complete'], 'in story order, whatever order they were asked in');
  assert.deepEqual(some.events, whole.events.filter((event) => event.type === 'order.accepted' || event.type === 'refund.complete'));
  assert.throws(() => generateStory('order', { types: ['subscription.created'] }), UsageError);
});

test('stories() follows a scenario: only its story types, lighter steps in a subset of the heavier ones’ orders', () => {
  const scenario = loadScenario();
  const steps = storySteps(scenario);
  // The default scenario subscribes to five of the story's steps; refund.complete (weight 1) is the lightest.
  assert.deepEqual(steps.map((step) => step.type), ['order.accepted', 'order.charge.capture.complete', 'order.complete', 'refund.complete', 'fulfillment.created'].sort((a, b) => storyTypes().indexOf(a) - storyTypes().indexOf(b)));
  const made = [...stories({ scenario, seed: 5, now, count: 40 })];
  const orders = new Set(made.map((story) => story.orderId));
  assert.equal(orders.size, 40, 'each story is about its own order');
  const counts = new Map<string, number>();
  for (const story of made) {
    for (const event of story.events) counts.set(event.type, (counts.get(event.type) ?? 0) + 1);
    const has = (type: string) => story.events.some((event) => event.type === type);
    if (has('refund.complete')) assert.ok(has('order.complete') && has('order.accepted'), 'a refunded order was accepted and completed');
    assert.ok(story.events.every((event) => steps.some((step) => step.type === event.type)));
  }
  assert.equal(counts.get('order.accepted'), 40, 'the heaviest step is in every story');
  const refunds = counts.get('refund.complete') ?? 0;
  assert.ok(refunds > 0 && refunds < 20, `about one order in five is refunded (weight 1 of 5): ${refunds} of 40`);
  assert.throws(() => stories({ scenario: { events: [{ type: 'subscription.created', weight: 1 }] } }).next(), UsageError);
});

test('drhook generate --story order prints one order’s lifecycle as NDJSON, in Digital River’s order', async () => {
  const result = await runCli(['generate', '--story', 'order', '--seed', '9', '--now', '2024-05-01T12:00:00Z']);
  assert.equal(result.code, 0, result.stderr);
  const events = result.stdout.trim().split('\n').map((line) => JSON.parse(line) as DrEvent);
  assert.deepEqual(events, generateStory('order', { seed: 9, now }).events);
  const bad = await runCli(['generate', '--story', 'subscription']);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /^drhook: --story must be one of order/);
  assert.doesNotMatch(bad.stderr, /\n\s+at /, 'no stack trace');
});

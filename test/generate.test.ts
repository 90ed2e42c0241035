// Tests of the event generator: determinism, validity of every type, Digital River's shapes and sums, and `drhook generate`.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { eventType, eventTypes } from '../src/catalog/events.js';
import { UsageError } from '../src/base/errors.js';
import type { DrEvent } from '../src/events/event.js';
import { eventSeed, eventSequence, generateEvent, generateEvents } from '../src/events/generate.js';
import { validateEvent } from '../src/events/schemas.js';
import { runCli, startServer } from './helpers/http.js';

const now = new Date('2024-05-01T12:00:00.000Z');
const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const drNumeric = /^[1-9]\d{7}0336$/;
const expandable = ['order.accepted', 'order.cancelled', 'order.refunded', 'fulfillment.created'];

type Json = Record<string, unknown>;

function object(event: DrEvent): Json {
  return event.data.object as Json;
}

function records(value: unknown): Json[] {
  return Array.isArray(value) ? (value as Json[]) : [];
}

/** Every [key, value] pair anywhere inside `value`. */
function* entries(value: unknown): Generator<[string, unknown]> {
  if (Array.isArray(value)) for (const element of value) yield* entries(element);
  else if (value !== null && typeof value === 'object') {
    for (const [key, child] of Object.entries(value)) {
      yield [key, child];
      yield* entries(child);
    }
  }
}

const cents = (n: number) => Math.round(n * 100);

test('the same seed and options give byte-identical events; another seed gives different ones', () => {
  for (const type of ['order.accepted', 'fulfillment.created', 'subscription.extended', 'refund.complete', 'customer.created']) {
    const options = { seed: 4242, now, mode: 'live' as const };
    assert.equal(JSON.stringify(generateEvent(type, options)), JSON.stringify(generateEvent(type, options)), type);
    assert.notEqual(JSON.stringify(generateEvent(type, options)), JSON.stringify(generateEvent(type, { ...options, seed: 4243 })), type);
  }
  const batch = { seed: 7, now };
  assert.equal(JSON.stringify(generateEvents(['order.complete', 'refund.pending'], 5, batch)), JSON.stringify(generateEvents(['order.complete', 'refund.pending'], 5, batch)));
});

test('event i of a sequence is reproducible alone with eventSeed(seed, i), and no two events of a sequence share an id', () => {
  const events = generateEvents(['order.accepted', 'refund.created'], 20, { seed: 99, now });
  assert.equal(events.length, 40);
  assert.deepEqual(events.map((e) => e.type), [...Array(20).fill('order.accepted'), ...Array(20).fill('refund.created')]);
  assert.equal(JSON.stringify(events[25]), JSON.stringify(generateEvent('refund.created', { seed: eventSeed(99, 25), now })));
  // Event 0 is the one generateEvent (and so `send --seed 99`) makes from the seed itself.
  assert.equal(JSON.stringify(events[0]), JSON.stringify(generateEvent('order.accepted', { seed: 99, now })));
  assert.equal(new Set(events.map((e) => e.id)).size, events.length);
  assert.equal(new Set(events.slice(0, 20).map((e) => object(e).id)).size, 20);
});

test('50 events of every one of the 129 types validate (and their expanded forms)', (t) => {
  assert.equal(eventTypes().length, 129);
  const started = performance.now();
  let count = 0;
  for (const event of eventSequence(eventTypes().map((entry) => entry.type), 50, { seed: 1, now })) {
    assert.deepEqual(validateEvent(event), [], `${event.type} ${event.id}`);
    count++;
  }
  for (const event of eventSequence(expandable, 50, { seed: 2, now, expanded: true })) {
    assert.deepEqual(validateEvent(event, { expanded: true }), [], `${event.type} (expanded) ${event.id}`);
    count++;
  }
  assert.equal(count, 129 * 50 + 4 * 50);
  // Not asserted (tests never assert speed): reported so a slowdown is visible in the test log.
  t.diagnostic(`generated and validated ${count} events in ${Math.round(performance.now() - started)} ms`);
});

test('each event carries the state its type implies', () => {
  const expected: Record<string, string> = {
    'order.accepted': 'accepted',
    'order.cancelled': 'cancelled',
    'order.complete': 'complete',
    'order.fulfilled': 'fulfilled',
    'order.pending_payment': 'pending_payment',
    'order.review_opened': 'in_review',
    'order.blocked': 'blocked',
    'refund.complete': 'succeeded',
    'refund.pending_information': 'pending_information',
    'subscription.created': 'draft',
    'subscription.lapsed': 'lapsed',
    'invoice.paid': 'paid',
  };
  for (const entry of eventTypes()) if (entry.state) expected[entry.type] ??= entry.state;
  for (const [type, state] of Object.entries(expected)) {
    for (const seed of [1, 2, 3]) assert.equal(object(generateEvent(type, { seed, now })).state, state, `${type} seed ${seed}`);
  }
  const extended = object(generateEvent('subscription.extended', { seed: 5, now }));
  assert.equal((extended.subscription as Json).state, 'active');
  assert.equal((extended.invoice as Json).state, 'paid');
  const failed = object(generateEvent('subscription.payment_failed', { seed: 5, now }));
  assert.equal(records(((failed.invoice as Json).payment as Json).charges)[0]?.state, 'failed');
});

test('charge events show the capture, refund or cancel they report', () => {
  // Charge states as in Digital River's samples of these events.
  const capture = object(generateEvent('order.charge.capture.complete', { seed: 3, now }));
  assert.equal(capture.state, 'capturable');
  assert.equal(records(capture.captures)[0]?.state, 'complete');
  assert.equal(capture.captured, true);
  const refund = object(generateEvent('order.charge.refund.complete', { seed: 3, now }));
  assert.equal(refund.state, 'processing');
  assert.equal(records(refund.refunds)[0]?.state, 'complete');
  assert.equal(refund.refunded, true);
  const cancelled = object(generateEvent('order.charge.cancel.complete', { seed: 3, now }));
  assert.equal(cancelled.state, 'capturable');
  assert.equal(records(cancelled.cancels)[0]?.state, 'complete');
  const cancel = object(generateEvent('order.charge.cancel.failed', { seed: 3, now }));
  assert.equal(records(cancel.cancels)[0]?.state, 'failed');
  assert.equal(typeof records(cancel.cancels)[0]?.failureCode, 'string');
});

test('ids have Digital River shapes', () => {
  for (let seed = 0; seed < 20; seed++) {
    const order = generateEvent('order.accepted', { seed, now });
    assert.match(order.id, uuid);
    for (const id of order.webhookIds ?? []) assert.match(id, uuid);
    assert.match(order.digitalriverVersion ?? '', /^20\d\d-\d\d-\d\d$/);
    const o = object(order);
    assert.match(String(o.id), drNumeric);
    assert.match(String(o.customerId), drNumeric);
    assert.match(String(o.checkoutId), uuid);
    for (const item of records(o.items)) {
      assert.match(String(item.id), drNumeric);
      assert.match(String(item.skuId), uuid);
    }
    const payment = o.payment as Json;
    for (const charge of records(payment.charges)) assert.match(String(charge.id), uuid);
    for (const source of records(payment.sources)) assert.match(String(source.id), uuid);
    assert.match(String((payment.session as Json).id), uuid);
    assert.equal(records(payment.charges)[0]?.sourceId, records(payment.sources)[0]?.id);

    const fulfillment = object(generateEvent('fulfillment.created', { seed, now }));
    assert.match(String(fulfillment.id), /^ful_[0-9a-f-]{36}$/);
    assert.equal(fulfillment.orderId, (fulfillment.orderDetails as Json).id);
    assert.deepEqual(records(fulfillment.items).map((i) => i.itemId), records((fulfillment.orderDetails as Json).items).map((i) => i.id));
    assert.match(String(object(generateEvent('refund.complete', { seed, now })).id), /^re_[0-9a-f-]{36}$/);
    const charge = object(generateEvent('order.charge.capture.complete', { seed, now }));
    assert.match(String(charge.id), uuid);
    assert.match(String(charge.orderId), drNumeric);
    const subscription = object(generateEvent('subscription.updated', { seed, now }));
    assert.match(String(subscription.id), uuid);
    assert.match(String(subscription.planId), uuid);
  }
});

test('order money adds up the way Digital River sums it, in two decimals', () => {
  for (const type of ['order.accepted', 'order.complete', 'order.fulfilled', 'order.cancelled']) {
    for (let seed = 0; seed < 40; seed++) {
      const o = object(generateEvent(type, { seed, now }));
      const items = records(o.items);
      const shippingChoice = o.shippingChoice as Json | undefined;
      const shipping = Number(shippingChoice?.amount ?? 0);
      const shippingTax = Number(shippingChoice?.taxAmount ?? 0);
      const sum = (pick: (item: Json) => number) => items.reduce((total, item) => total + cents(pick(item)), 0);
      const at = `${type} seed ${seed}`;
      for (const [key, value] of entries(o)) if (typeof value === 'number' && /amount|total|subtotal/i.test(key)) assert.equal(cents(value) / 100, value, `${at}: ${key} ${value}`);
      assert.equal(cents(Number(o.totalShipping)), cents(shipping), at);
      assert.equal(cents(Number(o.subtotal)), sum((i) => Number(i.amount)) + cents(shipping), at);
      assert.equal(cents(Number(o.totalTax)), sum((i) => Number((i.tax as Json).amount)) + cents(shippingTax), at);
      const total = cents(Number(o.subtotal)) + cents(Number(o.totalTax)) + cents(Number(o.totalFees)) + cents(Number(o.totalDuty)) + cents(Number(o.totalImporterTax)) - cents(Number(o.totalDiscount));
      assert.equal(cents(Number(o.totalAmount)), total, at);
      const payment = o.payment as Json;
      for (const charge of records(payment.charges)) assert.equal(charge.amount, o.totalAmount, at);
      for (const source of records(payment.sources)) assert.equal(source.amount, o.totalAmount, at);
      assert.equal(o.currency, records(payment.charges)[0]?.currency ?? o.currency, at);
    }
  }
});

test('currency, country and locale belong together', () => {
  const countryOf: Record<string, string[]> = { USD: ['US'], CAD: ['CA'], EUR: ['DE', 'FR', 'NL'], GBP: ['GB'], JPY: ['JP'] };
  for (let seed = 0; seed < 40; seed++) {
    const o = object(generateEvent('order.accepted', { seed, now }));
    const country = ((o.billTo as Json).address as Json).country as string;
    assert.ok(countryOf[o.currency as string]?.includes(country), `${o.currency} with ${country}`);
    assert.ok(String(o.locale).endsWith(`_${country}`), `${o.locale} with ${country}`);
  }
});

test('liveMode follows the mode, on the event and inside data.object', () => {
  for (const mode of ['test', 'live'] as const) {
    for (const type of ['order.accepted', 'fulfillment.created', 'order.charge.capture.complete', 'subscription.lapsed']) {
      const event = generateEvent(type, { seed: 11, now, mode });
      assert.equal(event.liveMode, mode === 'live');
      const nested = [...entries(event.data)].filter(([key]) => key === 'liveMode');
      assert.ok(nested.length > 0, type);
      for (const [, value] of nested) assert.equal(value, mode === 'live', type);
    }
  }
  assert.equal(generateEvent('order.accepted', { seed: 1 }).liveMode, false);
});

test('createdTime is the given now, to the microsecond; created and updated times inside are at or before it', () => {
  for (const entry of eventTypes()) {
    const event = generateEvent(entry.type, { seed: 21, now });
    assert.match(event.createdTime, /^2024-05-01T12:00:00\.000\d{3}Z$/);
    for (const [key, value] of entries(event.data)) {
      if ((key === 'createdTime' || key === 'updatedTime') && typeof value === 'string') {
        assert.ok(Date.parse(value) <= now.getTime(), `${entry.type} ${key} ${value}`);
      }
    }
    const o = object(event);
    if (typeof o.createdTime === 'string' && typeof o.updatedTime === 'string') assert.ok(o.createdTime <= o.updatedTime, entry.type);
  }
  const later = new Date('2030-01-02T03:04:05.678Z');
  assert.match(generateEvent('order.accepted', { seed: 1, now: later }).createdTime, /^2030-01-02T03:04:05\.678\d{3}Z$/);
});

test('events with special shapes: {subscription, invoice}, an empty deleted object, previous attributes', () => {
  for (const type of ['subscription.extended', 'subscription.payment_failed', 'subscription.reminder']) {
    const o = object(generateEvent(type, { seed: 8, now }));
    assert.deepEqual(Object.keys(o).sort(), ['invoice', 'subscription']);
    const subscription = o.subscription as Json;
    const invoice = o.invoice as Json;
    for (const item of records(invoice.items)) assert.equal((item.subscriptionInfo as Json).subscriptionId, subscription.id);
    assert.equal(invoice.customerId, subscription.customerId);
  }
  const deleted = generateEvent('subscription.deleted', { seed: 8, now });
  assert.deepEqual(deleted.data.object, {});
  assert.match(String(deleted.data.previousAttributes?.id), uuid);
  assert.equal(deleted.data.previousAttributes?.state, 'draft');
  const updated = generateEvent('subscription.updated', { seed: 8, now });
  assert.equal(updated.data.previousAttributes?.state, 'draft');
  assert.ok(String(updated.data.previousAttributes?.updatedTime) <= String(object(updated).updatedTime));
});

test('--expanded adds physical and metadata to productDetails of the four expandable types, and is refused for others', () => {
  for (const type of expandable) {
    const o = object(generateEvent(type, { seed: 13, now, expanded: true }));
    const items = type === 'fulfillment.created' ? records((o.orderDetails as Json).items) : records(o.items);
    assert.ok(items.length > 0, type);
    for (const item of items) {
      const details = item.productDetails as Json;
      assert.equal(typeof details.physical, 'boolean', type);
      assert.equal(typeof details.metadata, 'object', type);
    }
    assert.equal(eventType(type).expandedSchema !== undefined, true);
  }
  assert.throws(() => generateEvent('refund.complete', { expanded: true }), (error: unknown) => error instanceof UsageError && /no expanded form/.test(error.message));
  assert.throws(() => generateEvents(['order.accepted', 'order.complete'], 1, { expanded: true }), UsageError);
});

test('itemCount 250 gives exactly 250 line items and a body of several hundred kilobytes', () => {
  const event = generateEvent('order.accepted', { seed: 17, now, itemCount: 250 });
  const items = records(object(event).items);
  assert.equal(items.length, 250);
  assert.equal(new Set(items.map((item) => item.id)).size, 250);
  const bytes = Buffer.byteLength(JSON.stringify(event));
  assert.ok(bytes > 250_000 && bytes < 600_000, `${bytes} bytes`);
  const fulfillment = object(generateEvent('fulfillment.created', { seed: 17, now, itemCount: 250 }));
  assert.equal(records(fulfillment.items).length, 250);
  assert.equal(records((fulfillment.orderDetails as Json).items).length, 250);
  assert.equal(records(object(generateEvent('order.accepted', { seed: 17, now, itemCount: 1 })).items).length, 1);
  assert.throws(() => generateEvent('order.accepted', { itemCount: 0 }), UsageError);
});

test('unknown types and unusable options are usage errors', () => {
  assert.throws(() => generateEvent('order.acepted'), (error: unknown) => error instanceof UsageError && /did you mean 'order\.accepted'/.test(error.message));
  assert.throws(() => generateEvent('order.accepted', { seed: -1 }), UsageError);
  assert.throws(() => generateEvent('order.accepted', { seed: 1.5 }), UsageError);
  assert.throws(() => generateEvent('order.accepted', { now: new Date('nope') }), UsageError);
  assert.throws(() => generateEvent('order.accepted', { mode: 'prod' as never }), UsageError);
  assert.throws(() => generateEvents(['order.accepted'], -1), UsageError);
});

test('drhook generate prints one parseable event per line, reproducibly with --seed and --now', async () => {
  const args = ['generate', 'order.accepted', 'refund.complete', '--count', '3', '--seed', '5', '--now', '2024-05-01T12:00:00Z', '--mode', 'live'];
  const first = await runCli(args);
  assert.equal(first.code, 0, first.stderr);
  assert.equal(first.stderr, '');
  const lines = first.stdout.trimEnd().split('\n');
  assert.equal(lines.length, 6);
  const events = lines.map((line) => JSON.parse(line) as DrEvent);
  assert.deepEqual(events.map((e) => e.type), ['order.accepted', 'order.accepted', 'order.accepted', 'refund.complete', 'refund.complete', 'refund.complete']);
  for (const event of events) {
    assert.equal(event.liveMode, true);
    assert.match(event.createdTime, /^2024-05-01T12:00:00\.000\d{3}Z$/);
    assert.equal(event.digitalriverVersion, '2021-12-13');
    assert.deepEqual(validateEvent(event), []);
  }
  // Another process, the same bytes: what the library gives for the same seed, now and mode.
  const library = generateEvents(['order.accepted', 'refund.complete'], 3, { seed: 5, now: new Date('2024-05-01T12:00:00Z'), mode: 'live' });
  assert.equal(first.stdout, `${library.map((event) => JSON.stringify(event)).join('\n')}\n`);
});

test('--digitalriver-version sets every event\'s digitalriverVersion in generate and in what send delivers; a value that is no date is exit 2', async () => {
  const server = await startServer((_req, res) => void res.writeHead(202).end());
  try {
    const [generated, sent, bad] = await Promise.all([
      runCli(['generate', 'refund.complete', 'subscription.created', '--count', '2', '--seed', '3', '--digitalriver-version', '2021-03-23']),
      runCli(['send', `${server.url}/hook`, '--type', 'refund.complete', '--digitalriver-version', '2021-03-23', '--secret', 'tok_version_4b1e9a'], { env: { DRHOOK_TEST_SECRET: '', DRHOOK_LIVE_SECRET: '' } }),
      runCli(['generate', 'refund.complete', '--digitalriver-version', 'March 2021']),
    ]);
    assert.equal(generated.code, 0, generated.stderr);
    const events = generated.stdout.trimEnd().split('\n').map((line) => JSON.parse(line) as DrEvent);
    assert.equal(events.length, 4);
    for (const event of events) {
      assert.equal(event.digitalriverVersion, '2021-03-23');
      assert.deepEqual(validateEvent(event), []);
    }
    assert.equal(sent.code, 0, sent.stdout + sent.stderr);
    assert.equal(server.requests.length, 1);
    assert.equal((JSON.parse(server.requests[0]!.body.toString('utf8')) as DrEvent).digitalriverVersion, '2021-03-23', 'the delivered event carries it');
    assert.equal(bad.code, 2);
    assert.equal(bad.stderr, "drhook: --digitalriver-version must be an API version date such as 2021-12-13, got 'March 2021'\n");
  } finally {
    await server.close();
  }
});

test('drhook generate without --seed reports the seed on stderr, and that seed reproduces the run', async () => {
  const run = await runCli(['generate', 'order.complete', '--now', '2024-05-01T12:00:00Z']);
  assert.equal(run.code, 0, run.stderr);
  const seed = /^seed: (\d+)\n$/.exec(run.stderr)?.[1];
  assert.ok(seed, run.stderr);
  const replay = await runCli(['generate', 'order.complete', '--now', '2024-05-01T12:00:00Z', '--seed', seed]);
  assert.equal(replay.stdout, run.stdout);
  assert.equal(replay.stdout.trimEnd().split('\n').length, 1);
});

test('drhook generate exits 2 with one clear line for an unknown type or a bad flag', async () => {
  const unknown = await runCli(['generate', 'order.acepted']);
  assert.equal(unknown.code, 2);
  assert.equal(unknown.stdout, '');
  assert.match(unknown.stderr, /^drhook: unknown event type 'order\.acepted' \(did you mean 'order\.accepted'/);
  assert.equal(unknown.stderr.trimEnd().split('\n').length, 1);
  for (const [flag, value, pattern] of [
    ['--count', '0', /--count must be/],
    ['--mode', 'prod', /invalid mode 'prod'/],
    ['--now', 'yesterday', /--now must be an ISO 8601 date-time/],
  ] as const) {
    const run = await runCli(['generate', 'order.accepted', flag, value]);
    assert.equal(run.code, 2, `${flag} ${value}`);
    assert.equal(run.stdout, '');
    assert.match(run.stderr, pattern);
    assert.equal(run.stderr.trimEnd().split('\n').length, 1, run.stderr);
  }
  const refused = await runCli(['generate', 'refund.complete', '--expanded']);
  assert.equal(refused.code, 2);
  assert.match(refused.stderr, /has no expanded form/);
});

test('order.refunded always carries refundedAmount, the whole total, and nothing is left to refund', () => {
  for (const event of generateEvents(['order.refunded'], 30, { seed: 8, now })) {
    const order = object(event);
    assert.equal(order.refundedAmount, order.totalAmount, event.id);
    assert.equal(order.availableToRefundAmount, 0, event.id);
  }
  // As in the docs' example of order.accepted, an order nothing was refunded of carries no refundedAmount.
  assert.ok(!('refundedAmount' in object(generateEvent('order.accepted', { seed: 8, now }))));
});

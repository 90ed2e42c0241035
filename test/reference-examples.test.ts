// Digital River's own example events (reference/sample-events/, gathered from its docs) against drhook's schemas and catalog.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { eventType, eventTypes, isEventType } from '../src/catalog/events.js';
import { packageRoot, schemasDir } from '../src/base/paths.js';
import { generateEvent } from '../src/events/generate.js';
import { validateEvent } from '../src/events/schemas.js';
import { runCli } from './helpers/http.js';
import { readReference, sampleSources, samples } from './helpers/reference.js';

/** The number of complete example events in the docs (README.md states it). */
const exampleCount = 46;

test(`every one of the docs' ${exampleCount} complete example events validates, each with its source named`, () => {
  const all = samples();
  assert.equal(all.length, exampleCount);
  const { examples } = sampleSources();
  assert.deepEqual(examples.map((entry) => entry.file).sort(), all.map((entry) => entry.file));
  for (const { file, sources } of examples) {
    assert.ok(sources.length > 0, `${file} names no source`);
    for (const source of sources) assert.match(source, /^[a-z0-9/_.-]+\.md:\d+$/, `${file}: ${source}`);
  }
  for (const { file, event } of all) {
    assert.ok(file.startsWith(`${event.type}.`), `${file} holds a ${event.type} event`);
    assert.deepEqual(validateEvent(event), [], file);
  }
  const readme = fs.readFileSync(path.join(packageRoot, 'README.md'), 'utf8');
  assert.match(readme, new RegExp(`\\b${exampleCount} complete example events\\b`));
});

test('every required field of a resource the docs show in full is carried by every one of its examples, and the schema says why', () => {
  const byResource = new Map<string, Array<{ file: string; object: Record<string, unknown> }>>();
  for (const { file, event } of samples()) {
    const info = eventType(event.type);
    if (info.schema !== `objects/${path.basename(info.schema)}` || info.schema.includes('.partial.') || info.schema.includes('subscription-invoice')) continue;
    byResource.set(info.schema, [...(byResource.get(info.schema) ?? []), { file, object: event.data.object }]);
  }
  assert.deepEqual([...byResource.keys()].sort(), [
    'objects/charge.schema.json', 'objects/fulfillment.schema.json', 'objects/order-document.schema.json', 'objects/order.schema.json',
    'objects/refund.schema.json', 'objects/return.schema.json', 'objects/subscription.schema.json',
  ]);
  for (const [schemaFile, examples] of byResource) {
    const schema = JSON.parse(fs.readFileSync(path.join(schemasDir, schemaFile), 'utf8'));
    assert.match(schema.$comment, /^required: /, `${schemaFile} records no evidence`);
    for (const field of schema.required as string[]) {
      for (const { file, object } of examples) assert.ok(field in object, `${schemaFile} requires ${field}, which ${file} lacks`);
    }
  }
  for (const file of fs.readdirSync(path.join(schemasDir, 'objects'))) {
    const schema = JSON.parse(fs.readFileSync(path.join(schemasDir, 'objects', file), 'utf8'));
    if (Array.isArray(schema.required) && schema.required.length > 0) assert.match(schema.$comment ?? '', /^required: /, `${file} requires fields without evidence`);
  }
});

test('a refund of items carries items[] and no amount; generated refunds are of either kind', () => {
  const ofItems = samples().filter(({ event }) => event.type.startsWith('refund.') && event.data.object.items.length > 0);
  assert.ok(ofItems.length >= 5);
  for (const { file, event } of ofItems) {
    assert.ok(!('amount' in event.data.object), file);
    assert.deepEqual(validateEvent(event), [], file);
  }
  const kinds = new Set<string>();
  for (let seed = 1; seed <= 30; seed++) {
    const object = generateEvent('refund.pending', { seed }).data.object as Record<string, unknown>;
    const items = object.items as unknown[];
    assert.equal('amount' in object, items.length === 0, `seed ${seed}: ${JSON.stringify(object).slice(0, 200)}`);
    kinds.add(items.length === 0 ? 'amount' : 'items');
  }
  assert.deepEqual([...kinds].sort(), ['amount', 'items']);
  // Asked for items (as payload.large does), a refund is always one of items.
  for (let seed = 1; seed <= 10; seed++) {
    const object = generateEvent('refund.complete', { seed, itemCount: 3 }).data.object as Record<string, unknown>;
    assert.equal((object.items as unknown[]).length, 3, `seed ${seed}`);
    assert.ok(!('amount' in object), `seed ${seed}`);
  }
});

test("the docs' typo checkout_session.order.create is checkout_session.order.created, an order; the typo gets did-you-mean", async () => {
  assert.ok(isEventType('checkout_session.order.created'));
  assert.ok(!isEventType('checkout_session.order.create'));
  const info = eventType('checkout_session.order.created');
  assert.equal(info.resource, 'Order');
  assert.equal(info.documented, true);
  const source = readReference('digital-river-event-types.json');
  assert.ok(source.categories['Checkout-related events'].includes('checkout_session.order.created'));
  assert.equal(generateEvent('checkout_session.order.created', { seed: 4 }).type, 'checkout_session.order.created');

  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'drhook-typo-'));
  const scenario = path.join(dir, 'old.yaml');
  fs.writeFileSync(scenario, 'name: old\nevents:\n  - checkout_session.order.create\n');
  const run = await runCli(['contract', 'http://127.0.0.1:9/', '--scenario', scenario]);
  const generate = await runCli(['generate', 'checkout_session.order.create']);
  for (const result of [run, generate]) {
    assert.equal(result.code, 2, result.stderr);
    assert.match(result.stderr, /unknown event type 'checkout_session\.order\.create' \(did you mean 'checkout_session\.order\.created'/);
    assert.equal(result.stderr.trim().split('\n').length, 1, result.stderr);
  }
});

test('order.charge.processing is listed, with the charge in the processing state', () => {
  const info = eventType('order.charge.processing');
  assert.equal(info.resource, 'Charge');
  assert.equal(info.state, 'processing');
  const event = generateEvent('order.charge.processing', { seed: 9 });
  assert.equal((event.data.object as Record<string, unknown>).state, 'processing');
  assert.deepEqual(validateEvent(event), []);
});

test('retired types stay generatable, each with the release note that retired it', () => {
  const retired = eventTypes().filter((entry) => entry.retired);
  assert.deepEqual(retired.map((entry) => entry.type).sort(), [
    'order.charge.capture.completed', 'order.charge.capture.created', 'order.charge.created',
    'order.charge.refund.completed', 'order.charge.refund.created', 'refund.created',
  ]);
  for (const entry of retired) {
    assert.match(entry.retired ?? '', /^general-resources\/release-notes\/2020\.md, 2020\/3\/(24|31): ".+"$/);
    assert.ok(entry.retired?.includes(entry.type), `${entry.type}: ${entry.retired}`);
    assert.deepEqual(validateEvent(generateEvent(entry.type, { seed: 2 })), [], entry.type);
  }
  assert.equal(eventType('refund.complete').retired, undefined);
});

test('invoice and credit memo events carry the file {id, fileId, orderId, customerId, purpose, invoiceURL}, not the order', () => {
  for (const [type, purpose] of [['order.invoice.created', 'customer_invoice'], ['order.credit_memo.created', 'customer_credit_memo']] as const) {
    const info = eventType(type);
    assert.equal(info.resource, 'OrderDocument');
    assert.equal(info.documented, true);
    const object = generateEvent(type, { seed: 5 }).data.object as Record<string, unknown>;
    assert.deepEqual(Object.keys(object).sort(), ['customerId', 'fileId', 'id', 'invoiceURL', 'orderId', 'purpose']);
    assert.equal(object.purpose, purpose);
    assert.equal(object.fileId, object.id);
    assert.equal(object.invoiceURL, `https://api.digitalriver.com/files/${String(object.id)}/content`);
    assert.match(String(object.orderId), /^\d{12}$/);
    // An order where the file belongs is rejected: the file's fields are required.
    const wrong = generateEvent('order.accepted', { seed: 5 });
    wrong.type = type;
    assert.deepEqual(validateEvent(wrong).map((v) => v.pointer).sort(), ['/data/object/fileId', '/data/object/invoiceURL', '/data/object/orderId', '/data/object/purpose']);
  }
});

test('disputes and order.charge.reauth.failed carry the order, documented', () => {
  for (const type of ['order.dispute', 'order.dispute.resolved', 'order.charge.reauth.failed', 'order.charge.refund.failed']) {
    const info = eventType(type);
    assert.equal(info.resource, 'Order', type);
    assert.equal(info.schema, 'objects/order.schema.json', type);
    assert.equal(info.documented, true, type);
    const object = generateEvent(type, { seed: 6 }).data.object as Record<string, unknown>;
    assert.match(String(object.id), /^\d{12}$/, type);
    assert.ok(Array.isArray(object.items), type);
  }
});

test("generated data.object keys: at least those every example of the type shares, at most those any has (several seeds)", () => {
  const byType = new Map<string, string[][]>();
  for (const { event } of samples()) byType.set(event.type, [...(byType.get(event.type) ?? []), Object.keys(event.data.object)]);
  assert.ok(byType.size >= 30);
  const problems: string[] = [];
  for (const [type, examples] of byType) {
    const seen = new Set(examples.flat());
    const shared = [...seen].filter((key) => examples.every((keys) => keys.includes(key)));
    // The build derives the same sets into the catalog, which the generator follows.
    assert.deepEqual(eventType(type).exampleKeys, { shared: shared.sort(), seen: [...seen].sort(), examples: examples.length }, type);
    for (let seed = 1; seed <= 8; seed++) {
      const keys = Object.keys(generateEvent(type, { seed }).data.object as Record<string, unknown>);
      const extra = keys.filter((key) => !seen.has(key));
      const missing = shared.filter((key) => !keys.includes(key));
      if (extra.length > 0 || missing.length > 0) problems.push(`${type} seed ${seed}: extra ${extra.join(',') || '-'}, missing ${missing.join(',') || '-'}`);
    }
  }
  assert.deepEqual(problems, []);
});

test('the envelope: createdTime to the microsecond, one digitalriverVersion for every event, webhookIds and versionIds mostly absent', () => {
  const now = new Date('2024-05-01T12:00:00.250Z');
  let webhookIds = 0;
  for (let seed = 1; seed <= 40; seed++) {
    const event = generateEvent('order.accepted', { seed, now, digitalriverVersion: '2021-03-23' });
    assert.match(event.createdTime, /^2024-05-01T12:00:00\.250\d{3}Z$/, 'six fractional digits, at the event’s time');
    assert.equal(event.digitalriverVersion, '2021-03-23');
    if (event.webhookIds !== undefined) webhookIds++;
    if (event.versionIds !== undefined) assert.deepEqual(event.versionIds, []);
  }
  assert.ok(webhookIds > 0 && webhookIds < 20, `webhookIds on ${webhookIds} of 40 events`);
  assert.equal(generateEvent('refund.pending', { seed: 1 }).digitalriverVersion, '2021-12-13', 'the current version by default');
  assert.throws(() => generateEvent('order.accepted', { digitalriverVersion: 'latest' }), /API version date/);
  // Times inside data.object stay whole seconds.
  const object = JSON.stringify(generateEvent('order.complete', { seed: 3, now }).data.object);
  assert.doesNotMatch(object, /T\d\d:\d\d:\d\d\.\d/);
});

test('return ids are ret_ ids; subscription.extended moves the period forward by one interval; its subscription writes +0000 offsets', () => {
  assert.match((generateEvent('return.accepted', { seed: 2 }).data.object as Record<string, unknown>).id as string, /^ret_[0-9a-f-]{36}$/);
  const now = new Date('2024-05-01T12:00:00Z');
  const addMonths = (iso: string, months: number) => {
    const date = new Date(iso);
    date.setUTCMonth(date.getUTCMonth() + months);
    return date.getTime();
  };
  for (let seed = 1; seed <= 6; seed++) {
    const extended = (generateEvent('subscription.extended', { seed, now }).data.object as Record<string, Record<string, unknown>>).subscription!;
    const updated = generateEvent('subscription.source_invalid', { seed, now }).data.object as Record<string, unknown>;
    for (const [subscription, ahead] of [[extended, 2], [updated, 1]] as const) {
      const activated = (subscription.stateTransitions as Record<string, string>).activated!;
      const end = Date.parse(subscription.currentPeriodEndDate as string);
      // The monthly period holding the event began n months after activation; it ends a month later, two once extended.
      let n = 0;
      while (addMonths(activated, n + 1) <= now.getTime()) n++;
      assert.equal(Math.floor(end / 1000) * 1000, addMonths(activated, n + ahead), `seed ${seed}: activated ${activated}, period end ${String(subscription.currentPeriodEndDate)}`);
      assert.equal(subscription.nextInvoiceDate, subscription.currentPeriodEndDate, 'the next invoice is due when the period ends');
    }
    assert.match(extended.createdTime as string, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+0000$/);
    assert.ok(Date.parse(extended.updatedTime as string) <= now.getTime(), 'no time passes the event');
    assert.match(updated.createdTime as string, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/, 'the other subscription events write whole seconds');
  }
});

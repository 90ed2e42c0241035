// The schemas and the catalog: every documented type, every real sample, expanded forms, violations and field schemas.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { categories, closestTypes, eventType, eventTypes } from '../src/catalog/events.js';
import { UsageError } from '../src/base/errors.js';
import { packageRoot, schemasDir } from '../src/base/paths.js';
import { eventSchema, fieldSchema, isDateTime, objectSchemaBundle, validateEvent, type Violation } from '../src/events/schemas.js';
import { readReference, referenceDir, sample, samples } from './helpers/reference.js';

function readJson(file: string): any {
  return JSON.parse(fs.readFileSync(file, 'utf8'));
}

function pointers(violations: Violation[]): string[] {
  return violations.map((v) => v.pointer);
}

/** An ajv with the lenient date-time, for checking bundles apart from drhook's own validator. */
function freshAjv(): Ajv2020 {
  const ajv = new Ajv2020({ allErrors: true, strictTypes: false });
  ajv.addFormat('date-time', { type: 'string', validate: isDateTime });
  for (const format of ['uuid', 'email', 'uri']) ajv.addFormat(format, true);
  return ajv;
}

test('the catalog lists exactly the 129 public event types, in the source category order', () => {
  const source = readReference('digital-river-event-types.json');
  const expected = Object.entries(source.categories as Record<string, string[]>).flatMap(([category, types]) =>
    types.map((type) => ({ type, category })),
  );
  assert.equal(expected.length, 129);
  assert.deepEqual(
    eventTypes().map(({ type, category }) => ({ type, category })),
    expected,
  );
  assert.deepEqual(
    categories().map((group) => group.category),
    Object.keys(source.categories),
  );
  const expandable = eventTypes().filter((entry) => entry.expandedSchema).map((entry) => entry.type);
  assert.deepEqual(expandable.sort(), [...source.expandable].sort());
});

test('catalog.json matches its own schema and every schema path exists', () => {
  const ajv = new Ajv2020({ allErrors: true });
  const validate = ajv.compile(readJson(path.join(schemasDir, 'catalog.schema.json')));
  const catalog = readJson(path.join(schemasDir, 'catalog.json'));
  assert.ok(validate(catalog), ajv.errorsText(validate.errors));
  for (const entry of eventTypes()) {
    for (const file of [entry.schema, entry.expandedSchema].filter((f): f is string => f !== undefined)) {
      assert.ok(fs.existsSync(path.join(schemasDir, file)), `${entry.type}: ${file} does not exist`);
    }
    assert.equal(entry.documented || entry.note !== undefined, true, `${entry.type} is undocumented without a note`);
  }
});

test('every type has a schema that compiles, and a self-contained bundle that compiles on its own', () => {
  const ajv = freshAjv();
  const compiled = new Set<string>();
  for (const entry of eventTypes()) {
    const event = { id: '6e4f29fd-190e-4a70-83dc-6655394dc054', type: entry.type, data: { object: {} }, liveMode: false, createdTime: '2023-03-28T18:23:52Z' };
    assert.ok(Array.isArray(validateEvent(event)), entry.type);
    for (const expanded of entry.expandedSchema ? [false, true] : [false]) {
      // Types sharing a schema share its bundle: compile each once.
      const file = expanded ? entry.expandedSchema : entry.schema;
      if (file === undefined || compiled.has(file)) continue;
      compiled.add(file);
      const bundle = objectSchemaBundle(entry.type, { expanded });
      assert.ok(!JSON.stringify(bundle).includes('"$ref"'), `${entry.type}: bundle still has a $ref`);
      assert.doesNotThrow(() => ajv.compile(bundle), entry.type);
    }
  }
});

test('every real sample event validates against the schema of its type, and against its bundle', () => {
  const all = samples();
  assert.ok(all.length >= 20, 'expected the sample events');
  const ajv = freshAjv();
  for (const { file, event } of all) {
    assert.ok(file.startsWith(`${event.type}.`), `${file} holds a ${event.type} event`);
    assert.deepEqual(validateEvent(event), [], file);
    const bundle = ajv.compile(objectSchemaBundle(event.type));
    assert.ok(bundle(event.data.object), `${file} against its bundle: ${ajv.errorsText(bundle.errors)}`);
  }
});

test('special shapes: a shipment, {subscription, invoice} and an empty deleted subscription', () => {
  assert.equal(eventType('fulfillment_order.shipped').resource, 'Shipment');
  assert.equal(eventType('subscription.extended').schema, 'objects/subscription-invoice.schema.json');
  const extended = sample('subscription.extended');
  delete extended.data.object.invoice;
  assert.deepEqual(validateEvent(extended), [{ pointer: '/data/object/invoice', message: 'is required' }]);
  const deleted = sample('subscription.deleted');
  assert.deepEqual(deleted.data.object, {});
  assert.deepEqual(validateEvent(deleted), []);
  deleted.data.object = { state: 'gone' };
  assert.deepEqual(pointers(validateEvent(deleted)), ['/data/object/state']);
});

test('expanded schemas require productDetails on every item, with physical and metadata', () => {
  const accepted = sample('order.accepted');
  const violations = validateEvent(accepted, { expanded: true });
  assert.deepEqual(pointers(violations), ['/data/object/items/0/productDetails/physical', '/data/object/items/0/productDetails/metadata']);
  accepted.data.object.items[0].productDetails.physical = true;
  accepted.data.object.items[0].productDetails.metadata = { warehouse: 'MSP' };
  assert.deepEqual(validateEvent(accepted, { expanded: true }), []);
  accepted.data.object.items[0].productDetails.physical = 'yes';
  assert.deepEqual(validateEvent(accepted, { expanded: true }), [
    { pointer: '/data/object/items/0/productDetails/physical', message: 'must be boolean, got string' },
  ]);

  const fulfillment = sample('fulfillment.created');
  assert.ok(pointers(validateEvent(fulfillment, { expanded: true })).includes('/data/object/orderDetails/items/1/productDetails/metadata'));
  for (const item of fulfillment.data.object.orderDetails.items) Object.assign(item.productDetails, { physical: false, metadata: {} });
  assert.deepEqual(validateEvent(fulfillment, { expanded: true }), []);
  // An item without productDetails is not expanded either.
  delete accepted.data.object.items[0].productDetails;
  assert.deepEqual(pointers(validateEvent(accepted, { expanded: true })), ['/data/object/items/0/productDetails']);
  delete fulfillment.data.object.orderDetails.items[0].productDetails;
  assert.deepEqual(pointers(validateEvent(fulfillment, { expanded: true })), ['/data/object/orderDetails/items/0/productDetails']);
  // The normal schema accepts the expanded fields, and types without an expanded form ignore the option.
  assert.deepEqual(validateEvent(fulfillment), []);
  assert.deepEqual(validateEvent(sample('refund.complete'), { expanded: true }), []);
});

test('violations name the field and say what is wrong', () => {
  const event = sample('order.accepted');
  delete event.data.object.currency;
  event.data.object.state = 'shipped';
  event.data.object.billTo.address.country = 'USA';
  event.data.object.items[0].amount = -20;
  event.data.object.updatedTime = '2021-11-01 18:23';
  event.data.object.payment.charges[0].type = 'recurring';
  const violations = validateEvent(event);
  const byPointer = new Map(violations.map((v) => [v.pointer, v.message]));
  assert.equal(byPointer.get('/data/object/currency'), 'is required');
  assert.match(byPointer.get('/data/object/state') ?? '', /^must be one of "accepted", .*"in_review".*; got "shipped"$/);
  assert.match(byPointer.get('/data/object/billTo/address/country') ?? '', /ISO 3166-1 alpha-2.*got "USA"/);
  assert.equal(byPointer.get('/data/object/items/0/amount'), 'must be >= 0, got -20');
  assert.match(byPointer.get('/data/object/updatedTime') ?? '', /must be an ISO 8601 date-time/);
  assert.match(byPointer.get('/data/object/payment/charges/0/type') ?? '', /"customer_initiated", "merchant_initiated", "moto"/);
  assert.equal(violations.length, 6, JSON.stringify(violations));

  const currency = sample('order.charge.capture.complete');
  currency.data.object.currency = 'usd';
  currency.data.object.amount = '37.81';
  assert.deepEqual(validateEvent(currency), [
    { pointer: '/data/object/amount', message: 'must be number, got string' },
    { pointer: '/data/object/currency', message: 'must be an ISO 4217 currency code in upper case (e.g. USD), got "usd"' },
  ].sort((a, b) => (a.pointer < b.pointer ? -1 : 1)));
});

test('the envelope is checked too, and an unknown type names the closest known ones', () => {
  const event = sample('refund.complete');
  delete event.id;
  event.liveMode = 'false';
  event.createdTime = '2022-02-30T10:00:00Z';
  assert.deepEqual(validateEvent(event), [
    { pointer: '/id', message: 'is required' },
    { pointer: '/liveMode', message: 'must be boolean, got string' },
    { pointer: '/createdTime', message: 'must be an ISO 8601 date-time (e.g. 2021-11-01T18:23:02Z), got "2022-02-30T10:00:00Z"' },
  ]);
  const unknown = sample('refund.complete');
  unknown.type = 'refund.completed';
  const [violation, ...rest] = validateEvent(unknown);
  assert.equal(rest.length, 0);
  assert.equal(violation?.pointer, '/type');
  assert.match(violation?.message ?? '', /unknown event type 'refund.completed' \(did you mean 'refund.complete'/);
  assert.deepEqual(validateEvent([]), [{ pointer: '', message: 'must be object, got array' }]);
  assert.deepEqual(pointers(validateEvent({ id: 'e5bf7399-49ba-4ea6-a217-65e8efcaee86', type: 'order.accepted', data: {}, liveMode: true, createdTime: '2021-11-01T18:23:06Z' })), ['/data/object']);
});

test('date-times: Z, ±HH:MM and ±HHMM offsets, any fraction; real dates only', () => {
  for (const value of ['2021-11-01T18:23:02Z', '2021-11-01T18:23:06.272054Z', '2022-08-25T21:09:14.115+0000', '2022-08-25T21:09:14-05:00', '2024-02-29T00:00:00+0530']) {
    assert.ok(isDateTime(value), value);
  }
  for (const value of ['2021-11-01', '2021-11-01T18:23:02', '2021-11-01T25:00:00Z', '2023-02-29T00:00:00Z', '2021-11-01T18:23:02+5', 'yesterday']) {
    assert.ok(!isDateTime(value), value);
  }
  assert.equal((eventSchema().properties as any).createdTime.format, 'date-time');
});

test('fieldSchema resolves the subschema at a pointer inside data.object', () => {
  const state = fieldSchema('order.accepted', '/state');
  assert.equal(state?.type, 'string');
  assert.ok((state?.enum as string[]).includes('accepted'));
  assert.deepEqual(fieldSchema('order.accepted', '/items/0/amount'), { type: 'number', minimum: 0 });
  assert.ok((fieldSchema('order.accepted', '/currency')?.enum as string[]).includes('EUR'));
  assert.equal(fieldSchema('order.accepted', '/createdTime')?.format, 'date-time');
  assert.equal(fieldSchema('refund.complete', '/charges/0/refunds/0/state')?.type, 'string');
  assert.equal(fieldSchema('subscription.extended', '/invoice/billTo/address')?.type, 'object');
  assert.ok(!JSON.stringify(fieldSchema('order.accepted', '/items/0')).includes('$ref'));
  assert.equal(fieldSchema('order.accepted', '/noSuchField'), undefined);
  assert.equal(fieldSchema('order.accepted', '/state/deeper'), undefined);
});

test('eventType throws a usage error with suggestions; closestTypes ranks by distance', () => {
  assert.equal(eventType('order.accepted').state, 'accepted');
  assert.throws(() => eventType('order.acepted'), (error: unknown) => {
    assert.ok(error instanceof UsageError);
    assert.equal(error.message, "unknown event type 'order.acepted' (did you mean 'order.accepted', 'order.created', 'order.cancelled'?). Run `drhook events` for the list.");
    return true;
  });
  assert.deepEqual(closestTypes('refund.sucess', 1), ['refund.succeeded']);
});

test('schemas/ is exactly what scripts/build-schemas.mjs builds from the reference material', () => {
  const result = spawnSync(process.execPath, [path.join(packageRoot, 'scripts', 'build-schemas.mjs'), '--check', referenceDir], { encoding: 'utf8' });
  assert.equal(result.status, 0, result.stderr);
});

test('every shipped schema is valid against its meta-schema (drhook compiles them without checking again)', () => {
  const ajv = new Ajv2020({ strict: false });
  const files = [
    ...fs.readdirSync(schemasDir).filter((name) => name.endsWith('.schema.json')),
    ...fs.readdirSync(path.join(schemasDir, 'objects')).filter((name) => name.endsWith('.schema.json')).map((name) => `objects/${name}`),
  ];
  assert.ok(files.includes('event.schema.json') && files.some((name) => name.startsWith('objects/')), files.join(', '));
  for (const file of files) {
    const schema = JSON.parse(fs.readFileSync(path.join(schemasDir, file), 'utf8')) as object;
    assert.equal(ajv.validateSchema(schema), true, `${file}: ${ajv.errorsText(ajv.errors)}`);
  }
  // The check itself can fail: a keyword with a value of the wrong kind is refused.
  assert.equal(ajv.validateSchema({ type: 'object', required: 'id' }), false);
});

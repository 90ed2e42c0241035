// malformed.message over real HTTP: the 400 must name the field in its own words; echoes and other fields' names do not count.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { inspect } from 'node:util';
import type { CaseRecord } from '../src/contract/results.js';
import { runContract } from '../src/contract/run.js';
import { resolveSettings } from '../src/contract/settings.js';
import type { DrEvent } from '../src/events/event.js';
import { validateEvent, type Violation } from '../src/events/schemas.js';
import { fieldNames } from '../src/contract/answer-names.js';
import { startServer } from './helpers/http.js';

/** How a test receiver words its 400: from the first violation of data.object, the event and the raw body. */
type Wording = (violation: Violation, event: DrEvent, body: string) => { json: unknown } | { text: string };

const segments = (pointer: string) => pointer.split('/').slice(1);
/** `{data: {object: {id: leaf}}}` for /data/object/id. */
const nested = (pointer: string, leaf: unknown): unknown => segments(pointer).reduceRight<unknown>((inner, key) => ({ [key]: inner }), leaf);

/** A scenario file with these lines as its events. */
function scenarioFile(name: string, events: string): string {
  const file = path.join(mkdtempSync(path.join(tmpdir(), 'drhook-message-')), 'scenario.yaml');
  writeFileSync(file, `name: ${name}\nevents:\n${events}mode: test\n`);
  return file;
}

/** A scenario whose order.charge.capture.complete requires a camelCase key, orderId, beside id. */
const orderIdScenario = () => scenarioFile('order-id', '  - type: order.charge.capture.complete\n    requires: [/id, /orderId]\n');

/** A declared contract with nested fields: an order's state, items and amounts, a renewal's invoice beside its subscription. */
const declaredScenario = () =>
  scenarioFile(
    'declared',
    '  - type: order.accepted\n    requires: [/id, /state, /items, /totalAmount, /currency]\n' +
      '  - type: subscription.extended\n    requires: [/subscription/id, /invoice/id, /invoice/totalAmount]\n',
  );

/**
 * The malformed.message cases of order.accepted and subscription.extended (nested fields) against a receiver that
 * acknowledges valid events with 202 and answers the others 400 worded by `wording`.
 */
async function messageCases(wording: Wording, scenario?: string): Promise<CaseRecord[]> {
  const server = await startServer((_req, res, raw) => {
    const body = raw.toString('utf8');
    const event = JSON.parse(body) as DrEvent;
    const violation = validateEvent(event).find((v) => v.pointer.startsWith('/data/object'));
    if (!violation) return void res.writeHead(202).end();
    const answer = wording(violation, event, body);
    const json = 'json' in answer;
    res.writeHead(400, { 'content-type': json ? 'application/json' : 'text/plain' }).end(json ? JSON.stringify(answer.json) : answer.text);
  });
  try {
    const settings = resolveSettings(server.url, { only: ['malformed.message'], scenario: scenario ?? declaredScenario(), seed: 21, unsigned: true });
    const report = await runContract(settings);
    const cases = report.checks.find((check) => check.id === 'malformed.message')?.cases ?? [];
    assert.ok(cases.length > 8, `${cases.length} cases`);
    return cases;
  } finally {
    await server.close();
  }
}

const slugOf = (record: CaseRecord) => record.id.split('/').at(-1)!;
const failing = (cases: readonly CaseRecord[]) => cases.filter((record) => record.verdict.status !== 'pass').map((record) => `${record.eventType}/${slugOf(record)}`);
const passing = (cases: readonly CaseRecord[]) => cases.filter((record) => record.verdict.status === 'pass').map((record) => `${record.eventType}/${slugOf(record)}`);

// One run at a time: the receivers share this process's one thread with the runs, and every answer must arrive within
// the 3000 ms deadline however busy the machine is; runs side by side would only queue each other's work in front of it.
describe('answers that do not name the field fail', () => {
  test('the whole event echoed back names nothing, however many of its keys it holds', async () => {
    const cases = await messageCases((_violation, event) => ({ json: { error: 'invalid event', received: event } }));
    assert.deepEqual(passing(cases), []);
    assert.ok(cases.every((record) => /what it repeats of the event sent does not count/.test(record.verdict.reason)), cases[0]?.verdict.reason);
  });

  test('the request body repeated in a text answer names nothing', async () => {
    const cases = await messageCases((_violation, _event, body) => ({ text: `cannot process ${body}` }));
    assert.deepEqual(passing(cases), []);
  });

  test("the envelope's id is not data.object.id", async () => {
    const cases = await messageCases((_violation, event) => ({ json: { error: `event id ${event.id} rejected` } }));
    assert.deepEqual(passing(cases), []);
    assert.ok(failing(cases).includes('order.accepted/id-missing'));
  });

  test('"invalid request object" does not name data.object', async () => {
    const cases = await messageCases(() => ({ text: 'invalid request object' }));
    assert.deepEqual(passing(cases), []);
  });

  test('a path to another field does not name this one by its last key', async () => {
    const cases = await messageCases(() => ({ json: { error: 'invoice.id is required' } }));
    assert.deepEqual(passing(cases).sort(), ['subscription.extended/invoice.id-missing', 'subscription.extended/invoice.id-null', 'subscription.extended/invoice.id-wrong-type']);
    assert.ok(failing(cases).includes('subscription.extended/subscription.id-missing'));
  });

  const invoiceOnly = ['subscription.extended/invoice.id-missing', 'subscription.extended/invoice.id-null', 'subscription.extended/invoice.id-wrong-type'];
  const invoicePaths: Array<[string, unknown]> = [
    ['a pydantic loc', { detail: [{ loc: ['body', 'data', 'object', 'invoice', 'id'], msg: 'field required', type: 'value_error.missing' }] }],
    ['a zod path', { issues: [{ code: 'invalid_type', path: ['data', 'object', 'invoice', 'id'], message: 'Required' }] }],
    ['nested keys', { errors: { invoice: { id: 'is required' } } }],
  ];
  for (const [name, json] of invoicePaths) {
    test(`a path to another field as ${name} does not name this one by its last key`, async () => {
      const cases = await messageCases(() => ({ json }));
      assert.deepEqual(passing(cases).sort(), invoiceOnly);
    });
  }

  test("a pydantic loc to the envelope's id is not data.object.id", async () => {
    const cases = await messageCases(() => ({ json: { detail: [{ loc: ['body', 'id'], msg: 'field required', type: 'value_error.missing' }] } }));
    assert.deepEqual(passing(cases), []);
  });

  const echoes: Array<[string, Wording]> = [
    ['util.inspect', (_v, event) => ({ text: `Bad Request: ${inspect(event, { depth: 5 })}` })],
    ['a Python repr', (_v, _event, body) => ({ text: `Bad Request: ${body.replace(/"/g, "'").replace(/':/g, "': ").replace(/,'/g, ", '")}` })],
    ['JSON indented by 4 inside a JSON string', (_v, event) => ({ json: { error: 'Invalid payload', payload: JSON.stringify(event, null, 4) } })],
    ['the list of keys received', (_v, event) => ({ json: { error: 'Bad Request', receivedKeys: Object.keys(event) } })],
  ];
  for (const [name, wording] of echoes) {
    test(`the event written back as ${name} names nothing`, async () => {
      const cases = await messageCases(wording);
      assert.deepEqual(passing(cases), []);
      assert.ok(cases.every((record) => /what it repeats of the event sent does not count/.test(record.verdict.reason)), cases[0]?.verdict.reason);
    });
  }

  test('"order id" in words is orderId, not data.object.id', async () => {
    const cases = await messageCases(() => ({ text: 'order id is required' }), orderIdScenario());
    assert.ok(failing(cases).includes('order.charge.capture.complete/id-missing'));
    assert.ok(passing(cases).includes('order.charge.capture.complete/orderId-missing'));
  });

  test('"invoice id" in words is another field too', async () => {
    const cases = await messageCases(() => ({ text: 'invoice id is missing' }));
    assert.ok(failing(cases).includes('subscription.extended/subscription.id-missing'));
    assert.ok(passing(cases).includes('subscription.extended/invoice.id-missing'));
  });
});

describe('answers that name the field in the usual ways pass', () => {
  const ways: Array<[string, Wording]> = [
    ['a dotted path in a JSON message', (v) => ({ json: { error: `${['data', ...segments(v.pointer).slice(1)].join('.')} is required` } })],
    ['a JSON pointer in an errors list', (v) => ({ json: { errors: [{ pointer: v.pointer, message: 'required' }] } })],
    ['the key in plain text', (v) => ({ text: `${segments(v.pointer).at(-1)} is missing` })],
    ['the key quoted, then the rule', (v) => ({ text: `"${segments(v.pointer).at(-1)}": must be one of the allowed values` })],
    ['the key of a list of messages', (v) => ({ json: { [segments(v.pointer).at(-1)!]: ['This field is required.'] } })],
    ['data.object in words, the pointer for fields, the event echoed as well', (v, event) => ({
      json: { error: v.pointer === '/data/object' ? 'data.object must be an object' : `${v.pointer} ${v.message}`, received: event },
    })],
  ];
  const key = (v: Violation) => segments(v.pointer).at(-1)!;
  ways.push(
    ['a pydantic loc', (v) => ({ json: { detail: [{ loc: ['body', ...segments(v.pointer)], msg: 'field required', type: 'value_error.missing' }] } })],
    ['a zod path', (v) => ({ json: { issues: [{ code: 'invalid_type', path: segments(v.pointer), message: 'Required' }] } })],
    ['nested keys under errors', (v) => ({ json: { errors: nested(v.pointer, 'is required') } })],
    ['a dotted key under errors', (v) => ({ json: { errors: { [segments(v.pointer).join('.')]: 'is required' } } })],
    ['the key under errors', (v) => ({ json: { errors: { [key(v)]: 'is required' } } })],
    ['a path from object', (v) => ({ text: `${segments(v.pointer).slice(1).join('.')} is required` })],
  );
  const snake = (name: string) => name.replace(/[A-Z]/g, (letter) => `_${letter.toLowerCase()}`);
  const camelWays: Array<[string, Wording]> = [
    ['the snake_case key of a list of messages', (v) => ({ json: { errors: { [snake(key(v))]: ["can't be blank"] } } })],
    ['the key in lower-case words', (v) => ({ text: `${snake(key(v)).replace(/_/g, ' ')} is required` })],
    ['the key in capitalised words', (v) => ({ text: `${snake(key(v)).replace(/_/g, ' ').replace(/\b\w/g, (letter) => letter.toUpperCase())} is required` })],
    ['the key with a message code under errors', (v) => ({ json: { errors: { [key(v)]: 'invalid_type' } } })],
    ['the key with a message code', (v) => ({ json: { [key(v)]: 'is_required' } })],
  ];
  for (const [name, wording] of camelWays) {
    test(`orderId: ${name}`, async () => {
      const cases = await messageCases(wording, orderIdScenario());
      assert.ok(cases.some((record) => slugOf(record).startsWith('orderId-')));
      assert.deepEqual(failing(cases), [], cases.find((record) => record.verdict.status !== 'pass')?.verdict.reason);
    });
  }
  for (const [name, wording] of ways) {
    test(name, async () => {
      const cases = await messageCases(wording);
      assert.deepEqual(failing(cases), [], cases.find((record) => record.verdict.status !== 'pass')?.verdict.reason);
    });
  }
});

describe('malformed.robust reads the same words, and a path into the field it broke names it too', () => {
  test('within: what is wrong inside billTo.address names billTo.address; another field does not', () => {
    const inside = fieldNames('order.accepted', '/billTo/address', { within: true }).matcher;
    const exact = fieldNames('order.accepted', '/billTo/address').matcher;
    for (const text of ['data.object.billTo.address.city is required', "body/data/object/billTo/address must have required property 'city'", '/data/object/billTo/address/city: must be string', 'billTo.address.city']) {
      assert.ok(inside.inText(text), text);
    }
    assert.ok(!exact.inText('data.object.billTo.address.city is required'), 'malformed.message wants the field itself');
    for (const text of ['data.object.shipTo.address.city is required', 'data.object.billTo.addressLine is required', 'data.object.billTo is required']) {
      assert.ok(!inside.inText(text), text);
    }
  });
});

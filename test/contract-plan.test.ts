// Planning a contract run without a receiver: settings from scenario and flags, deterministic cases, raw JSON forms.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { statusesText } from '../src/contract/judges.js';
import { caseId, planContract, unsignedReason } from '../src/contract/plan.js';
import { fieldPath, getPointer, removePointer, setPointer } from '../src/events/pointer.js';
import { rawJson, rawJsonForms } from '../src/wire/raw-json.js';
import { parseCheckList, resolveSettings } from '../src/contract/settings.js';

const url = 'http://127.0.0.1:9/hook';

/** A body with its date-times blanked: events are generated at the current time, everything else comes from the seed. */
const timeless = (body: Buffer): string => body.toString('utf8').replace(/\\u002d/g, '-').replace(/\d{4}-\d{2}-\d{2}T[\d:.]+(Z|[+-]\d{2}:?\d{2})/g, '<time>');
const secrets = { test: ['whsec-SECRET-plan-1'], live: ['whsec-SECRET-plan-2'] };

test('every raw JSON form parses to the same value and differs from JSON.stringify', () => {
  const value = { id: 'a1-b2', amount: 10.5, total: 100, count: 3, note: 'café/crème\u2028', nested: { list: [1, 'x/y'], empty: {} }, flag: true, none: null };
  const canonical = JSON.stringify(value);
  for (const form of rawJsonForms) {
    const text = rawJson(value, form);
    assert.deepEqual(JSON.parse(text), value, form);
    assert.notEqual(text, canonical, form);
  }
  assert.match(rawJson(value, 'unicode-escapes'), /caf\\u00e9\/cr\\u00e8me\\u2028/);
  assert.match(rawJson(value, 'unicode-escapes'), /\\u2028/);
  assert.match(rawJson(value, 'escaped-slashes'), /caf\u00e9\\\/cr/);
  assert.match(rawJson(value, 'number-forms'), /"amount":10\.50,"total":1e2,"count":3/);
  assert.match(rawJson(value, 'indented'), /^\{\n {2}"id": "a1-b2",\n/);
  assert.match(rawJson(value, 'key-order'), /^\{"none":null,"flag":true/);
});

test('JSON pointers read, write and remove fields and name them for reports', () => {
  const object: Record<string, unknown> = { items: [{ sku: 'a' }], billTo: { address: { country: 'US' } } };
  assert.equal(getPointer(object, '/items/0/sku'), 'a');
  setPointer(object, '/billTo/address/country', null);
  setPointer(object, '/metadata/a~1b', 1);
  assert.deepEqual(object.metadata, { 'a/b': 1 });
  removePointer(object, '/items/0/sku');
  assert.deepEqual(object.items, [{}]);
  removePointer(object, '/nothing/here');
  assert.equal(fieldPath('/items/0/sku'), 'data.object.items[0].sku');
  assert.equal(fieldPath('/billTo/address/country'), 'data.object.billTo.address.country');
});

test('statuses read as classes or lists', () => {
  assert.equal(statusesText(Array.from({ length: 100 }, (_, i) => 400 + i)), 'a 4xx');
  assert.equal(statusesText([401, 403]), '401 or 403');
  assert.equal(statusesText([400]), '400');
  assert.equal(statusesText([400, 409, 422]), '400, 409 or 422');
});

test('flags override the scenario; check lists take ids and families and suggest on a typo', () => {
  const settings = resolveSettings(url, { deadlineMs: 2000, toleranceSec: 60, burst: 5, mode: 'both', headers: { 'X-Env': 'ci', 'X-Api-Key': 'KEY-secret-value' }, seed: 1, secrets });
  assert.equal(settings.deadlineMs, 2000);
  assert.equal(settings.toleranceSec, 60);
  assert.equal(settings.burst, 5);
  assert.equal(settings.concurrency, 8, 'from the scenario');
  assert.equal(settings.mode, 'both');
  assert.equal(settings.events.length, 10, "the default scenario's types");
  assert.deepEqual(settings.reproduceFlags, ['--timeout-ms', '2000', '--tolerance', '60', '--burst', '5', '--header', 'X-Env: ci']);
  assert.deepEqual(parseCheckList('--only', ['signature.stale', 'ack']), ['signature.stale', 'ack.2xx', 'ack.deadline', 'ack.no-redirect']);
  assert.throws(() => parseCheckList('--only', ['ack.2xxx']), /unknown check 'ack\.2xxx' \(did you mean ack\.2xx\?\)/);
  assert.throws(() => resolveSettings(url, { only: ['ack'], skip: ['ack'] }), /no check left to run/);
  assert.throws(() => resolveSettings(url, { events: ['order.acceptd'] }), /unknown event type 'order\.acceptd'/);
  assert.throws(() => resolveSettings(url, { headers: { authorization: 'Bearer x' } }), /credentials do not go in --header/);
  assert.throws(() => resolveSettings(url, { mode: 'both', secrets: { test: ['whsec-SECRET-t'], live: [] } }), /sends live events but only a test-mode signing token is given: add the live-mode token \(--live-secret or DRHOOK_LIVE_SECRET\)/);
  const events = resolveSettings(url, { events: ['order.accepted', 'subscription.extended', 'order.refunded'], secrets }).events;
  assert.deepEqual(events.map((e) => e.requires), [['/id', '/state', '/items', '/totalAmount', '/currency'], ['/subscription/id', '/invoice/id', '/invoice/totalAmount'], ['/id']]);
});

test('the same seed plans the same cases and events; the seed is what makes them', () => {
  const auth = { kind: 'basic' as const, username: 'digitalriver', password: 'PASS-plan-7' };
  const options = { events: ['order.accepted', 'refund.complete'], secrets, mode: 'both' as const, auth };
  const first = planContract(resolveSettings(url, { ...options, seed: 99 }));
  const again = planContract(resolveSettings(url, { ...options, seed: 99 }));
  const other = planContract(resolveSettings(url, { ...options, seed: 100 }));
  const bodies = (plan: typeof first) => plan.cases.map((c) => c.deliveries.map((d) => timeless(d.body)).join('\n'));
  assert.deepEqual(bodies(first), bodies(again));
  assert.notDeepEqual(bodies(first), bodies(other));
  const ids = first.cases.flatMap((c) => c.judges.map((j) => caseId(j.checkId, c)));
  assert.equal(new Set(ids).size, ids.length, 'case ids are unique');
  assert.ok(ids.includes('ack.2xx/order.accepted/live/valid-event'));
  assert.ok(ids.includes('signature.wrong-mode/refund.complete/live/signed-with-test-token'));
  assert.ok(ids.includes('malformed.message/order.accepted/test/currency-not-in-enum'));
  const eventIds = first.cases.flatMap((c) => c.deliveries.map((d) => d.event.id));
  const redelivered = first.cases.filter((c) => c.slug === 'delivered-twice').length;
  assert.equal(new Set(eventIds).size, eventIds.length - redelivered, 'only a redelivery repeats an event id');
  assert.ok(first.checks.every((check) => check.status === 'planned'), JSON.stringify(first.checks.filter((c) => c.status === 'skipped')));
});

test('the default suite sends every raw JSON form (reordered keys for every type) and both rotation orders', () => {
  const settings = resolveSettings(url, { secrets, seed: 4 });
  const plan = planContract(settings);
  const slugs = (checkId: string, type: string) => plan.cases.filter((c) => c.eventType === type && c.judges.some((j) => j.checkId === checkId)).map((c) => c.slug);
  for (const form of rawJsonForms) {
    assert.ok(settings.events.some(({ type }) => slugs('signature.raw-body', type).includes(`raw-${form}`)), `${form} is sent`);
  }
  for (const { type } of settings.events) {
    assert.ok(slugs('signature.raw-body', type).includes('raw-key-order'), `${type}: reordered keys`);
    assert.deepEqual(slugs('signature.rotation', type), ['second-signature-current', 'first-signature-current'], type);
  }
  const keyOrder = plan.cases.find((c) => c.slug === 'raw-key-order')!.deliveries[0]!;
  assert.notEqual(keyOrder.body.toString('utf8'), JSON.stringify(keyOrder.event));
  assert.equal(keyOrder.body.toString('utf8'), JSON.stringify(JSON.parse(keyOrder.body.toString('utf8'))), 'JSON.parse and stringify keep the order: only the sent text tells');
});

test('a reproduce command plans exactly its case again, with the same event', () => {
  const original = planContract(resolveSettings(url, { events: ['order.accepted', 'refund.complete'], secrets, seed: 5 }));
  const target = original.cases.find((c) => c.key === 'malformed/refund.complete/test/currency-not-in-enum')!;
  const again = planContract(resolveSettings(url, { only: ['malformed.400'], events: ['refund.complete'], mode: 'test', seed: 5, secrets, caseId: 'malformed.400/refund.complete/test/currency-not-in-enum' }));
  const [judged, control, ...others] = again.cases;
  assert.equal(others.length, 0);
  assert.deepEqual(judged!.judges.map((j) => j.checkId), ['malformed.400']);
  assert.equal(timeless(judged!.deliveries[0]!.body), timeless(target.deliveries[0]!.body));
  assert.deepEqual([control!.key, control!.provides, control!.judges.length], ['ack/refund.complete/test/valid-event', true, 0], 'the valid event it is compared with');
  assert.deepEqual(again.checks, [{ id: 'malformed.400', status: 'planned' }]);
});

test('payload.large needs a type with items; compat.unknown-type sends a type outside the subscription', () => {
  const subscriptionsOnly = planContract(resolveSettings(url, { only: ['payload.large', 'compat.unknown-type'], events: ['customer.created'], seed: 2, secrets }));
  assert.deepEqual(subscriptionsOnly.checks.find((c) => c.id === 'payload.large'), {
    id: 'payload.large',
    status: 'skipped',
    reason: 'no subscribed event type carries items (order.accepted does)',
  });
  const unknown = subscriptionsOnly.cases.filter((c) => c.judges.some((j) => j.checkId === 'compat.unknown-type'));
  assert.equal(unknown.length, 2);
  assert.ok(unknown.every((c) => c.eventType !== 'customer.created' && c.events.join() === 'customer.created'));
  assert.ok(unknown.some((c) => c.eventType === 'customer.future_event_type'));
  const large = planContract(resolveSettings(url, { only: ['payload.large'], events: ['order.accepted'], seed: 2, secrets }));
  const body = large.cases[0]!.deliveries[0]!.body;
  assert.ok(body.length >= 400 * 1024 * 0.95, `${body.length} bytes`);
  assert.ok((JSON.parse(body.toString()) as { data: { object: { items: unknown[] } } }).data.object.items.length >= 250);
});

test('a signed run needs a token for every mode it sends; an unsigned one, asked for, plans no signature check', () => {
  const none = { test: [], live: [] };
  const unsignedHint = ', or pass --unsigned to run without signature checks (for a receiver that does not verify signatures)';
  assert.throws(() => resolveSettings(url, { secrets: none }), { name: 'UsageError', message: `no signing token for test mode: pass --secret, set DRHOOK_TEST_SECRET or use --secret-file${unsignedHint}` });
  assert.throws(() => resolveSettings(url, { mode: 'live' }), { message: `no signing token for live mode: pass --live-secret, set DRHOOK_LIVE_SECRET or use --live-secret-file${unsignedHint}` });
  assert.throws(() => resolveSettings(url, { mode: 'both' }), {
    message: `no signing token for test mode (pass --secret, set DRHOOK_TEST_SECRET or use --secret-file) nor for live mode (pass --live-secret, set DRHOOK_LIVE_SECRET or use --live-secret-file)${unsignedHint}`,
  });
  assert.throws(() => resolveSettings(url, { unsigned: true, secrets }), /^UsageError: --unsigned and a test-mode signing token were both given: drop the token to send unsigned, or --unsigned to sign$/);

  const settings = resolveSettings(url, { unsigned: true, mode: 'both', events: ['order.accepted'], seed: 6 });
  assert.equal(settings.unsigned, true);
  assert.ok(settings.reproduceFlags.includes('--unsigned'), 'a reproduce command runs unsigned too');
  const plan = planContract(settings);
  const signature = plan.checks.filter((check) => check.id.startsWith('signature.'));
  assert.equal(signature.length, 7);
  for (const check of signature) assert.deepEqual(check, { id: check.id, status: 'skipped', reason: unsignedReason });
  assert.ok(plan.checks.some((check) => check.id === 'ack.2xx' && check.status === 'planned'));
  assert.ok(plan.cases.every((c) => c.judges.every((j) => !j.checkId.startsWith('signature.'))), 'no signature case is planned');
});

test("auth a scenario declares needs its secret now, signed or unsigned: a setup error, never a skipped auth.required", async () => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'drhook-plan-auth-'));
  try {
    const scenario = path.join(dir, 'oauth.yaml');
    await writeFile(scenario, "name: oauth\nevents: [order.accepted]\nauth: { kind: oauth, tokenUrl: 'http://127.0.0.1:9/token', clientId: shop, clientSecretEnv: SHOP_PLAN_CLIENT_SECRET }\n");
    for (const signing of [{ secrets }, { unsigned: true }]) {
      assert.throws(() => resolveSettings(url, { scenario, ...signing }, {}), {
        name: 'UsageError',
        message: "the scenario's auth.clientSecretEnv names the environment variable SHOP_PLAN_CLIENT_SECRET, which is not set",
      });
    }
    const settings = resolveSettings(url, { scenario, unsigned: true }, { SHOP_PLAN_CLIENT_SECRET: 'CLIENT-SECRET-plan-9' });
    assert.equal(planContract(settings).checks.find((check) => check.id === 'auth.required')?.status, 'planned');
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

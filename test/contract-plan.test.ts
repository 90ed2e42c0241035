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
import { validateEvent } from '../src/events/schemas.js';
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
  assert.deepEqual(events.map((e) => e.requires), [['/id'], ['/subscription/id'], ['/id']], 'the universal contract: the id, or the subscription id of a renewal');
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
  assert.ok(ids.includes('malformed.message/order.accepted/test/id-wrong-type'));
  assert.ok(ids.includes('malformed.robust/order.accepted/test/items.0.productDetails.name-non-latin-1'));
  assert.ok(!ids.some((id) => id.startsWith('malformed.message/order.accepted/test/currency')), 'only the id is demanded');
  const eventIds = first.cases.flatMap((c) => c.deliveries.map((d) => d.event.id));
  // A redelivery sends its event twice; each concurrent case sends its event as many times as it has copies.
  const repeats = first.cases.filter((c) => c.slug === 'delivered-twice' || c.slug.endsWith('-copies-at-once')).reduce((sum, c) => sum + c.deliveries.length - 1, 0);
  assert.equal(first.cases.filter((c) => c.slug.endsWith('-copies-at-once')).length, 4, 'two concurrent cases per type');
  assert.equal(new Set(eventIds).size, eventIds.length - repeats, 'only a redelivery or its concurrent copies repeat an event id');
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
  const target = original.cases.find((c) => c.key === 'malformed/refund.complete/test/id-wrong-type')!;
  const again = planContract(resolveSettings(url, { only: ['malformed.400'], events: ['refund.complete'], mode: 'test', seed: 5, secrets, caseId: 'malformed.400/refund.complete/test/id-wrong-type' }));
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

/** The malformed.robust cases of a plan, with the data.object each sends. */
function robustCases(options: Parameters<typeof resolveSettings>[1]) {
  const plan = planContract(resolveSettings(url, { only: ['malformed.robust'], secrets, ...options }));
  return {
    plan,
    cases: plan.cases.filter((c) => c.judges.some((j) => j.checkId === 'malformed.robust')).map((c) => ({ c, object: c.deliveries[0]!.event.data.object as Record<string, unknown> })),
  };
}

test('malformed.robust: every field of the base event gets every applicable mutation, a field it lacks null and a wrong type', () => {
  const { plan, cases } = robustCases({ events: ['order.accepted'], seed: 11 });
  const coverage = plan.coverage!.types[0]!;
  assert.equal(cases.length, coverage.presentCases + coverage.absentCases.planned);
  assert.equal(coverage.absentCases.planned, coverage.absentCases.of, 'one type stays within the default budget');
  assert.deepEqual(coverage.demanded, ['/id'], 'the universal contract is malformed.400\'s');
  const kinds = (pointer: string) => cases.filter(({ c }) => c.mutation?.pointer === pointer).map(({ c }) => c.mutation!.kind);
  assert.deepEqual(kinds('/items/0/productDetails/name'), ['missing', 'null', 'wrong-type', 'empty', 'long-string', 'non-latin-1']);
  assert.deepEqual(kinds('/items/0/quantity'), ['missing', 'null', 'wrong-type', 'zero', 'negative', 'huge', 'fraction']);
  assert.deepEqual(kinds('/items/0'), ['null', 'wrong-type', 'empty', 'unknown-key'], 'an element is not removed: its array is');
  assert.deepEqual(kinds('/items'), ['missing', 'null', 'wrong-type', 'empty']);
  assert.deepEqual(kinds('/state'), ['missing', 'null', 'wrong-type', 'empty', 'not-in-enum', 'long-string', 'non-latin-1']);
  assert.deepEqual(kinds('/billTo/address/city'), ['missing', 'null', 'wrong-type', 'empty', 'long-string', 'non-latin-1']);
  assert.deepEqual(kinds('/createdTime').slice(0, 5), ['missing', 'null', 'wrong-type', 'empty', 'bad-format']);
  assert.deepEqual(kinds('/id'), [], 'demanded fields are left to malformed.400');
  assert.ok(kinds('/totalAmount').includes('negative'));
  assert.deepEqual(kinds('/cancelReason'), ['null', 'wrong-type'], 'a field the base event lacks');

  const quantity = cases.find(({ c }) => c.slug === 'items.0.quantity-fraction')!;
  assert.equal(quantity.c.fault, 'data.object.items[0].quantity: not a whole number (sent 1.5)');
  assert.equal(getPointer(quantity.object, '/items/0/quantity'), 1.5);
  const state = cases.find(({ c }) => c.slug === 'state-not-in-enum')!;
  assert.equal(state.object.state, 'announced_later', 'a value written like the enum\'s own');
  const currency = cases.find(({ c }) => c.slug === 'currency-not-in-enum')!;
  assert.equal(currency.object.currency, 'ZZZ', 'a code stays a code');
});

test('malformed.robust: each case is the one base event with one field changed and its own event id', () => {
  const { cases } = robustCases({ events: ['refund.complete', 'subscription.extended'], seed: 12 });
  for (const type of ['refund.complete', 'subscription.extended']) {
    const ofType = cases.filter(({ c }) => c.eventType === type);
    // Two cases that change different top-level fields agree on every other field: they come from one event.
    const [first, ...rest] = ofType;
    const top = (pointer: string) => pointer.split('/')[1]!;
    const other = rest.find(({ c }) => top(c.mutation!.pointer) !== top(first!.c.mutation!.pointer))!;
    const without = (object: Record<string, unknown>) => {
      const copy = structuredClone(object);
      removePointer(copy, `/${top(first!.c.mutation!.pointer)}`);
      removePointer(copy, `/${top(other.c.mutation!.pointer)}`);
      return copy;
    };
    assert.deepEqual(without(first!.object), without(other.object));
    const ids = ofType.map(({ c }) => c.deliveries[0]!.event.id);
    assert.equal(new Set(ids).size, ids.length, 'a receiver that skips ids it has seen still reads every case');
  }
  // A field the base event lacks is put into parents made from the schema: the field is the only thing wrong.
  const extended = cases.filter(({ c }) => c.eventType === 'subscription.extended');
  assert.ok(extended.some(({ c }) => c.mutation!.kind === 'null' && getPointer(extended[0]!.object, c.mutation!.pointer) === undefined));
});

test('malformed.robust: past the budget the seed samples the cases of absent fields; present fields stay whole; --case finds any', () => {
  const whole = robustCases({ events: ['order.accepted', 'refund.complete'], seed: 13, mutations: { kind: 'budget', cases: 1_000_000 } });
  const budget = robustCases({ events: ['order.accepted', 'refund.complete'], seed: 13, mutations: { kind: 'budget', cases: 1000 } });
  const again = robustCases({ events: ['order.accepted', 'refund.complete'], seed: 13, mutations: { kind: 'budget', cases: 1000 } });
  const otherSeed = robustCases({ events: ['order.accepted', 'refund.complete'], seed: 14, mutations: { kind: 'budget', cases: 1000 } });
  const present = whole.plan.coverage!.types.reduce((sum, type) => sum + type.presentCases, 0);
  assert.ok(present < 1000 && whole.cases.length > 1000, `${present} present, ${whole.cases.length} in all`);
  assert.equal(budget.cases.length, 1000);
  assert.equal(budget.plan.coverage!.sampled, true);
  const keys = (run: typeof budget) => run.cases.map(({ c }) => c.key);
  assert.deepEqual(keys(budget), keys(again), 'the same seed samples the same cases');
  assert.notDeepEqual(keys(budget), keys(otherSeed));
  const wholeKeys = new Set(keys(whole));
  assert.ok(keys(budget).every((key) => wholeKeys.has(key)));
  // Each type's cases come present fields first.
  const presentKeys = (run: typeof budget) =>
    run.plan.coverage!.types.flatMap((type) => keys(run).filter((key) => key.startsWith(`robust/${type.type}/`)).slice(0, type.presentCases));
  assert.equal(presentKeys(whole).length, present);
  assert.deepEqual(presentKeys(budget), presentKeys(whole), 'every case of a present field is kept');

  const all = robustCases({ events: ['refund.complete'], seed: 13, mutations: { kind: 'all' } });
  const byDefault = robustCases({ events: ['refund.complete'], seed: 13 });
  assert.ok(all.cases.length > byDefault.cases.length, 'all: every mutation of absent fields too');
  assert.ok(resolveSettings(url, { secrets, mutations: { kind: 'all' } }).reproduceFlags.includes('--mutations'), 'a reproduce command keeps the depth');
  assert.throws(() => resolveSettings(url, { secrets, mutations: { kind: 'budget', cases: -1 } }), /--mutations must be all or a whole number of cases/);

  // A sampled-out case, asked for by --case, is planned with the same event.
  const dropped = whole.cases.find(({ c }) => !keys(budget).includes(c.key))!;
  const id = caseId('malformed.robust', dropped.c);
  const one = robustCases({ events: [dropped.c.eventType], seed: 13, mutations: { kind: 'budget', cases: 1000 }, caseId: id });
  assert.equal(one.cases.length, 1);
  assert.equal(timeless(one.cases[0]!.c.deliveries[0]!.body), timeless(dropped.c.deliveries[0]!.body));
});

test('malformed.robust: whatever a case breaks, a validator finds nothing wrong outside that field (parents made for absent fields are valid)', () => {
  for (const [type, expanded] of [['order.accepted', true], ['subscription.extended', false], ['fulfillment.created', false]] as const) {
    const scenario = { events: [type], seed: 15, mutations: { kind: 'all' as const } };
    const settings = resolveSettings(url, { only: ['malformed.robust'], secrets, ...scenario });
    settings.events = settings.events.map((event) => ({ ...event, expanded }));
    const cases = planContract(settings).cases.filter((c) => c.mutation);
    assert.ok(cases.length > 500, `${type}: ${cases.length} cases`);
    for (const c of cases) {
      const at = `/data/object${c.mutation!.pointer}`;
      const outside = validateEvent(c.deliveries[0]!.event, { expanded }).filter((v) => v.pointer !== at && !v.pointer.startsWith(`${at}/`));
      assert.deepEqual(outside, [], `${type} ${c.slug}`);
      if (c.mutation!.kind === 'unknown-key') assert.deepEqual(validateEvent(c.deliveries[0]!.event, { expanded }), [], `${type} ${c.slug}: only a key added`);
    }
  }
});

// The reference receiver over real HTTP: what a correct receiver answers, and each fault's one misbehaviour.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { request } from 'undici';
import type { DrEvent } from '../src/events/event.js';
import { generateEvent } from '../src/events/generate.js';
import type { ModeSecrets } from '../src/wire/secrets.js';
import { signatureHeaders, type SchemeName, type SignatureLayout } from '../src/wire/signing.js';
import { faultNames, type FaultName } from '../src/receiver/faults.js';
import { createTokenEndpoint } from '../src/receiver/oauth.js';
import { startReceiver, type ReceiverOptions, type RunningReceiver } from '../src/receiver/server.js';
import { orderIdOf, setOrderId } from '../src/events/order-ref.js';
import { runCli } from './helpers/http.js';

const secrets: ModeSecrets = { test: ['tok_test_current'], live: ['tok_live_current'] };
/** Standard Webhooks tokens are whsec_<base64>; the retired one is unknown to the receiver. */
const standard: ModeSecrets = { test: [`whsec_${Buffer.from('standard-webhooks test key').toString('base64')}`], live: [] };
const retiredStandard = 'whsec_AAAAAAAAAAAAAAAAAAAAAAAA';
const nowSec = () => Math.floor(Date.now() / 1000);
const generated = new Map<string, DrEvent>();

/** An event of `type` with a fresh id (generated once per type, mode and item count: generating takes a while). */
function event(type = 'order.accepted', options: { mode?: 'test' | 'live'; itemCount?: number } = {}): DrEvent {
  const key = `${type}/${options.mode ?? 'test'}/${options.itemCount ?? '-'}`;
  const base = generated.get(key) ?? generateEvent(type, { seed: 7, ...options });
  generated.set(key, base);
  return { ...structuredClone(base), id: randomUUID() };
}

interface Delivery {
  /** The body as sent; an event is serialised with JSON.stringify. */
  body?: DrEvent | string | Buffer;
  /** Tokens to sign with; none: no signature header. Default: the test-mode token. */
  signWith?: readonly string[];
  timestamp?: number;
  headers?: Record<string, string>;
  /** Replaces the body after signing (a tampered delivery). */
  sendInstead?: string;
  path?: string;
  method?: string;
  scheme?: SchemeName;
  layout?: Partial<SignatureLayout>;
}

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  ms: number;
}

async function deliver(receiver: RunningReceiver | string, delivery: Delivery = {}): Promise<Answer> {
  const url = typeof receiver === 'string' ? receiver : receiver.url;
  const subject = delivery.body ?? event();
  const body = typeof subject === 'string' || Buffer.isBuffer(subject) ? subject : JSON.stringify(subject);
  const eventId = typeof subject === 'object' && !Buffer.isBuffer(subject) ? subject.id : 'not-an-event';
  const signWith = delivery.signWith ?? secrets.test;
  const signed = { body, secrets: signWith, timestamp: delivery.timestamp ?? nowSec(), eventId };
  const signature = signWith.length > 0 ? signatureHeaders(delivery.scheme ?? 'digitalriver', signed, delivery.layout) : {};
  const started = performance.now();
  const response = await request(new URL(delivery.path ?? '', url), {
    method: (delivery.method ?? 'POST') as 'POST',
    headers: { 'content-type': 'application/json', ...signature, ...delivery.headers },
    body: delivery.method === 'GET' ? undefined : (delivery.sendInstead ?? body),
    // Bounded waits: the slowest answer expected (the `slow` fault) comes after 3.5 s.
    headersTimeout: 10_000,
    bodyTimeout: 10_000,
  });
  const text = await response.body.text();
  return { status: response.statusCode, headers: response.headers, text, ms: performance.now() - started };
}

/** Runs `body` against a receiver started with `options` (signatures required by default) and closes it after. */
async function withReceiver(options: Partial<ReceiverOptions>, body: (receiver: RunningReceiver) => Promise<void>): Promise<RunningReceiver> {
  const receiver = await startReceiver({ secrets, ...options });
  try {
    await body(receiver);
  } finally {
    await receiver.close();
  }
  return receiver;
}

function withFault(fault: FaultName, body: (receiver: RunningReceiver) => Promise<void>, options: Partial<ReceiverOptions> = {}): Promise<RunningReceiver> {
  return withReceiver({ fault, ...options }, body);
}

/** A delivery carrying a signature of the current token after one of a retired token the receiver no longer knows. */
const rotated = (): Delivery => ({ signWith: ['tok_test_retired', secrets.test[0]!] });

/** A correctly signed body whose JSON text is far from canonical: escapes, 10.50, 1e2, indentation, keys reversed. */
function unusualJson(): string {
  const reversed = (value: Record<string, unknown>) => Object.fromEntries(Object.entries(value).reverse());
  const shaped = structuredClone(event()) as DrEvent & { data: { object: Record<string, unknown> } };
  const object = reversed({ ...shaped.data.object, metadata: '__RAW__' });
  const text = JSON.stringify(reversed({ ...shaped, data: { object } }), null, 3);
  return text.replace('"__RAW__"', '{ "note": "caf\\u00e9 \\/ d\\u00e9j\\u00e0", "price": 10.50, "count": 1e2 }');
}

/** An order.accepted body of at least 450 KB. */
function largeOrder(): DrEvent {
  for (let itemCount = 800; ; itemCount = Math.ceil(itemCount * 1.5)) {
    const large = event('order.accepted', { itemCount });
    if (JSON.stringify(large).length >= 450 * 1024) return large;
  }
}

function withoutObjectField(base: DrEvent, key: string): DrEvent {
  const object = { ...(base.data.object as Record<string, unknown>) };
  delete object[key];
  return { ...base, data: { ...base.data, object } };
}

async function until(condition: () => boolean, timeoutMs = 2000): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!condition()) {
    if (performance.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe('the reference receiver', { concurrency: true }, () => {
describe('a correct receiver', { concurrency: true }, () => {
  test('acknowledges a valid signed event with 202 at once and processes it once, afterwards', async () => {
    const receiver = await withReceiver({}, async (receiver) => {
      const answer = await deliver(receiver);
      assert.equal(answer.status, 202);
      await until(() => receiver.stats().processed === 1);
    });
    const stats = receiver.stats();
    assert.deepEqual({ ...stats, rejected: undefined }, {
      received: 1, acknowledged: 1, duplicates: 0, distinctEventIds: 1, processed: 1, signaturesVerified: 1, rejected: undefined,
    });
  });

  test('acknowledges a redelivered event id again and processes it only once', async () => {
    const receiver = await withReceiver({}, async (receiver) => {
      const once = event();
      const first = await deliver(receiver, { body: once });
      const concurrent = await Promise.all([deliver(receiver, { body: once, timestamp: nowSec() - 5 }), deliver(receiver, { body: once })]);
      assert.equal(first.status, 202);
      for (const again of concurrent) {
        assert.ok(again.status >= 200 && again.status < 300, `redelivery answered ${again.status}`);
      }
    });
    assert.equal(receiver.stats().processed, 1);
    assert.equal(receiver.stats().duplicates, 2);
    assert.equal(receiver.stats().distinctEventIds, 1);
  });

  test('rejects missing, invalid, tampered, stale and wrong-mode signatures with 401 and a message', async () => {
    const receiver = await withReceiver({}, async (receiver) => {
      const cases: Array<[string, Delivery, RegExp]> = [
        ['missing', { signWith: [] }, /no DigitalRiver-Signature header/],
        ['invalid', { signWith: ['tok_someone_else'] }, /matches/],
        ['tampered', { body: event(), sendInstead: JSON.stringify(event()) }, /matches/],
        ['stale', { timestamp: nowSec() - 3600 }, /s old/],
        ['wrong mode', { body: event('order.accepted', { mode: 'live' }), signWith: secrets.test }, /matches/],
      ];
      for (const [name, delivery, message] of cases) {
        const answer = await deliver(receiver, delivery);
        assert.equal(answer.status, 401, `${name}: answered ${answer.status}`);
        const body = JSON.parse(answer.text) as { error: string; message: string };
        assert.equal(body.error, 'invalid signature', name);
        assert.match(body.message, message, name);
        assert.doesNotMatch(answer.text, /tok_/, `${name}: the answer names no token`);
      }
    });
    assert.equal(receiver.stats().rejected['bad-signature'], 5);
    assert.equal(receiver.stats().processed, 0);
  });

  test('accepts a live event signed with the live token', async () => {
    await withReceiver({}, async (receiver) => {
      assert.equal((await deliver(receiver, { body: event('order.accepted', { mode: 'live' }), signWith: secrets.live })).status, 202);
    });
  });

  test('accepts a rotation header whose second signature is the current one', async () => {
    await withReceiver({}, async (receiver) => {
      assert.equal((await deliver(receiver, rotated())).status, 202);
    });
  });

  test('verifies the signature over the raw bytes, however unusual the JSON text', async () => {
    await withReceiver({}, async (receiver) => {
      const body = unusualJson();
      assert.notEqual(JSON.stringify(JSON.parse(body)), body);
      const answer = await deliver(receiver, { body });
      assert.equal(answer.status, 202, answer.text);
    });
  });

  test('answers 400 naming the field when data.object is malformed', async () => {
    await withReceiver({}, async (receiver) => {
      const base = event();
      const cases: Array<[string, DrEvent, string]> = [
        ['missing id', withoutObjectField(base, 'id'), '/data/object/id'],
        ['null', { ...base, data: { object: null } }, '/data/object'],
        ['array', { ...base, data: { object: [] } }, '/data/object'],
      ];
      for (const [name, malformed, pointer] of cases) {
        const answer = await deliver(receiver, { body: { ...malformed, id: randomUUID() } });
        assert.equal(answer.status, 400, name);
        const body = JSON.parse(answer.text) as { error: string; message: string; violations: Array<{ pointer: string }> };
        assert.equal(body.error, 'invalid data.object', name);
        assert.ok(body.violations.some((v) => v.pointer === pointer), `${name}: ${answer.text}`);
        assert.ok(body.message.includes(pointer), `${name}: the message names ${pointer}`);
      }
    });
  });

  test('answers 400 "body is not JSON" to a signed body that is not JSON', async () => {
    await withReceiver({}, async (receiver) => {
      const answer = await deliver(receiver, { body: '{"id": ' });
      assert.equal(answer.status, 400);
      assert.match(answer.text, /body is not JSON/);
    });
  });

  test('acknowledges unknown event types, extra fields and orders it has never seen', async () => {
    await withReceiver({}, async (receiver) => {
      const unknownType = { ...event(), type: 'drhook.never_heard_of.v9' };
      const ignored = await deliver(receiver, { body: unknownType });
      assert.equal(ignored.status, 202);
      assert.match(ignored.text, /not handled/);

      const extra = event();
      const withExtras = { ...extra, brandNewEnvelopeKey: 1, data: { object: { ...(extra.data.object as object), brandNewObjectKey: { a: 1 } } } };
      assert.equal((await deliver(receiver, { body: withExtras })).status, 202);
      // Every event above is about an order this receiver never saw created.
      assert.equal((await deliver(receiver, { body: event('order.complete') })).status, 202);
    });
  });

  test('acknowledges a 450 KB order', async () => {
    await withReceiver({}, async (receiver) => {
      const answer = await deliver(receiver, { body: largeOrder() });
      assert.equal(answer.status, 202, answer.text);
    });
  });

  test('answers 413 beyond maxBodyBytes, 404 off the webhook path and 405 to other methods', async () => {
    await withReceiver({ maxBodyBytes: 10_000 }, async (receiver) => {
      assert.equal((await deliver(receiver, { body: largeOrder() })).status, 413);
      assert.equal((await deliver(receiver, { path: '/elsewhere' })).status, 404);
      const get = await deliver(receiver, { method: 'GET' });
      assert.equal(get.status, 405);
      assert.equal(get.headers.allow, 'POST');
    });
  });

  test('with basic auth: requires the right credentials (401 with WWW-Authenticate otherwise)', async () => {
    const auth = { kind: 'basic', username: 'dr', password: 'pa:ss wörd' } as const;
    await withReceiver({ auth }, async (receiver) => {
      const basic = (user: string, password: string) => ({ authorization: `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}` });
      const missing = await deliver(receiver);
      assert.equal(missing.status, 401);
      assert.match(String(missing.headers['www-authenticate']), /^Basic /);
      assert.equal((await deliver(receiver, { headers: basic('dr', 'wrong') })).status, 401);
      assert.equal((await deliver(receiver, { headers: basic('dr', 'pa:ss wörd') })).status, 202);
    });
  });

  test('with oauth: grants tokens at /oauth/token and accepts only those', async () => {
    const auth = { kind: 'oauth', clientId: 'drhook-client', clientSecret: 'cs_123', username: 'owner', password: 'pw' } as const;
    await withReceiver({ auth }, async (receiver) => {
      assert.ok(receiver.tokenUrl);
      const token = async (form: Record<string, string>, headers: Record<string, string> = {}) => {
        const response = await request(receiver.tokenUrl!, {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
          body: new URLSearchParams(form).toString(),
        });
        return { status: response.statusCode, body: (await response.body.json()) as Record<string, unknown> };
      };
      const client = await token({ grant_type: 'client_credentials', client_id: 'drhook-client', client_secret: 'cs_123' });
      assert.equal(client.status, 200);
      assert.equal(client.body.token_type, 'Bearer');
      assert.equal(client.body.expires_in, 3600);
      const owner = await token({ grant_type: 'password', client_id: 'drhook-client', client_secret: 'cs_123', username: 'owner', password: 'pw' });
      assert.equal(owner.status, 200);
      const viaBasic = await token({ grant_type: 'client_credentials' }, { authorization: `Basic ${Buffer.from('drhook-client:cs_123').toString('base64')}` });
      assert.equal(viaBasic.status, 200);
      assert.equal((await token({ grant_type: 'client_credentials', client_id: 'drhook-client', client_secret: 'nope' })).status, 401);
      assert.equal((await token({ grant_type: 'authorization_code', client_id: 'drhook-client', client_secret: 'cs_123' })).body.error, 'unsupported_grant_type');
      assert.equal((await token({ grant_type: 'password', client_id: 'drhook-client', client_secret: 'cs_123', username: 'owner', password: 'x' })).status, 400);

      const bearer = (value: unknown) => ({ authorization: `Bearer ${String(value)}` });
      assert.equal((await deliver(receiver, { headers: bearer(client.body.access_token) })).status, 202);
      assert.equal((await deliver(receiver, { headers: bearer(owner.body.access_token) })).status, 202);
      const wrong = await deliver(receiver, { headers: bearer('not-a-token-it-granted') });
      assert.equal(wrong.status, 401);
      assert.match(String(wrong.headers['www-authenticate']), /^Bearer .*invalid_token/);
      assert.equal((await deliver(receiver)).status, 401);
    });
  });

  test('verifies the configured scheme and layout: base64 with ", ", Stripe, Standard Webhooks', async () => {
    const layout = { encoding: 'base64', separator: ', ' } as const;
    await withReceiver({ layout }, async (receiver) => {
      assert.equal((await deliver(receiver, { layout, signWith: ['tok_test_retired', secrets.test[0]!] })).status, 202);
      assert.equal((await deliver(receiver)).status, 401, 'a hex signature does not match a base64 receiver');
    });
    await withReceiver({ scheme: 'stripe' }, async (receiver) => {
      assert.equal((await deliver(receiver, { scheme: 'stripe' })).status, 202);
    });
    await withReceiver({ scheme: 'standard-webhooks', secrets: standard }, async (receiver) => {
      assert.equal((await deliver(receiver, { scheme: 'standard-webhooks', signWith: [retiredStandard, ...standard.test] })).status, 202);
      assert.equal((await deliver(receiver, { scheme: 'standard-webhooks', signWith: [retiredStandard] })).status, 401);
    });
  });

  test('oauth tokens expire after their expires_in', () => {
    let nowMs = 0;
    const tokenEndpoint = createTokenEndpoint({ kind: 'oauth', clientId: 'c', clientSecret: 's', tokenTtlSec: 60 }, () => nowMs);
    const answer = tokenEndpoint.answer('application/x-www-form-urlencoded', Buffer.from('grant_type=client_credentials&client_id=c&client_secret=s'), undefined);
    assert.equal(answer.status, 200);
    const token = answer.status === 200 ? answer.body.access_token : '';
    nowMs = 59_000;
    assert.equal(tokenEndpoint.isValid(token), true);
    nowMs = 60_000;
    assert.equal(tokenEndpoint.isValid(token), false);
  });

  test('without tokens, signatures are not required', async () => {
    await withReceiver({ secrets: { test: [], live: [] } }, async (receiver) => {
      assert.equal((await deliver(receiver, { signWith: [] })).status, 202);
      assert.equal(receiver.stats().signaturesVerified, 0);
    });
  });
});

describe('each fault breaks its check', { concurrency: true }, () => {
  test('the catalogue names every fault once', () => {
    assert.equal(new Set(faultNames).size, faultNames.length);
    assert.ok(faultNames.length >= 18);
  });

  test('slow: answers 2xx only after the 3000 ms deadline', async () => {
    await withFault('slow', async (receiver) => {
      const answer = await deliver(receiver);
      assert.equal(answer.status, 202);
      assert.ok(answer.ms >= 3000, `answered after ${Math.round(answer.ms)} ms`);
    });
  });

  test('redirect: answers 308 (or the chosen status) with a Location elsewhere', async () => {
    await withFault('redirect', async (receiver) => {
      const answer = await deliver(receiver);
      assert.equal(answer.status, 308);
      const location = String(answer.headers.location);
      assert.notEqual(location, receiver.url);
      // A client that followed it (Digital River does not) would have been received there.
      assert.equal((await deliver(location)).status, 202);
    });
    await withFault('redirect', async (receiver) => assert.equal((await deliver(receiver)).status, 302), { redirectStatus: 302 });
  });

  test('error-500: answers 500 to a valid event', async () => {
    await withFault('error-500', async (receiver) => assert.equal((await deliver(receiver)).status, 500));
  });

  test('malformed-500: answers 500 to a malformed data.object', async () => {
    await withFault('malformed-500', async (receiver) => {
      assert.equal((await deliver(receiver, { body: withoutObjectField(event(), 'id') })).status, 500);
    });
  });

  test('emoji-name-500: answers 500 when a name holds an emoji, 202 to other text outside Latin-1', async () => {
    await withFault('emoji-name-500', async (receiver) => {
      const named = (name: string): DrEvent => {
        const base = event();
        const object = structuredClone(base.data.object) as { billTo: { name: string } };
        object.billTo.name = name;
        return { ...base, data: { ...base.data, object } };
      };
      assert.equal((await deliver(receiver, { body: named('Zoë 山田 — שלום') })).status, 202);
      const answer = await deliver(receiver, { body: named('Zoë 👩🏽‍💻') });
      assert.equal(answer.status, 500);
      assert.equal(answer.text, 'Internal Server Error');
    });
  });

  test('malformed-no-message: answers 400 naming no field', async () => {
    await withFault('malformed-no-message', async (receiver) => {
      const answer = await deliver(receiver, { body: withoutObjectField(event(), 'currency') });
      assert.equal(answer.status, 400);
      assert.equal(answer.text, 'Bad Request');
    });
  });

  test('strict-fields: answers 400 to an unknown key', async () => {
    await withFault('strict-fields', async (receiver) => {
      const base = event();
      assert.equal((await deliver(receiver, { body: base })).status, 202);
      const answer = await deliver(receiver, { body: { ...base, id: randomUUID(), data: { object: { ...(base.data.object as object), brandNewKey: true } } } });
      assert.equal(answer.status, 400);
      assert.match(answer.text, /\/data\/object\/brandNewKey/);
    });
  });

  test('unknown-type-500: answers 500 to a type it does not handle', async () => {
    await withFault('unknown-type-500', async (receiver) => {
      assert.equal((await deliver(receiver, { body: { ...event(), type: 'drhook.never_heard_of.v9' } })).status, 500);
    });
  });

  test('skip-signature: accepts an unsigned and a tampered event', async () => {
    await withFault('skip-signature', async (receiver) => {
      assert.equal((await deliver(receiver, { signWith: [] })).status, 202);
      assert.equal((await deliver(receiver, { body: event(), sendInstead: JSON.stringify(event()) })).status, 202);
    });
  });

  test('accept-stale: accepts an hour-old signature, still rejects a wrong one', async () => {
    await withFault('accept-stale', async (receiver) => {
      assert.equal((await deliver(receiver, { timestamp: nowSec() - 3600 })).status, 202);
      assert.equal((await deliver(receiver, { signWith: ['tok_someone_else'] })).status, 401);
    });
  });

  test("any-mode-token: accepts a live event signed with the test token", async () => {
    await withFault('any-mode-token', async (receiver) => {
      assert.equal((await deliver(receiver, { body: event('order.accepted', { mode: 'live' }), signWith: secrets.test })).status, 202);
    });
  });

  test('first-signature-only: rejects a rotation header whose current signature is second', async () => {
    await withFault('first-signature-only', async (receiver) => {
      assert.equal((await deliver(receiver, rotated())).status, 401);
      assert.equal((await deliver(receiver)).status, 202);
    });
    await withFault('first-signature-only', async (receiver) => {
      const delivery: Delivery = { scheme: 'standard-webhooks', signWith: [retiredStandard, ...standard.test] };
      assert.equal((await deliver(receiver, delivery)).status, 401);
    }, { scheme: 'standard-webhooks', secrets: standard });
  });

  test('last-signature-only: rejects a rotation header whose current signature is first', async () => {
    await withFault('last-signature-only', async (receiver) => {
      assert.equal((await deliver(receiver, { signWith: [secrets.test[0]!, 'tok_test_retired'] })).status, 401);
      assert.equal((await deliver(receiver, rotated())).status, 202);
    });
    await withFault('last-signature-only', async (receiver) => {
      const delivery: Delivery = { scheme: 'standard-webhooks', signWith: [...standard.test, retiredStandard] };
      assert.equal((await deliver(receiver, delivery)).status, 401);
    }, { scheme: 'standard-webhooks', secrets: standard });
  });

  test('reserialized-body: rejects a correctly signed body that is not canonical JSON', async () => {
    await withFault('reserialized-body', async (receiver) => {
      assert.equal((await deliver(receiver, { body: unusualJson() })).status, 401);
      assert.equal((await deliver(receiver)).status, 202);
    });
  });

  test('reject-duplicates: answers 409 to a redelivery', async () => {
    await withFault('reject-duplicates', async (receiver) => {
      const once = event();
      assert.equal((await deliver(receiver, { body: once })).status, 202);
      assert.equal((await deliver(receiver, { body: once })).status, 409);
    });
  });

  test('serial-processing: 20 concurrent deliveries take over 1.5 s in all', async () => {
    const receiver = await withFault('serial-processing', async (receiver) => {
      const started = performance.now();
      const answers = await Promise.all(Array.from({ length: 20 }, () => deliver(receiver)));
      const total = performance.now() - started;
      assert.ok(answers.every((answer) => answer.status === 202));
      assert.ok(total > 1500, `took ${Math.round(total)} ms`);
    });
    assert.equal(receiver.stats().processed, 20);
  });

  test('small-body-limit: answers 413 to a 450 KB order', async () => {
    await withFault('small-body-limit', async (receiver) => {
      assert.equal((await deliver(receiver, { body: largeOrder() })).status, 413);
      assert.equal((await deliver(receiver)).status, 202);
    });
  });

  test('skip-auth: accepts a delivery without credentials', async () => {
    await withFault('skip-auth', async (receiver) => assert.equal((await deliver(receiver)).status, 202), {
      auth: { kind: 'basic', username: 'dr', password: 'secret' },
    });
  });

  test('unknown-resource-404: answers 404 "order not found" to an order it never saw created', async () => {
    await withFault('unknown-resource-404', async (receiver) => {
      const answer = await deliver(receiver, { body: event('order.complete') });
      assert.equal(answer.status, 404);
      assert.match(answer.text, /order not found/);
    });
  });

  test('unknown-resource-404: knows the orders it is given, whichever field of the event names them', async () => {
    const known = '240450000336';
    await withFault('unknown-resource-404', async (receiver) => {
      for (const type of ['order.complete', 'order.charge.capture.complete', 'refund.complete', 'fulfillment.created', 'subscription.extended']) {
        const about = event(type);
        setOrderId(about, known);
        assert.equal(orderIdOf(about), known, type);
        assert.equal((await deliver(receiver, { body: about })).status, 202, `${type} about a known order`);
        const unknown = await deliver(receiver, { body: event(type) });
        assert.equal(unknown.status, 404, `${type} about an unknown order`);
        assert.match(unknown.text, new RegExp(`"orderId":"${orderIdOf(event(type))}"`));
      }
      // Events about no order at all are not its business.
      assert.equal((await deliver(receiver, { body: event('subscription.created') })).status, 202);
    }, { knownOrderIds: [known] });
  });
});

describe('the fields a scenario requires', () => {
  test('a missing or null required field is a 400 naming it, once even when the schema names it too', async () => {
    await withReceiver({ requires: { 'order.accepted': ['/email', '/id'] } }, async (receiver) => {
      const missing = await deliver(receiver, { body: withoutObjectField(event(), 'email') });
      assert.equal(missing.status, 400);
      assert.deepEqual((JSON.parse(missing.text) as { violations: unknown[] }).violations, [{ pointer: '/data/object/email', message: 'is required' }]);
      const noId = JSON.parse((await deliver(receiver, { body: withoutObjectField(event(), 'id') })).text) as { violations: Array<{ pointer: string }> };
      assert.deepEqual(noId.violations.map((violation) => violation.pointer), ['/data/object/id']);
      assert.equal((await deliver(receiver)).status, 202);
      assert.equal((await deliver(receiver, { body: withoutObjectField(event('order.complete'), 'email') })).status, 202, 'only the listed type requires it');
    });
    await withReceiver({}, async (receiver) => {
      assert.equal((await deliver(receiver, { body: withoutObjectField(event(), 'email') })).status, 202, 'the schema alone does not require it');
    });
  });
});

describe('drhook serve', { concurrency: true }, () => {
  const cli = fileURLToPath(new URL('../src/cli.js', import.meta.url));

  test('--list-faults lists every fault with the check it breaks', async () => {
    const result = await runCli(['serve', '--list-faults']);
    assert.equal(result.code, 0);
    for (const name of faultNames) assert.match(result.stdout, new RegExp(`^${name} `, 'm'));
    assert.match(result.stdout, /signature\.rotation/);
  });

  test('an unknown fault is a usage error on one line that points to --list-faults', async () => {
    const result = await runCli(['serve', '--fault', 'slo']);
    assert.equal(result.code, 2);
    assert.match(result.stderr, /unknown fault 'slo' \(did you mean 'slow'\?\): drhook serve --list-faults lists them/);
    assert.equal(result.stderr.trim().split('\n').length, 1, result.stderr);
  });

  test('bad flags exit 2 with one line', async () => {
    const cases = [['--auth', 'basic'], ['--port', '70000'], ['--redirect-status', '308'], ['--fault', 'slow', '--redirect-status', '301']];
    const results = await Promise.all(cases.map((args) => runCli(['serve', ...args])));
    results.forEach((result, i) => {
      assert.equal(result.code, 2, cases[i]!.join(' '));
      assert.equal(result.stderr.trim().split('\n').length, 1, result.stderr);
    });
  });

  test('serves until SIGTERM, logs one line per request and never prints a secret', async () => {
    const child = spawn(process.execPath, [cli, 'serve', '--port', '0', '--auth', 'basic', '--username', 'dr'], {
      env: { ...process.env, NO_COLOR: '1', DRHOOK_TEST_SECRET: secrets.test[0]!, DRHOOK_PASSWORD: 'pw-s3cret' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const url = await new Promise<string>((resolve, reject) => {
      child.stdout.on('data', (chunk: Buffer) => {
        stdout += chunk.toString();
        const found = /(http:\/\/\S+\/webhooks\/digitalriver)/.exec(stdout);
        if (found?.[1]) resolve(found[1]);
      });
      child.on('exit', () => reject(new Error(`serve exited early: ${stderr}`)));
    });
    const authorization = `Basic ${Buffer.from('dr:pw-s3cret').toString('base64')}`;
    const sent = event();
    assert.equal((await deliver(url, { body: sent, headers: { authorization } })).status, 202);
    assert.equal((await deliver(url, { signWith: [], headers: { authorization } })).status, 401);
    await until(() => stdout.includes(' 401 '));
    const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
    child.kill('SIGTERM');
    assert.equal(await exited, 0);
    const lines = stdout.trim().split('\n');
    assert.equal(lines.length, 3, stdout);
    assert.match(lines[1]!, new RegExp(`order\\.accepted ${sent.id} 202 accepted`));
    assert.match(stderr, /stopped \(SIGTERM\): 2 received, 1 acknowledged, 1 processed/);
    for (const secret of [secrets.test[0]!, 'pw-s3cret', Buffer.from('dr:pw-s3cret').toString('base64')]) {
      assert.ok(!stdout.includes(secret) && !stderr.includes(secret), 'a secret was printed');
    }
  });
});
});

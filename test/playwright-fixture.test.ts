// The `webhook` fixture's client and matchers against the reference receiver: each fault is the contract's, each verdict Digital River's.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { ExpectMatcherState } from '@playwright/test';
import { UsageError } from '../src/base/errors.js';
import type { DeliveryOutcome } from '../src/wire/outcome.js';
import { webhookMatchers } from '../src/playwright/matchers.js';
import { createWebhook, type SendOptions, type WebhookClient, type WebhookFault } from '../src/playwright/webhook.js';
import type { WebhookConfig } from '../src/playwright/config.js';
import { startReceiver, type RunningReceiver } from '../src/receiver/server.js';

const secrets = { test: ['tok_fixture_test_2b7c'], live: ['tok_fixture_live_6e1a'] };
const auth = { kind: 'basic', username: 'drhook', password: 'PASS-fixture-99' } as const;

function config(url: string, overrides: Partial<WebhookConfig> = {}): WebhookConfig {
  return { url, secrets, auth, deadlineMs: undefined, toleranceSec: undefined, scheme: undefined, signatureLayout: undefined, headers: undefined, scenario: undefined, ...overrides };
}

const state = { isNot: false } as ExpectMatcherState;
const negated = { isNot: true } as ExpectMatcherState;

let receiver: RunningReceiver;
let webhook: WebhookClient;
before(async () => {
  receiver = await startReceiver({ secrets, auth });
  webhook = createWebhook(config(receiver.url));
});
after(async () => {
  await webhook.close();
  await receiver.close();
});

describe('webhook.send against the correct reference receiver', () => {
  test('a valid event is signed, authenticated, acknowledged, and recorded with its credentials masked', async () => {
    const delivery = await webhook.send('order.accepted', { seed: 11 });
    assert.equal(delivery.outcome.kind === 'response' && delivery.outcome.status, 202);
    assert.equal(delivery.fault, 'valid event');
    assert.equal(delivery.deadlineMs, 3000);
    assert.equal(delivery.event.type, 'order.accepted');
    assert.equal(delivery.event.liveMode, false);
    assert.equal(delivery.request.headers['Authorization'], 'Basic [redacted]');
    assert.match(delivery.request.headers['DigitalRiver-Signature'] ?? '', /^t=\d+,v0=[0-9a-f]{64}$/);
    assert.ok(!JSON.stringify(delivery).includes(secrets.test[0]!));
    assert.equal(webhookMatchers.toBeAcknowledged.call(state, delivery).pass, true);
    assert.equal(webhook.deliveries.at(-1), delivery);
  });

  const rejected: Array<[WebhookFault, RegExp]> = [
    ['missing-signature', /no signature header/],
    ['invalid-signature', /signed with an unknown token/],
    ['tampered', /body changed after signing/],
    ['stale-signature', /signed 360 s ago, beyond the 300 s tolerance/],
    ['wrong-mode-signature', /live event signed with the test token/],
    ['no-credentials', /no Authorization header/],
    ['wrong-credentials', /the wrong password for drhook/],
  ];
  for (const [fault, words] of rejected) {
    test(`${fault} is the contract's fault, and the receiver refuses it`, async () => {
      const delivery = await webhook.send('order.accepted', { fault });
      assert.match(delivery.fault, words);
      assert.equal(webhookMatchers.toBeRejectedWith.call(state, delivery, 401).pass, true, JSON.stringify(delivery.outcome));
      assert.equal(webhookMatchers.toBeAcknowledged.call(state, delivery).pass, false);
    });
  }

  const accepted: Array<[WebhookFault, SendOptions['mode']]> = [
    ['rotated-signature', 'test'],
    ['extra-fields', 'test'],
    ['large-order', 'test'],
    ['raw-indented', 'test'],
    ['raw-escaped-slashes', 'live'],
  ];
  for (const [fault, mode] of accepted) {
    test(`${fault} (${mode}) is a valid delivery the receiver acknowledges`, async () => {
      const delivery = await webhook.send('order.accepted', { fault, mode });
      assert.equal(delivery.event.liveMode, mode === 'live');
      assert.equal(webhookMatchers.toBeAcknowledged.call(state, delivery).pass, true, JSON.stringify(delivery.outcome));
    });
  }

  test('a malformed field is answered 400 naming it; a malformed data.object too', async () => {
    const currency = await webhook.send('order.accepted', { malform: { pointer: '/currency', fault: 'missing' } });
    assert.equal(currency.fault, 'data.object.currency: missing');
    assert.equal(currency.event.data.object && 'currency' in (currency.event.data.object as object), false);
    assert.equal(webhookMatchers.toBeRejectedWith.call(state, currency, 400, /currency/).pass, true);
    assert.equal(webhookMatchers.toBeRejectedWith.call(state, currency, 400, 'currency').pass, true);
    const mismatch = webhookMatchers.toBeRejectedWith.call(state, currency, 400, /shipping address/);
    assert.equal(mismatch.pass, false);
    assert.match(mismatch.message(), /^expected the delivery to be rejected with 400 with a body matching \/shipping address\/: the body does not match/);
    const object = await webhook.send('refund.complete', { malform: { pointer: '', fault: 'array' } });
    assert.equal(object.fault, 'data.object: an array instead of an object');
    assert.equal(webhookMatchers.toBeRejectedWith.call(state, object, [400, 422], /data\.object/).pass, true);
  });

  test('an event given as it is is sent validly signed', async () => {
    const event = webhook.event('order.accepted', { seed: 3 });
    (event.data.object as { currency: string }).currency = 'EUR';
    const delivery = await webhook.send(event);
    assert.equal(delivery.event, event);
    assert.equal(webhookMatchers.toBeAcknowledged.call(state, delivery).pass, true);
  });

  test('the same seed sends the same event; no seed sends a new one each time', async () => {
    const [a, b, c] = [await webhook.send('order.complete', { seed: 5 }), await webhook.send('order.complete', { seed: 5 }), await webhook.send('order.complete')];
    assert.equal(a.event.id, b.event.id);
    assert.notEqual(a.event.id, c.event.id);
  });
});

describe('webhook.send refuses what it cannot send, in one line', () => {
  const refused: Array<[string, () => Promise<unknown>, RegExp]> = [
    ['an unknown type', () => webhook.send('order.teleported'), /order\.teleported/],
    ['an unknown fault', () => webhook.send('order.accepted', { fault: 'bogus' as WebhookFault }), /unknown fault 'bogus'; faults: missing-signature, /],
    ['fault and malform together', () => webhook.send('order.accepted', { fault: 'tampered', malform: { pointer: '/id', fault: 'null' } }), /give fault or malform, not both/],
    ['a malformation the field does not have', () => webhook.send('order.accepted', { malform: { pointer: '/id', fault: 'not-in-enum' } }), /has no such case; for this type there is: .*id-missing/],
    ['a pointer that is not one', () => webhook.send('order.accepted', { malform: { pointer: 'currency', fault: 'null' } }), /must be a JSON pointer/],
    ['a large order of a type without items', () => webhook.send('customer.created', { fault: 'large-order' }), /has no such case: no subscribed event type carries items/],
  ];
  for (const [what, send, message] of refused) {
    test(what, async () => {
      await assert.rejects(send, (error: unknown) => error instanceof UsageError && message.test(error.message) && !error.message.includes('\n'));
    });
  }

  test('a signature fault without the token of its mode, and an auth fault without auth', async () => {
    const unsigned = createWebhook(config(receiver.url, { secrets: { test: secrets.test }, auth: undefined }));
    try {
      await assert.rejects(unsigned.send('order.accepted', { fault: 'wrong-mode-signature' }), /needs a live-mode signing token \(webhookSecrets\.live or DRHOOK_LIVE_SECRET\)/);
      await assert.rejects(unsigned.send('order.accepted', { fault: 'no-credentials' }), /needs authentication to get wrong/);
    } finally {
      await unsigned.close();
    }
  });

  test('no URL: it says where to set one', async () => {
    const nowhere = createWebhook(config(undefined as unknown as string));
    await assert.rejects(nowhere.send('order.accepted'), /no receiver URL: set webhookUrl in the `use` section of playwright\.config\.ts, or the DRHOOK_URL environment variable/);
    await nowhere.close();
  });
});

describe('the matchers', () => {
  const response = (status: number, durationMs: number, body = ''): DeliveryOutcome => ({ kind: 'response', status, headers: status === 308 ? { location: '/elsewhere' } : {}, body: { text: body, bytes: body.length, truncated: false }, durationMs, headersMs: durationMs });

  test('toBeAcknowledged: a 2xx within the deadline; a slow 2xx, a redirect, a timeout and an error are not', () => {
    assert.equal(webhookMatchers.toBeAcknowledged.call(state, response(204, 2999)).pass, true);
    for (const [outcome, reason] of [
      [response(200, 3001), /only after 3001 ms/],
      [response(308, 5), /redirected \(308\) to \/elsewhere/],
      [{ kind: 'timeout', deadlineMs: 3000, durationMs: 3000, phase: 'headers' }, /no complete response within 3000 ms/],
      [{ kind: 'error', cause: 'connection-refused', message: 'connection refused by 127.0.0.1:9', durationMs: 1 }, /not delivered: connection refused/],
    ] as Array<[DeliveryOutcome, RegExp]>) {
      const result = webhookMatchers.toBeAcknowledged.call(state, outcome);
      assert.equal(result.pass, false);
      assert.match(result.message(), /^expected the delivery to be acknowledged, but it was not: /);
      assert.match(result.message(), reason);
    }
    assert.match(webhookMatchers.toBeAcknowledged.call(negated, response(202, 3)).message(), /^expected the delivery not to be acknowledged, but it was: acknowledged: answered 202/);
  });

  test('toBeRejectedWith: the status (one or several), within the deadline, and the body when asked', () => {
    const invalid = response(400, 12, '{"error":"invalid data.object","message":"/data/object/currency must be string"}');
    assert.equal(webhookMatchers.toBeRejectedWith.call(state, invalid, 400).pass, true);
    assert.equal(webhookMatchers.toBeRejectedWith.call(state, invalid, [401, 403]).pass, false);
    assert.equal(webhookMatchers.toBeRejectedWith.call(state, response(400, 3500), 400).pass, false, 'a rejection after the deadline is a timeout to Digital River');
    assert.equal(webhookMatchers.toBeRejectedWith.call(state, invalid, 400, /CURRENCY/i).pass, true);
    const result = webhookMatchers.toBeRejectedWith.call(state, response(202, 3, 'ok'), 400, /currency/);
    assert.match(result.message(), /^expected the delivery to be rejected with 400 with a body matching \/currency\/: answered 202 in 3 ms; expected 400/);
    assert.match(result.message(), /\nBody: ok$/);
  });

  test('anything but a delivery or an outcome fails with a message saying what was expected', () => {
    const result = webhookMatchers.toBeAcknowledged.call(state, { status: 200 } as unknown as DeliveryOutcome);
    assert.equal(result.pass, false);
    assert.match(result.message(), /expected what webhook\.send returned \(or its outcome\), got \{"status":200\}/);
  });
});

test('against a receiver with the accept-stale fault, the stale signature gets through: the fault is real', async () => {
  const faulty = await startReceiver({ secrets, auth, fault: 'accept-stale' });
  const client = createWebhook(config(faulty.url));
  try {
    const delivery = await client.send('order.accepted', { fault: 'stale-signature' });
    assert.equal(webhookMatchers.toBeRejectedWith.call(state, delivery, 401).pass, false);
    assert.equal(webhookMatchers.toBeAcknowledged.call(state, delivery).pass, true);
  } finally {
    await client.close();
    await faulty.close();
  }
});

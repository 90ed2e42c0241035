// Signatures checked against the documented formula and the official Stripe and Standard Webhooks verifiers; secrets and redaction.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Command } from 'commander';
import Stripe from 'stripe';
import { Webhook } from 'standardwebhooks';
import { UsageError } from '../src/base/errors.js';
import { createRedactor, redactHeaders } from '../src/wire/redact.js';
import { addSecretOptions } from '../src/commands/options.js';
import { requireSecretsFor, resolveSecrets, secretsFor, type SecretFlags } from '../src/wire/secrets.js';
import { createSigner, describeLayout, signatureHeaders, verifySignature, type SchemeName } from '../src/wire/signing.js';

const body = Buffer.from('{"id":"3f0c2f4e-8a49-4c59-9b3c-0c1f5d0c7a11","type":"order.accepted","data":{"object":{"id":"240"}},"liveMode":false}');
const t = 1_700_000_000;
const token = 'dr_test_token_newest';
const oldToken = 'dr_test_token_older';
const whsec = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
const whsecOld = 'whsec_' + Buffer.from('an older standard webhooks key').toString('base64');
const now = () => Math.floor(Date.now() / 1000);

function hmac(key: string | Buffer, payload: Buffer, encoding: 'hex' | 'base64'): string {
  return createHmac('sha256', key).update(payload).digest(encoding);
}
const drPayload = (timestamp: number, raw: Buffer) => Buffer.concat([Buffer.from(`${timestamp}.`), raw]);

test('digitalriver: hex HMAC-SHA256 of "t.body" keyed with the token', () => {
  const headers = signatureHeaders('digitalriver', { body, secrets: [token], timestamp: t, eventId: 'ignored' });
  assert.deepEqual(headers, { 'DigitalRiver-Signature': `t=${t},v0=${hmac(token, drPayload(t, body), 'hex')}` });
});

test('digitalriver: base64 encoding on request', () => {
  const headers = signatureHeaders('digitalriver', { body, secrets: [token], timestamp: t, eventId: '' }, { encoding: 'base64' });
  assert.equal(headers['DigitalRiver-Signature'], `t=${t},v0=${hmac(token, drPayload(t, body), 'base64')}`);
});

test('digitalriver: one v0 per active token, newest first, with either separator', () => {
  const expected = [token, oldToken].map((key) => hmac(key, drPayload(t, body), 'hex'));
  const comma = signatureHeaders('digitalriver', { body, secrets: [token, oldToken], timestamp: t, eventId: '' });
  assert.equal(comma['DigitalRiver-Signature'], `t=${t},v0=${expected[0]},v0=${expected[1]}`);
  const spaced = signatureHeaders('digitalriver', { body, secrets: [token, oldToken], timestamp: t, eventId: '' }, { separator: ', ' });
  assert.equal(spaced['DigitalRiver-Signature'], `t=${t}, v0=${expected[0]}, v0=${expected[1]}`);
});

test('a string body is signed as its UTF-8 bytes, the same as the Buffer', () => {
  const fromString = signatureHeaders('digitalriver', { body: body.toString('utf8'), secrets: [token], timestamp: t, eventId: '' });
  const fromBuffer = createSigner('digitalriver', [token])(body, t, '');
  assert.deepEqual(fromString, fromBuffer);
});

test('body bytes with unicode escapes are signed exactly as given, never re-serialized', () => {
  const escaped = Buffer.from('{"name":"Caf\\u00e9 \\u2603","note":"é"}');
  const signed = signatureHeaders('digitalriver', { body: escaped, secrets: [token], timestamp: t, eventId: '' })['DigitalRiver-Signature'];
  assert.equal(signed, `t=${t},v0=${hmac(token, drPayload(t, escaped), 'hex')}`);
  const reserialized = Buffer.from(JSON.stringify(JSON.parse(escaped.toString('utf8'))));
  assert.notDeepEqual(reserialized, escaped);
  assert.notEqual(signed, `t=${t},v0=${hmac(token, drPayload(t, reserialized), 'hex')}`);
});

test('stripe: the official library accepts the header, for every rotated secret, whatever layout is asked for', () => {
  const stripe = new Stripe('sk_test_x');
  const secrets = ['whsec_stripe_newest', 'whsec_stripe_older'];
  const timestamp = now();
  const headers = signatureHeaders('stripe', { body, secrets, timestamp, eventId: '' }, { encoding: 'base64', separator: ', ' });
  const value = headers['Stripe-Signature'];
  assert.ok(value);
  assert.match(value, new RegExp(`^t=${timestamp},v1=[0-9a-f]{64},v1=[0-9a-f]{64}$`));
  for (const secret of secrets) {
    const event = stripe.webhooks.constructEvent(body, value, secret);
    assert.equal(event.id, '3f0c2f4e-8a49-4c59-9b3c-0c1f5d0c7a11');
  }
  assert.throws(() => stripe.webhooks.constructEvent(body, value, 'whsec_other'), /No signatures found/);
});

test('standard-webhooks: the official library accepts the headers, for every rotated secret', () => {
  const timestamp = now();
  const headers = signatureHeaders('standard-webhooks', { body, secrets: [whsec, whsecOld], timestamp, eventId: 'msg_1' });
  assert.equal(headers['webhook-id'], 'msg_1');
  assert.equal(headers['webhook-timestamp'], String(timestamp));
  assert.match(headers['webhook-signature'] ?? '', /^v1,[A-Za-z0-9+/]{43}= v1,[A-Za-z0-9+/]{43}=$/);
  for (const secret of [whsec, whsecOld]) {
    assert.deepEqual(new Webhook(secret).verify(body, headers), JSON.parse(body.toString('utf8')));
  }
  const key = Buffer.from(whsec.slice('whsec_'.length), 'base64');
  const expected = hmac(key, Buffer.concat([Buffer.from(`msg_1.${timestamp}.`), body]), 'base64');
  assert.equal(headers['webhook-signature']?.split(' ')[0], `v1,${expected}`);
  assert.throws(() => new Webhook(whsec).verify(body, { ...headers, 'webhook-id': 'msg_2' }), /No matching signature/);
});

test('standard-webhooks: a secret that is not whsec_<base64> is refused without showing it', () => {
  assert.throws(
    () => createSigner('standard-webhooks', ['whsec_not*base64!']),
    (error: unknown) => error instanceof UsageError && /secret #1/.test(error.message) && !error.message.includes('not*base64'),
  );
});

test('no secrets, or a timestamp that is not whole seconds, cannot sign', () => {
  assert.throws(() => createSigner('digitalriver', []), UsageError);
  assert.throws(() => createSigner('digitalriver', [token])(body, 1.5, ''), RangeError);
});

function lowerCase(headers: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).map(([name, value]) => [name.toLowerCase(), value]));
}

const goodCases: Array<{ scheme: SchemeName; secrets: string[]; layout?: { encoding?: 'hex' | 'base64'; separator?: ',' | ', ' } }> = [
  { scheme: 'digitalriver', secrets: [token] },
  { scheme: 'digitalriver', secrets: [token], layout: { encoding: 'base64', separator: ', ' } },
  { scheme: 'stripe', secrets: ['whsec_stripe'] },
  { scheme: 'standard-webhooks', secrets: [whsec] },
];

for (const { scheme, secrets, layout } of goodCases) {
  test(`verifySignature accepts a good ${scheme} signature ${JSON.stringify(layout ?? {})}`, () => {
    const headers = lowerCase(signatureHeaders(scheme, { body, secrets, timestamp: t, eventId: 'evt_9' }, layout));
    const result = verifySignature(scheme, headers, body, { secrets, toleranceSec: 300, nowSec: t + 299, layout });
    assert.deepEqual(result, { ok: true, matchedSecretIndex: 0 });
  });
}

test('verifySignature: digitalriver accepts either separator whatever layout it is configured with', () => {
  const spaced = lowerCase(signatureHeaders('digitalriver', { body, secrets: [token], timestamp: t, eventId: '' }, { separator: ', ' }));
  assert.deepEqual(verifySignature('digitalriver', spaced, body, { secrets: [token], toleranceSec: 300, nowSec: t }), { ok: true, matchedSecretIndex: 0 });
});

test('verifySignature: a rotation matches whichever token the receiver still holds', () => {
  const headers = lowerCase(signatureHeaders('digitalriver', { body, secrets: [token, oldToken], timestamp: t, eventId: '' }));
  const options = { toleranceSec: 300, nowSec: t };
  assert.deepEqual(verifySignature('digitalriver', headers, body, { ...options, secrets: [oldToken] }), { ok: true, matchedSecretIndex: 0 });
  assert.deepEqual(verifySignature('digitalriver', headers, body, { ...options, secrets: ['unrelated', oldToken] }), { ok: true, matchedSecretIndex: 1 });
  const stdHeaders = lowerCase(signatureHeaders('standard-webhooks', { body, secrets: [whsec], timestamp: t, eventId: 'm' }));
  assert.deepEqual(verifySignature('standard-webhooks', stdHeaders, body, { ...options, secrets: [whsecOld, whsec] }), { ok: true, matchedSecretIndex: 1 });
});

function rejected(result: ReturnType<typeof verifySignature>, reason: string, message: RegExp): void {
  assert.equal(result.ok, false);
  if (result.ok) return;
  assert.equal(result.reason, reason);
  assert.match(result.message, message);
  for (const secret of [token, oldToken, whsec]) assert.ok(!result.message.includes(secret), 'message must not contain a secret');
}

test('verifySignature rejects missing and malformed headers with reasons', () => {
  const options = { secrets: [token], toleranceSec: 300, nowSec: t };
  const sig = hmac(token, drPayload(t, body), 'hex');
  rejected(verifySignature('digitalriver', {}, body, options), 'missing', /no DigitalRiver-Signature header/);
  rejected(verifySignature('digitalriver', { 'digitalriver-signature': '' }, body, options), 'missing', /DigitalRiver-Signature/);
  rejected(verifySignature('digitalriver', { 'digitalriver-signature': `v0=${sig}` }, body, options), 'malformed', /no t=/);
  rejected(verifySignature('digitalriver', { 'digitalriver-signature': `t=${t}` }, body, options), 'malformed', /no v0=/);
  rejected(verifySignature('digitalriver', { 'digitalriver-signature': `t=soon,v0=${sig}` }, body, options), 'malformed', /not unix seconds/);
  rejected(verifySignature('digitalriver', { 'digitalriver-signature': `t=${t},t=${t},v0=${sig}` }, body, options), 'malformed', /more than one t=/);
  const std = lowerCase(signatureHeaders('standard-webhooks', { body, secrets: [whsec], timestamp: t, eventId: 'm' }));
  const stdOptions = { ...options, secrets: [whsec] };
  rejected(verifySignature('standard-webhooks', { ...std, 'webhook-signature': undefined }, body, stdOptions), 'missing', /webhook-signature/);
  rejected(verifySignature('standard-webhooks', { ...std, 'webhook-id': undefined }, body, stdOptions), 'malformed', /no webhook-id/);
  rejected(verifySignature('standard-webhooks', { ...std, 'webhook-timestamp': undefined }, body, stdOptions), 'malformed', /no webhook-timestamp/);
  rejected(verifySignature('standard-webhooks', { ...std, 'webhook-signature': 'v1a,abc' }, body, stdOptions), 'malformed', /no v1,/);
});

test('verifySignature rejects a tampered body, a wrong secret and the wrong encoding as mismatches', () => {
  const options = { secrets: [token], toleranceSec: 300, nowSec: t };
  const headers = lowerCase(signatureHeaders('digitalriver', { body, secrets: [token], timestamp: t, eventId: '' }));
  const tampered = Buffer.from(body.toString('utf8').replace('"240"', '"241"'));
  rejected(verifySignature('digitalriver', headers, tampered, options), 'mismatch', /no v0 signature \(hex\) matches the token/);
  rejected(verifySignature('digitalriver', headers, body, { ...options, secrets: ['wrong', 'also wrong'] }), 'mismatch', /any of the 2 tokens/);
  rejected(verifySignature('digitalriver', headers, body, { ...options, layout: { encoding: 'base64' } }), 'mismatch', /base64/);
  const forged = { 'digitalriver-signature': headers['digitalriver-signature']!.replace(`t=${t}`, `t=${t + 1}`) };
  rejected(verifySignature('digitalriver', forged, body, options), 'mismatch', /timestamp/);
  for (const scheme of ['stripe', 'standard-webhooks'] as const) {
    const secrets = [whsec];
    const signed = lowerCase(signatureHeaders(scheme, { body, secrets, timestamp: t, eventId: 'm' }));
    rejected(verifySignature(scheme, signed, tampered, { ...options, secrets }), 'mismatch', /no v1 signature/);
  }
});

test('verifySignature rejects a genuine signature whose timestamp is too old or too far ahead as stale', () => {
  const headers = lowerCase(signatureHeaders('digitalriver', { body, secrets: [token], timestamp: t, eventId: '' }));
  rejected(verifySignature('digitalriver', headers, body, { secrets: [token], toleranceSec: 300, nowSec: t + 301 }), 'stale', /301 s old \(tolerance 300 s\)/);
  rejected(verifySignature('digitalriver', headers, body, { secrets: [token], toleranceSec: 300, nowSec: t - 301 }), 'stale', /301 s in the future/);
});

test('describeLayout names the header grammar, encoding and signed payload', () => {
  assert.equal(describeLayout('digitalriver', {}), 'digitalriver: DigitalRiver-Signature: t=<unix>,v0=<hex HMAC-SHA256 of "t.body">');
  assert.equal(
    describeLayout('digitalriver', { encoding: 'base64', separator: ', ' }),
    'digitalriver: DigitalRiver-Signature: t=<unix>, v0=<base64 HMAC-SHA256 of "t.body">',
  );
  assert.equal(describeLayout('stripe', { encoding: 'base64' }), 'stripe: Stripe-Signature: t=<unix>,v1=<hex HMAC-SHA256 of "t.body">');
  assert.equal(
    describeLayout('standard-webhooks', {}),
    'standard-webhooks: webhook-id: <id>, webhook-timestamp: <unix>, webhook-signature: v1,<base64 HMAC-SHA256 of "id.t.body">',
  );
});

test('the redactor masks each secret and its base64 and whsec_ key forms', () => {
  const redact = createRedactor([token, whsec, '']);
  const text = `token=${token} b64=${Buffer.from(token).toString('base64')} std=${whsec} key=${whsec.slice(6)} keep=v0=abc`;
  assert.equal(redact(text), 'token=[redacted] b64=[redacted] std=[redacted] key=[redacted] keep=v0=abc');
  assert.equal(createRedactor([])('nothing to hide'), 'nothing to hide');
});

test('redactHeaders masks credentials, keeps the scheme word and keeps signatures', () => {
  const signature = `t=${t},v0=abc`;
  assert.deepEqual(
    redactHeaders({ Authorization: 'Bearer eyJ.secret.jwt', 'proxy-authorization': 'Basic dXNlcjpwYXNz', 'digitalriver-signature': signature }),
    { Authorization: 'Bearer [redacted]', 'proxy-authorization': 'Basic [redacted]', 'digitalriver-signature': signature },
  );
  assert.deepEqual(redactHeaders({ authorization: ['opaque-token'], accept: undefined }), { authorization: ['[redacted]'], accept: undefined });
});

test('resolveSecrets: flags win over the token file, which wins over the environment, per mode', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'drhook-secrets-'));
  const testFile = path.join(dir, 'test-tokens');
  const liveFile = path.join(dir, 'live-tokens');
  writeFileSync(testFile, '# newest first\r\nfile_new_token\r\n\r\nfile_old_token\r\n');
  writeFileSync(liveFile, 'live_from_file\n');
  const env = { DRHOOK_TEST_SECRET: 'env_test_token', DRHOOK_LIVE_SECRET: 'env_live_token' };
  assert.deepEqual(resolveSecrets({ secret: ['flag_a_token', 'flag_b_token'], secretFile: testFile, liveSecretFile: liveFile }, env), {
    test: ['flag_a_token', 'flag_b_token'],
    live: ['live_from_file'],
  });
  assert.deepEqual(resolveSecrets({ secretFile: testFile }, env), { test: ['file_new_token', 'file_old_token'], live: ['env_live_token'] });
  assert.deepEqual(resolveSecrets({}, env), { test: ['env_test_token'], live: ['env_live_token'] });
  assert.deepEqual(resolveSecrets({}, {}), { test: [], live: [] });
  assert.deepEqual(secretsFor(resolveSecrets({ liveSecret: ['live_flag_token'] }, {}), 'live'), ['live_flag_token']);
});

test('resolveSecrets refuses unreadable or empty token files and empty tokens', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'drhook-secrets-'));
  const empty = path.join(dir, 'empty');
  writeFileSync(empty, '\n# only a comment\n');
  assert.throws(() => resolveSecrets({ secretFile: path.join(dir, 'absent') }, {}), /cannot read --secret-file .*ENOENT/);
  assert.throws(() => resolveSecrets({ liveSecretFile: empty }, {}), /--live-secret-file .* holds no secret/);
  assert.throws(() => resolveSecrets({ secret: [' '] }, {}), UsageError);
});

test('resolveSecrets refuses a token shorter than 8 characters from any source, naming the source', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'drhook-secrets-'));
  const file = path.join(dir, 'tokens');
  writeFileSync(file, 'long-enough-token\nshort\n');
  const why = /a secret shorter than 8 characters is refused: drhook cannot keep so short a value out of its output/;
  assert.throws(() => resolveSecrets({ secret: ['1234567'] }, {}), new RegExp(`: --secret: ${why.source}`));
  assert.throws(() => resolveSecrets({ secretFile: file }, {}), new RegExp(`: --secret-file ${file}: ${why.source}`));
  assert.throws(() => resolveSecrets({}, { DRHOOK_LIVE_SECRET: 'tiny' }), new RegExp(`: DRHOOK_LIVE_SECRET: ${why.source}`));
  assert.deepEqual(resolveSecrets({ secret: ['12345678'] }, {}).test, ['12345678']);
});

test('requireSecretsFor says how to provide a missing token', () => {
  assert.throws(
    () => requireSecretsFor({ test: [], live: ['x'] }, 'test'),
    { message: 'no signing token for test mode: pass --secret, set DRHOOK_TEST_SECRET or use --secret-file' },
  );
  assert.deepEqual(requireSecretsFor({ test: [], live: ['x'] }, 'live'), ['x']);
});

test('addSecretOptions collects repeated flags in order', () => {
  const command = addSecretOptions(new Command('x').exitOverride());
  command.parse(['--secret', 'a', '--secret', 'b', '--live-secret', 'c', '--secret-file', 'f'], { from: 'user' });
  assert.deepEqual(command.opts<SecretFlags>(), { secret: ['a', 'b'], liveSecret: ['c'], secretFile: 'f' });
});

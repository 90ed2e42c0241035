// `drhook sign` end to end: printed headers verify with the official libraries; usage errors exit 2 and never show a secret.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Stripe from 'stripe';
import { Webhook } from 'standardwebhooks';
import { runCli, type CliResult } from './helpers/http.js';
import { verifySignature } from '../src/wire/signing.js';

const body = '{"id":"5b1c0f7e-0d7a-4f3e-9a52-8f4f7d2a6c10","type":"order.accepted","data":{"object":{"id":"240","note":"Caf\\u00e9"}}}';
const drToken = 'dr_cli_test_token_123';
const liveToken = 'dr_cli_live_token_456';
const stripeSecret = 'whsec_cli_stripe_secret';
const stdSecret = 'whsec_' + Buffer.from('cli standard webhooks key material').toString('base64');
const noEnvSecrets = { DRHOOK_TEST_SECRET: '', DRHOOK_LIVE_SECRET: '' };

// Every CLI result, checked at the end for any trace of a secret.
const results: CliResult[] = [];
async function sign(args: string[], options: { env?: Record<string, string>; input?: string } = {}): Promise<CliResult> {
  const result = await runCli(['sign', ...args], { input: body, ...options, env: { ...noEnvSecrets, ...options.env } });
  results.push(result);
  return result;
}

/** `Name: value` lines → a header object with lower-case names, as a receiver sees them. */
function parseLines(stdout: string): Record<string, string> {
  const lines = stdout.trimEnd().split('\n');
  return Object.fromEntries(
    lines.map((line) => {
      const colon = line.indexOf(': ');
      assert.ok(colon > 0, `not a header line: ${line}`);
      return [line.slice(0, colon).toLowerCase(), line.slice(colon + 2)];
    }),
  );
}

test('digitalriver (default): one header line, the documented HMAC of "t.body" over the exact stdin bytes', async () => {
  const result = await sign(['--secret', drToken, '--timestamp', '1700000000']);
  assert.equal(result.code, 0, result.stderr);
  const expected = createHmac('sha256', drToken).update(`1700000000.${body}`).digest('hex');
  assert.equal(result.stdout, `DigitalRiver-Signature: t=1700000000,v0=${expected}\n`);
  const verdict = verifySignature('digitalriver', parseLines(result.stdout), Buffer.from(body), {
    secrets: [drToken],
    toleranceSec: 300,
    nowSec: 1_700_000_000,
  });
  assert.deepEqual(verdict, { ok: true, matchedSecretIndex: 0 });
});

test('digitalriver: live mode, rotation, base64 and ", " come from the flags', async () => {
  const result = await sign(['--mode', 'live', '--live-secret', liveToken, '--live-secret', drToken, '--signature-encoding', 'base64', '--signature-separator', ', ']);
  assert.equal(result.code, 0, result.stderr);
  const value = parseLines(result.stdout)['digitalriver-signature'] ?? '';
  assert.match(value, /^t=\d+, v0=[A-Za-z0-9+/]{43}=, v0=[A-Za-z0-9+/]{43}=$/);
  const t = Number(value.slice(2, value.indexOf(',')));
  assert.ok(Math.abs(t - Date.now() / 1000) < 60, 'the timestamp defaults to now');
  const options = { toleranceSec: 300, nowSec: t, layout: { encoding: 'base64' as const } };
  const headers = { 'digitalriver-signature': value };
  assert.deepEqual(verifySignature('digitalriver', headers, Buffer.from(body), { ...options, secrets: [drToken] }), { ok: true, matchedSecretIndex: 0 });
  assert.deepEqual(verifySignature('digitalriver', headers, Buffer.from(body), { ...options, secrets: [liveToken] }), { ok: true, matchedSecretIndex: 0 });
});

test('stripe: the printed header passes stripe.webhooks.constructEvent', async () => {
  const result = await sign(['--scheme', 'stripe', '--secret', stripeSecret]);
  assert.equal(result.code, 0, result.stderr);
  const header = parseLines(result.stdout)['stripe-signature'];
  assert.ok(header);
  const event = new Stripe('sk_test_x').webhooks.constructEvent(body, header, stripeSecret);
  assert.equal(event.id, '5b1c0f7e-0d7a-4f3e-9a52-8f4f7d2a6c10');
});

test('standard-webhooks: the printed headers pass Webhook.verify; the id defaults to the body "id"', async () => {
  const result = await sign(['--scheme', 'standard-webhooks', '--secret', stdSecret]);
  assert.equal(result.code, 0, result.stderr);
  const headers = parseLines(result.stdout);
  assert.deepEqual(Object.keys(headers), ['webhook-id', 'webhook-timestamp', 'webhook-signature']);
  assert.equal(headers['webhook-id'], '5b1c0f7e-0d7a-4f3e-9a52-8f4f7d2a6c10');
  assert.deepEqual(new Webhook(stdSecret).verify(body, headers), JSON.parse(body));
});

test('standard-webhooks: --id overrides; a body without an id needs --id', async () => {
  const withId = await sign(['--scheme', 'standard-webhooks', '--secret', stdSecret, '--id', 'msg_custom']);
  assert.equal(withId.code, 0, withId.stderr);
  const headers = parseLines(withId.stdout);
  assert.equal(headers['webhook-id'], 'msg_custom');
  assert.doesNotThrow(() => new Webhook(stdSecret).verify(body, headers));
  const noId = await sign(['--scheme', 'standard-webhooks', '--secret', stdSecret], { input: 'not json' });
  assert.equal(noId.code, 2);
  assert.equal(noId.stderr, 'drhook: standard-webhooks signs a message id: pass --id (the body has no string "id" field)\n');
});

test('--json prints the same headers as one object; --body and DRHOOK_TEST_SECRET work', async () => {
  const file = path.join(mkdtempSync(path.join(tmpdir(), 'drhook-sign-')), 'event.json');
  writeFileSync(file, body);
  const lines = await sign(['--timestamp', '1700000000'], { env: { DRHOOK_TEST_SECRET: drToken } });
  const json = await sign(['--json', '--timestamp', '1700000000', '--body', file], { env: { DRHOOK_TEST_SECRET: drToken }, input: '' });
  assert.equal(lines.code, 0, lines.stderr);
  assert.equal(json.code, 0, json.stderr);
  const object = JSON.parse(json.stdout) as Record<string, string>;
  assert.deepEqual(Object.keys(object), ['DigitalRiver-Signature']);
  assert.equal(`DigitalRiver-Signature: ${object['DigitalRiver-Signature']}\n`, lines.stdout);
});

test('--secret-file keeps the token off the command line', async () => {
  const file = path.join(mkdtempSync(path.join(tmpdir(), 'drhook-sign-')), 'tokens');
  writeFileSync(file, `${drToken}\n`);
  const fromFile = await sign(['--secret-file', file, '--timestamp', '1700000000']);
  const fromFlag = await sign(['--secret', drToken, '--timestamp', '1700000000']);
  assert.equal(fromFile.code, 0, fromFile.stderr);
  assert.equal(fromFile.stdout, fromFlag.stdout);
});

test('a missing token exits 2 with one line and no stack trace', async () => {
  const test = await sign([]);
  assert.equal(test.code, 2);
  assert.equal(test.stdout, '');
  assert.equal(test.stderr, 'drhook: no signing token for test mode: pass --secret, set DRHOOK_TEST_SECRET or use --secret-file\n');
  const live = await sign(['--mode', 'live', '--secret', drToken]);
  assert.equal(live.code, 2);
  assert.equal(live.stderr, 'drhook: no signing token for live mode: pass --live-secret, set DRHOOK_LIVE_SECRET or use --live-secret-file\n');
});

test('an empty or unreadable body and a bad timestamp exit 2 with a hint', async () => {
  const empty = await sign(['--secret', drToken], { input: '' });
  assert.equal(empty.code, 2);
  assert.match(empty.stderr, /^drhook: the body on stdin is empty: pipe the raw body on stdin .* or pass --body <file>\n$/);
  const missing = await sign(['--secret', drToken, '--body', path.join(tmpdir(), 'drhook-no-such-body.json')]);
  assert.equal(missing.code, 2);
  assert.match(missing.stderr, /^drhook: cannot read body file .*drhook-no-such-body\.json: ENOENT\n$/);
  const badTime = await sign(['--secret', drToken, '--timestamp', 'yesterday']);
  assert.equal(badTime.code, 2);
  assert.equal(badTime.stderr, 'drhook: --timestamp must be unix seconds, got "yesterday"\n');
  const badSecret = await sign(['--scheme', 'standard-webhooks', '--secret', 'whsec_%%%%']);
  assert.equal(badSecret.code, 2);
  assert.equal(badSecret.stderr, 'drhook: standard-webhooks secrets must look like whsec_<base64>; secret #1 does not\n');
});

// Runs last: the tests above ran in order and filled `results`.
test('no secret appears in stdout or stderr of any run above', () => {
  assert.ok(results.length >= 15);
  for (const { stdout, stderr } of results) {
    for (const secret of [drToken, liveToken, stripeSecret, stdSecret, stdSecret.slice(6), '%%%%']) {
      assert.ok(!stdout.includes(secret) && !stderr.includes(secret), 'a secret appeared in the output');
    }
  }
});

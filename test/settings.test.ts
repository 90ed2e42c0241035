// One settings pipeline: contract and load resolve the options they share by one function, so the library refuses what the CLI refuses, in the same words.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { UsageError } from '../src/base/errors.js';
import { runContract } from '../src/contract/run.js';
import { resolveSettings } from '../src/contract/settings.js';
import { runLoad } from '../src/load/run.js';
import { resolveLoadSettings } from '../src/load/settings.js';
import { resolveSharedSettings, type SharedOptions, type SharedSettings } from '../src/scenario/settings.js';
import { runCli, startServer, type TestServer } from './helpers/http.js';

/** A receiver that counts what reaches it: every refusal below happens before anything is sent. */
let receiver: TestServer;
before(async () => {
  receiver = await startServer((_req, res) => void res.writeHead(202).end());
});
after(async () => {
  await receiver.close();
  assert.equal(receiver.requests.length, 0, 'the receiver received nothing');
});

const env = { DRHOOK_TEST_SECRET: '', DRHOOK_LIVE_SECRET: '', DRHOOK_PASSWORD: '', DRHOOK_CLIENT_SECRET: '' };
const token = 'tok_settings_8c2e';

/** The message of the UsageError `run` throws (anything else fails the test). */
function refusal(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    assert.ok(error instanceof UsageError, `a UsageError, not ${String(error)}`);
    return error.message;
  }
  assert.fail('nothing was refused');
}

/** What the CLI printed for a usage error: exit 2, one line, returned without `drhook: `. */
async function cliRefusal(args: string[]): Promise<string> {
  const result = await runCli(args, { env });
  assert.equal(result.code, 2, `exit ${result.code}: ${result.stderr}`);
  assert.equal(result.stdout, '');
  const line = /^drhook: ([^\n]+)\n$/.exec(result.stderr);
  assert.ok(line, `one line on stderr: ${JSON.stringify(result.stderr)}`);
  return line[1]!;
}

test('a 3-character signing token: contract and load refuse it as one rule, worded as the CLI words it', async () => {
  const secrets = { test: ['abc'], live: [] };
  const contract = refusal(() => resolveSettings(receiver.url, { secrets }, env));
  const load = refusal(() => resolveLoadSettings(receiver.url, { secrets, count: 1 }, env));
  assert.equal(load, contract);
  assert.match(load, /^the test-mode signing token: a secret shorter than 8 characters is refused: /);
  // The CLI names the flag the token came from; the rule that follows is the same text.
  const cli = await cliRefusal(['load', receiver.url, '--count', '1', '--secret', 'abc']);
  assert.match(cli, /^--secret: a secret shorter than 8 characters is refused: /);
  const rule = (message: string) => message.slice(message.indexOf(': ') + 2);
  assert.equal(rule(load), rule(cli));
  assert.doesNotMatch(`${load}\n${cli}`, /abc/, 'the token itself is never quoted');
  // A short token of the mode the run does not send is refused too, as the CLI refuses DRHOOK_LIVE_SECRET=abc.
  assert.equal(refusal(() => resolveLoadSettings(receiver.url, { secrets: { test: [token], live: ['abc'] }, count: 1 }, env)), contract.replace('test-mode', 'live-mode'));
});

test('a deadline of 600000 ms: contract and load refuse it with the very message the CLI prints', async () => {
  const contract = refusal(() => resolveSettings(receiver.url, { secrets: { test: [token], live: [] }, deadlineMs: 600_000 }, env));
  const load = refusal(() => resolveLoadSettings(receiver.url, { secrets: { test: [token], live: [] }, count: 1, deadlineMs: 600_000 }, env));
  const cliLoad = await cliRefusal(['load', receiver.url, '--count', '1', '--secret', token, '--timeout-ms', '600000']);
  const cliContract = await cliRefusal(['contract', receiver.url, '--secret', token, '--timeout-ms', '600000']);
  const expected = '--timeout-ms 600000 is over 3000 ms: Digital River counts an answer after 3000 ms as a failure; a longer deadline would pass deliveries it fails';
  assert.deepEqual([contract, load, cliLoad, cliContract], [expected, expected, expected, expected]);
  // Within Digital River's 3000 ms, load still wants whole seconds (autocannon counts timeouts in seconds).
  assert.equal(
    refusal(() => resolveLoadSettings(receiver.url, { secrets: { test: [token], live: [] }, count: 1, deadlineMs: 500 }, env)),
    '--timeout-ms must be a whole number from 1000 to 3000 (load counts timeouts in whole seconds, so at least 1000), got 500',
  );
  assert.equal(refusal(() => resolveSharedSettings(receiver.url, { deadlineMs: 2.5 }, env)), '--timeout-ms must be a whole number from 1 to 3000, got 2.5');
});

test('settings built or changed by hand are checked again when the run starts, by the same rules', async () => {
  const secrets = { test: [token], live: [] };
  const contract = resolveSettings(receiver.url, { secrets }, env);
  const load = resolveLoadSettings(receiver.url, { secrets, count: 1 }, env);
  const over = /^--timeout-ms 600000 is over 3000 ms: /;
  await assert.rejects(runContract({ ...contract, deadlineMs: 600_000 }), (error: unknown) => error instanceof UsageError && over.test(error.message));
  await assert.rejects(runLoad({ ...load, deadlineMs: 600_000 }), (error: unknown) => error instanceof UsageError && over.test(error.message));
  const short = /^the test-mode signing token: a secret shorter than 8 characters is refused/;
  await assert.rejects(runContract({ ...contract, secrets: { test: ['abc'], live: [] } }), (error: unknown) => error instanceof UsageError && short.test(error.message));
  await assert.rejects(runLoad({ ...load, secrets: ['abc'] }), (error: unknown) => error instanceof UsageError && short.test(error.message));
});

test('a header with a line break: the library refuses it with the message the CLI gives for the same header', async () => {
  const headers = { 'X-Trace': 'a\r\nInjected: yes' };
  const contract = refusal(() => resolveSettings(receiver.url, { secrets: { test: [token], live: [] }, headers }, env));
  const load = refusal(() => resolveLoadSettings(receiver.url, { secrets: { test: [token], live: [] }, count: 1, headers }, env));
  const cli = await cliRefusal(['load', receiver.url, '--count', '1', '--secret', token, '--header', 'X-Trace: a\r\nInjected: yes']);
  assert.deepEqual([contract, load], [cli, cli]);
  assert.match(cli, /holds a line break \(CR or LF\)/);
  // Credentials go in auth, in both.
  const authorization = { Authorization: 'Bearer xyz-token-123' };
  for (const resolve of [() => resolveSettings(receiver.url, { headers: authorization, unsigned: true }, env), () => resolveLoadSettings(receiver.url, { secrets: { test: [token], live: [] }, count: 1, headers: authorization }, env)]) {
    assert.equal(refusal(resolve), 'credentials do not go in --header: use --auth basic or --auth oauth');
  }
});

test('auth and TLS given by a caller get the checks the CLI flags get', () => {
  const secrets = { test: [token], live: [] };
  const checks: Array<[SharedOptions, string | RegExp]> = [
    [{ secrets, auth: { kind: 'basic', username: 'dr:x', password: 'long-enough-pw' } }, '--username must not contain ":" with --auth basic (HTTP Basic cannot carry it)'],
    [{ secrets, auth: { kind: 'basic', username: 'dr', password: 'pw' } }, /^the basic auth password: a secret shorter than 8 characters is refused/],
    [{ secrets, auth: { kind: 'oauth', tokenUrl: 'ftp://idp/token', clientId: 'c', clientSecret: 'long-enough-secret', grant: 'client_credentials' } }, "--token-url: invalid URL 'ftp://idp/token': use http:// or https://, not ftp://"],
    [{ secrets, ca: Buffer.from('not a certificate') }, '--ca holds no PEM certificate (-----BEGIN CERTIFICATE-----): give the CA certificate in PEM form'],
    [{ secrets, scheme: 'hmac' as never }, "--scheme must be one of 'digitalriver', 'stripe', 'standard-webhooks', got 'hmac'"],
    [{ secrets, signatureLayout: 'connector', signatureEncoding: 'hex' }, "--signature-encoding 'hex' contradicts the connector signature layout, which is always 'base64': leave --signature-encoding out"],
    [{ secrets, signatureLayout: 'connector', scheme: 'stripe' }, '--signature-layout connector applies to the digitalriver scheme only, not stripe'],
  ];
  for (const [options, message] of checks) {
    const contract = refusal(() => resolveSettings(receiver.url, options, env));
    const load = refusal(() => resolveLoadSettings(receiver.url, { ...options, count: 1 }, env));
    assert.equal(load, contract);
    if (typeof message === 'string') assert.equal(contract, message);
    else assert.match(contract, message);
  }
});

test('the same options give contract and load the same shared settings', () => {
  const options: SharedOptions = {
    secrets: { test: [token], live: [] },
    auth: { kind: 'basic', username: 'digitalriver', password: 'long-enough-pw' },
    scheme: 'digitalriver',
    signatureEncoding: 'base64',
    signatureSeparator: ', ',
    deadlineMs: 2500,
    headers: { 'X-Env': 'staging' },
    insecure: true,
    seed: 42,
  };
  const pick = (settings: SharedSettings): SharedSettings => {
    const { url, scenario, signature, auth, headers, tls, deadlineMs, seed, digitalriverVersion } = settings;
    return { url, scenario, signature, auth, headers, tls, deadlineMs, seed, digitalriverVersion };
  };
  const { shared } = resolveSharedSettings(receiver.url, options, env);
  assert.deepEqual(pick(resolveSettings(receiver.url, options, env)), shared);
  assert.deepEqual(pick(resolveLoadSettings(receiver.url, { ...options, count: 1 }, env)), shared);
  assert.deepEqual(shared.signature, { scheme: 'digitalriver', layout: { form: 'v0', encoding: 'base64', separator: ', ' } });
  assert.equal(shared.deadlineMs, 2500);
});

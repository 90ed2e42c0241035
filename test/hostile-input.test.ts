// Bad input is refused before anything is sent: exit 2, one line on stderr, no stack trace, and the receiver gets nothing.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { resolveSettings } from '../src/contract/settings.js';
import { startHostile, type HostileServer } from './helpers/hostile.js';
import { runCli } from './helpers/http.js';

const env = { DRHOOK_TEST_SECRET: 'tok_input_31f0', DRHOOK_LIVE_SECRET: '', DRHOOK_PASSWORD: '', DRHOOK_CLIENT_SECRET: '', DRHOOK_SHORT_PW: 'abc' };

let receiver: HostileServer;
let work: string;
let badScenario: string;
/** Scenarios with a mistake each: a deadline over Digital River's, a password from a variable too short to mask. */
let longScenario: string;
let shortSecretScenario: string;
before(async () => {
  receiver = await startHostile('ok');
  work = await mkdtemp(path.join(tmpdir(), 'drhook-input-'));
  badScenario = path.join(work, 'bad.yaml');
  await writeFile(badScenario, 'name: bad\nevents: [order.accepted]\ndeadlineMs: soon\n');
  longScenario = path.join(work, 'long.yaml');
  await writeFile(longScenario, 'name: long\nevents: [order.accepted]\ndeadlineMs: 5000\n');
  shortSecretScenario = path.join(work, 'short.yaml');
  await writeFile(shortSecretScenario, 'name: short\nevents: [order.accepted]\nauth: { kind: basic, username: dr, passwordEnv: DRHOOK_SHORT_PW }\n');
});
after(async () => {
  await receiver.close();
  await rm(work, { recursive: true, force: true });
});

/** A name, the arguments (`URL` stands for the receiver), and what the one line must say. */
const cases: Array<[string, string[], RegExp]> = [
  ['send: unknown event type', ['send', 'URL', '--type', 'order.acceptd'], /order\.acceptd/],
  ['send: not a URL', ['send', 'not-a-url', '--type', 'order.accepted'], /invalid URL 'not-a-url'/],
  ['send: a zero deadline', ['send', 'URL', '--type', 'order.accepted', '--timeout-ms', '0'], /--timeout-ms must be a duration/],
  ['send: a deadline that is not a duration', ['send', 'URL', '--type', 'order.accepted', '--timeout-ms', '3x'], /--timeout-ms must be a duration/],
  ['send: an unknown mode', ['send', 'URL', '--type', 'order.accepted', '--mode', 'prod'], /--mode.*prod.*test, live/],
  ['send: no --type', ['send', 'URL'], /--type/],
  ['send: an unreadable --ca', ['send', 'URL', '--type', 'order.accepted', '--ca', '/nonexistent/ca.pem'], /cannot read --ca \/nonexistent\/ca\.pem: ENOENT/],
  ['send: a --ca that holds no certificate', ['send', 'URL', '--type', 'order.accepted', '--ca', 'BAD_SCENARIO'], /--ca .*bad\.yaml holds no PEM certificate/],
  ['send: a deadline longer than Digital River waits', ['send', 'URL', '--type', 'order.accepted', '--timeout-ms', '3001'], /over 3000 ms: Digital River counts an answer after 3000 ms as a failure/],
  ['contract: a deadline longer than Digital River waits', ['contract', 'URL', '--timeout-ms', '4s'], /over 3000 ms: Digital River counts/],
  ['send: credentials in the URL', ['send', 'http://drhook:PASS-in-url-77@127.0.0.1:9/hook', '--type', 'order.accepted'], /^(?!.*PASS-in-url).*the URL holds credentials: put credentials in --auth basic --username/],
  ['send: an unreadable --password-file', ['send', 'URL', '--type', 'order.accepted', '--auth', 'basic', '--username', 'u', '--password-file', '/nonexistent/pw'], /cannot read --password-file/],
  ['send: an unreadable --secret-file', ['send', 'URL', '--type', 'order.accepted', '--secret-file', '/nonexistent/token'], /cannot read --secret-file/],
  ['send: basic auth without a username', ['send', 'URL', '--type', 'order.accepted', '--auth', 'basic'], /--auth basic needs --username/],
  ['contract: a misspelt option suggests the nearest', ['contract', 'URL', '--timout-ms', '5'], /unknown option '--timout-ms' \(did you mean --timeout-ms\?\)/],
  // The same suggestion with `=`, whatever the value; the value is never quoted.
  ['contract: a misspelt option with =value suggests the nearest', ['contract', 'URL', '--timout-ms=3000'], /^drhook: unknown option '--timout-ms' \(did you mean --timeout-ms\?\)$/m],
  ['load: a misspelt option with =value suggests the nearest', ['load', 'URL', '--count', '1', '--timout-ms=x'], /^drhook: unknown option '--timout-ms' \(did you mean --timeout-ms\?\)$/m],
  ['send: a misspelt option with a long =value suggests the nearest', ['send', 'URL', '--type', 'order.accepted', '--timout-ms=1500ms-or-so'], /^drhook: unknown option '--timout-ms' \(did you mean --timeout-ms\?\)$/m],
  ['send: a port out of range', ['send', 'http://127.0.0.1:99999/hook', '--type', 'order.accepted'], /invalid URL 'http:\/\/127\.0\.0\.1:99999\/hook': the port 99999 is out of range: use a port from 1 to 65535$/m],
  ['contract: a port out of range', ['contract', 'http://127.0.0.1:99999'], /invalid URL 'http:\/\/127\.0\.0\.1:99999': the port 99999 is out of range/],
  ['load: port 0', ['load', 'http://127.0.0.1:0/hook', '--count', '1'], /invalid URL 'http:\/\/127\.0\.0\.1:0\/hook': the port 0 is out of range/],
  ['send: a port that is not a number', ['send', 'http://127.0.0.1:8o8o/hook', '--type', 'order.accepted'], /the port '8o8o' is not a number: use a port from 1 to 65535/],
  // Control characters are written as escapes: the line stays one line and cannot drive the terminal.
  ['contract: a header with CR LF', ['contract', 'URL', '--header', 'X-Note: a\r\nX-Injected: 1'], /--header 'X-Note: a\\r\\nX-Injected: 1' holds a line break \(CR or LF\): a header is one line; give each header its own --header/],
  ['load: a header with a LF', ['load', 'URL', '--count', '1', '--header', 'X-Note: a\n'], /--header 'X-Note: a\\n' holds a line break \(CR or LF\)/],
  ['contract: a header with an escape sequence', ['contract', 'URL', '--header', 'X-Note: \x1b[31mred'], /--header 'X-Note: \\x1b\[31mred' holds a control character \(\\x1b\)/],
  ['contract: a secret-looking header with a line break is not repeated', ['contract', 'URL', '--header', 'X-Api-Key: key-material-9f3e\r\n'], /^(?!.*key-material).*--header 'X-Api-Key: \[redacted\]' holds a line break/],
  ['contract: an order id with a line break', ['contract', 'URL', '--known-order-id', '2404\r\n5000'], /--known-order-id: '2404\\r\\n5000' is not an order id/],
  ['contract: zero concurrency', ['contract', 'URL', '--concurrency', '0'], /--concurrency must be a whole number from 1/],
  ['contract: an unknown check', ['contract', 'URL', '--only', 'signature.missng'], /did you mean signature\.missing/],
  ['contract: a scenario that breaks its schema', ['contract', 'URL', '--scenario', 'BAD_SCENARIO'], /bad\.yaml:3/],
  ['contract: a scenario deadline longer than Digital River waits', ['contract', 'URL', '--scenario', 'LONG_SCENARIO'], /long\.yaml:3:\d+: deadlineMs/],
  ['contract: a scenario password variable too short to mask', ['contract', 'URL', '--scenario', 'SHORT_SCENARIO'], /DRHOOK_SHORT_PW \(the scenario's auth\.passwordEnv\): a secret shorter than 8 characters is refused/],
  ['contract: a malformed header', ['contract', 'URL', '--header', 'no colon here'], /--header 'no colon here' is not 'Name: value'/],
  ['contract: not http', ['contract', 'ftp://127.0.0.1/hook'], /use http:\/\/ or https:\/\//],
  ['load: unbounded', ['load', 'URL'], /needs --duration .* or --count/],
  ['load: a zero duration', ['load', 'URL', '--duration', '0s'], /--duration must be a time/],
  ['load: longer than the cap', ['load', 'URL', '--duration', '11m'], /more than the 600 s cap/],
  ['load: a negative rate', ['load', 'URL', '--rate', '-5', '--duration', '1s'], /--rate/],
  ['load: a deadline under a second', ['load', 'URL', '--count', '5', '--timeout-ms', '500'], /--timeout-ms must be a whole number from 1000/],
  ['generate: a negative count', ['generate', 'order.accepted', '--count', '-1'], /--count/],
  ['validate: a missing file', ['validate', '/nonexistent/events.ndjson'], /nonexistent/],
  ['sign: a timestamp that is not a number', ['sign', '--secret', 'tok_sign_5c2e', '--timestamp', 'soon'], /--timestamp/],
  // 'x' stands in the message itself ("ordinary text"): the refusal must not be garbled by masking the value it refuses.
  ['sign: a token too short to keep out of the output', ['sign', '--secret', 'x'], /--secret: a secret shorter than 8 characters is refused: drhook cannot keep so short a value out of its output without masking ordinary text/],
  ['serve: a password too short, by the same rule as the senders', ['serve', '--auth', 'basic', '--username', 'dr', '--password', 'short'], /--password: a secret shorter than 8 characters is refused/],
  ['serve: a port out of range', ['serve', '--port', '70000'], /--port must be a whole number from 0 to 65535/],
  ['serve: an unknown fault', ['serve', '--fault', 'nope'], /nope/],
];

describe('usage errors', { concurrency: 4 }, () => {
  for (const [name, args, message] of cases) {
    test(name, async () => {
      const files: Record<string, string> = { URL: receiver.url, BAD_SCENARIO: badScenario, LONG_SCENARIO: longScenario, SHORT_SCENARIO: shortSecretScenario };
      const argv = args.map((arg) => files[arg] ?? arg);
      const result = await runCli([...argv, ...(argv[0] === 'contract' || argv[0] === 'load' ? ['--report-dir', path.join(work, 'reports')] : [])], { env, input: '{}' });
      assert.equal(result.code, 2, `exit ${result.code}: ${result.stderr}`);
      assert.match(result.stderr, /^drhook: [^\n]+\n$/, 'exactly one line');
      assert.doesNotMatch(result.stderr.slice(0, -1), /[\x00-\x1f\x7f]/, 'no control character');
      assert.doesNotMatch(result.stderr, /^\s+at /m, 'no stack trace');
      assert.match(result.stderr, message);
      assert.equal(result.stdout, '');
    });
  }
  after(() => assert.equal(receiver.connections, 0, 'the receiver received nothing'));
});

test('the library refuses the short secrets the CLI refuses, and a deadline over 3000 ms', () => {
  const url = 'http://127.0.0.1:9/hook';
  assert.throws(() => resolveSettings(url, { secrets: { test: ['short'], live: [] } }, {}), /the test-mode signing token: a secret shorter than 8 characters is refused/);
  assert.throws(() => resolveSettings(url, { auth: { kind: 'basic', username: 'dr', password: 'pw' }, unsigned: true }, {}), /the basic auth password: a secret shorter than 8/);
  assert.throws(() => resolveSettings(url, { deadlineMs: 3001 }, {}), /--timeout-ms 3001 is over 3000 ms: Digital River counts an answer after 3000 ms as a failure/);
});

test('a reader that closes the pipe early (`| head`) ends the output quietly: exit 0, no stack trace', async () => {
  const cli = fileURLToPath(new URL('../src/cli.js', import.meta.url));
  // Far more than a pipe holds, so the writes after the reader has gone fail with EPIPE.
  const child = spawn(process.execPath, [cli, 'generate', 'order.accepted', '--count', '400', '--seed', '1'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  child.stdout.once('data', () => child.stdout.destroy());
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  assert.equal(stderr, '', 'nothing on stderr');
  assert.equal(code, 0);
});

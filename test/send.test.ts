// `drhook send` end to end: the built CLI against real local receivers, verdicts, exit codes, signatures, usage errors.
import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { UsageError } from '../src/base/errors.js';
import { parseDurationMs, parseInteger, parseMode } from '../src/commands/options.js';
import { parseUrl } from '../src/scenario/settings.js';
import { runCli, startServer, type CliResult, type TestServer } from './helpers/http.js';

const SECRET = 'whsec-test-token-0123456789';
const LIVE_SECRET = 'live-token-9876543210';
/** Keeps the environment of whoever runs the tests out of the CLI's way. */
const cleanEnv = { DRHOOK_TEST_SECRET: '', DRHOOK_LIVE_SECRET: '', DRHOOK_PASSWORD: '', DRHOOK_CLIENT_SECRET: '' };
const servers: TestServer[] = [];
/** A URL nothing is ever sent to: the run fails during setup. */
const nowhere = () => 'http://127.0.0.1:9/hook';

after(() => Promise.all(servers.map((server) => server.close())));

async function serve(handler: Parameters<typeof startServer>[0]): Promise<TestServer> {
  const server = await startServer(handler);
  servers.push(server);
  return server;
}

const answering = (status: number, headers: Record<string, string> = {}, delayMs = 0) =>
  serve((_req, res) => {
    setTimeout(() => res.writeHead(status, headers).end(`{"status":${status}}`), delayMs);
  });

/** Runs send with a test-mode token in the environment unless `env` says otherwise. */
function send(args: string[], env: Record<string, string> = {}): Promise<CliResult> {
  return runCli(['send', ...args], { env: { ...cleanEnv, DRHOOK_TEST_SECRET: SECRET, ...env } });
}

function assertNoSecrets(result: CliResult, ...secrets: string[]): void {
  for (const secret of secrets) {
    assert.ok(!result.stdout.includes(secret) && !result.stderr.includes(secret), 'a secret was printed');
  }
}

/** Recomputes the Digital River signature over the bytes the receiver got. */
function assertSignedWith(request: TestServer['requests'][number] | undefined, secret: string): void {
  assert.ok(request, 'the receiver got no request');
  const header = request.headers['digitalriver-signature'];
  assert.equal(typeof header, 'string');
  const match = /^t=(\d+),v0=([0-9a-f]{64})$/.exec(header as string);
  assert.ok(match, `unexpected signature header ${String(header)}`);
  const [, timestamp, signature] = match;
  const expected = createHmac('sha256', secret).update(`${timestamp}.`).update(request.body).digest('hex');
  assert.equal(signature, expected);
  assert.ok(Math.abs(Number(timestamp) - Date.now() / 1000) < 60);
}

describe('verdicts and exit codes', { concurrency: true }, () => {
  const cases: Array<{ name: string; status: number; headers?: Record<string, string>; delayMs?: number; code: number; verdict: RegExp }> = [
    { name: '200', status: 200, code: 0, verdict: /^PASS acknowledged: answered 200 in \d+ ms \(deadline 3000 ms\)$/m },
    { name: '202', status: 202, code: 0, verdict: /^PASS acknowledged: answered 202 in \d+ ms/m },
    {
      name: '301',
      status: 301,
      headers: { location: 'https://elsewhere.example/hook' },
      code: 1,
      verdict: /^FAIL redirected \(301\) to https:\/\/elsewhere\.example\/hook; Digital River treats a redirect as a failure and does not follow it$/m,
    },
    { name: '308', status: 308, headers: { location: '/v2/hook' }, code: 1, verdict: /^FAIL redirected \(308\) to \/v2\/hook;/m },
    { name: '400', status: 400, code: 1, verdict: /^FAIL answered 400, not 2xx$/m },
    { name: '500', status: 500, code: 1, verdict: /^FAIL answered 500, not 2xx$/m },
    { name: 'an answer after 3.5 s', status: 200, delayMs: 3500, code: 1, verdict: /^FAIL no complete response within 3000 ms \(connected, but no status line arrived\)$/m },
  ];
  for (const c of cases) {
    it(c.name, async () => {
      const receiver = await answering(c.status, c.headers, c.delayMs);
      const result = await send([`${receiver.url}/hook`, '--type', 'refund.complete', '--secret', SECRET, '--seed', '7']);
      assert.equal(result.code, c.code, result.stderr);
      assert.match(result.stdout, c.verdict);
      assert.match(result.stdout, /refund\.complete [0-9a-f-]{36} \(test mode/);
      if (c.headers?.location) assert.match(result.stdout, new RegExp(`location\\s+${c.headers.location.replace(/[.?/]/g, '\\$&')}`));
      assert.equal(result.stderr, '');
      assertNoSecrets(result, SECRET);

      const [request] = receiver.requests;
      assert.equal(receiver.requests.length, 1);
      assert.equal(request?.headers['content-type'], 'application/json');
      assertSignedWith(request, SECRET);
      const event = JSON.parse(request!.body.toString('utf8')) as { type: string; liveMode: boolean; id: string };
      assert.equal(event.type, 'refund.complete');
      assert.equal(event.liveMode, false);
      assert.ok(result.stdout.includes(event.id));
    });
  }
});

describe('what is sent', () => {
  it('no token for the mode is a setup error, whatever the scheme; nothing is sent (a test token never signs a live event)', async () => {
    const receiver = await answering(200);
    for (const args of [['--mode', 'live', '--secret', SECRET], ['--scheme', 'stripe'], ['--scheme', 'standard-webhooks']]) {
      const result = await send([receiver.url, '--type', 'refund.complete', ...args], { DRHOOK_TEST_SECRET: '' });
      assert.equal(result.code, 2, result.stdout + result.stderr);
      assert.match(result.stderr, /^drhook: no signing token for (live|test) mode: .* or pass --unsigned to send without a signature\n$/);
      assertNoSecrets(result, SECRET);
    }
    assert.equal(receiver.requests.length, 0);
  });

  it('--unsigned sends without a signature, and says so', async () => {
    const receiver = await answering(200);
    const result = await send([receiver.url, '--type', 'refund.complete', '--mode', 'live', '--secret', SECRET, '--unsigned']);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /signature\s+unsigned \(--unsigned\)/);
    assert.equal(receiver.requests[0]?.headers['digitalriver-signature'], undefined);
    assert.equal((JSON.parse(receiver.requests[0]!.body.toString()) as { liveMode: boolean }).liveMode, true);
    assertNoSecrets(result, SECRET);
  });

  it('--json, live mode: signed with the live token, one object, secrets redacted even when echoed', async () => {
    const receiver = await serve((req, res) => {
      res.writeHead(200).end(JSON.stringify({ echo: req.headers.authorization }));
    });
    const args = ['--mode', 'live', '--secret', SECRET, '--live-secret', LIVE_SECRET, '--auth', 'basic', '--username', 'hooks', '--json'];
    const result = await send([receiver.url, '--type', 'refund.complete', ...args], {
      DRHOOK_PASSWORD: 'basic-pa55word',
    });
    assert.equal(result.code, 0, result.stderr);
    const report = JSON.parse(result.stdout) as {
      event: { type: string; id: string };
      signature: { layout: string; tokens: number } | null;
      auth: string;
      request: { headers: Record<string, string> };
      outcome: { kind: string; status: number; body: { text: string } };
      verdict: { status: string };
    };
    assert.equal(report.event.type, 'refund.complete');
    assert.equal(report.signature?.tokens, 1);
    assert.equal(report.auth, 'basic');
    assert.equal(report.request.headers['Authorization'], 'Basic [redacted]');
    assert.equal(report.outcome.status, 200);
    assert.equal(report.outcome.body.text, '{"echo":"Basic [redacted]"}');
    assert.equal(report.verdict.status, 'pass');
    assert.equal(receiver.requests[0]?.headers.authorization, `Basic ${Buffer.from('hooks:basic-pa55word').toString('base64')}`);
    assertSignedWith(receiver.requests[0], LIVE_SECRET);
    assert.equal((JSON.parse(receiver.requests[0]!.body.toString()) as { liveMode: boolean }).liveMode, true);
    assertNoSecrets(result, SECRET, LIVE_SECRET, 'basic-pa55word', Buffer.from('hooks:basic-pa55word').toString('base64'));
  });

  it('text output: redacted data, never redacted text (a secret that is also ordinary text leaves the rest intact)', async () => {
    const receiver = await serve((_req, res) => {
      res.writeHead(200).end('echo: test-mode-token');
    });
    const result = await send([receiver.url, '--type', 'refund.complete', '--secret', 'test-mode-token']);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /\(test mode, \d+ bytes\)/);
    assert.match(result.stdout, /POST\s+http:\/\/127\.0\.0\.1:\d+/);
    assert.match(result.stdout, /body\s+echo: \[redacted\]/);
    assertNoSecrets(result, 'test-mode-token');
  });

  it('oauth: a token endpoint echoing the form body never shows the client secret in any encoding', async () => {
    const clientSecret = 'CS+oauth/55=Yu "x"';
    const tokens = await serve((_req, res, body) => {
      res.writeHead(400, { 'content-type': 'application/json' }).end(JSON.stringify({ error: 'invalid_client', form: body.toString(), secret: clientSecret }));
    });
    const result = await send([nowhere(), '--type', 'refund.complete', '--auth', 'oauth', '--token-url', tokens.url, '--client-id', 'cid'], { DRHOOK_CLIENT_SECRET: clientSecret });
    assert.equal(result.code, 2, result.stderr);
    assert.match(result.stderr, /client_secret=\[redacted\]/);
    for (const form of [clientSecret, encodeURIComponent(clientSecret), new URLSearchParams({ s: clientSecret }).toString().slice(2), JSON.stringify(clientSecret).slice(1, -1)]) {
      assertNoSecrets(result, form);
    }
  });

  it('oauth: fetches a token, sends it as Bearer, never prints it', async () => {
    const tokens = await serve((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"access_token":"bearer-t0ken-xyz","expires_in":300}');
    });
    const receiver = await serve((_req, res) => {
      res.writeHead(200).end('thanks bearer-t0ken-xyz');
    });
    const result = await send(
      [receiver.url, '--type', 'refund.complete', '--auth', 'oauth', '--token-url', tokens.url, '--client-id', 'cid'],
      { DRHOOK_CLIENT_SECRET: 'client-secret-abc' },
    );
    assert.equal(result.code, 0, result.stderr);
    assert.equal(receiver.requests[0]?.headers.authorization, 'Bearer bearer-t0ken-xyz');
    assert.match(result.stdout, /body\s+thanks \[redacted\]/);
    assertNoSecrets(result, 'bearer-t0ken-xyz', 'client-secret-abc');
  });
});

describe('usage and setup errors exit 2 with one line', { concurrency: true }, () => {
  const assertUsage = (result: CliResult, pattern: RegExp) => {
    assert.equal(result.code, 2, `exit ${result.code}: ${result.stdout}${result.stderr}`);
    assert.equal(result.stdout, '');
    assert.match(result.stderr, pattern);
    assert.equal(result.stderr.trimEnd().split('\n').length, 1, `more than one line: ${result.stderr}`);
    assert.doesNotMatch(result.stderr, /\n\s+at /);
  };

  it('an invalid URL', async () => {
    assertUsage(await send(['not a url', '--type', 'refund.complete']), /^drhook: invalid URL 'not a url': use http:\/\/ or https:\/\/$/m);
  });

  it('an ftp:// URL', async () => {
    assertUsage(await send(['ftp://example.com/hook', '--type', 'refund.complete']), /^drhook: invalid URL 'ftp:\/\/example\.com\/hook': use http:\/\/ or https:\/\//);
  });

  it('an unknown event type', async () => {
    const receiver = await answering(200);
    assertUsage(await send([receiver.url, '--type', 'order.acepted']), /^drhook: .*order\.acepted.*order\.accepted/);
    assert.equal(receiver.requests.length, 0);
  });

  it('a missing --type', async () => {
    assertUsage(await send(['http://127.0.0.1:9/']), /--type/);
  });

  it('an unknown option', async () => {
    assertUsage(await send(['http://127.0.0.1:9/', '--type', 'refund.complete', '--bogus']), /unknown option '--bogus'/);
  });

  it('a deadline longer than Digital River waits', async () => {
    const receiver = await answering(200);
    assertUsage(
      await send([receiver.url, '--type', 'refund.complete', '--timeout-ms', '5s']),
      /^drhook: --timeout-ms 5s is over 3000 ms: Digital River counts an answer after 3000 ms as a failure; a longer deadline would pass deliveries it fails$/m,
    );
    assert.equal(receiver.requests.length, 0);
  });

  it('credentials in the URL: refused, the password never printed', async () => {
    const result = await send(['http://hooks:PASS-in-url-1234@127.0.0.1:9/hook', '--type', 'refund.complete']);
    assertUsage(result, /^drhook: the URL holds credentials: put credentials in --auth basic --username … \(password from DRHOOK_PASSWORD\)$/m);
    assertNoSecrets(result, 'PASS-in-url-1234');
  });

  it('a --ca file that holds no PEM certificate', async () => {
    assertUsage(await send(['http://127.0.0.1:9/', '--type', 'refund.complete', '--ca', '/etc/hostname']), /^drhook: --ca \/etc\/hostname holds no PEM certificate/m);
  });

  it('secrets shorter than 8 characters are refused, and never echoed', async () => {
    const url = 'http://127.0.0.1:9/';
    for (const [args, env, source] of [
      [['--secret', 'Sh0rt-1'], {}, '--secret'],
      [['--auth', 'basic', '--username', 'u', '--password', 'pw-7chr'], {}, '--password'],
      [['--auth', 'oauth', '--token-url', url, '--client-id', 'c'], { DRHOOK_CLIENT_SECRET: 'cs-6ch' }, 'DRHOOK_CLIENT_SECRET'],
    ] as const) {
      const result = await send([url, '--type', 'refund.complete', ...args], env);
      assertUsage(result, new RegExp(`^drhook: ${source}: a secret shorter than 8 characters is refused: drhook cannot keep so short a value out of its output`, 'm'));
    }
  });

  it('an unknown option never echoes what follows its =', async () => {
    const result = await send(['http://127.0.0.1:9/', '--type', 'refund.complete', '--secrett=TOPSECRET-77']);
    assertUsage(result, /^drhook: unknown option '--secrett'/m);
    assertNoSecrets(result, 'TOPSECRET-77');
  });

  it('a bad --timeout-ms', async () => {
    assertUsage(await send(['http://127.0.0.1:9/', '--type', 'refund.complete', '--timeout-ms', 'soon']), /^drhook: --timeout-ms must be a duration/);
  });

  it('a token endpoint that fails, without echoing the client secret', async () => {
    const tokens = await serve((_req, res, body) => {
      res.writeHead(403).end(`denied: ${body.toString()}`);
    });
    const receiver = await answering(200);
    const result = await send(
      [receiver.url, '--type', 'refund.complete', '--auth', 'oauth', '--token-url', tokens.url, '--client-id', 'cid', '--client-secret', 'client-secret-abc'],
    );
    assertUsage(result, /^drhook: OAuth token endpoint .* answered 403, not 2xx: denied: /);
    assertNoSecrets(result, 'client-secret-abc');
    assert.equal(receiver.requests.length, 0);
  });
});

describe('option parsers', () => {
  const usage = (pattern: RegExp) => (error: unknown) => error instanceof UsageError && pattern.test(error.message);

  it('durations: 3000, 3s, 500ms, 1.5s', () => {
    const parse = parseDurationMs('--timeout-ms');
    assert.deepEqual(['3000', '3s', '500ms', '1.5s', ' 250 ms '].map(parse), [3000, 3000, 500, 1500, 250]);
    for (const bad of ['', 'soon', '-5', '3m', '0', '5h']) assert.throws(() => parse(bad), usage(/^--timeout-ms must be a duration/));
  });

  it('whole numbers within a range', () => {
    const parse = parseInteger('--concurrency', { min: 1, max: 64 });
    assert.equal(parse('8'), 8);
    for (const bad of ['0', '65', '2.5', 'eight', '']) {
      assert.throws(() => parse(bad), usage(/^--concurrency must be a whole number from 1 to 64, got '/));
    }
  });

  it('URLs and modes', () => {
    assert.equal(parseUrl('https://hooks.example.com/dr?x=1'), 'https://hooks.example.com/dr?x=1');
    assert.throws(() => parseUrl('hooks.example.com'), usage(/^invalid URL 'hooks\.example\.com': use http:\/\/ or https:\/\/$/));
    assert.throws(() => parseUrl('file:///etc/passwd'), usage(/use http:\/\/ or https:\/\/, not file:\/\//));
    assert.equal(parseMode('live'), 'live');
    assert.throws(() => parseMode('production'), usage(/^invalid mode 'production': use test or live$/));
  });
});

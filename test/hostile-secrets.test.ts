// Secrets never leave drhook, whole or in part: each channel a secret comes by, each file written, echoes cut anywhere.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import http, { type IncomingHttpHeaders } from 'node:http';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ExpectMatcherState } from '@playwright/test';
import type { AuthConfig } from '../src/wire/auth.js';
import { BODY_EXCERPT_CHARS } from '../src/contract/request.js';
import { DEFAULT_MAX_BODY_BYTES } from '../src/wire/limits.js';
import { webhookMatchers } from '../src/playwright/matchers.js';
import { chartJsSource } from '../src/report/html-assets.js';
import { createWebhook } from '../src/playwright/webhook.js';
import { validateEvent } from '../src/events/schemas.js';
import { startReceiver, type RunningReceiver } from '../src/receiver/server.js';
import { runCli, startServer, type CliResult, type TestServer } from './helpers/http.js';
import { ambiguousParts, findLeaks, formsOf } from './helpers/leaks.js';

// Random-looking, and chosen so that no 4 characters of any of their forms could be drhook's own text (a hex digest,
// a date, a lowercase word): any such part found is a leak.
const secrets = {
  flagToken: 'V7WFwq7jEZnV25Yqov2L',
  envToken: 'dPJw2h9r9Dq4TtQxYQFD',
  fileToken: 'ZxvmRAFYqQ98WbTVrmJH',
  liveToken: 'krRo3WkMnRAoFbSeSY43',
  basicPassword: '2WMZQMNCNj2tV7Q3X',
  clientSecret: 'XqqTxUhaGW5LU8Tdp',
  ownerPassword: 'bDge9EGXvNaUYCTsM',
};
/** What this test's token endpoint issues. */
const bearer = 'vg75prQkvM4eeX4HiyJeVMBN';
const username = 'dr';
/** Basic's credential: the base64 of `user:password`, which holds no aligned run of the password's own base64. */
const basicCredential = Buffer.from(`${username}:${secrets.basicPassword}`).toString('base64');
const everyForm = [...Object.values(secrets), bearer, basicCredential].flatMap(formsOf);
const noEnv = { DRHOOK_TEST_SECRET: '', DRHOOK_LIVE_SECRET: '', DRHOOK_PASSWORD: '', DRHOOK_CLIENT_SECRET: '' };

test('the secrets are told apart from anything else drhook writes', () => {
  assert.deepEqual(ambiguousParts(everyForm), []);
});

let work: string;
let tokenFile: string;
let tokenEndpoint: TestServer;
before(async () => {
  work = await mkdtemp(path.join(tmpdir(), 'drhook-secrets-'));
  tokenFile = path.join(work, 'test-token');
  await writeFile(tokenFile, `# the test-mode token\n${secrets.fileToken}\n`);
  tokenEndpoint = await startServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ access_token: bearer, token_type: 'Bearer', expires_in: 3600 }));
  });
});
after(async () => {
  await tokenEndpoint.close();
  await rm(work, { recursive: true, force: true });
});

/** Every file under `dir`, recursively, as text. */
async function everyFile(dir: string): Promise<Array<[string, string]>> {
  const files: Array<[string, string]> = [];
  for (const entry of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) files.push([path.relative(dir, path.join(entry.parentPath, entry.name)), await readFile(path.join(entry.parentPath, entry.name), 'utf8')]);
  }
  return files;
}

/** What an echoing receiver writes at a cut: `prefix` then the secret, as a receiver's error page may print it. */
interface Needle {
  prefix: string;
  secret: string;
}

/**
 * A 400 body `length` characters long that starts `#<n>#` and holds `needle` at each cut, placed so the cut falls
 * `offset` characters into its secret, and, clear of the cuts at `headersAt`, the request headers as JSON (a whole
 * Authorization header, signature and all). One space at most in a row: drhook's one-line excerpts collapse runs.
 */
function echoBody(n: number, needle: Needle, offset: number, cuts: readonly number[], headers: IncomingHttpHeaders, headersAt: number, length: number): string {
  const chars = Array.from({ length }, () => '.');
  const write = (at: number, text: string) => [...text].forEach((char, i) => (chars[at + i] = char));
  write(0, `#${n}#`);
  write(headersAt, JSON.stringify(headers));
  for (const cut of cuts) write(cut - offset - needle.prefix.length, `${needle.prefix}${needle.secret}`);
  return chars.join('');
}

/** Each needle with each offset that puts a cut inside its secret (1 … length − 1 characters of it before the cut). */
function offsetPlan(needles: readonly Needle[]): Array<{ needle: number; offset: number }> {
  return needles.flatMap((needle, index) => Array.from({ length: needle.secret.length - 1 }, (_, i) => ({ needle: index, offset: i + 1 })));
}

/**
 * A receiver that answers every delivery 400 with `echoBody`, going through every offset of every needle in turn;
 * `placed` says which (needle, offset) the answer numbered n holds. A valid event (a control, whose answer is judged,
 * not shown, and which is sent among the malformed ones) gets a plain 400 and takes no number.
 */
async function startEcho(needles: (headers: IncomingHttpHeaders) => Needle[], cuts: readonly number[], headersAt: number, length: number) {
  const placed = new Map<number, { needle: number; offset: number }>();
  const server = await startServer((req, res, body) => {
    if (validateEvent(JSON.parse(body.toString('utf8'))).length === 0) return void res.writeHead(400, { 'content-type': 'text/plain' }).end('rejected');
    const n = placed.size;
    const shown = needles(req.headers);
    const plan = offsetPlan(shown);
    const at = plan[n % plan.length]!;
    placed.set(n, at);
    res.writeHead(400, { 'content-type': 'text/plain' }).end(echoBody(n, shown[at.needle]!, at.offset, cuts, req.headers, headersAt, length));
  });
  return { server, placed };
}

const credential = (headers: IncomingHttpHeaders): string => (headers.authorization ?? '').replace(/^\S+ /, '');

/**
 * Where drhook cuts a contract answer's text: the console's one-line excerpt (120 characters, the last an ellipsis),
 * the malformed.message reason (160), summary.md (200), junit.xml (500), the report's excerpt (2 KiB).
 */
const contractCuts = [119, 160, 199, 499, BODY_EXCERPT_CHARS];

interface Channel {
  name: string;
  /** Flags, made when the run starts (the token file and endpoint exist by then). */
  args(): string[];
  env: Record<string, string>;
  /** Enough malformed cases to take every offset of every needle. */
  events: string;
  needles(headers: IncomingHttpHeaders): Needle[];
}

/**
 * A scenario declaring the fields these handlers depend on, so that malformed.400 sends many cases per type (types
 * whose schemas are quick to compile: what the echo shows does not depend on the type).
 */
const declaredContract = `name: declared contract
events:
  - { type: refund.complete, requires: [/id, /state, /amount, /currency, /orderId, /refundedAmount, /createdTime] }
  - { type: subscription.created, requires: [/id, /state, /currency, /planId, /createdTime] }
`;

const basicFlags = ['--auth', 'basic', '--username', username];
const oauthFlags = ['--auth', 'oauth', '--client-id', 'drhook-client'];
const channels: Channel[] = [
  { name: 'a signing token by --secret', args: () => ['--secret', secrets.flagToken], env: {}, events: 'refund.complete', needles: () => [{ prefix: 'secret=', secret: secrets.flagToken }] },
  { name: 'a signing token by DRHOOK_TEST_SECRET', args: () => [], env: { DRHOOK_TEST_SECRET: secrets.envToken }, events: 'refund.complete', needles: () => [{ prefix: 'secret=', secret: secrets.envToken }] },
  { name: 'a signing token by --secret-file', args: () => ['--secret-file', tokenFile], env: {}, events: 'refund.complete', needles: () => [{ prefix: 'secret=', secret: secrets.fileToken }] },
  {
    name: 'a Basic password',
    args: () => ['--secret-file', tokenFile, ...basicFlags],
    env: { DRHOOK_PASSWORD: secrets.basicPassword },
    events: 'refund.complete,subscription.created',
    needles: (headers) => [
      { prefix: 'Basic ', secret: credential(headers) },
      { prefix: 'password=', secret: secrets.basicPassword },
    ],
  },
  {
    name: 'an OAuth client secret and the Bearer token fetched with it',
    args: () => ['--secret-file', tokenFile, ...oauthFlags, '--token-url', `${tokenEndpoint.url}/oauth/token`],
    env: { DRHOOK_CLIENT_SECRET: secrets.clientSecret },
    events: 'refund.complete,subscription.created',
    needles: (headers) => [
      { prefix: 'Bearer ', secret: credential(headers) },
      { prefix: 'client_secret=', secret: secrets.clientSecret },
    ],
  },
];

interface ContractReportShape {
  checks: Array<{ cases: Array<{ deliveries: Array<{ outcome: { kind: string; body?: { text: string } } }> }> }>;
}

for (const channel of channels) {
  describe(`contract: ${channel.name}, echoed at every offset around every cut`, () => {
    let result: CliResult;
    let files: Array<[string, string]>;
    let coverage: Map<number, Set<number>>;
    let needles: Needle[] = [];
    before(async () => {
      const { server, placed } = await startEcho((headers) => (needles = channel.needles(headers)), contractCuts, 600, BODY_EXCERPT_CHARS + 100);
      const reportDir = path.join(work, channel.name.replace(/\W+/g, '-'));
      // The declared contract of many fields: enough malformed cases (each answered with an echo) to take every offset.
      const scenario = path.join(work, `${channel.name.replace(/\W+/g, '-')}.yaml`);
      await writeFile(scenario, declaredContract);
      try {
        // Two deliveries in flight: every one is answered within the deadline on a busy machine too, so every offset is shown.
        result = await runCli(
          ['contract', server.url, '--scenario', scenario, '--only', 'malformed.400,malformed.message', '--events', channel.events, '--mode', 'test', '--seed', '5', '--concurrency', '2', '--no-progress', '--report-dir', reportDir, ...channel.args()],
          { env: { ...noEnv, ...channel.env } },
        );
      } finally {
        await server.close();
      }
      files = await everyFile(reportDir);
      // Which answers the report shows (the controls' are judged, not shown), so which offsets were tried.
      const json = files.find(([name]) => name.endsWith('report.json'))?.[1] ?? '{"checks":[]}';
      const report = JSON.parse(json) as ContractReportShape;
      coverage = new Map();
      for (const check of report.checks) {
        for (const record of check.cases) {
          for (const { outcome } of record.deliveries) {
            const n = Number(/^#(\d+)#/.exec(outcome.body?.text ?? '')?.[1]);
            const at = placed.get(n);
            if (at) coverage.set(at.needle, (coverage.get(at.needle) ?? new Set()).add(at.offset));
          }
        }
      }
    });

    test('the run judged the echoing receiver and wrote every report', () => {
      assert.equal(result.code, 1, result.stdout + result.stderr);
      assert.deepEqual(files.map(([name]) => path.basename(name)).sort(), ['junit.xml', 'report.html', 'report.json', 'summary.md']);
    });

    test('the reports show an answer for every offset of every secret around the cuts', () => {
      assert.ok(needles.length > 0);
      needles.forEach((needle, index) => {
        const missing = offsetPlan([needle]).map(({ offset }) => offset).filter((offset) => !coverage.get(index)?.has(offset));
        assert.deepEqual(missing, [], `offsets of ${needle.prefix}… never shown`);
      });
    });

    const outputs: Array<[string, () => string]> = [
      ['stdout', () => result.stdout],
      ['stderr', () => result.stderr],
      ...['report.json', 'report.html', 'junit.xml', 'summary.md'].map((file): [string, () => string] => [file, () => files.find(([name]) => name.endsWith(file))?.[1] ?? '']),
    ];
    for (const [name, text] of outputs) {
      test(`${name}: no 4 characters in a row of any form of any secret`, () => {
        assert.deepEqual(findLeaks(text(), everyForm), []);
        if (name !== 'stderr') assert.match(text(), /\[redacted\]/, 'the echo reached the output, masked');
      });
    }
  });
}

test('send: a Basic credential and a Bearer token echoed across its excerpt and the 64 KiB read limit', async () => {
  // The text output cuts the body at 200 characters; --json prints all that was read.
  const cuts = [200, DEFAULT_MAX_BODY_BYTES];
  const runs: Array<{ flags: string[]; env: Record<string, string>; offset: number }> = [
    { flags: basicFlags, env: { DRHOOK_PASSWORD: secrets.basicPassword }, offset: 9 },
    { flags: [...oauthFlags, '--token-url', `${tokenEndpoint.url}/oauth/token`, '--json'], env: { DRHOOK_CLIENT_SECRET: secrets.clientSecret }, offset: 13 },
  ];
  for (const { flags, env, offset } of runs) {
    const echo = await startServer((req, res) => {
      res.writeHead(400).end(echoBody(0, { prefix: 'auth=', secret: credential(req.headers) }, offset, cuts, req.headers, 400, DEFAULT_MAX_BODY_BYTES + 100));
    });
    try {
      const result = await runCli(['send', echo.url, '--type', 'refund.complete', '--seed', '3', ...flags], { env: { ...noEnv, DRHOOK_TEST_SECRET: secrets.envToken, ...env } });
      assert.equal(result.code, 1, result.stderr);
      assert.match(result.stdout, /auth=\[redac/);
      assert.deepEqual(findLeaks(result.stdout + result.stderr, everyForm), []);
    } finally {
      await echo.close();
    }
  }
});

describe('the Playwright fixture: every offset across the 64 KiB read limit and the matchers\' excerpt', () => {
  // The matchers quote 300 characters of the body.
  const cuts = [299, DEFAULT_MAX_BODY_BYTES];
  const state = { isNot: false } as ExpectMatcherState;
  // Made when the test runs: the token endpoint is up by then.
  const configs: Array<[string, () => AuthConfig, string]> = [
    ['a Basic credential', () => ({ kind: 'basic', username, password: secrets.basicPassword }), 'Basic '],
    ['a Bearer token', () => ({ kind: 'oauth', tokenUrl: `${tokenEndpoint.url}/oauth/token`, clientId: 'drhook-client', clientSecret: secrets.clientSecret, grant: 'client_credentials' }), 'Bearer '],
  ];
  for (const [name, auth, prefix] of configs) {
    test(name, async () => {
      let offset = 0;
      const echo = await startServer((req, res) => {
        res.writeHead(400).end(echoBody(offset, { prefix, secret: credential(req.headers) }, offset, cuts, req.headers, 1000, DEFAULT_MAX_BODY_BYTES + 100));
      });
      const webhook = createWebhook({
        url: echo.url,
        secrets: { test: [secrets.flagToken], live: [] },
        auth: auth(),
        deadlineMs: undefined, toleranceSec: undefined, scheme: undefined, signatureLayout: undefined, headers: undefined, scenario: undefined,
      });
      try {
        const length = (prefix === 'Basic ' ? basicCredential : bearer).length;
        for (offset = 1; offset < length; offset += 1) {
          const delivery = await webhook.send('refund.complete');
          assert.ok(delivery.outcome.kind === 'response' && delivery.outcome.body.truncated, 'the body was cut at the read limit');
          const written = [
            JSON.stringify(delivery),
            webhookMatchers.toBeAcknowledged.call(state, delivery).message(),
            webhookMatchers.toBeRejectedWith.call(state, delivery, 400, /no such text/).message(),
          ].join('\n');
          assert.match(written, /\[redacted\]/);
          assert.deepEqual(findLeaks(written, everyForm), [], `offset ${offset}`);
        }
      } finally {
        await webhook.close();
        await echo.close();
      }
    });
  }
});

/** drhook's compiled code, every file: the text it can write without being given a secret. */
async function drhookSourceText(): Promise<string> {
  const dir = fileURLToPath(new URL('../src/', import.meta.url));
  const files = (await readdir(dir, { recursive: true })).filter((name) => name.endsWith('.js'));
  assert.ok(files.length > 50, `drhook's code is read (${files.length} files)`);
  return (await Promise.all(files.map((name) => readFile(path.join(dir, name), 'utf8')))).join('\n');
}

/** Searches stdout, stderr and every report file for any part of any form of the secrets and `extra` values. */
async function assertNoSecret(results: CliResult[], reportDir: string, extra: string[], ignored: readonly string[] = []): Promise<number> {
  const files = await everyFile(reportDir);
  assert.ok(files.length >= 4, 'the report files were written');
  const outputs: Array<[string, string]> = [...results.flatMap((result, index): Array<[string, string]> => [[`stdout ${index}`, result.stdout], [`stderr ${index}`, result.stderr]]), ...files];
  const forms = [...everyForm, ...extra.flatMap(formsOf)];
  for (const [name, text] of outputs) assert.deepEqual(findLeaks(text, forms, ignored), [], name);
  return outputs.reduce((sum, [, text]) => sum + text.length, 0);
}

test('against the reference receiver: signing tokens (flag, file, environment) and a Basic password appear nowhere', async () => {
  const receiver = await startReceiver({ secrets: { test: [secrets.fileToken], live: [secrets.liveToken] }, auth: { kind: 'basic', username, password: secrets.basicPassword } });
  const reportDir = path.join(work, 'basic');
  try {
    const contract = await runCli(
      ['contract', receiver.url, '--events', 'refund.complete', '--only', 'ack,signature,auth', '--mode', 'both', '--secret-file', tokenFile, '--seed', '2', '--no-progress', '--report-dir', reportDir, ...basicFlags],
      { env: { ...noEnv, DRHOOK_LIVE_SECRET: secrets.liveToken, DRHOOK_PASSWORD: secrets.basicPassword } },
    );
    assert.equal(contract.code, 0, contract.stdout + contract.stderr);
    const load = await runCli(
      ['load', receiver.url, '--events', 'refund.complete', '--count', '100', '--connections', '2', '--secret', secrets.fileToken, '--password', secrets.basicPassword, '--no-progress', '--report-dir', reportDir, ...basicFlags],
      { env: noEnv },
    );
    assert.equal(load.code, 0, load.stdout + load.stderr);
    const searched = await assertNoSecret([contract, load], reportDir, []);
    assert.ok(searched > 10_000);
  } finally {
    await receiver.close();
  }
});

test('against the reference receiver: an OAuth client secret, a password grant and the fetched Bearer tokens appear nowhere', async () => {
  const receiver: RunningReceiver = await startReceiver({
    secrets: { test: [secrets.envToken], live: [] },
    auth: { kind: 'oauth', clientId: 'drhook-client', clientSecret: secrets.clientSecret, username: 'owner', password: secrets.ownerPassword },
  });
  // A pass-through in front of the token endpoint, to learn every bearer token drhook is given. It forwards with
  // node:http, not fetch: a process's first fetch loads its client, seconds on a busy machine, all within the 3000 ms
  // drhook gives its token request.
  const bearers: string[] = [];
  const tokenProxy: TestServer = await startServer((req, res, body) => {
    const forward = http.request(receiver.tokenUrl!, { method: 'POST', headers: { 'content-type': req.headers['content-type'] ?? '' } }, (answer) => {
      const chunks: Buffer[] = [];
      answer.on('data', (chunk: Buffer) => chunks.push(chunk));
      answer.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        const token = (JSON.parse(text) as { access_token?: string }).access_token;
        if (token) bearers.push(token);
        res.writeHead(answer.statusCode ?? 502, { 'content-type': 'application/json' }).end(text);
      });
    });
    forward.end(body);
  });
  const reportDir = path.join(work, 'oauth');
  try {
    const auth = ['--auth', 'oauth', '--token-url', `${tokenProxy.url}/oauth/token`, '--client-id', 'drhook-client', '--grant', 'password', '--username', 'owner'];
    const env = { ...noEnv, DRHOOK_TEST_SECRET: secrets.envToken, DRHOOK_CLIENT_SECRET: secrets.clientSecret, DRHOOK_PASSWORD: secrets.ownerPassword };
    const contract = await runCli(['contract', receiver.url, '--events', 'refund.complete', '--only', 'ack,auth', '--mode', 'test', '--seed', '3', '--no-progress', '--report-dir', reportDir, ...auth], { env });
    assert.equal(contract.code, 0, contract.stdout + contract.stderr);
    const load = await runCli(['load', receiver.url, '--events', 'refund.complete', '--count', '100', '--connections', '2', '--no-progress', '--json', '--report-dir', reportDir, ...auth], { env });
    assert.equal(load.code, 0, load.stdout + load.stderr);
    assert.ok(bearers.length >= 2, 'each run fetched a bearer token');
    // The receiver's tokens are random: what of them could be drhook's own text by chance is not searched for: its
    // code's strings ("HMAC-SHA256" holds "SHA2", as a token's base64 may) and the Chart.js that report.html inlines
    // (its code holds "aw==" and "malF"). A token written out in part still shows in its other four-character runs.
    await assertNoSecret([contract, load], reportDir, bearers, ambiguousParts(bearers.flatMap(formsOf), `${await drhookSourceText()}\n${chartJsSource()}`));
  } finally {
    await tokenProxy.close();
    await receiver.close();
  }
});

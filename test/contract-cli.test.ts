// `drhook contract` end to end: the default scenario's gate, report files, exit codes, no secret anywhere, interruption.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv2020 } from 'ajv/dist/2020.js';
import ajvFormats from 'ajv-formats';
import type { ContractReport } from '../src/contract/results.js';
import { generateEvent } from '../src/events/generate.js';
import { schemasDir } from '../src/base/paths.js';
import { validateEvent } from '../src/events/schemas.js';
import { startReceiver } from '../src/receiver/server.js';
import { runCli, startServer } from './helpers/http.js';
import { checkIds } from '../src/catalog/checks.js';

const testToken = 'whsec-SECRET-cli-test-6d5e4f';
const liveToken = 'whsec-SECRET-cli-live-3c2b1a';
const password = 'PASS-cli-basic-8e9f';
const secrets = [testToken, liveToken, password, Buffer.from(`digitalriver:${password}`).toString('base64')];
const env = { DRHOOK_TEST_SECRET: testToken, DRHOOK_LIVE_SECRET: liveToken, DRHOOK_PASSWORD: password };

// The receivers here run in this process: their event validator is compiled now, not during the first timed delivery.
validateEvent(generateEvent('order.accepted', { seed: 1 }));

const tempDirs: string[] = [];
const tempDir = async (): Promise<string> => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'drhook-contract-'));
  tempDirs.push(dir);
  return dir;
};
after(() => Promise.all(tempDirs.map((dir) => rm(dir, { recursive: true, force: true }))));

/** The files of the one run directory under `reportDir`. */
async function runFiles(reportDir: string): Promise<{ json: string; junit: string; summary: string; html: string }> {
  const [runId, ...others] = await readdir(reportDir);
  assert.ok(runId && others.length === 0, 'one run directory');
  assert.match(runId, /^\d{8}-\d{6}-contract-[0-9a-f]{4}$/);
  const read = (name: string) => readFile(path.join(reportDir, runId, name), 'utf8');
  return { json: await read('report.json'), junit: await read('junit.xml'), summary: await read('summary.md'), html: await read('report.html') };
}

/** report.json's schema, compiled. */
async function reportSchema(): Promise<ReturnType<Ajv2020['compile']>> {
  const ajv = new Ajv2020({ allErrors: true, strict: false });
  ajvFormats.default(ajv);
  return ajv.compile(JSON.parse(await readFile(path.join(schemasDir, 'report.schema.json'), 'utf8')) as object);
}

function assertNoSecret(texts: readonly string[]): void {
  for (const text of texts) for (const secret of secrets) assert.ok(!text.includes(secret), `a secret leaked: ${secret.slice(0, 12)}…`);
}

test('the default scenario passes end to end against the reference receiver (both modes, signatures, basic auth)', async () => {
  const receiver = await startReceiver({ secrets: { test: [testToken], live: [liveToken] }, auth: { kind: 'basic', username: 'digitalriver', password } });
  const reportDir = await tempDir();
  try {
    // Three of its types keep the run short (malformed.robust breaks every field of each); two are steps of one order's
    // story, so ordering.out-of-order runs too.
    const events = ['--events', 'order.accepted,refund.complete,subscription.created'];
    const result = await runCli(['contract', receiver.url, ...events, '--mode', 'both', '--auth', 'basic', '--username', 'digitalriver', '--report-dir', reportDir, '--seed', '42'], { env });
    assert.equal(result.code, 0, result.stdout + result.stderr);
    assert.match(result.stdout, /Gate: PASS/);
    assert.match(result.stdout, /report\.json/);
    const files = await runFiles(reportDir);
    const report = JSON.parse(files.json) as ContractReport;
    assert.equal(report.complete, true);
    assert.equal(report.gate.status, 'pass');
    assert.equal(report.settings.seed, 42);
    const settings = report.settings as {
      eventSettings: Record<string, { requires: string[]; weight: number; expanded: boolean }>;
      policies: Record<string, { run: boolean; required: boolean; allowedStatuses?: number[] }>;
      knownIds: { order: string[] };
    };
    assert.deepEqual(settings.eventSettings['order.accepted'], { requires: ['/id'], weight: 5, expanded: false }, 'the universal contract only');
    assert.deepEqual(settings.policies['compat.unknown-type'], { run: true, required: false });
    assert.deepEqual(settings.policies['malformed.400'], { run: true, required: true, allowedStatuses: [400] });
    assert.equal(settings.policies['signature.missing']?.allowedStatuses?.length, 100);
    assert.deepEqual(settings.knownIds, { order: [] });
    assert.deepEqual(
      report.checks.filter((check) => check.status !== 'pass').map((check) => `${check.id}: ${check.status}`),
      [],
      'every check ran and passed',
    );
    assert.equal(report.checks.length, checkIds.length);
    assert.ok(report.checks.find((check) => check.id === 'malformed.robust')!.counts.pass > 500);
    assert.equal(report.gate.unsigned, false);
    assert.doesNotMatch(result.stdout + files.summary + files.html, /No signature check ran/);
    const validate = await reportSchema();
    assert.ok(validate(report), JSON.stringify(validate.errors));
    assert.match(files.junit, /<testsuites /);
    assertNoSecret([result.stdout, result.stderr, files.json, files.junit, files.summary]);
  } finally {
    await receiver.close();
  }
});

test('a faulty receiver: exit 1, and junit and summary name the failing check; secrets echoed back are redacted', async () => {
  // Answers 500 and echoes every request header (the Authorization and signature included) in its body.
  const server = await startServer((req, res) => {
    res.writeHead(500, { 'Content-Type': 'application/json' }).end(JSON.stringify({ error: 'boom', saw: req.headers, password }));
  });
  const reportDir = await tempDir();
  try {
    const result = await runCli(
      ['contract', server.url, '--only', 'ack', '--events', 'order.accepted', '--auth', 'basic', '--username', 'digitalriver', '--report-dir', reportDir, '--no-progress'],
      { env },
    );
    assert.equal(result.code, 1, result.stderr);
    assert.match(result.stdout, /Gate: FAIL/);
    assert.match(result.stdout, /ack\.2xx/);
    assert.match(result.stdout, /drhook contract \S+ --auth basic --username digitalriver --only ack\.2xx --events order\.accepted --mode test --seed \d+ --case ack\.2xx\/order\.accepted\/test\/valid-event/);
    const files = await runFiles(reportDir);
    assert.match(files.junit, /<failure message="answered 500[^"]*" type="ack\.2xx"/);
    assert.match(files.summary, /ack\.2xx/);
    assert.match(files.summary, /answered 500/);
    assertNoSecret([result.stdout, result.stderr, files.json, files.junit, files.summary]);
    assert.match(files.json, /\[redacted\]/);
  } finally {
    await server.close();
  }
});

test('a setup problem (401 to everything): the console says so first, then each reason once with its count; report.json keeps every case', async () => {
  const server = await startServer((_req, res) => {
    res.writeHead(401, { 'Content-Type': 'application/json' }).end(JSON.stringify({ error: 'unauthorized' }));
  });
  const reportDir = await tempDir();
  try {
    const result = await runCli(['contract', server.url, '--events', 'order.accepted,refund.complete', '--seed', '3', '--report-dir', reportDir, '--no-progress'], { env });
    assert.equal(result.code, 1, result.stderr);
    const report = JSON.parse((await runFiles(reportDir)).json) as ContractReport;
    const lines = result.stdout.split('\n');
    const setup = lines.findIndex((line) => line.startsWith('Setup: the receiver answered 401 to both valid events'));
    assert.ok(setup >= 0, result.stdout);
    assert.ok(setup < lines.indexOf('Failing cases'), 'the setup cause comes first');
    assert.match(lines[setup]!, /check that drhook signs with the token the receiver verifies/);

    // The malformed cases all fail for one reason (timings aside): one entry, counted, with one example.
    const malformed = report.checks.find((check) => check.id === 'malformed.400');
    assert.ok(malformed && malformed.cases.length > 3, 'malformed.400 has many cases');
    assert.ok(malformed.cases.every((record) => record.verdict.status === 'fail' && record.deliveries.length === 1), 'report.json keeps every case, sent');
    const entries = lines.filter((line) => line.startsWith('  ✗ malformed.400 '));
    assert.deepEqual(entries, [`  ✗ malformed.400  ${malformed.cases.length} cases with this reason, e.g. ${malformed.cases[0]!.eventType} [test] ${malformed.cases[0]!.fault}`]);
    assert.equal(lines.filter((line) => /^ {6}why: answered 401 in \d+ ms; a malformed data\.object must be answered with 400/.test(line)).length, 1);
    assert.ok(!result.stdout.includes('more malformed.400 case'), 'no case of it is left unmentioned');
    // Every failing check is listed, each reason once: far fewer entries than failing cases.
    const failing = report.checks.flatMap((check) => check.cases).filter((record) => record.verdict.status === 'fail');
    const shown = lines.filter((line) => line.startsWith('  ✗ '));
    assert.ok(shown.length < failing.length / 4, `${shown.length} entries for ${failing.length} failing cases`);
    for (const id of report.gate.failedRequired) assert.ok(shown.some((line) => line.startsWith(`  ✗ ${id} `)), id);
  } finally {
    await server.close();
  }
});

test('--json prints the report instead of the table', async () => {
  const receiver = await startReceiver({ secrets: { test: [testToken], live: [] } });
  const reportDir = await tempDir();
  try {
    const result = await runCli(['contract', receiver.url, '--only', 'signature.missing,ack.2xx', '--events', 'order.complete', '--json', '--report-dir', reportDir], { env });
    assert.equal(result.code, 0, result.stderr);
    const report = JSON.parse(result.stdout) as ContractReport;
    assert.deepEqual(report.checks.map((check) => [check.id, check.status]), [['ack.2xx', 'pass'], ['signature.missing', 'pass']]);
    assertNoSecret([result.stdout, result.stderr]);
  } finally {
    await receiver.close();
  }
});

test('usage errors exit 2 with one line, before anything is sent', async () => {
  const server = await startServer((_req, res) => void res.writeHead(200).end());
  const reportDir = await tempDir();
  try {
    const cases: Array<[string[], RegExp, Record<string, string>?]> = [
      [['--only', 'ack.2x'], /unknown check 'ack\.2x' \(did you mean ack\.2xx\?\)/],
      [['--skip', 'signatures.missing'], /unknown check 'signatures\.missing' \(did you mean signature\.missing\?\)/],
      [['--events', 'order.acepted'], /unknown event type 'order\.acepted' \(did you mean 'order\.accepted'/],
      [['--burst', 'many'], /--burst must be a whole number/],
      [['--timeout-ms', 'soon'], /--timeout-ms must be a duration/],
      [['--header', 'no colon here'], /--header 'no colon here' is not 'Name: value'/],
      [['--auth', 'basic'], /--auth basic needs --username/],
      [['--case', 'ack.2xx/order.accepted/test/nope', '--only', 'ack.2xx', '--events', 'order.accepted'], /--case .*no such case.*did you mean ack\.2xx\/order\.accepted\/test\/valid-event/],
      [['--scenario', path.join(reportDir, 'missing.yaml')], /cannot read scenario .*missing\.yaml: no such file/],
      [['--auth', 'oauth', '--token-url', 'notaurl', '--client-id', 'shop'], /--token-url: invalid URL 'notaurl': use http:\/\/ or https:\/\//],
      [['--known-order-id', ' , '], /--known-order-id lists no order id/],
      [['--frobnicate'], /unknown option '--frobnicate'/],
      [['--mutations', 'most'], /--mutations must be all or a whole number of cases from 0 to 1000000, got 'most'/],
      [['--write-requires', path.join(reportDir, 'no', 'such', 'dir', 'requires.yaml')], /--write-requires .*requires\.yaml: no directory .*dir to write it in/],
      [['--write-requires', path.join(reportDir, 'requires.yaml'), '--skip', 'malformed.robust'], /--write-requires needs malformed\.robust to run/],
    ];
    for (const [args, message] of cases) {
      const result = await runCli(['contract', server.url, '--report-dir', reportDir, ...args], { env });
      assert.equal(result.code, 2, `${args.join(' ')}: ${result.stderr}`);
      assert.match(result.stderr, message);
      assert.equal(result.stderr.trim().split('\n').length, 1, result.stderr);
    }
    const badUrl = await runCli(['contract', 'ftp://example.com/hook'], { env });
    assert.equal(badUrl.code, 2);
    assert.match(badUrl.stderr, /invalid URL/);
    assert.deepEqual(server.requests, [], 'nothing was sent');
    assert.deepEqual(await readdir(reportDir), [], 'no run directory is left behind');
  } finally {
    await server.close();
  }
});

test('a report directory where nothing can be created (/proc) is a usage error at once, not a hang', { skip: !existsSync('/proc/self') }, async () => {
  const cli = fileURLToPath(new URL('../src/cli.js', import.meta.url));
  for (const dir of ['/proc/drhook-reports', '/proc/drhook-reports/nested']) {
    const result = await new Promise<{ code: number | null; stderr: string; killed: boolean }>((resolve) => {
      const child = execFile(process.execPath, [cli, 'contract', 'http://127.0.0.1:9/hook', '--unsigned', '--only', 'ack.2xx', '--report-dir', dir], { timeout: 15_000 }, (error, _stdout, stderr) =>
        resolve({ code: child.exitCode, stderr, killed: error?.killed === true }),
      );
    });
    assert.equal(result.killed, false, `${dir}: still running after 15 s`);
    assert.equal(result.code, 2, result.stderr);
    assert.match(result.stderr, /^drhook: cannot create the report directory \/proc\/drhook-reports(\/nested)?: \/proc does not accept new directories/);
  }
});

/** No token, password or client secret in the environment: only what a case gives. */
const noSecrets = { DRHOOK_TEST_SECRET: '', DRHOOK_LIVE_SECRET: '', DRHOOK_PASSWORD: '', DRHOOK_CLIENT_SECRET: '' };
const unsignedHint = ', or pass --unsigned to run without signature checks (for a receiver that does not verify signatures)';

test('without a signing token for a mode it sends, contract is a setup error: exit 2, one line, nothing sent', async () => {
  const server = await startServer((_req, res) => void res.writeHead(200).end());
  const reportDir = await tempDir();
  try {
    const cases: Array<[string[], string]> = [
      [[], `no signing token for test mode: pass --secret, set DRHOOK_TEST_SECRET or use --secret-file${unsignedHint}`],
      [['--mode', 'live', '--only', 'ack'], `no signing token for live mode: pass --live-secret, set DRHOOK_LIVE_SECRET or use --live-secret-file${unsignedHint}`],
      [['--mode', 'both'], `no signing token for test mode (pass --secret, set DRHOOK_TEST_SECRET or use --secret-file) nor for live mode (pass --live-secret, set DRHOOK_LIVE_SECRET or use --live-secret-file)${unsignedHint}`],
      [['--mode', 'both', '--secret', testToken], 'the run sends live events but only a test-mode signing token is given: add the live-mode token (--live-secret or DRHOOK_LIVE_SECRET) or change --mode'],
      [['--unsigned', '--secret', testToken], '--unsigned and a test-mode signing token were both given: drop the token to send unsigned, or --unsigned to sign'],
    ];
    for (const [args, message] of cases) {
      const result = await runCli(['contract', server.url, '--report-dir', reportDir, ...args], { env: noSecrets });
      assert.equal(result.code, 2, `${args.join(' ')}: ${result.stdout}${result.stderr}`);
      assert.equal(result.stderr, `drhook: ${message}\n`);
      assert.equal(result.stdout, '');
      assertNoSecret([result.stderr]);
    }
    assert.deepEqual(server.requests, [], 'nothing was sent');
    assert.deepEqual(await readdir(reportDir), [], 'no run directory is left behind');
  } finally {
    await server.close();
  }
});

test('--unsigned: every event goes unsigned, no signature check runs, and the console, summary.md, report.html and report.json say so', async () => {
  const server = await startServer((_req, res) => void res.writeHead(202).end());
  const reportDir = await tempDir();
  try {
    // A token in the environment is not used when --unsigned asks for unsigned events.
    const result = await runCli(['contract', server.url, '--unsigned', '--only', 'ack,signature', '--events', 'order.accepted', '--report-dir', reportDir, '--no-progress'], {
      env: { ...noSecrets, DRHOOK_TEST_SECRET: testToken },
    });
    assert.equal(result.code, 0, result.stdout + result.stderr);
    assert.ok(server.requests.length >= 1);
    for (const request of server.requests) assert.equal(request.headers['digitalriver-signature'], undefined, 'no event is signed');

    const note = 'No signature check ran: the events were sent unsigned (--unsigned), so this gate says nothing about whether the receiver verifies signatures.';
    const signatureChecks = ['signature.missing', 'signature.invalid', 'signature.tampered', 'signature.stale', 'signature.wrong-mode', 'signature.rotation', 'signature.raw-body'];
    assert.match(result.stdout, /Gate: PASS {2}All 3 required checks passed; 7 skipped; no signature check ran \(--unsigned\)\.\n/);
    assert.ok(result.stdout.includes(`\n${note}\n`), result.stdout);
    for (const id of signatureChecks) assert.match(result.stdout, new RegExp(`^ {2}${id.replace('.', '\\.')} +required +skipped +not run: the events are sent unsigned \\(--unsigned\\)`, 'm'));

    const files = await runFiles(reportDir);
    assert.ok(files.summary.includes(`> ⚠️ ${note}`), files.summary);
    assert.match(files.summary, /\| `signature\.missing` \| required \| ⏭️ skipped \|.*skipped: not run: the events are sent unsigned/);
    const banner = /<section class="banner pass" id="verdict"[^>]*>[\s\S]*?<\/section>/.exec(files.html)?.[0] ?? '';
    assert.ok(banner.includes(`<p class="note">${note}</p>`), banner);

    const report = JSON.parse(files.json) as ContractReport;
    assert.equal(report.gate.status, 'pass');
    assert.equal(report.gate.unsigned, true);
    assert.match(report.gate.summary, /; no signature check ran \(--unsigned\)\.$/);
    assert.ok(banner.includes(`<p class="summary">${report.gate.summary}</p>`), banner);
    assert.deepEqual(report.settings.signingTokens, { test: 0, live: 0 });
    assert.deepEqual(report.checks.filter((check) => check.status === 'skipped').map((check) => check.id), signatureChecks);
    assert.ok(report.checks.flatMap((check) => check.cases).every((record) => / --unsigned /.test(record.reproduce)), 'reproduce commands run unsigned');
    const validate = await reportSchema();
    assert.ok(validate(report), JSON.stringify(validate.errors));
    assertNoSecret([result.stdout, files.json, files.junit, files.summary, files.html]);
  } finally {
    await server.close();
  }
});

test('auth declared without its secret is a setup error (exit 2, nothing sent), never a skipped auth.required', async () => {
  const server = await startServer((_req, res) => void res.writeHead(200, { 'Content-Type': 'application/json' }).end('{"access_token":"tok-abcdefgh","expires_in":60}'));
  const dir = await tempDir();
  const { writeFile } = await import('node:fs/promises');
  const basicScenario = path.join(dir, 'basic.yaml');
  await writeFile(basicScenario, 'name: basic auth\nevents: [order.accepted]\nauth: { kind: basic, username: dr, passwordEnv: SHOP_WEBHOOK_PASSWORD_UNSET }\n');
  const oauthScenario = path.join(dir, 'oauth.yaml');
  await writeFile(oauthScenario, `name: oauth\nevents: [order.accepted]\nauth: { kind: oauth, tokenUrl: '${server.url}/token', clientId: shop, clientSecretEnv: SHOP_CLIENT_SECRET_UNSET }\n`);
  try {
    const cases: Array<[string[], RegExp]> = [
      [['--scenario', basicScenario], /^drhook: the scenario's auth\.passwordEnv names the environment variable SHOP_WEBHOOK_PASSWORD_UNSET, which is not set\n$/],
      [['--scenario', oauthScenario], /^drhook: the scenario's auth\.clientSecretEnv names the environment variable SHOP_CLIENT_SECRET_UNSET, which is not set\n$/],
      [['--auth', 'basic', '--username', 'dr'], /^drhook: --auth basic needs a password: --password, --password-file or DRHOOK_PASSWORD\n$/],
      [['--auth', 'oauth', '--token-url', `${server.url}/token`, '--client-id', 'shop'], /^drhook: --auth oauth needs a client secret: --client-secret, --client-secret-file or DRHOOK_CLIENT_SECRET\n$/],
    ];
    for (const [args, message] of cases) {
      for (const signing of [['--secret', testToken], ['--unsigned']]) {
        const result = await runCli(['contract', `${server.url}/hook`, '--only', 'auth.required,ack.2xx', '--report-dir', dir, ...signing, ...args], { env: noSecrets });
        assert.equal(result.code, 2, `${args.join(' ')}: ${result.stdout}${result.stderr}`);
        assert.match(result.stderr, message);
        assert.equal(result.stdout, '');
      }
    }
    assert.deepEqual(server.requests, [], 'nothing was sent, no token requested');
    assert.deepEqual((await readdir(dir)).sort(), ['basic.yaml', 'oauth.yaml'], 'no run directory is left behind');
  } finally {
    await server.close();
  }
});

test('SIGINT ends the run: in-flight deliveries aborted, the partial report written, exit 130', async () => {
  const server = await startServer((_req, res) => {
    setTimeout(() => res.writeHead(200).end(), 1500);
  });
  const reportDir = await tempDir();
  try {
    const cli = fileURLToPath(new URL('../src/cli.js', import.meta.url));
    const child = spawn(process.execPath, [cli, 'contract', server.url, '--only', 'ack', '--report-dir', reportDir, '--concurrency', '2'], {
      env: { ...process.env, NO_COLOR: '1', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    // Two deliveries in flight after the first pair finished.
    const started = Date.now();
    while (server.requests.length < 3 && Date.now() - started < 10_000) await new Promise((resolve) => setTimeout(resolve, 50));
    child.kill('SIGINT');
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    assert.equal(code, 130, stdout);
    const report = JSON.parse((await runFiles(reportDir)).json) as ContractReport;
    assert.equal(report.complete, false);
    assert.equal(report.gate.status, 'fail');
    assert.match(stdout, /interrupted/);
  } finally {
    await server.close();
  }
});

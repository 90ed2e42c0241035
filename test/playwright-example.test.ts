// examples/playwright run by Playwright against the reference receiver: all green when it is correct, the right tests red when not.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { checkIds } from '../src/catalog/checks.js';
import { startReceiver, type ReceiverOptions } from '../src/receiver/server.js';
import { startServer } from './helpers/http.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const playwrightCli = path.join(root, 'node_modules', '@playwright', 'test', 'cli.js');
const secrets = { test: ['tok_example_test_71c2'], live: ['tok_example_live_0d9e'] };

interface Spec {
  title: string;
  /** The describe blocks and the title. */
  path: string[];
  status: 'expected' | 'unexpected' | 'skipped' | 'flaky';
  /** The error messages of its attempts. */
  errors: string[];
}

interface Run {
  code: number | null;
  stats: { expected: number; unexpected: number; skipped: number; flaky: number };
  specs: Spec[];
  /** Errors outside any test, such as a spec file that throws while the tests are listed. */
  errors: string[];
  output: string;
}

/** Runs Playwright on the project `config` against `url` with the signing tokens `tokens` and reads its JSON report. */
async function runPlaywright(config: string, url: string, tokens: { test: string; live: string }, args: string[] = []): Promise<Run> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'drhook-example-'));
  const json = path.join(dir, 'results.json');
  try {
    const env = { ...process.env, DRHOOK_URL: url, DRHOOK_TEST_SECRET: tokens.test, DRHOOK_LIVE_SECRET: tokens.live, PLAYWRIGHT_JSON_OUTPUT_NAME: json, CI: '' };
    const child = spawn(process.execPath, [playwrightCli, 'test', '-c', config, '--reporter=json', '--output', path.join(dir, 'results'), ...args], { cwd: root, env });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    const report = JSON.parse(await readFile(json, 'utf8')) as { stats: Run['stats']; suites: Suite[]; errors?: Array<{ message?: string }> };
    const errors = (report.errors ?? []).map((error) => error.message ?? '');
    return { code, stats: report.stats, specs: report.suites.flatMap((suite) => specsOf(suite, [])), errors, output };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** Runs the example against a reference receiver (with `fault`, if given). */
async function runExample(fault: ReceiverOptions['fault'] | undefined, args: string[] = []): Promise<Run> {
  const receiver = await startReceiver({ secrets, ...(fault ? { fault } : {}) });
  try {
    return await runPlaywright('examples/playwright', receiver.url, { test: secrets.test[0]!, live: secrets.live[0]! }, args);
  } finally {
    await receiver.close();
  }
}

/** A Playwright project of one spec file calling defineContractSuite with `options` (drhook imported from dist/). */
async function suiteProject(options: Record<string, unknown>): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'drhook-suite-'));
  const drhook = pathToFileURL(path.join(root, 'dist', 'src', 'playwright.js')).href;
  await writeFile(path.join(dir, 'package.json'), '{ "type": "module" }\n');
  await writeFile(path.join(dir, 'playwright.config.ts'), "export default { testDir: '.', testMatch: '*.spec.ts', workers: 1 };\n");
  await writeFile(path.join(dir, 'contract.spec.ts'), `import { defineContractSuite } from '${drhook}';\ndefineContractSuite('default', ${JSON.stringify(options)});\n`);
  return dir;
}

interface Suite {
  title: string;
  suites?: Suite[];
  specs?: Array<{ title: string; tests: Array<{ status: Spec['status']; results: Array<{ errors: Array<{ message?: string }> }> }> }>;
}

/** Every test with its describe path (the file's own suite left out). */
function specsOf(suite: Suite, parents: string[]): Spec[] {
  const here = suite.title.endsWith('.spec.ts') ? parents : [...parents, suite.title];
  return [
    ...(suite.specs ?? []).map((spec) => ({
      title: spec.title,
      path: [...here, spec.title],
      status: spec.tests[0]!.status,
      errors: spec.tests[0]!.results.flatMap((result) => result.errors.map((error) => error.message ?? '')),
    })),
    ...(suite.suites ?? []).flatMap((child) => specsOf(child, here)),
  ];
}

// The default scenario lists hundreds of cases (thousands with malformed.robust's): a Playwright test each, all of them
// would take minutes. Every check runs here for order.accepted (the multi-type burst and out-of-order story, and both
// compat.unknown-type cases, included), and malformed.robust for one order.accepted case and the fields at a refund's top
// level (and its first charge), which between them take almost every kind of fault; every case of the scenario passes
// under drhook contract in contract-cli.test.ts.
const sampleCases = [
  'webhook\\.spec\\.ts',
  'order\\.accepted[ ,]',
  'compat\\.unknown-type ',
  'auth\\.required ',
  'malformed\\.robust refund\\.complete \\[test\\] data\\.object\\.(\\w+|charges\\[0\\]): ',
].join('|');
const otherRobustCases = 'malformed\\.robust order\\.accepted (?!\\[test\\] data\\.object\\.items\\[0\\]\\.productDetails\\.name: a long)';

test('against the correct reference receiver the fixture tests and the contract cases of every check of the default scenario run and pass', async () => {
  const run = await runExample(undefined, ['--grep', sampleCases, '--grep-invert', otherRobustCases]);
  assert.equal(run.code, 0, run.output.slice(-3000));
  assert.equal(run.stats.unexpected, 0);
  assert.equal(run.stats.flaky, 0);
  // Every check of the catalogue has its describe block, and every one but auth.required ran cases that passed.
  const cases = run.specs.filter((spec) => spec.path.length > 1);
  assert.deepEqual([...new Set(cases.map((spec) => spec.path[0]))].sort(), [...checkIds].sort());
  for (const check of checkIds.filter((id) => id !== 'auth.required')) {
    const ran = cases.filter((spec) => spec.path[0] === check);
    assert.ok(ran.length > 0 && ran.every((spec) => spec.status === 'expected'), `${check}: ${ran.length} cases ran and passed`);
  }
  assert.ok(run.specs.some((spec) => spec.path[0] === 'malformed.message' && spec.title === 'order.accepted [test] data.object.id: missing'));
  assert.ok(run.specs.some((spec) => spec.path[0] === 'malformed.robust' && spec.title === 'order.accepted [test] data.object.items[0].productDetails.name: a long string (sent 10000 characters)'));
  assert.ok(run.specs.some((spec) => spec.path[0] === 'signature.wrong-mode' && spec.title.includes('[live]')), 'a live-mode case');
  const robust = run.specs.filter((spec) => spec.path[0] === 'malformed.robust');
  assert.ok(robust.length > 40, `${robust.length} malformed.robust cases ran`);
  // The example's scenario configures no auth: that check is listed, skipped, with the reason.
  const auth = run.specs.filter((spec) => spec.path[0] === 'auth.required');
  assert.deepEqual(auth.map((spec) => spec.status), ['skipped']);
  assert.match(auth[0]!.title, /^skipped: the webhook has no authentication configured/);
  assert.equal(run.stats.expected, run.specs.length - 1, 'every test but the skipped one passed');
  assert.ok(run.stats.expected > 80, `${run.stats.expected} passing tests`);
  assert.equal(run.specs.filter((spec) => spec.path.length === 1 && spec.status === 'expected').length, 7, 'the seven fixture tests pass');
});

const signatureChecks = ['signature.missing', 'signature.invalid', 'signature.tampered', 'signature.stale', 'signature.wrong-mode', 'signature.rotation', 'signature.raw-body'];

// Every fixture test and every signature check's cases of order.accepted: all pass but the two about a stale signature.
// Playwright starts a new worker after each failing test: more failing cases, or a second worker, would only cost time.
test('against a receiver that accepts stale signatures exactly the stale-signature tests fail, saying why and how to reproduce', async () => {
  const run = await runExample('accept-stale', ['--workers', '1', '--grep', 'webhook\\.spec\\.ts|signature\\.\\S+ order\\.accepted ']);
  assert.equal(run.code, 1);
  const failed = run.specs.filter((spec) => spec.status === 'unexpected');
  const passed = run.specs.filter((spec) => spec.status === 'expected');
  assert.deepEqual(failed.map((spec) => spec.path.join(' › ')).sort(), ['a stale signature is rejected', 'signature.stale › order.accepted [test] signed 360 s ago, beyond the 300 s tolerance']);
  assert.equal(passed.length, run.specs.length - 2, 'every other test passed');
  assert.equal(passed.filter((spec) => spec.path.length === 1).length, 6, 'the other fixture tests pass: unsigned and wrong-mode events are still refused');
  assert.deepEqual([...new Set(passed.map((spec) => spec.path[0]).filter((id) => id !== undefined && id.startsWith('signature.')))].sort(), signatureChecks.filter((id) => id !== 'signature.stale').sort(), 'the other signature checks pass');
  const caseError = failed.find((spec) => spec.path[0] === 'signature.stale')!.errors.join('\n');
  assert.match(caseError, /signature\.stale: answered 202 in \d+ ms; an event signed 360 s ago \(tolerance 300 s\) must be rejected with a 4xx/);
  assert.match(caseError, /Reproduce: drhook contract http:\/\/127\.0\.0\.1:\d+\/webhooks\/digitalriver --scenario \S+default\.yaml --only signature\.stale --events order\.accepted --mode test --seed \d+ --case signature\.stale\/order\.accepted\/test\/stale-timestamp/);
  const fixtureError = failed.find((spec) => spec.path.length === 1)!.errors.join('\n');
  assert.match(fixtureError, /expected the delivery to be rejected with 401: answered 202/);
  const everything = JSON.stringify(run.specs) + run.output;
  assert.ok(!everything.includes(secrets.test[0]!) && !everything.includes(secrets.live[0]!), 'no signing token in the results');
});

test('defineContractSuite without a signing token fails the run as a setup error, before anything is sent; unsigned: true runs it without signature checks, saying so', async () => {
  const server = await startServer((_req, res) => void res.writeHead(202).end());
  const options = { events: ['refund.complete'], only: ['ack.2xx', 'signature'] };
  const [signed, unsigned] = await Promise.all([suiteProject(options), suiteProject({ ...options, unsigned: true })]);
  try {
    const refused = await runPlaywright(signed, server.url, { test: '', live: '' });
    assert.equal(refused.code, 1, refused.output.slice(-3000));
    assert.deepEqual(refused.specs, [], 'no test is listed, none passes');
    assert.equal(
      refused.errors[0],
      'UsageError: defineContractSuite: no signing token for test mode: set DRHOOK_TEST_SECRET or give secrets.test in its options, or unsigned: true to run it without signature checks',
    );
    assert.doesNotMatch(refused.output, /^\s+at /m, 'no stack trace');
    assert.equal(server.requests.length, 0, 'nothing was sent');

    // A token in the environment is not used by a suite that asks for unsigned events.
    const run = await runPlaywright(unsigned, server.url, { test: secrets.test[0]!, live: '' });
    assert.equal(run.code, 0, run.output.slice(-3000));
    assert.deepEqual(run.specs.filter((spec) => spec.path[0] === 'ack.2xx').map((spec) => spec.status), ['expected']);
    const skipped = run.specs.filter((spec) => spec.path[0]!.startsWith('signature.'));
    assert.deepEqual(skipped.map((spec) => spec.path[0]), signatureChecks);
    for (const spec of skipped) {
      assert.equal(spec.status, 'skipped');
      assert.match(spec.title, /^skipped: not run: the events are sent unsigned/);
    }
    assert.equal(server.requests.length, 1);
    assert.equal(server.requests[0]!.headers['digitalriver-signature'], undefined, 'the event went unsigned');
  } finally {
    await server.close();
    await Promise.all([signed, unsigned].map((dir) => rm(dir, { recursive: true, force: true })));
  }
});

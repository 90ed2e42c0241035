// examples/playwright run by Playwright against the reference receiver: all green when it is correct, the right tests red when not.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startReceiver, type ReceiverOptions } from '../src/receiver/server.js';

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
  output: string;
}

/** Runs the example against a reference receiver (with `fault`, if given) and reads Playwright's JSON report. */
async function runExample(fault: ReceiverOptions['fault'] | undefined, args: string[] = []): Promise<Run> {
  const receiver = await startReceiver({ secrets, ...(fault ? { fault } : {}) });
  const dir = await mkdtemp(path.join(os.tmpdir(), 'drhook-example-'));
  const json = path.join(dir, 'results.json');
  try {
    const env = {
      ...process.env,
      DRHOOK_URL: receiver.url,
      DRHOOK_TEST_SECRET: secrets.test[0]!,
      DRHOOK_LIVE_SECRET: secrets.live[0]!,
      PLAYWRIGHT_JSON_OUTPUT_NAME: json,
      CI: '',
    };
    const child = spawn(process.execPath, [playwrightCli, 'test', '-c', 'examples/playwright', '--reporter=json', '--output', path.join(dir, 'results'), ...args], { cwd: root, env });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    const report = JSON.parse(await readFile(json, 'utf8')) as { stats: Run['stats']; suites: Suite[] };
    return { code, stats: report.stats, specs: report.suites.flatMap((suite) => specsOf(suite, [])), output };
  } finally {
    await receiver.close();
    await rm(dir, { recursive: true, force: true });
  }
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

test('against the correct reference receiver every fixture test and every contract case of the default scenario passes', async () => {
  const run = await runExample(undefined);
  assert.equal(run.code, 0, run.output.slice(-3000));
  assert.equal(run.stats.unexpected, 0);
  assert.equal(run.stats.flaky, 0);
  const checks = new Set(run.specs.filter((spec) => spec.path.length > 1).map((spec) => spec.path[0]));
  for (const check of ['ack.2xx', 'ack.deadline', 'malformed.400', 'malformed.message', 'signature.stale', 'signature.wrong-mode', 'concurrency.burst', 'payload.large']) {
    assert.ok(checks.has(check), `a describe block for ${check}`);
  }
  assert.ok(run.specs.some((spec) => spec.path[0] === 'malformed.message' && spec.title === 'order.accepted [test] data.object.currency: missing'));
  // The example's scenario configures no auth: that check is listed, skipped, with the reason.
  const auth = run.specs.filter((spec) => spec.path[0] === 'auth.required');
  assert.deepEqual(auth.map((spec) => spec.status), ['skipped']);
  assert.match(auth[0]!.title, /^skipped: the webhook has no authentication configured/);
  assert.ok(run.stats.expected > 400, `${run.stats.expected} passing tests`);
  assert.equal(run.specs.filter((spec) => spec.path.length === 1 && spec.status === 'expected').length, 7, 'the seven fixture tests pass');
});

test('against a receiver that accepts stale signatures exactly the stale-signature tests fail, saying why and how to reproduce', async () => {
  const run = await runExample('accept-stale', ['--grep', 'signature\\.(stale|missing) order\\.|a stale signature']);
  assert.equal(run.code, 1);
  const failed = run.specs.filter((spec) => spec.status === 'unexpected');
  const passed = run.specs.filter((spec) => spec.status === 'expected');
  assert.deepEqual(failed.filter((spec) => spec.path.length === 1).map((spec) => spec.title), ['a stale signature is rejected']);
  assert.equal(failed.filter((spec) => spec.path[0] === 'signature.stale').length, 5, 'one per order.* event type of the scenario');
  assert.ok(failed.every((spec) => spec.path[0] === 'signature.stale' || spec.path.length === 1));
  assert.equal(passed.filter((spec) => spec.path[0] === 'signature.missing').length, 5, 'the receiver still refuses unsigned events');
  const caseError = failed.find((spec) => spec.path[0] === 'signature.stale' && spec.title.startsWith('order.accepted '))!.errors.join('\n');
  assert.match(caseError, /signature\.stale: answered 202 in \d+ ms; an event signed 360 s ago \(tolerance 300 s\) must be rejected with a 4xx/);
  assert.match(caseError, /Reproduce: drhook contract http:\/\/127\.0\.0\.1:\d+\/webhooks\/digitalriver --scenario \S+default\.yaml --only signature\.stale --events order\.accepted --mode test --seed \d+ --case signature\.stale\/order\.accepted\/test\/stale-timestamp/);
  const fixtureError = failed.find((spec) => spec.path.length === 1)!.errors.join('\n');
  assert.match(fixtureError, /expected the delivery to be rejected with 401: answered 202/);
  const everything = JSON.stringify(run.specs) + run.output;
  assert.ok(!everything.includes(secrets.test[0]!) && !everything.includes(secrets.live[0]!), 'no signing token in the results');
});

// `drhook load` as users run it: exit codes, usage errors in one line, report files, Ctrl-C, and no secret anywhere.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { schemasDir } from '../src/base/paths.js';
import { startReceiver } from '../src/receiver/server.js';
import { runCli, startServer } from './helpers/http.js';

const token = 'tok_cli_load_9d2e71';
const password = 'pw-load-3c81f0';
const noEnvSecrets = { DRHOOK_TEST_SECRET: '', DRHOOK_LIVE_SECRET: '', DRHOOK_PASSWORD: '', DRHOOK_CLIENT_SECRET: '' };
const quick = ['--events', 'order.accepted:2,refund.complete', '--pool-size', '3', '--seed', '3'];

let work: string;
before(async () => {
  work = await mkdtemp(path.join(tmpdir(), 'drhook-load-cli-'));
});
after(async () => {
  await rm(work, { recursive: true, force: true });
});

/** The files of the one run directory under `base`, by name. */
async function runFiles(base: string): Promise<Record<string, string>> {
  const [runId, ...others] = await readdir(base);
  assert.ok(runId !== undefined && others.length === 0, 'one run directory');
  const dir = path.join(base, runId);
  const files: Record<string, string> = {};
  for (const name of await readdir(dir)) files[name] = await readFile(path.join(dir, name), 'utf8');
  return files;
}

describe('usage errors: exit 2, one line, nothing sent', { concurrency: true }, () => {
  const url = 'http://127.0.0.1:9/hook';
  const cases: Array<[string, string[], RegExp]> = [
    ['no --duration', [url, '--secret', token], /needs --duration .* or --count/],
    ['--rate 0', [url, '--secret', token, '--rate', '0', '--duration', '5s'], /--rate must be events per second/],
    ['a bad --ramp', [url, '--secret', token, '--ramp', '50,abc', '--step-duration', '5s'], /--ramp must list rates/],
    ['--ramp without --step-duration', [url, '--secret', token, '--ramp', '50,100'], /--ramp needs --step-duration/],
    ['more than ten minutes', [url, '--secret', token, '--duration', '11m'], /more than the 600 s cap: .*--allow-long/],
    ['no signing token', [url, '--duration', '5s'], /no signing token for test mode/],
    ['a bad --max-failure-rate', [url, '--secret', token, '--duration', '5s', '--max-failure-rate', '5'], /--max-failure-rate must be a fraction/],
    // It would say "for 1 s" and wait 10 s for its one slot.
    ['less than one delivery at --rate', [url, '--secret', token, '--rate', '0.1', '--duration', '1'], /^drhook: --rate 0\.1 for 1 s is less than one delivery \(one every 10 s\): lengthen --duration to at least 10 s or raise --rate\n$/],
    ['less than one delivery in a --ramp step', [url, '--secret', token, '--ramp', '0.5,10', '--step-duration', '1s'], /--ramp rate 0\.5 for 1 s is less than one delivery \(one every 2 s\)/],
    ['less than one delivery in the first --capacity step', [url, '--secret', token, '--capacity', '--rate', '0.2', '--step-duration', '2s', '--time-limit', '10s'], /--rate 0\.2 for 2 s is less than one delivery \(one every 5 s\): lengthen --step-duration/],
  ];
  for (const [name, args, message] of cases) {
    test(name, async () => {
      const result = await runCli(['load', ...args, '--report-dir', path.join(work, 'unused')], { env: noEnvSecrets });
      assert.equal(result.code, 2, result.stderr);
      assert.equal(result.stdout, '');
      assert.match(result.stderr, /^drhook: [^\n]+\n$/);
      assert.match(result.stderr, message);
      assert.ok(!result.stderr.includes(token));
    });
  }
});

test('a healthy run against the reference receiver with basic auth: exit 0, report files, --json on stdout, no secret anywhere', async () => {
  const receiver = await startReceiver({ secrets: { test: [token], live: [] }, auth: { kind: 'basic', username: 'drhook', password } });
  const reportDir = path.join(work, 'healthy');
  try {
    const result = await runCli(
      ['load', receiver.url, ...quick, '--secret', token, '--auth', 'basic', '--username', 'drhook', '--password', password, '--rate', '100', '--duration', '1s', '--report-dir', reportDir, '--json'],
      { env: noEnvSecrets },
    );
    assert.equal(result.code, 0, result.stderr);
    const report = JSON.parse(result.stdout) as { totals: { sent: number; outcomes: { failures: number } }; complete: boolean; verdict: { status: string } };
    assert.equal(report.verdict.status, 'pass');
    assert.equal(report.complete, true);
    assert.equal(report.totals.outcomes.failures, 0);
    const stats = receiver.stats();
    assert.equal(stats.signaturesVerified, report.totals.sent);
    assert.equal(stats.distinctEventIds, report.totals.sent);

    const files = await runFiles(reportDir);
    assert.deepEqual(Object.keys(files).sort(), ['junit.xml', 'report.html', 'report.json', 'summary.md']);
    const ajv = new Ajv2020({ allErrors: true, strict: true });
    addFormats.default(ajv);
    const validate = ajv.compile(JSON.parse(await readFile(path.join(schemasDir, 'load-report.schema.json'), 'utf8')) as object);
    assert.ok(validate(JSON.parse(files['report.json']!)), JSON.stringify(validate.errors));
    assert.match(files['junit.xml']!, /<testcase classname="steady \(100\/s\)" name="p99 ≤ 3000 ms/);
    assert.match(files['summary.md']!, /^## ✅ drhook load: pass/);

    const basic = Buffer.from(`drhook:${password}`).toString('base64');
    for (const [where, text] of Object.entries({ stdout: result.stdout, stderr: result.stderr, ...files })) {
      for (const secret of [token, password, basic]) assert.ok(!text.includes(secret), `${where} must not contain a secret`);
    }
  } finally {
    await receiver.close();
  }
});

// Runs whose verdict a busy CPU cannot turn (they wait on slow answers, deadlines, a DNS failure or an interrupt, or
// never claim a pass) go three at a time; the runs that must pass go one at a time.
describe('each outcome: its exit code and the console\'s account of it', { concurrency: 3 }, () => {
  test('a receiver that answers each in 2500 ms at any concurrency, at 20/s over 10 connections: drhook\'s limit, exit 3 (inconclusive), saying why', async () => {
    const server = await startServer((_req, res) => void setTimeout(() => res.writeHead(202).end(), 2500));
    try {
      const args = ['load', `${server.url}/hook`, ...quick, '--secret', token, '--rate', '20', '--duration', '2', '--connections', '10', '--no-progress', '--report-dir', path.join(work, 'slow')];
      const result = await runCli(args, { env: noEnvSecrets });
      assert.equal(result.code, 3, result.stderr);
      // Every connection busy with a receiver that answers each in 2.5 s: drhook's 10 connections carry 4/s, whatever it could take.
      assert.match(result.stdout, /\? answers at ≥ 95 % of 20\/s — measured [\d.]+\/s\n {6}drhook's connections were the limit \(only \d+ of the 40 deliveries due were answered within 3000 ms/);
      assert.match(result.stdout, /rerun with --connections \d+ or more/);
      assert.match(result.stdout, /Load: INCONCLUSIVE {2}Inconclusive: every one of drhook's connections was busy, and the receiver was not shown to slow down with them: it reached [\d.]+\/s of the 20\/s asked\. Rerun with more --connections/);
      assert.doesNotMatch(result.stdout, /Load: (PASS|FAIL)/);
    } finally {
      await server.close();
    }
  });

  test('far more than drhook can send (100000/s): never a pass; when its own CPU was the limit, exit 3 with the rate it reached', async () => {
    const server = await startServer((_req, res) => void res.writeHead(202).end());
    try {
      const reportDir = path.join(work, 'generator');
      const args = ['load', `${server.url}/hook`, ...quick, '--secret', token, '--rate', '100000', '--duration', '1s', '--timeout-ms', '1000', '--no-progress', '--report-dir', reportDir];
      const result = await runCli(args, { env: noEnvSecrets });
      assert.ok(result.code === 1 || result.code === 3, `exit ${result.code}: ${result.stdout.slice(-600)}${result.stderr}`);
      assert.doesNotMatch(result.stdout, /Load: PASS/);
      const report = JSON.parse((await runFiles(reportDir))['report.json']!) as { steps: Array<{ sent: number; diagnostics: { cpuShare: number } }>; verdict: { status: string; cause?: string; reachedRate?: number } };
      const [step] = report.steps;
      assert.ok(step!.sent < 100_000, `drhook could not send 100000 in 1 s here: ${step!.sent}`);
      // Its CPU busy most of the time: the generator-limit measurement; on a machine too busy to give it the CPU the cause may be another, never a pass.
      if (step!.diagnostics.cpuShare >= 0.9) {
        assert.equal(result.code, 3, result.stdout.slice(-800));
        assert.deepEqual([report.verdict.status, report.verdict.cause], ['inconclusive', 'generator-limit']);
        assert.ok(report.verdict.reachedRate! > 0 && report.verdict.reachedRate! < 100_000, `reached ${report.verdict.reachedRate}/s`);
        assert.match(result.stdout, /Load: INCONCLUSIVE {2}Inconclusive: drhook itself could not do what was asked on this machine: it reached \d+\/s of the 100000\/s asked, its CPU busy \d+ % of the time/);
      }
    } finally {
      await server.close();
    }
  });

  test('a failing receiver: exit 1 with the verdict in a sentence', async () => {
    const server = await startServer((_req, res) => void res.writeHead(503).end());
    try {
      const result = await runCli(['load', `${server.url}/hook`, ...quick, '--secret', token, '--rate', '30', '--duration', '1s', '--report-dir', path.join(work, 'failing')], { env: noEnvSecrets });
      assert.equal(result.code, 1, result.stderr);
      assert.match(result.stdout, /Load: FAIL {2}Digital River would have counted 100 % of these \d+ deliveries \(\d+\) as failed: \d+ answered 503\. .*an endpoint that keeps failing is disabled automatically\./);
      assert.ok(!result.stdout.includes(token));
    } finally {
      await server.close();
    }
  });

  test('too few deliveries to judge a p99 (10 of at least 100): exit 3 (inconclusive), the console saying why', async () => {
    const server = await startServer((_req, res) => void res.writeHead(202).end());
    try {
      const reportDir = path.join(work, 'too-few');
      const result = await runCli(['load', `${server.url}/hook`, ...quick, '--secret', token, '--rate', '10', '--duration', '1s', '--no-progress', '--report-dir', reportDir], { env: noEnvSecrets });
      assert.equal(result.code, 3, result.stderr);
      assert.match(result.stdout, /\? p99 ≤ 3000 ms — measured [\d.]+ ms from schedule \(of 10\)\n {6}only 10 deliveries were timed, too few to judge a p99 \(at least 100 are needed: of fewer it is only the slowest, here [\d.]+ ms\)/);
      assert.match(result.stdout, /✓ failures ≤ 0 % — measured 0 % \(0 of 10\)/);
      assert.match(result.stdout, /Load: INCONCLUSIVE {2}Inconclusive: only 10 deliveries were timed, too few to judge a p99 \(at least 100 are needed\)\. Lengthen --duration or raise --rate\. Digital River would have counted none of these 10 deliveries as failed/);
      const files = await runFiles(reportDir);
      const report = JSON.parse(files['report.json']!) as { verdict: { status: string; cause: string; reachedRate: number } };
      assert.deepEqual([report.verdict.status, report.verdict.cause], ['inconclusive', 'too-few-deliveries']);
      assert.match(files['summary.md']!, /^## ❔ drhook load: inconclusive/);
      assert.match(files['junit.xml']!, /<testsuites [^>]*failures="0" errors="0" skipped="1"/);
      assert.match(files['junit.xml']!, /<skipped message="inconclusive \(too-few-deliveries\): only 10 deliveries were timed/);
    } finally {
      await server.close();
    }
  });

  test('Ctrl-C stops the run and still writes the report, marked incomplete: exit 130', async () => {
    const server = await startServer((_req, res) => void res.writeHead(202).end());
    const reportDir = path.join(work, 'interrupted');
    try {
      const cli = fileURLToPath(new URL('../src/cli.js', import.meta.url));
      const child = spawn(process.execPath, [cli, 'load', `${server.url}/hook`, ...quick, '--secret', token, '--rate', '20', '--duration', '30s', '--report-dir', reportDir], {
        env: { ...process.env, ...noEnvSecrets, NO_COLOR: '1' },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stdout = '';
      child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
      const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
      // Start-up and the first delivery: seconds on a busy machine; the limit only keeps a run that never sends from hanging the test.
      const deadline = performance.now() + 60_000;
      while (server.requests.length === 0 && performance.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));
      assert.ok(server.requests.length > 0, 'load was being sent');
      await new Promise((resolve) => setTimeout(resolve, 500));
      child.kill('SIGINT');
      assert.equal(await exited, 130);
      const report = JSON.parse((await runFiles(reportDir))['report.json']!) as { complete: boolean; stoppedBy: string; totals: { sent: number } };
      assert.equal(report.complete, false);
      assert.equal(report.stoppedBy, 'interrupted');
      assert.ok(report.totals.sent > 0 && report.totals.sent < 200);
      assert.match(stdout, /The run was interrupted/);
      assert.match(stdout, /Load: INTERRUPTED {2}Interrupted after [\d.]+ s: a partial run cannot pass\./);
      assert.doesNotMatch(stdout, /PASS/);
    } finally {
      await server.close();
    }
  });

  test('a host name that never resolved: nothing counted as sent, no pace claimed, exit 1', async () => {
    const result = await runCli(['load', 'http://nonexistent.invalid/hook', ...quick, '--secret', token, '--rate', '60', '--duration', '1s', '--timeout-ms', '1000', '--no-progress', '--report-dir', path.join(work, 'unresolved-table')], { env: noEnvSecrets });
    assert.equal(result.code, 1, result.stderr);
    assert.match(result.stdout, /\n {2}steady +60\/s +0 +0 +0 +60 100% +0 +60 +– +– +– +– +– +fail\n/);
    assert.match(result.stdout, /✗ answers at ≥ 95 % of 60\/s — measured no answer\n {6}none of the 60 deliveries due was answered/);
    assert.doesNotMatch(result.stdout, /kept pace|✓ answers/);
  });

  test('the console is rendered from redacted data: a secret cut short by the table\'s truncation still does not show', async () => {
    const server = await startServer((_req, res) => void res.writeHead(202).end());
    try {
      const base = `${server.url}/hook?k=`;
      // The target is shown cut to 200 characters: the token would straddle the cut.
      const url = `${base}${'x'.repeat(199 - base.length - 10)}&${token}`;
      const result = await runCli(['load', url, ...quick, '--secret', token, '--count', '100', '--connections', '4', '--no-progress', '--report-dir', path.join(work, 'redact-console')], { env: noEnvSecrets });
      assert.equal(result.code, 0, result.stderr);
      assert.match(result.stdout, /&\[redacted\]/);
      assert.ok(!result.stdout.includes(token.slice(0, 8)), 'no part of the token on the console');
    } finally {
      await server.close();
    }
  });

  test('the rate column says what it counts: answered per second with --count in closed loop, sent per second otherwise', async () => {
    const server = await startServer((_req, res) => void res.writeHead(202).end());
    try {
      const run = (args: string[], dir: string) => runCli(['load', `${server.url}/hook`, ...quick, '--secret', token, '--no-progress', '--report-dir', path.join(work, dir), ...args], { env: noEnvSecrets });
      const [counted, timed] = await Promise.all([run(['--count', '20', '--connections', '2'], 'rate-count'), run(['--rate', '20', '--duration', '1s'], 'rate-timed')]);
      assert.match(counted.stdout, /STEP {2,}ASKED {2,}ANSWERED\/S {2,}SENT /);
      assert.match((await runFiles(path.join(work, 'rate-count')))['summary.md']!, /\| Step \| Rate asked \| Answered\/s \| Sent \|/);
      assert.match(timed.stdout, /STEP {2,}ASKED {2,}SENT\/S {2,}SENT /);
      assert.doesNotMatch(timed.stdout, /ANSWERED/);
    } finally {
      await server.close();
    }
  });

  describe('a host name that does not resolve: DNS is looked up once, every request due fails at once, the run ends promptly', { concurrency: true }, () => {
    const url = 'http://nonexistent.invalid/hook';
    const cases: Array<[string, string[], number]> = [
      ['--count 1 over 1 connection', ['--count', '1', '--connections', '1'], 1],
      ['--duration 3s over 10 connections', ['--duration', '3s', '--connections', '10'], 10],
    ];
    for (const [label, args, due] of cases) {
      test(label, async () => {
        const reportDir = path.join(work, `unresolved-${due}`);
        const started = performance.now();
        const result = await runCli(['load', url, ...quick, '--secret', token, '--timeout-ms', '1000', '--no-progress', '--json', '--report-dir', reportDir, ...args], { env: noEnvSecrets });
        const wallMs = performance.now() - started;
        assert.equal(result.code, 1, result.stderr);
        // A hang check: start-up, the lookup, the reports and the exit take seconds on a busy machine.
        assert.ok(wallMs < 30_000, `the process took ${Math.round(wallMs)} ms`);
        const report = JSON.parse(result.stdout) as {
          steps: Array<{ durationSec: number }>;
          totals: { sent: number; outcomes: { timeouts: number; connectionErrors: number; errorCodes: Record<string, number> } };
          plan: { notes: string[] };
        };
        // By the step's own clock: it ends at once instead of waiting out its 3 s window (or a deadline per request).
        assert.ok(report.steps[0]!.durationSec < 1, `the step lasted ${report.steps[0]!.durationSec} s`);
        const { outcomes } = report.totals;
        assert.equal(report.totals.sent, 0, 'nothing went on the wire');
        assert.equal(outcomes.timeouts, 0, 'a DNS failure is not a timeout');
        assert.equal(outcomes.connectionErrors, due);
        assert.ok(Object.keys(outcomes.errorCodes).every((code) => code === 'ENOTFOUND' || code === 'EAI_AGAIN'), JSON.stringify(outcomes.errorCodes));
        assert.match(report.plan.notes.join('\n'), /nonexistent\.invalid could not be resolved \((ENOTFOUND|EAI_AGAIN), DNS\)/);
        assert.ok((await runFiles(reportDir))['report.json'], 'the report is written');
      });
    }
  });
});

test('a capacity search that held every step up to --max-rate: "at least" that rate in every headline, exit 0', async () => {
  const server = await startServer((_req, res) => void res.writeHead(202).end());
  try {
    const reportDir = path.join(work, 'max-rate');
    const args = ['load', `${server.url}/hook`, ...quick, '--secret', token, '--capacity', '--rate', '100', '--max-rate', '200', '--step-duration', '1s', '--time-limit', '20s', '--no-progress', '--report-dir', reportDir];
    const result = await runCli(args, { env: noEnvSecrets });
    assert.equal(result.code, 0, result.stdout + result.stderr);
    assert.match(result.stdout, /\nCapacity: at least 200\/s\n/);
    assert.match(result.stdout, /every step held up to --max-rate 200\/s: the capacity is at least that/);
    assert.match(result.stdout, /Load: PASS {2}Capacity: at least 200\/s, the highest rate that held every threshold\./);
    assert.doesNotMatch(result.stdout, /about/);
    const files = await runFiles(reportDir);
    assert.match(files['summary.md']!, /### Capacity: at least 200\/s/);
    assert.match(files['junit.xml']!, /<testcase classname="capacity" name="capacity: at least 200\/s"/);
    assert.match(files['report.html']!, /<div class="headline">✓ Capacity: at least 200\/s<\/div>/);
    assert.match(files['report.html']!, /<p class="capacity-figure">At least 200\/s<\/p>/);
  } finally {
    await server.close();
  }
});

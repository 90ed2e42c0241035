// Ctrl-C and SIGTERM during contract and load: deliveries aborted, the report of what ran written whole, exit 130 / 143.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startHostile, type HostileServer } from './helpers/hostile.js';

const cli = fileURLToPath(new URL('../src/cli.js', import.meta.url));
const env = { ...process.env, NO_COLOR: '1', DRHOOK_TEST_SECRET: 'tok_interrupt_8a1d', DRHOOK_LIVE_SECRET: '', DRHOOK_PASSWORD: '', DRHOOK_CLIENT_SECRET: '' };
/** The longest deadline drhook allows: a request the black hole holds is let go well before it only if it was aborted. */
const DEADLINE_MS = 3000;
/**
 * From the signal until the receiver holds no request: the CLI runs its handler and aborts, a few ms of work that a
 * busy machine stretches to a few hundred; a request left to its deadline would be held about DEADLINE_MS.
 */
const RELEASED_MS = 2000;
/** From the signal until the process is gone, report written: a hang check (seconds on a busy machine; a run that went on, 20 s or more). */
const ENDED_MS = 15_000;

let work: string;
before(async () => {
  work = await mkdtemp(path.join(tmpdir(), 'drhook-interrupt-'));
});
after(() => rm(work, { recursive: true, force: true }));

interface Interrupted {
  code: number | null;
  stdout: string;
  stderr: string;
  /** From the signal until the receiver held no request: the requests in flight were aborted. */
  releasedMs: number;
  /** From the signal until the process was gone. */
  endedMs: number;
  /** Requests the receiver read in all. */
  requests: number;
}

/**
 * Starts the CLI, signals it once its own receiver holds a request, and resolves with its exit, how long after the
 * signal the receiver was let go and the process ended, and how many requests it sent.
 */
async function interrupt(args: (url: string) => string[], signal: NodeJS.Signals): Promise<Interrupted> {
  const receiver: HostileServer = await startHostile('black-hole');
  return new Promise<Interrupted>((resolve, reject) => {
    const child = spawn(process.execPath, [cli, ...args(receiver.url)], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let signalledAt = 0;
    let releasedAt = 0;
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const poll = setInterval(() => {
      const now = performance.now();
      if (signalledAt === 0 && receiver.holding > 0) {
        signalledAt = now;
        child.kill(signal);
      } else if (signalledAt !== 0 && releasedAt === 0 && receiver.holding === 0) {
        releasedAt = now;
      }
    }, 10);
    child.on('error', reject);
    child.on('close', (code) => {
      clearInterval(poll);
      const endedAt = performance.now();
      const since = (at: number): number => (signalledAt === 0 ? Number.NaN : at - signalledAt);
      resolve({ code, stdout, stderr, releasedMs: since(releasedAt || endedAt), endedMs: since(endedAt), requests: receiver.requests });
    });
  }).finally(() => receiver.close());
}

/** The requests in flight were aborted at the signal, nothing was sent after them, and the process ended. */
function assertStoppedAtOnce(result: Interrupted, inFlight: number): void {
  assert.ok(result.releasedMs < RELEASED_MS, `the receiver held a request ${Math.round(result.releasedMs)} ms after the signal: it was not aborted`);
  assert.ok(result.requests <= inFlight, `${result.requests} requests: at most the ${inFlight} in flight at the signal`);
  assert.ok(result.endedMs < ENDED_MS, `ended ${Math.round(result.endedMs)} ms after the signal`);
}

/** The one run directory's files: no temporary file left, every file whole. */
async function checkRunDirectory(base: string): Promise<{ complete: boolean; stoppedBy?: string }> {
  const runs = await readdir(base);
  assert.equal(runs.length, 1, 'one run directory');
  const dir = path.join(base, runs[0]!);
  const names = (await readdir(dir)).sort();
  assert.deepEqual(names, ['junit.xml', 'report.html', 'report.json', 'summary.md'], 'the four reports and no temporary file');
  const read = (name: string) => readFile(path.join(dir, name), 'utf8');
  const report = JSON.parse(await read('report.json')) as { complete: boolean; stoppedBy?: string };
  assert.match(await read('junit.xml'), /<\/testsuites>\s*$/);
  assert.match(await read('report.html'), /<\/html>\s*$/);
  assert.ok((await read('summary.md')).length > 50);
  return report;
}

/**
 * The signal each case gets. Every command catches both signals with one handler (abort, write, exit 130 or 143), so
 * each command and phase is interrupted once, the two signals taking turns: every command, and every group of cases,
 * meets both.
 */
const signals = [
  ['SIGINT', 130],
  ['SIGTERM', 143],
] as const;
const turn = (index: number) => signals[index % signals.length]!;

const runs: Array<[string, (reportDir: string, url: string) => string[]]> = [
  ['contract', (reportDir, url) => ['contract', url, '--events', 'refund.complete,subscription.created,sku.updated', '--only', 'ack', '--concurrency', '2', '--timeout-ms', String(DEADLINE_MS), '--no-progress', '--report-dir', reportDir]],
  ['load', (reportDir, url) => ['load', url, '--events', 'refund.complete', '--duration', '20s', '--connections', '2', '--pool-size', '2', '--timeout-ms', String(DEADLINE_MS), '--no-progress', '--report-dir', reportDir]],
];

describe('interrupted runs', { concurrency: 2 }, () => {
  runs.forEach(([command, args], index) => {
    const [signal, exit] = turn(index);
    test(`${command} stopped by ${signal}: exit ${exit}, the partial report written whole`, async () => {
      const reportDir = path.join(work, `${command}-${signal}`);
      const result = await interrupt((url) => args(reportDir, url), signal);
      assert.equal(result.code, exit, result.stderr);
      assert.equal(result.stderr, '');
      assertStoppedAtOnce(result, 2);
      const report = await checkRunDirectory(reportDir);
      assert.equal(report.complete, false);
      assert.equal(report.stoppedBy, 'interrupted');
      assert.match(result.stdout, /interrupt|Interrupt|incomplete|stopped/i, 'the console says the run did not finish');
    });
  });
});

describe('interrupted during setup, while the OAuth token request hangs', { concurrency: 2 }, () => {
  const oauth = (url: string) => ['--auth', 'oauth', '--token-url', url, '--client-id', 'drhook', '--client-secret', 'cs_interrupt_4f2b', '--no-progress'];
  const setups: Array<[string, (reportDir: string, url: string) => string[]]> = [
    ['contract', (reportDir, url) => ['contract', url, '--events', 'refund.complete', '--only', 'ack', '--report-dir', reportDir, ...oauth(url)]],
    ['load', (reportDir, url) => ['load', url, '--events', 'refund.complete', '--count', '5', '--report-dir', reportDir, ...oauth(url)]],
  ];
  setups.forEach(([command, args], index) => {
    // The other signal than the same command got while running.
    const [signal, exit] = turn(index + 1);
    test(`${command} stopped by ${signal} during setup: exit ${exit} at once, no run directory`, async () => {
      const reportDir = path.join(work, `${command}-setup-${signal}`);
      const result = await interrupt((url) => args(reportDir, url), signal);
      assert.equal(result.code, exit, result.stderr);
      assertStoppedAtOnce(result, 1);
      assert.equal(result.stderr, 'drhook: interrupted during setup: no event was sent\n');
      assert.deepEqual(await readdir(reportDir).catch(() => []), []);
    });
  });
});

describe('send interrupted', { concurrency: 2 }, () => {
  const sends: Array<[string, (url: string) => string[]]> = [
    ['during its token request', (url) => ['send', url, '--type', 'refund.complete', '--auth', 'oauth', '--token-url', url, '--client-id', 'drhook', '--client-secret', 'cs_interrupt_4f2b']],
    ['during its delivery', (url) => ['send', url, '--type', 'refund.complete', '--timeout-ms', String(DEADLINE_MS)]],
  ];
  sends.forEach(([when, args], index) => {
    const [signal, exit] = turn(index);
    test(`send stopped by ${signal} ${when}: exit ${exit} at once, one line`, async () => {
      const result = await interrupt(args, signal);
      assert.equal(result.code, exit, result.stderr);
      assertStoppedAtOnce(result, 1);
      assert.equal(result.stderr, 'drhook: interrupted: the delivery was not completed\n');
      assert.equal(result.stdout, '');
    });
  });
});

// Hostile receivers against every way drhook sends: the engine, contract and load in-process, and the send and load CLIs where their words or exits are at stake.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { verdictExitCode } from '../src/commands/load.js';
import { runContract } from '../src/contract/run.js';
import { resolveSettings } from '../src/contract/settings.js';
import { runLoad } from '../src/load/run.js';
import { resolveLoadSettings } from '../src/load/settings.js';
import { judgeAcknowledgement } from '../src/wire/ack.js';
import { createDeliveryEngine } from '../src/wire/delivery.js';
import type { DeliveryOutcome } from '../src/wire/outcome.js';
import { hostileKinds, startHostile, type HostileKind, type HostileServer } from './helpers/hostile.js';
import { runCli, startServer, type CliResult } from './helpers/http.js';
import { generate } from 'selfsigned';
import { tlsCert } from './helpers/tls-fixture.js';

/**
 * The longest deadline drhook allows: the receivers that answer at once (in this process, beside the CLIs it runs)
 * must answer well within it on a busy machine, and drip-late completes only 1.5 s after it.
 */
const DEADLINE_MS = 3000;
/**
 * Every delivery ends before this: a deadline that was not enforced (a body that never ends, an interim answer every
 * 300 ms) would run on far past it, while a timer that fires late on a busy machine does not come near it.
 */
const ENDED_BY_MS = 2 * DEADLINE_MS;
const token = 'tok_hostile_5e21c9';
const env = { DRHOOK_TEST_SECRET: token, DRHOOK_LIVE_SECRET: '', DRHOOK_PASSWORD: '', DRHOOK_CLIENT_SECRET: '' };

/** What each receiver must come to: how `deliver` ends, and what load counts for each request. */
interface Expected {
  /** `timeout:<phase>`, `error:<cause>` or `response:<status>`; several when the machine's speed decides. */
  send: string[];
  /** Exit code of send and contract, and the basis of load's: 1 a failed delivery, 0 a valid acknowledgement. */
  exit: 0 | 1;
  /** Load's count for each request: `timeout`, `status:<n>` or `error:<cause>`, in the causes send and contract name (wire/causes.ts). */
  load: string[];
  /** Load's exit code when it differs from send's and contract's. */
  loadExit?: 0 | 1;
}

const expected: Record<HostileKind, Expected> = {
  'black-hole': { send: ['timeout:headers'], exit: 1, load: ['timeout'] },
  slowloris: { send: ['timeout:body'], exit: 1, load: ['timeout'] },
  'drip-late': { send: ['timeout:body'], exit: 1, load: ['timeout'] },
  // Whether the reset or the end of the stream reaches the client first is the kernel's business.
  'reset-mid-response': { send: ['error:connection-reset', 'error:socket-closed'], exit: 1, load: ['error:connection-reset', 'error:socket-closed'] },
  'close-before-response': { send: ['error:socket-closed'], exit: 1, load: ['error:socket-closed'] },
  'close-on-accept': { send: ['error:socket-closed', 'error:connection-reset'], exit: 1, load: ['error:socket-closed', 'error:connection-reset'] },
  'reset-on-accept': { send: ['error:connection-reset', 'error:socket-closed'], exit: 1, load: ['error:connection-reset'] },
  'endless-body': { send: ['timeout:body'], exit: 1, load: ['timeout'] },
  // Load judges a failing status once its body passes 64 KiB and reads no further: never a timeout.
  'body-100mb': { send: ['response:500', 'timeout:body'], exit: 1, load: ['status:500'] },
  'huge-headers': { send: ['error:headers-too-large'], exit: 1, load: ['error:headers-too-large'] },
  'garbage-status': { send: ['error:protocol'], exit: 1, load: ['error:protocol'] },
  'http10-close': { send: ['response:200'], exit: 0, load: ['status:200'] },
  informational: { send: ['response:202'], exit: 0, load: ['status:202'] },
  // undici cannot skip a 100 (nodejs/undici#197); load's own parser skips it, as RFC 9110 asks.
  'unsolicited-continue': { send: ['error:protocol'], exit: 1, load: ['status:202'], loadExit: 0 },
  // undici skips a 102 as it skips a 103; one that never ends in a final status times out after it.
  processing: { send: ['response:202'], exit: 0, load: ['status:202'] },
  'processing-forever': { send: ['timeout:interim'], exit: 1, load: ['timeout'] },
  'redirect-loop': { send: ['response:307'], exit: 1, load: ['status:307'] },
  'redirect-away': { send: ['response:308'], exit: 1, load: ['status:308'] },
  'tls-self-signed': { send: ['error:tls'], exit: 1, load: ['error:tls'] },
  'nothing-listening': { send: ['error:connection-refused'], exit: 1, load: ['error:connection-refused'] },
  unresolvable: { send: ['error:dns'], exit: 1, load: ['error:dns'] },
  ok: { send: ['response:202'], exit: 0, load: ['status:202'] },
};

function describeOutcome(outcome: DeliveryOutcome): string {
  switch (outcome.kind) {
    case 'timeout':
      return `timeout:${outcome.phase}`;
    case 'error':
      return `error:${outcome.cause}`;
    case 'response':
      return `response:${outcome.status}`;
  }
}

const crashes: unknown[] = [];
const onCrash = (error: unknown): void => void crashes.push(error);
let work: string;
before(async () => {
  process.on('unhandledRejection', onCrash);
  process.on('uncaughtException', onCrash);
  work = await mkdtemp(path.join(tmpdir(), 'drhook-hostile-'));
});
after(async () => {
  process.off('unhandledRejection', onCrash);
  process.off('uncaughtException', onCrash);
  await rm(work, { recursive: true, force: true });
  assert.deepEqual(crashes, [], 'no unhandled rejection or uncaught exception in the test process');
});

describe('the delivery engine ends every delivery by the deadline and names the cause', () => {
  test('all receivers at once', async () => {
    const engine = createDeliveryEngine({ deadlineMs: DEADLINE_MS, concurrency: hostileKinds.length });
    const servers = await Promise.all(hostileKinds.map((kind) => startHostile(kind)));
    try {
      const results = await Promise.all(
        servers.map(async (server) => {
          const started = performance.now();
          const outcome = await engine.deliver({ url: server.url, headers: { 'Content-Type': 'application/json' }, body: Buffer.from('{"id":"evt"}') });
          return { server, outcome, tookMs: performance.now() - started };
        }),
      );
      for (const { server, outcome, tookMs } of results) {
        assert.ok(tookMs < ENDED_BY_MS, `${server.kind}: ended after ${Math.round(tookMs)} ms`);
        assert.ok(expected[server.kind].send.includes(describeOutcome(outcome)), `${server.kind}: ${JSON.stringify(outcome)}`);
        assert.equal(sendExit(outcome), expected[server.kind].exit, `${server.kind}: send's verdict: ${JSON.stringify(judgeAcknowledgement(outcome, DEADLINE_MS))}`);
        assertDeadlineKept(outcome, server.kind);
        if (outcome.kind === 'error') assert.ok(outcome.message.length > 10, `${server.kind}: the message names the cause`);
        if (outcome.kind === 'response') assert.ok(outcome.body.text.length <= 64 * 1024, `${server.kind}: at most 64 KiB of the body is kept`);
      }
      const redirected = servers.find((server) => server.kind === 'redirect-away')!;
      assert.equal(redirected.elsewhere?.connections, 0, 'the redirect target is never contacted');
      assert.equal(servers.find((server) => server.kind === 'redirect-loop')?.requests, 1, 'a redirect loop is not followed');
      assert.equal(servers.find((server) => server.kind === 'tls-self-signed')?.requests, 0, 'nothing is sent to an untrusted certificate');
    } finally {
      await engine.close();
      await Promise.all(servers.map((server) => server.close()));
    }
  });
});

/** A timeout is drhook's own deadline, never before it (to the timer's millisecond); any outcome ends before a second deadline could pass. */
function assertDeadlineKept(outcome: DeliveryOutcome, who: string): void {
  assert.ok(outcome.durationMs < ENDED_BY_MS, `${who} took ${Math.round(outcome.durationMs)} ms`);
  if (outcome.kind === 'timeout') {
    assert.equal(outcome.deadlineMs, DEADLINE_MS, who);
    assert.ok(outcome.durationMs > DEADLINE_MS - 1, `${who}: timed out after ${Math.round(outcome.durationMs)} ms, before the ${DEADLINE_MS} ms deadline`);
  }
}

interface LoadJson {
  steps: Array<{ durationSec: number }>;
  complete: boolean;
  settings: { insecure: boolean; tls?: string };
  verdict: { status: keyof typeof verdictExitCode };
  totals: { sent: number; outcomes: { judged: number; acknowledged: number; statuses: Record<string, number>; timeouts: number; backedOff?: number; errorCodes: Record<string, number>; causes: Record<string, number>; unfinished: number } };
}

interface ContractJson {
  settings: { insecure: boolean; tls?: string };
  gate: { status: string };
  checks: Array<{ id: string; cases: Array<{ deliveries: Array<{ outcome: DeliveryOutcome }> }> }>;
}

/**
 * Load's exit for three deliveries of which none (0) or some (1) failed: three are too few to judge a p99, so a load
 * whose deliveries were all acknowledged is inconclusive (3), never a pass.
 */
function loadExit(exit: 0 | 1): 1 | 3 {
  return exit === 0 ? 3 : 1;
}

/** Send's exit for an outcome: 0 exactly when its verdict passes (commands/send.ts). */
function sendExit(outcome: DeliveryOutcome): 0 | 1 {
  return judgeAcknowledgement(outcome, DEADLINE_MS).status === 'pass' ? 0 : 1;
}

/** Load's counts in the words of `Expected.load`. */
function loadCounts(report: LoadJson): Record<string, number> {
  const { outcomes } = report.totals;
  return {
    ...(outcomes.timeouts > 0 ? { timeout: outcomes.timeouts } : {}),
    ...Object.fromEntries(Object.entries(outcomes.statuses).map(([status, count]) => [`status:${status}`, count])),
    ...Object.fromEntries(Object.entries(outcomes.causes).map(([cause, count]) => [`error:${cause}`, count])),
  };
}

/** Contract says how many cases it planned before it sends (on stderr with --json): that line is no complaint. */
const plannedLine = /^Planned [\d,]+ cases?\b/;

/** No crash: nothing on stderr but the lines drhook means to write; and the signing token nowhere in the output. */
function assertCleanStderr(result: CliResult, allowed: RegExp[] = []): void {
  const lines = result.stderr.split('\n').filter((line) => line !== '' && !plannedLine.test(line) && !allowed.some((pattern) => pattern.test(line)));
  assert.deepEqual(lines, [], `stderr: ${result.stderr}`);
  for (const text of [result.stdout, result.stderr]) assert.ok(!text.includes(token.slice('tok_'.length)), 'the signing token is never printed');
}

/** The CLI's JSON on stdout, or a failure that shows what it printed instead. */
function parseJson<T>(name: string, result: CliResult): T {
  try {
    return JSON.parse(result.stdout) as T;
  } catch {
    assert.fail(`${name} printed no JSON (exit ${result.code}): ${result.stdout.slice(0, 500)}${result.stderr}`);
  }
}

/** What the receiver is trusted by, for the in-process runs: --ca's certificate or --insecure. */
interface Trust {
  ca?: Buffer;
  insecure?: boolean;
}

const loadArgs = ['--events', 'order.accepted', '--count', '3', '--connections', '3', '--pool-size', '2', '--seed', '1', '--no-progress', '--json'];

/** A load run: its report as report.json holds it, its exit, and when it ran as the CLI, what the CLI printed. */
interface LoadRun {
  report: LoadJson;
  exit: number | null;
  cli?: CliResult;
}

/** `drhook load --count 3 --connections 3 --pool-size 2`: the exit is the CLI's, which must be the one its verdict maps to. */
async function loadByCli(url: string, reportDir: string, extra: string[] = []): Promise<LoadRun> {
  const cli = await runCli(['load', url, ...loadArgs, '--timeout-ms', String(DEADLINE_MS), '--report-dir', reportDir, ...extra], { env });
  const report = parseJson<LoadJson>('load', cli);
  assert.equal(cli.code, verdictExitCode[report.verdict.status], `load exits as its verdict (${report.verdict.status}) says`);
  return { report, exit: cli.code, cli };
}

/** The same load in-process: the exit is the one the CLI derives from the verdict (commands/load.ts). */
async function loadInProcess(url: string, trust: Trust = {}): Promise<LoadRun> {
  const settings = resolveLoadSettings(url, { events: ['order.accepted'], count: 3, connections: 3, poolSize: 2, seed: 1, deadlineMs: DEADLINE_MS, secrets: { test: [token], live: [] }, ...trust }, env);
  // Through JSON as the CLI prints it.
  const report = JSON.parse(JSON.stringify(await runLoad(settings))) as LoadJson;
  return { report, exit: verdictExitCode[report.verdict.status] };
}

/** The contract's ack checks for one event type, in-process (the CLI's exit code is 1 exactly when the gate fails). */
async function contractInProcess(url: string, trust: Trust = {}): Promise<{ gate: string; outcome: DeliveryOutcome | undefined; report: ContractJson }> {
  const settings = resolveSettings(url, { events: ['order.accepted'], only: ['ack'], mode: 'test', seed: 1, deadlineMs: DEADLINE_MS, secrets: { test: [token], live: [] }, ...trust }, env);
  const report = JSON.parse(JSON.stringify(await runContract(settings))) as ContractJson;
  const outcome = report.checks.find((check) => check.id === 'ack.2xx')?.cases[0]?.deliveries[0]?.outcome;
  return { gate: report.gate.status, outcome, report };
}

/** What send does once set up: one delivery by the delivery engine, judged as Digital River would. */
async function sendInProcess(url: string, trust: Trust = {}): Promise<DeliveryOutcome> {
  const engine = createDeliveryEngine({ deadlineMs: DEADLINE_MS, concurrency: 1, insecure: false, ...trust });
  try {
    return await engine.deliver({ url, headers: { 'Content-Type': 'application/json' }, body: Buffer.from('{"id":"evt"}') });
  } finally {
    await engine.close();
  }
}

/**
 * The CLIs run where what they print is asserted below, and for one receiver that acknowledges (send's exit 0, load's
 * 3) and one that never answers (exit 1 both); every other kind goes through the engine (the first test: send's
 * delivery and verdict), contract and load in this process, whose crash handlers see any unhandled error.
 */
const sendCliKinds: ReadonlySet<HostileKind> = new Set<HostileKind>(['unsolicited-continue', 'processing-forever', 'huge-headers', 'redirect-loop', 'redirect-away', 'ok', 'black-hole']);
const loadCliKinds: ReadonlySet<HostileKind> = new Set<HostileKind>(['huge-headers', 'ok', 'black-hole']);

describe('send, contract and load against each receiver: exit 0 or 1, the cause named, no crash', { concurrency: 3 }, () => {
  for (const kind of hostileKinds) {
    test(kind, async () => {
      const server: HostileServer = await startHostile(kind);
      try {
        const [send, load, contract] = await Promise.all([
          sendCliKinds.has(kind) ? runCli(['send', server.url, '--type', 'order.accepted', '--timeout-ms', String(DEADLINE_MS), '--seed', '1', '--json'], { env }) : undefined,
          loadCliKinds.has(kind) ? loadByCli(server.url, path.join(work, kind)) : loadInProcess(server.url),
          contractInProcess(server.url),
        ]);
        const want = expected[kind];

        let sent: { outcome: DeliveryOutcome } | undefined;
        if (send !== undefined) {
          assert.equal(send.code, want.exit, `send: ${send.stdout}${send.stderr}`);
          assertCleanStderr(send);
          sent = parseJson<{ outcome: DeliveryOutcome }>('send', send);
          assert.ok(want.send.includes(describeOutcome(sent.outcome)), `send: ${JSON.stringify(sent.outcome)}`);
          assertDeadlineKept(sent.outcome, 'send');
        }

        assert.equal(contract.gate, want.exit === 0 ? 'pass' : 'fail');
        const { outcome } = contract;
        assert.ok(outcome && want.send.includes(describeOutcome(outcome)), `contract: ${JSON.stringify(outcome)}`);
        assertDeadlineKept(outcome, 'contract');

        const { report } = load;
        assert.equal(load.exit, loadExit(want.loadExit ?? want.exit), `load: ${JSON.stringify(report.totals)}${load.cli?.stderr ?? ''}`);
        if (load.cli !== undefined) assertCleanStderr(load.cli);
        // Nothing goes on the wire to a name that did not resolve. Otherwise, once a connection has failed, a delivery
        // that needs a new one and cannot have it (never more connections than deliveries, then a backoff) fails at once.
        if (kind === 'unresolvable') assert.equal(report.totals.sent, 0, 'nothing goes on the wire to a name that did not resolve');
        else assert.equal(report.totals.sent + (report.totals.outcomes.backedOff ?? 0), 3, 'each of the 3 is sent, or fails at once for want of a connection');
        // The step sends at once (count 3 on 3 connections) and every request settles by its deadline: none is left
        // unfinished for the step's drain margin to cut short, and the last settles before a second deadline could pass.
        assert.equal(report.totals.outcomes.judged, 3, `every request is judged, none left unfinished: ${JSON.stringify(report.totals.outcomes)}`);
        assert.equal(report.totals.outcomes.unfinished, 0);
        const counts = loadCounts(report);
        assert.ok(Object.keys(counts).length > 0 && Object.keys(counts).every((key) => want.load.includes(key)), `load counted ${JSON.stringify(counts)}`);
        const settledMs = report.steps[0]!.durationSec * 1000;
        assert.ok(settledMs < ENDED_BY_MS, `load's last request settled ${settledMs} ms into the step`);

        if (kind === 'unsolicited-continue') {
          assert.match(JSON.stringify(sent?.outcome), /answered 100 Continue.*drhook's HTTP client \(undici\) cannot skip a 100.*not necessarily a fault of the receiver/);
        }
        if (kind === 'processing-forever') {
          assert.match(JSON.stringify(sent), /no complete response within 3000 ms \(the receiver sent 102 Processing, an interim answer, but no final status\)/);
          assert.doesNotMatch(JSON.stringify(sent), /no status line/);
          assert.deepEqual([outcome.kind, outcome.status], ['timeout', 102], 'contract: the interim status is kept');
        }
        if (kind === 'huge-headers') {
          assert.match(JSON.stringify(sent), /not delivered: 127\.0\.0\.1:\d+ sent headers larger than 16 KiB/);
          assert.match(outcome.kind === 'error' ? outcome.message : '', /headers larger than 16 KiB/, 'contract: the same cause');
          assert.match(load.cli?.stdout ?? '', /lost to connection errors \(response headers larger than 16 KiB ×3 \(HPE_HEADER_OVERFLOW\)\)/, 'load: the cause in words');
          for (const text of [send?.stdout ?? '', load.cli?.stdout ?? '']) assert.doesNotMatch(text, /not valid HTTP/);
        }
        if (kind === 'redirect-away') assert.equal(server.elsewhere?.connections, 0, 'the redirect target receives nothing: no credential or signature goes elsewhere');
        if (kind === 'tls-self-signed') assert.equal(server.requests, 0, 'nothing is sent over an untrusted certificate');
        if (kind === 'redirect-loop') assert.equal(server.requests, 1 + 1 + 3, 'one request each from send and contract, three from load: nothing followed');
        if (kind === 'redirect-loop' || kind === 'redirect-away') {
          assert.match(JSON.stringify(sent), /redirected \(30[78]\) to http:\/\/127\.0\.0\.1:\d+\/hook.*does not follow it/, 'the verdict names the redirect and its Location');
        }
      } finally {
        await server.close();
      }
    });
  }
});

/** send, contract and load as users run them against `url`, at once. */
async function runAll(url: string, extra: string[], label: string): Promise<{ send: CliResult; contract: CliResult; load: LoadRun }> {
  const reportDir = path.join(work, label);
  const common = ['--timeout-ms', String(DEADLINE_MS), ...extra];
  const [send, contract, load] = await Promise.all([
    runCli(['send', url, '--type', 'order.accepted', '--seed', '1', '--json', ...common], { env }),
    runCli(['contract', url, '--events', 'order.accepted', '--only', 'ack', '--mode', 'test', '--seed', '1', '--no-progress', '--json', '--report-dir', reportDir, ...common], { env }),
    loadByCli(url, reportDir, extra),
  ]);
  return { send, contract, load };
}

/** The contract's outcomes are all the cause tls, and load's three are too, with `codes` for load's error codes. */
function assertTlsRefused(contract: ContractJson, load: LoadRun, codes: string[]): void {
  const outcomes = contract.checks.flatMap((check) => check.cases.flatMap((c) => c.deliveries.map((d) => describeOutcome(d.outcome))));
  assert.ok(outcomes.length > 0 && outcomes.every((outcome) => outcome === 'error:tls'), `contract: ${outcomes.join(', ')}`);
  assert.equal(contract.gate.status, 'fail', 'contract: the gate fails (exit 1)');
  assert.equal(load.exit, 1, `load: ${JSON.stringify(load.report.totals)}${load.cli?.stderr ?? ''}`);
  assert.deepEqual(load.report.totals.outcomes.causes, { tls: 3 }, `load: ${JSON.stringify(load.report.totals.outcomes)}`);
  assert.deepEqual(Object.keys(load.report.totals.outcomes.errorCodes), codes);
}

describe('https with a self-signed certificate', () => {
  let server: HostileServer;
  let caFile: string;
  before(async () => {
    server = await startHostile('tls-self-signed');
    caFile = path.join(work, 'ca.pem');
    await writeFile(caFile, tlsCert);
  });
  after(() => server.close());

  test('refused by send, contract and load alike without --insecure, with a clear error, each naming the cause tls, nothing sent', async () => {
    const before = server.requests;
    const reportDir = path.join(work, 'untrusted');
    const common = ['--timeout-ms', String(DEADLINE_MS)];
    // send as text, as users read it: the cause stands in its status line.
    const [send, contract, load] = await Promise.all([
      runCli(['send', server.url, '--type', 'order.accepted', ...common], { env }),
      runCli(['contract', server.url, '--events', 'order.accepted', '--only', 'ack', '--mode', 'test', '--seed', '1', '--no-progress', '--json', '--report-dir', reportDir, ...common], { env }),
      loadByCli(server.url, reportDir),
    ]);
    for (const [name, result] of Object.entries({ send, contract, load: load.cli! })) {
      assert.equal(result.code, 1, `${name}: ${result.stdout.slice(0, 500)}${result.stderr}`);
      assertCleanStderr(result);
    }
    assert.match(send.stdout, /^ {2}status +none \(tls, DEPTH_ZERO_SELF_SIGNED_CERT\)$/m);
    assert.match(send.stdout, /^FAIL not delivered: TLS failed with 127\.0\.0\.1:\d+: self-signed certificate/m);
    assertTlsRefused(parseJson<ContractJson>('contract', contract), load, ['DEPTH_ZERO_SELF_SIGNED_CERT']);
    assert.equal(server.requests, before, 'nothing is sent over an untrusted certificate');
  });

  test('a certificate trusted (as --ca does) but made out to another name: refused by the delivery engine, contract and load alike', async () => {
    // Chain trusted, name wrong: load checks by hand what Node checks for contract and send, names included.
    const pems = await generate([{ name: 'commonName', value: 'receiver.example' }], {
      keyType: 'ec',
      curve: 'P-256',
      algorithm: 'sha256',
      extensions: [{ name: 'basicConstraints', cA: true }, { name: 'subjectAltName', altNames: [{ type: 2, value: 'receiver.example' }] }],
    });
    let requests = 0;
    const other = https.createServer({ key: pems.private, cert: pems.cert }, (_req, res) => {
      requests++;
      res.writeHead(202).end();
    });
    await new Promise<void>((resolve) => other.listen(0, '127.0.0.1', resolve));
    try {
      const url = `https://127.0.0.1:${(other.address() as AddressInfo).port}/hook`;
      const trust = { ca: Buffer.from(pems.cert) };
      const [outcome, contract, load] = await Promise.all([sendInProcess(url, trust), contractInProcess(url, trust), loadInProcess(url, trust)]);
      assert.equal(describeOutcome(outcome), 'error:tls', `send: ${JSON.stringify(outcome)}`);
      assert.equal(sendExit(outcome), 1);
      assertTlsRefused(contract.report, load, ['ERR_TLS_CERT_ALTNAME_INVALID']);
      assert.equal(requests, 0, 'nothing is sent to a certificate made out to another name');
    } finally {
      other.closeAllConnections();
      await new Promise((resolve) => other.close(resolve));
    }
  });

  test('accepted with --ca by send, contract and load, and so said in the reports', async () => {
    const { send, contract, load } = await runAll(server.url, ['--ca', caFile], 'ca');
    for (const [name, result] of Object.entries({ send, contract, load: load.cli! })) {
      assert.equal(result.code, name === 'load' ? loadExit(0) : 0, `${name}: ${result.stdout.slice(0, 500)}${result.stderr}`);
      assertCleanStderr(result);
    }
    for (const report of [parseJson<ContractJson>('contract', contract), load.report]) {
      assert.equal(report.settings.insecure, false);
      assert.equal(report.settings.tls, 'certificates verified against the system CAs and --ca');
    }
  });

  test('accepted with --insecure only when asked, and the run is flagged in the reports and on the console', async () => {
    const { send, contract, load } = await runAll(server.url, ['--insecure'], 'insecure');
    const warning = /^drhook: warning: --insecure: TLS certificates are not verified/;
    for (const [name, result] of Object.entries({ send, contract, load: load.cli! })) {
      assert.equal(result.code, name === 'load' ? loadExit(0) : 0, `${name}: ${result.stderr}`);
      assert.match(result.stderr, warning);
      assertCleanStderr(result, [warning]);
    }
    for (const report of [parseJson<ContractJson>('contract', contract), load.report]) {
      assert.equal(report.settings.insecure, true);
      assert.match(report.settings.tls ?? '', /^INSECURE/);
    }
  });
});

test('a failing status with a body that stalls after 128 KiB: load judges it on the first 64 KiB, send and contract at the deadline, all three fail it', async () => {
  const server = await startServer((_req, res) => {
    res.writeHead(500, { 'content-length': String(100 * 1024 * 1024) });
    res.write(Buffer.alloc(128 * 1024, 0x61));
  });
  try {
    const url = `${server.url}/hook`;
    const [outcome, contract, load] = await Promise.all([sendInProcess(url), contractInProcess(url), loadInProcess(url)]);
    assert.equal(describeOutcome(outcome), 'timeout:body');
    assert.equal(sendExit(outcome), 1, 'send fails it');
    assert.equal(contract.outcome && describeOutcome(contract.outcome), 'timeout:body');
    assert.equal(contract.gate, 'fail', 'contract fails it');
    assert.equal(load.exit, 1, 'load fails it');
    assert.deepEqual(loadCounts(load.report), { 'status:500': 3 }, 'answered 500, not a timeout: the rest of the body is not read');
    const settledMs = load.report.steps[0]!.durationSec * 1000;
    assert.ok(settledMs < DEADLINE_MS, `load's last answer was judged ${settledMs} ms into the step: it does not wait for the body`);
  } finally {
    await server.close();
  }
});

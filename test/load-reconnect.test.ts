// load against receivers that refuse, drop or reset connections: never more connections than deliveries due, each delivery failed once with its cause, and back to normal once the receiver answers.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import http from 'node:http';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { schemasDir } from '../src/base/paths.js';
import { createReconnectGate, FAILURES_BEFORE_BACKOFF } from '../src/load/reconnect.js';
import type { LoadReport } from '../src/load/report.js';
import { runLoad } from '../src/load/run.js';
import { resolveLoadSettings, type LoadOptions } from '../src/load/settings.js';
import { startHostile, type HostileKind } from './helpers/hostile.js';
import { runCli } from './helpers/http.js';

const token = 'tok_reconnect_7c3e91';
const env = { DRHOOK_TEST_SECRET: token, DRHOOK_LIVE_SECRET: '', DRHOOK_PASSWORD: '', DRHOOK_CLIENT_SECRET: '' };
const DEADLINE_MS = 1000;
/** 20/s for 3 s: the deliveries due, and so the most connections drhook may open. */
const RATE = 20;
const SECONDS = 3;
const DUE = RATE * SECONDS;
const base: LoadOptions = { events: ['order.accepted:3', 'refund.complete'], secrets: { test: [token], live: [] }, poolSize: 4, seed: 5, deadlineMs: DEADLINE_MS };

let work: string;
let validate: ValidateFunction;
before(async () => {
  work = await mkdtemp(path.join(tmpdir(), 'drhook-reconnect-'));
  const ajv = new Ajv2020({ allErrors: true, strict: true });
  addFormats.default(ajv);
  validate = ajv.compile(JSON.parse(await readFile(path.join(schemasDir, 'load-report.schema.json'), 'utf8')) as object);
});
after(() => rm(work, { recursive: true, force: true }));

function assertValid(report: LoadReport): void {
  assert.ok(validate(JSON.parse(JSON.stringify(report))), `report.json matches its schema: ${JSON.stringify(validate.errors)}`);
}

/** The causes each receiver's failed connections may be counted under (which of a close and a reset arrives first is the kernel's business). */
const causes: Partial<Record<HostileKind, string[]>> = {
  'nothing-listening': ['ECONNREFUSED'],
  'close-on-accept': ['closed-before-answer', 'ECONNRESET'],
  'reset-on-accept': ['ECONNRESET'],
  'tls-self-signed': ['DEPTH_ZERO_SELF_SIGNED_CERT'],
};

/** Resets the first `resets` connections it accepts, then answers every request 202 (keep-alive). */
async function recovering(resets: number): Promise<{ url: string; accepted: () => number; close: () => Promise<void> }> {
  let accepted = 0;
  const server = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => res.writeHead(202).end());
  });
  server.on('connection', (socket: net.Socket) => {
    if (++accepted <= resets) socket.resetAndDestroy();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`,
    accepted: () => accepted,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

// The CLI runs and the in-process ones mostly wait on their receivers and deadlines: the two groups go side by side.
describe('against receivers that refuse, drop or reset connections', { concurrency: true }, () => {
  describe(`drhook load --rate ${RATE} --duration ${SECONDS}s against a receiver that refuses, drops or resets every connection`, { concurrency: 4 }, () => {
    for (const [kind, allowed] of Object.entries(causes) as Array<[HostileKind, string[]]>) {
      test(`${kind}: at most ${DUE} connections for ${DUE} deliveries, each failed once with its cause, reported once with its count`, async () => {
        const server = await startHostile(kind);
        const reportDir = path.join(work, kind);
        try {
          const result = await runCli(
            ['load', server.url, '--rate', String(RATE), '--duration', `${SECONDS}s`, '--timeout-ms', String(DEADLINE_MS), '--events', 'order.accepted', '--pool-size', '2', '--seed', '1', '--no-progress', '--report-dir', reportDir],
            { env },
          );
          assert.equal(result.code, 1, result.stderr);
          const [runDir] = await readdir(reportDir);
          const report = JSON.parse(await readFile(path.join(reportDir, runDir!, 'report.json'), 'utf8')) as LoadReport;
          assertValid(report);
          const [step] = report.steps;
          const { outcomes, diagnostics } = step!;

          // Never more connections than deliveries due: the receiver's count, and drhook's own (which the receiver's cannot exceed).
          assert.ok(server.connections <= DUE, `the receiver accepted ${server.connections} connections for ${DUE} deliveries`);
          assert.ok(diagnostics.connectionsOpened !== undefined && diagnostics.connectionsOpened <= DUE, `drhook opened ${diagnostics.connectionsOpened} connections`);
          assert.ok(server.connections <= diagnostics.connectionsOpened, `accepted ${server.connections}, opened ${diagnostics.connectionsOpened}`);
          if (kind === 'tls-self-signed') assert.equal(server.requests, 0, 'nothing is sent over an untrusted certificate');

          // Every delivery due is judged once: failed with the connection's cause, sent or not.
          assert.equal(outcomes.judged, DUE);
          assert.equal(outcomes.unfinished, 0);
          assert.equal(outcomes.failures, DUE);
          assert.equal(outcomes.connectionErrors, DUE);
          assert.equal(step!.sent + (outcomes.backedOff ?? 0), DUE, 'each delivery was sent, or failed at once while drhook backed off');
          assert.ok(Object.keys(outcomes.errorCodes).every((code) => allowed.includes(code)), JSON.stringify(outcomes.errorCodes));
          assert.equal(Object.values(outcomes.errorCodes).reduce((sum, count) => sum + count, 0), DUE);
          assert.equal(Object.values(outcomes.causes ?? {}).reduce((sum, count) => sum + count, 0), DUE, 'each failure counted under one of the shared causes');

          // In bounded time: the window, then nothing left to wait for.
          const ranMs = Date.parse(report.finishedAt) - Date.parse(step!.startedAt);
          assert.ok(ranMs < SECONDS * 1000 + DEADLINE_MS + 2500, `the step and its report took ${ranMs} ms`);

          // The console names each cause once, with its count, and says what drhook held back.
          for (const [code, count] of Object.entries(outcomes.errorCodes)) {
            assert.ok(result.stdout.includes(` ×${count} (${code})`), `the console counts ${code} under its cause: ${result.stdout}`);
            const lines = result.stdout.split('\n').filter((line) => line.includes(code));
            assert.ok(lines.length <= 2, `the cause is reported once per summary, not per attempt: ${lines.join('\n')}`);
          }
          if ((outcomes.backedOff ?? 0) > 0) assert.match(result.stdout, new RegExp(`${outcomes.backedOff} of them fell due while connecting was failing, so drhook held back and opened no connection for them`));
        } finally {
          await server.close();
        }
      });
    }
  });

  // Each in-process run waits on its own receiver, at 20/s or in a closed loop against refusals: they go at once.
  describe('in process, against receivers that refuse, reset or answer', { concurrency: true }, () => {
    test('a port nobody listens on: drhook calls connect() at most once per delivery due, and counts each call', async () => {
      const probe = net.createServer();
      await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
      const { port } = probe.address() as AddressInfo;
      await new Promise<void>((resolve) => probe.close(() => resolve()));
      // Every connection autocannon opens goes through net.Socket's connect: counted there, on the way to the kernel.
      const connect = net.Socket.prototype.connect;
      let calls = 0;
      net.Socket.prototype.connect = function (this: net.Socket, ...args: unknown[]) {
        // connect(port, host), connect(options) or, from net.connect, connect([options, callback]).
        const first = Array.isArray(args[0]) ? (args[0] as unknown[])[0] : args[0];
        const target = typeof first === 'object' && first !== null ? (first as { port?: unknown }).port : first;
        if (Number(target) === port) calls++;
        return (connect as (...rest: unknown[]) => net.Socket).apply(this, args);
      } as typeof connect;
      try {
        const report = await runLoad(resolveLoadSettings(`http://127.0.0.1:${port}/hook`, { ...base, rate: RATE, durationSec: SECONDS }));
        assertValid(report);
        const [step] = report.steps;
        assert.ok(calls > 0 && calls <= DUE, `${calls} connection attempts for ${DUE} deliveries`);
        assert.equal(step!.diagnostics.connectionsOpened, calls, 'the report counts every attempt');
        assert.deepEqual(step!.outcomes.errorCodes, { ECONNREFUSED: DUE });
      } finally {
        net.Socket.prototype.connect = connect;
      }
    });

    test('a receiver that resets its first connections, then answers: drhook backs off, tries again, and delivers the rest', async () => {
      const server = await recovering(7);
      try {
        const report = await runLoad(resolveLoadSettings(server.url, { ...base, rate: RATE, durationSec: SECONDS, connections: 5 }));
        assertValid(report);
        const { outcomes, diagnostics } = report.steps[0]!;
        assert.ok(server.accepted() <= DUE, `${server.accepted()} connections for ${DUE} deliveries`);
        assert.equal(outcomes.judged, DUE);
        assert.equal(outcomes.acknowledged + outcomes.failures, DUE);
        assert.deepEqual(Object.keys(outcomes.errorCodes), ['ECONNRESET'], 'the only failures are the resets');
        // Its 5 connections were reset at the start; the attempts that followed (one per backoff: 100, 200, 400 ms…, and
        // only once more deliveries were due than connections opened, about 0.25 s in) met 2 more resets, then an answer
        // about 0.85 s in: from there every delivery got a connection, some 40 of them. A busy machine delays that a little.
        assert.ok(outcomes.acknowledged >= RATE, `${outcomes.acknowledged} of ${DUE} answered`);
        assert.ok(diagnostics.connectionsOpened !== undefined && diagnostics.connectionsOpened >= 8, `${diagnostics.connectionsOpened} connections opened`);
        assert.equal(report.verdict.status, 'fail');
      } finally {
        await server.close();
      }
    });

    test('closed loop against a receiver that closes every connection: drhook waits out its backoff instead of reconnecting at once', async () => {
      const server = await startHostile('close-on-accept');
      try {
        const report = await runLoad(resolveLoadSettings(server.url, { ...base, durationSec: 2, connections: 10 }));
        assertValid(report);
        const { outcomes } = report.steps[0]!;
        // Nothing falls due in a closed loop, so nothing fails unsent; attempts come at most one per 100 ms after the first 10.
        assert.equal(outcomes.backedOff, 0);
        assert.ok(server.connections <= 10 + 2000 / 100, `${server.connections} connections in 2 s`);
        assert.equal(outcomes.judged, report.steps[0]!.sent);
        assert.equal(outcomes.acknowledged, 0);
      } finally {
        await server.close();
      }
    });

    test(`a healthy receiver at ${RATE}/s for ${SECONDS} s: its connections are opened once, before the clock, and kept`, async () => {
      const server = await startHostile('ok');
      try {
        const report = await runLoad(resolveLoadSettings(server.url, { ...base, rate: RATE, durationSec: SECONDS, connections: 10 }));
        const { outcomes, diagnostics } = report.steps[0]!;
        assert.equal(outcomes.acknowledged, DUE);
        assert.equal(outcomes.backedOff, 0);
        assert.equal(server.connections, 10);
        assert.equal(diagnostics.connectionsOpened, 10);
        // 60 deliveries are too few to judge a p99 (the run is inconclusive for that), but none of them failed.
        assert.equal(outcomes.failures, 0);
        assert.notEqual(report.verdict.status, 'fail');
      } finally {
        await server.close();
      }
    });
  });
});

test('the gate: free while connecting works; after a failure never more connections than deliveries due; after 3 in a row one attempt per backoff, doubling to 1 s; an answer ends it', () => {
  let clock = 0;
  const gate = createReconnectGate(() => clock);
  for (let i = 0; i < 5; i++) assert.deepEqual(gate.admit(1), { open: true }, 'while connecting works, whatever is due');
  gate.failed('ECONNRESET');
  assert.equal(gate.admit(5).open, false, 'after a failure: 5 connections opened, 5 deliveries due');
  assert.equal(gate.admit(6).open, true);
  for (let i = 1; i < FAILURES_BEFORE_BACKOFF - 1; i++) gate.failed('ECONNRESET');
  assert.equal(gate.admit().open, true, 'fewer failures in a row than the threshold: no backoff yet');
  gate.failed('ECONNREFUSED');
  assert.deepEqual(gate.admit(), { open: false, cause: 'ECONNREFUSED', retryInMs: 100 });
  // One attempt when each backoff has passed, the next backoff twice as long, up to 1 s.
  const attempts: number[] = [];
  for (clock = 0; clock <= 4000; clock += 10) {
    if (gate.admit().open) {
      attempts.push(clock);
      gate.failed('ECONNREFUSED');
    }
  }
  assert.deepEqual(attempts, [100, 300, 700, 1500, 2500, 3500]);
  assert.equal(gate.opened, 7 + attempts.length);
  // With the deliveries due given, no attempt once the connections opened reach them, backoff or not.
  clock = 10_000;
  assert.equal(gate.admit(gate.opened).open, false);
  assert.equal(gate.admit(gate.opened + 1).open, true);
  gate.answered();
  assert.equal(gate.admit(0).open, true, 'once the receiver answers, connecting is free again');
});

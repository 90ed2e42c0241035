// runLoad against real receivers on 127.0.0.1: healthy, serial, slow, throttled, redirecting, failing, silent, closing and absent ones.
import { describe, test, before } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import http from 'node:http';
import https from 'node:https';
import net, { type AddressInfo } from 'node:net';
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { schemasDir } from '../src/base/paths.js';
import { startReceiver } from '../src/receiver/server.js';
import { runLoad } from '../src/load/run.js';
import { resolveLoadSettings, type LoadOptions } from '../src/load/settings.js';
import type { LoadReport } from '../src/load/report.js';
import { startServer, type TestServer } from './helpers/http.js';
import { tlsCert, tlsKey } from './helpers/tls-fixture.js';

const token = 'tok_load_test_5f1c';
const base: LoadOptions = {
  events: ['order.accepted:3', 'refund.complete'],
  secrets: { test: [token], live: [] },
  poolSize: 4,
  seed: 5,
};

let validate: ValidateFunction;
before(async () => {
  const ajv = new Ajv2020({ allErrors: true, strict: true });
  addFormats.default(ajv);
  validate = ajv.compile(JSON.parse(await readFile(path.join(schemasDir, 'load-report.schema.json'), 'utf8')) as object);
});

function assertValid(report: LoadReport): void {
  assert.ok(validate(JSON.parse(JSON.stringify(report))), `report.json matches its schema: ${JSON.stringify(validate.errors)}`);
}

function load(url: string, options: LoadOptions): Promise<LoadReport> {
  return runLoad(resolveLoadSettings(url, { ...base, ...options }));
}

/**
 * Processes one request at a time, `ms` each, in order of arrival: a queue in front of one worker, so it answers at
 * most 1000 / ms events a second. Each answer is due `ms` after the previous one's (or after its arrival, when the
 * worker was idle), so timer slack never lowers that capacity.
 */
function serialServer(ms: number): Promise<TestServer> {
  let free = 0;
  return startServer((_req, res) => {
    const done = Math.max(performance.now(), free) + ms;
    free = done;
    setTimeout(() => void res.writeHead(202).end(), done - performance.now());
  });
}

// Tests that mostly wait (for answers, handshakes, deadlines) run a few at a time within their group; the closed loop,
// the capacity searches and the 320/s step, which keep this process's CPU busiest, run one at a time.
describe('a healthy receiver', { concurrency: 3 }, () => {
  test('the reference receiver verifies every signature and sees every event id once; the report holds every threshold', async () => {
    const receiver = await startReceiver({ secrets: { test: [token], live: [] } });
    try {
      // The receiver shares this process with the load: a rate it answers with a few % of a core, on a busy machine too;
      // 100 deliveries, the fewest a p99 is judged on.
      const report = await load(receiver.url, { rate: 50, durationSec: 2, connections: 20 });
      const stats = receiver.stats();
      assertValid(report);
      assert.equal(report.verdict.status, 'pass', report.verdict.summary);
      assert.equal(report.totals.outcomes.failures, 0);
      assert.equal(report.totals.sent, 100, 'exactly 50/s for 2 s');
      assert.equal(report.totals.outcomes.judged, report.totals.sent);
      assert.equal(stats.received, report.totals.sent);
      assert.equal(stats.signaturesVerified, report.totals.sent, 'every request carried a valid signature for its own bytes');
      assert.equal(stats.distinctEventIds, report.totals.sent, 'every event id was new');
      assert.equal(stats.duplicates, 0);
      const [step] = report.steps;
      assert.deepEqual(step!.checks.map((c) => [c.id, c.verdict.status]), [['p99', 'pass'], ['failure-rate', 'pass'], ['rate', 'pass']]);
      assert.equal(step!.shortfall, null);
      assert.ok(step!.series.length >= 2, `a per-second series: ${JSON.stringify(step!.series)}`);
      assert.equal(step!.series.reduce((sum, s) => sum + s.completed, 0), report.totals.outcomes.judged);
      assert.match(report.verdict.summary, /^Digital River would have counted none of these \d+ deliveries as failed.*disabled automatically\.$/);
    } finally {
      await receiver.close();
    }
  });

  test('a fast receiver at 100/s: exactly rate × duration are sent and judged, the service time beside the latency from schedule', async () => {
    const server = await startServer((_req, res) => void res.writeHead(202).end());
    try {
      // The receiver shares this process with the load: a rate both keep with a few % of a core, on a busy machine too.
      const report = await load(server.url, { rate: 100, durationSec: 2 });
      const [step] = report.steps;
      assertValid(report);
      assert.equal(report.verdict.status, 'pass', report.verdict.reasons.join('; '));
      assert.equal(step!.sent, 200);
      assert.equal(step!.outcomes.judged, 200);
      assert.ok(step!.serviceMs && step!.serviceMs.count === 200, 'the service time is reported besides the latency from schedule');
      const shortRuns = [[3, 2], [5, 1]] as const;
      const shorts = await Promise.all(shortRuns.map(([rate, durationSec]) => load(server.url, { rate, durationSec })));
      for (const [index, [rate, durationSec]] of shortRuns.entries()) assert.equal(shorts[index]!.totals.sent, rate * durationSec, `${rate}/s for ${durationSec} s`);
    } finally {
      await server.close();
    }
  });

  test('the clock starts once every connection is open: TLS handshakes that take 2 s delay no delivery', async () => {
    const HANDSHAKE_MS = 2000;
    const tlsServer = https.createServer({ key: tlsKey, cert: tlsCert }, (req, res) => {
      req.resume();
      req.on('end', () => void res.writeHead(202).end());
    });
    const sockets = new Set<net.Socket>();
    // Each connection is accepted at once and its handshake begun only 2 s later.
    const front = net.createServer((socket) => {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
      setTimeout(() => tlsServer.emit('connection', socket), HANDSHAKE_MS);
    });
    await new Promise<void>((resolve) => front.listen(0, '127.0.0.1', resolve));
    try {
      const url = `https://127.0.0.1:${(front.address() as AddressInfo).port}/hook`;
      // 100 deliveries, the fewest a p99 is judged on.
      const report = await load(url, { ca: Buffer.from(tlsCert), rate: 50, durationSec: 2, connections: 5, p99Ms: 1000 });
      const [step] = report.steps;
      assert.equal(step!.outcomes.acknowledged, 100);
      // Timed from the start of the connecting, every delivery due in the first second would wait 1 to 2 s for one.
      assert.equal(report.verdict.status, 'pass', report.verdict.reasons.join('; '));
      assert.ok(step!.latencyMs!.p99 < 1000, `p99 ${step!.latencyMs!.p99} ms from schedule`);
    } finally {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => front.close(() => resolve()));
      tlsServer.close();
    }
  });

  test('a receiver that closes the connection after each answer costs no failure', async () => {
    const server = await startServer((_req, res) => void res.writeHead(202, { Connection: 'close' }).end());
    try {
      const report = await load(server.url, { rate: 100, durationSec: 1, connections: 5 });
      assert.equal(report.totals.outcomes.failures, 0, JSON.stringify(report.totals.outcomes));
      assert.equal(server.requests.length, report.totals.sent);
    } finally {
      await server.close();
    }
  });

  test('a ramp runs one step per rate', async () => {
    const server = await startServer((_req, res) => void res.writeHead(200).end());
    try {
      const report = await load(server.url, { ramp: [100, 200], stepSec: 1, connections: 10 });
      assertValid(report);
      assert.deepEqual(report.steps.map((s) => [s.label, s.pace]), [['ramp 1/2', { kind: 'open', rate: 100 }], ['ramp 2/2', { kind: 'open', rate: 200 }]]);
      assert.ok(report.steps[1]!.sent > report.steps[0]!.sent * 1.5);
      assert.equal(report.verdict.status, 'pass');
    } finally {
      await server.close();
    }
  });

  test('with OAuth, every request carries a Bearer token, renewed before it expires; no secret reaches the report', async () => {
    const clientSecret = 'cs_load_oauth_51d9';
    const receiver = await startReceiver({ secrets: { test: [token], live: [] }, auth: { kind: 'oauth', clientId: 'digitalriver', clientSecret, tokenTtlSec: 3 } });
    try {
      const auth = { kind: 'oauth' as const, tokenUrl: receiver.tokenUrl!, clientId: 'digitalriver', clientSecret, grant: 'client_credentials' as const };
      const report = await load(receiver.url, { auth, rate: 40, durationSec: 4, connections: 5 });
      assert.equal(report.totals.outcomes.failures, 0, JSON.stringify(report.totals.outcomes.statuses));
      assert.equal(receiver.stats().signaturesVerified, report.totals.sent, 'the first token expired after 3 s: the later requests carried a renewed one');
      assert.ok(!JSON.stringify(report).includes(clientSecret));
    } finally {
      await receiver.close();
    }
  });
});

// As fast as the receiver answers, so alone: it would hold up the event loop of any run beside it.
test('without --rate the run is closed loop, says so, and sends exactly --count after an uncounted warm-up', async () => {
  const receiver = await startReceiver({ secrets: { test: [token], live: [] } });
  try {
    const report = await load(receiver.url, { count: 300, connections: 8, warmupSec: 0.5 });
    assertValid(report);
    assert.equal(report.steps[0]!.serviceMs, undefined, 'closed loop: the latency is the service time');
    assert.equal(report.plan.loop, 'closed');
    assert.match(report.plan.description, /closed loop: no --rate was given/);
    assert.equal(report.totals.sent, 300);
    assert.equal(report.totals.outcomes.judged, 300);
    const stats = receiver.stats();
    assert.ok(stats.received > 300, 'the warm-up reached the receiver too');
    assert.equal(stats.signaturesVerified, stats.received);
    assert.equal(stats.distinctEventIds, stats.received, 'warm-up and measured events never share an id');
    assert.deepEqual(report.steps[0]!.checks.map((c) => c.id), ['p99', 'failure-rate'], 'no rate to reach in a closed loop');
  } finally {
    await receiver.close();
  }
});

test('closed loop with --count: the rate is over the time until the last answer, not the last send', async () => {
  const server = await startServer((_req, res) => void setTimeout(() => res.writeHead(202).end(), 200));
  try {
    const [step] = (await load(server.url, { count: 3, connections: 5 })).steps;
    assert.ok(step!.durationSec >= 0.2, `the window ran to the answers: ${step!.durationSec} s`);
    assert.ok(step!.achievedRate <= 15, `3 answered in at least 200 ms: ${step!.achievedRate}/s`);
  } finally {
    await server.close();
  }
});

describe('a receiver that slows down under load', { concurrency: 3 }, () => {
  test('processing serially at 50 ms, it breaks the p99 budget at 100/s', async () => {
    const server = await serialServer(50);
    try {
      const report = await load(server.url, { rate: 100, durationSec: 3, connections: 60, deadlineMs: 1000 });
      assertValid(report);
      const [step] = report.steps;
      assert.equal(report.verdict.status, 'fail');
      assert.equal(step!.checks.find((c) => c.id === 'p99')!.verdict.status, 'fail');
      assert.ok(step!.latencyMs!.p99 >= 1000, `p99 ${step!.latencyMs!.p99} ms`);
      assert.ok(step!.outcomes.timeouts > 0);
      assert.ok(report.verdict.reasons.some((reason) => /p99 .* exceeds the 1000 ms budget/.test(reason)));
    } finally {
      await server.close();
    }
  });

  test('the same receiver holds at 15/s', async () => {
    const server = await serialServer(50);
    try {
      const report = await load(server.url, { rate: 15, durationSec: 7, connections: 10, deadlineMs: 1000 });
      assert.equal(report.verdict.status, 'pass', report.verdict.summary);
      assert.equal(report.steps[0]!.outcomes.timeouts, 0);
    } finally {
      await server.close();
    }
  });

  test('at 40/s it answers every delivery in time over a short step, but falls behind at its 20/s: the step fails, and the verdict says so', async () => {
    const server = await serialServer(50);
    try {
      // Its queue grows by 20 a second, but within 2 s no answer takes the 3 s deadline: only the pace shows the backlog.
      const report = await load(server.url, { rate: 40, durationSec: 2 });
      const [step] = report.steps;
      assertValid(report);
      assert.equal(report.verdict.status, 'fail');
      assert.equal(step!.outcomes.failures, 0);
      const rate = step!.checks.find((c) => c.id === 'rate')!;
      assert.equal(rate.verdict.status, 'fail');
      assert.equal(step!.shortfall!.cause, 'receiver-saturated');
      assert.ok(step!.shortfall!.achievedRate >= 15 && step!.shortfall!.achievedRate <= 25, `it answered about 20/s: ${step!.shortfall!.achievedRate}`);
      assert.match(report.verdict.summary, /^Digital River would have counted none of these 80 deliveries as failed \(every one was answered 2xx within 3000 ms\), but the run failed: the receiver fell behind \(it answered about [\d.]+\/s of the 40\/s due/);
    } finally {
      await server.close();
    }
  });

  test('answering in 50 ms for 1.5 s, then in 200 ms at any concurrency: a single step up, not a backlog, so the rate holds', async () => {
    let start: number | undefined;
    const server = await startServer((_req, res) => {
      start ??= performance.now();
      setTimeout(() => void res.writeHead(202).end(), performance.now() - start < 1500 ? 50 : 200);
    });
    try {
      const report = await load(server.url, { rate: 100, durationSec: 3, connections: 100 });
      assertValid(report);
      const [step] = report.steps;
      assert.equal(step!.outcomes.acknowledged, 300);
      assert.equal(step!.shortfall, null, step!.shortfall?.explanation);
      assert.equal(step!.checks.find((c) => c.id === 'rate')!.verdict.status, 'pass');
      assert.equal(report.verdict.status, 'pass', report.verdict.reasons.join('; '));
    } finally {
      await server.close();
    }
  });

  test('answering in 1 s at any concurrency, over 10 connections at 50/s: drhook\'s connections are the limit, inconclusive, with how many to rerun with', async () => {
    const server = await startServer((_req, res) => void setTimeout(() => res.writeHead(202).end(), 1000));
    try {
      const report = await load(server.url, { rate: 50, durationSec: 3, connections: 10 });
      const [step] = report.steps;
      assertValid(report);
      assert.equal(step!.shortfall!.cause, 'connection-limit', step!.shortfall!.explanation);
      assert.equal(report.verdict.status, 'inconclusive', 'neither shown to hold nor to fail');
      assert.ok(report.verdict.status === 'inconclusive' && report.verdict.cause === 'connection-limit');
      assert.ok(report.verdict.reachedRate !== null && report.verdict.reachedRate < 20, `10 connections carry about 10/s: ${report.verdict.reachedRate}`);
      assert.deepEqual(step!.checks.map((c) => c.verdict.status), ['inconclusive', 'inconclusive', 'inconclusive'], 'the timeouts are waits for drhook\'s connections');
      assert.ok(step!.outcomes.timeouts > 0, 'some deliveries timed out from their slot');
      assert.ok(step!.diagnostics.maxInFlight <= 10, `never more in flight than connections: ${step!.diagnostics.maxInFlight}`);
      const suggested = Number(/rerun with --connections (\d+) or more/.exec(step!.shortfall!.explanation)?.[1]);
      assert.ok(suggested >= 60 && suggested <= 120, `about 50/s × 1 s × 1.5: ${step!.shortfall!.explanation}`);
      assert.match(step!.shortfall!.explanation, /all 10 of them were busy/);
      assert.match(report.verdict.summary, /^Inconclusive: every one of drhook's connections was busy, and the receiver was not shown to slow down with them: it reached [\d.]+\/s of the 50\/s asked\. Rerun with more --connections/);
    } finally {
      await server.close();
    }
  });

  test('the same receiver over 100 connections at 50/s holds', async () => {
    const server = await startServer((_req, res) => void setTimeout(() => res.writeHead(202).end(), 1000));
    try {
      const report = await load(server.url, { rate: 50, durationSec: 3, connections: 100 });
      assert.equal(report.verdict.status, 'pass', report.verdict.reasons.join('; '));
      assert.equal(report.steps[0]!.shortfall, null);
    } finally {
      await server.close();
    }
  });

  test('answering in 2500 ms over 10 connections (4/s) at 20/s: the deliveries that waited for a connection time out from their slot, drhook\'s limit', async () => {
    const server = await startServer((_req, res) => void setTimeout(() => res.writeHead(202).end(), 2500));
    try {
      const report = await load(server.url, { rate: 20, durationSec: 2, connections: 10 });
      const [step] = report.steps;
      assert.equal(report.verdict.status, 'inconclusive', report.verdict.summary);
      assert.equal(step!.outcomes.judged, 40, 'every due delivery is judged, sent or not');
      assert.ok(step!.outcomes.timeouts >= 20, `most of them timed out: ${JSON.stringify(step!.outcomes)}`);
      assert.equal(step!.checks.find((c) => c.id === 'rate')!.verdict.status, 'inconclusive');
      assert.equal(step!.shortfall!.cause, 'connection-limit');
      assert.ok(step!.diagnostics.connectionBoundShare >= 0.5);
    } finally {
      await server.close();
    }
  });
});

test('a receiver that never answers: every due delivery times out at its deadline from its slot, sent late or not at all', async () => {
  const server = await startServer(() => {});
  try {
    const report = await load(server.url, { rate: 20, durationSec: 1, connections: 2, deadlineMs: 1000 });
    const { outcomes, sent } = report.steps[0]!;
    assertValid(report);
    assert.deepEqual([outcomes.judged, outcomes.timeouts, outcomes.unfinished], [20, 20, 0], 'all 20 due deliveries judged, each a timeout');
    assert.equal(sent + outcomes.notSent!, 20, 'each was sent, or never sent because no connection came free before its deadline');
    assert.equal(server.requests.length, sent);
    assert.match(report.verdict.summary, /counted 100 % of these 20 deliveries \(20\) as failed: 20 timed out after 1000 ms/);
  } finally {
    await server.close();
  }
});

describe('a receiver that processes one event at a time, 5 ms each (200 events/s whatever the CPU does), over drhook\'s 50 connections', () => {
  test('at 320/s every connection is busy, but its service time grew with them: the receiver is the limit, not drhook', async () => {
    const server = await serialServer(5);
    try {
      const report = await load(server.url, { rate: 320, durationSec: 2, deadlineMs: 1000 });
      assertValid(report);
      const [step] = report.steps;
      assert.ok(step!.diagnostics.connectionBoundShare >= 0.5, `the connections were all busy: ${JSON.stringify(step!.diagnostics)}`);
      assert.equal(step!.shortfall?.cause, 'receiver-saturated', step!.shortfall?.explanation);
      assert.match(step!.shortfall!.explanation, /All 50 of drhook's connections were busy .*, but the receiver is the limit: (at its service time with few in flight \([\d.]+ ms on average\) the 50 connections would carry \d+\/s, at least twice the 320\/s asked|as the connections filled \(up to 12 in flight\), each delivery more in flight added about [\d.]+ ms to its service time)/);
      const answered = step!.shortfall!.achievedRate;
      assert.ok(answered >= 150 && answered <= 250, `it answered about 200/s: ${step!.shortfall!.explanation}`);
      assert.equal(report.verdict.status, 'fail', report.verdict.summary);
    } finally {
      await server.close();
    }
  });

  test('a capacity search up to 1000/s finds it within 25 %, ended by the receiver, never by drhook\'s connections', async () => {
    const server = await serialServer(5);
    try {
      // 1 s steps from 120/s, each with enough deliveries to judge a p99: 120 held, 240 broke, then halving the gap
      // until it is within 10 %, about five steps.
      const report = await load(server.url, { capacity: true, rate: 120, maxRate: 1000, stepSec: 1, timeLimitSec: 30, deadlineMs: 1000 });
      assertValid(report);
      const capacity = report.capacity!;
      assert.notEqual(capacity.ended, 'connection-limit', capacity.explanation);
      assert.ok(capacity.capacity !== null && capacity.capacity >= 150 && capacity.capacity <= 250, `capacity ${capacity.capacity}: ${capacity.explanation}`);
      assert.ok(capacity.firstBad && capacity.firstBad.rate > capacity.capacity);
      assert.match(capacity.firstBad.why, /the receiver fell behind|failed/);
      assert.ok(report.steps.every((step) => step.shortfall?.cause !== 'connection-limit'), report.steps.map((step) => step.shortfall?.explanation).join('\n'));
      assert.equal(report.verdict.status, 'pass', report.verdict.summary);
      assert.match(report.verdict.summary, /^Capacity: about \d+\/s/);
    } finally {
      await server.close();
    }
  });
});

describe('capacity search', () => {

  test('finds a receiver throttled at 200 events/s within 25 %', async () => {
    // A token bucket: 200 tokens a second, 20 at most; without a token the answer is 503.
    let tokens = 20;
    let last = performance.now();
    const server = await startServer((_req, res) => {
      const now = performance.now();
      tokens = Math.min(20, tokens + ((now - last) * 200) / 1000);
      last = now;
      if (tokens >= 1) {
        tokens -= 1;
        res.writeHead(202).end();
      } else res.writeHead(503, { 'Retry-After': '1' }).end();
    });
    try {
      // As above: 1 s steps from 120/s, enough deliveries in each to judge a p99.
      const report = await load(server.url, { capacity: true, rate: 120, stepSec: 1, timeLimitSec: 30, connections: 30 });
      assertValid(report);
      const capacity = report.capacity!;
      assert.ok(capacity.capacity !== null && capacity.capacity >= 150 && capacity.capacity <= 250, `capacity ${capacity.capacity}: ${capacity.explanation}`);
      assert.ok(capacity.firstBad && capacity.firstBad.rate > capacity.capacity);
      assert.match(capacity.firstBad.why, /answered 503/);
      assert.equal(report.verdict.status, 'pass', 'finding the limit is the purpose of the search');
      assert.match(report.verdict.summary, /^Capacity: about \d+\/s/);
    } finally {
      await server.close();
    }
  });
});

describe('failures by status and connection', { concurrency: true }, () => {
  for (const [status, extra] of [[308, { Location: 'http://127.0.0.1:9/elsewhere' }], [500, {}]] as const) {
    test(`every ${status} is a failure${status === 308 ? ', never followed' : ''}`, async () => {
      const server = await startServer((_req, res) => void res.writeHead(status, extra).end());
      try {
        const report = await load(server.url, { rate: 50, durationSec: 1, connections: 5 });
        const { outcomes } = report.totals;
        assertValid(report);
        assert.equal(report.verdict.status, 'fail');
        assert.equal(outcomes.failures, report.totals.sent);
        assert.deepEqual(outcomes.statuses, { [String(status)]: report.totals.sent });
        assert.equal(outcomes.redirects, status === 308 ? report.totals.sent : 0);
        assert.ok(server.requests.every((request) => request.url === new URL(server.url).pathname), 'nothing but the target was requested');
        assert.match(report.verdict.summary, new RegExp(`counted 100 % of these \\d+ deliveries .* answered ${status}`));
      } finally {
        await server.close();
      }
    });
  }

  test('a port nobody listens on: connection errors, each a failure', async () => {
    const closed = http.createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const { port } = closed.address() as AddressInfo;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const report = await load(`http://127.0.0.1:${port}/hook`, { rate: 20, durationSec: 1, connections: 2 });
    const { outcomes } = report.totals;
    assert.ok(outcomes.connectionErrors > 0);
    assert.equal(outcomes.failures, outcomes.judged);
    assert.deepEqual(Object.keys(outcomes.errorCodes), ['ECONNREFUSED']);
    assert.equal(report.verdict.status, 'fail');
  });

  test('a ramp stops after the first step that breaks a threshold', async () => {
    const server = await startServer((_req, res) => void res.writeHead(500).end());
    try {
      const report = await load(server.url, { ramp: [20, 40, 80], stepSec: 1, connections: 5 });
      assert.equal(report.steps.length, 1);
      assert.match(report.plan.notes[0]!, /ramp stopped after 20\/s broke a threshold; 40\/s, 80\/s not run/);
    } finally {
      await server.close();
    }
  });
});

test('an aborted run returns what it measured, marked incomplete', async () => {
  // Aborted once the receiver has answered 10 of the 1500 deliveries planned, whenever a busy machine gets there.
  const controller = new AbortController();
  let abortedAt = Number.NaN;
  const server = await startServer((_req, res) => {
    res.writeHead(202).end();
    if (server.requests.length === 10) {
      abortedAt = performance.now();
      controller.abort();
    }
  });
  try {
    const report = await runLoad(resolveLoadSettings(server.url, { ...base, rate: 50, durationSec: 30, connections: 5 }), { signal: controller.signal });
    const stoppedMs = performance.now() - abortedAt;
    assert.ok(stoppedMs < 10_000, `stopped ${Math.round(stoppedMs)} ms after the abort, not at the end of its 30 s`);
    assertValid(report);
    assert.equal(report.complete, false);
    assert.equal(report.stoppedBy, 'interrupted');
    assert.equal(report.verdict.status, 'inconclusive', 'a partial run never passes');
    assert.ok(report.verdict.status === 'inconclusive' && report.verdict.cause === 'interrupted');
    assert.match(report.verdict.summary, /^Interrupted after [\d.]+ s: a partial run cannot pass\. So far Digital River would have counted none of these \d+ deliveries as failed/);
    assert.ok(report.totals.sent >= 10 && report.totals.sent < 500, `${report.totals.sent} sent`);
  } finally {
    await server.close();
  }
});

// The load hot path and its parts without a network: pool weights, stamped requests that verify, the pacer, the recorder, the judgement.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { buildPool, CREATED_WIDTH, ID_WIDTH } from '../src/load/pool.js';
import { createStamper } from '../src/load/stamp.js';
import { createPacer } from '../src/load/pace.js';
import { createRecorder, summarize, type PaceHalves, type ServiceBand, type ServiceByLoad } from '../src/load/stats.js';
import { diagnosePace } from '../src/load/diagnose.js';
import { judgeStep, runVerdict } from '../src/load/judge.js';
import type { Diagnostics, Outcomes, StepResult } from '../src/load/report.js';
import { connectorLayout, verifySignature, type SchemeName, type SignatureLayout } from '../src/wire/signing.js';
import { hmac, PAD_BYTES, prepareKey } from '../src/load/hmac.js';
import { createHmac, randomBytes } from 'node:crypto';
import { UsageError } from '../src/base/errors.js';

const pool = buildPool(
  [
    { type: 'order.accepted', weight: 3, expanded: false },
    { type: 'refund.complete', weight: 1, expanded: false },
  ],
  { mode: 'test', seed: 11, size: 4 },
);

interface ParsedRequest {
  requestLine: string;
  headers: Record<string, string>;
  body: Buffer;
}

function parse(bytes: Buffer): ParsedRequest {
  const end = bytes.indexOf('\r\n\r\n');
  const [requestLine, ...lines] = bytes.subarray(0, end).toString('latin1').split('\r\n');
  const headers: Record<string, string> = {};
  for (const line of lines) {
    const colon = line.indexOf(':');
    headers[line.slice(0, colon).toLowerCase()] = line.slice(colon + 1).trim();
  }
  return { requestLine: requestLine!, headers, body: bytes.subarray(end + 4) };
}

describe('event pool', () => {
  test('spreads the pool and the sending order over the types by weight, with one id and createdTime slot per template', () => {
    assert.equal(pool.templates.length, 4);
    assert.deepEqual(pool.templates.map((t) => t.type), ['order.accepted', 'order.accepted', 'order.accepted', 'refund.complete']);
    const sentTypes = [...pool.order].map((index) => pool.templates[index]!.type);
    assert.equal(sentTypes.filter((type) => type === 'order.accepted').length, 750);
    assert.equal(sentTypes.filter((type) => type === 'refund.complete').length, 250);
    for (const template of pool.templates) {
      assert.equal(template.body.toString('latin1', template.idOffset, template.idOffset + ID_WIDTH), '#'.repeat(ID_WIDTH));
      assert.equal(template.body.toString('latin1', template.createdOffset, template.createdOffset + CREATED_WIDTH), '~'.repeat(CREATED_WIDTH));
    }
  });

  test('the same seed builds the same pool and order', () => {
    const again = buildPool([{ type: 'order.accepted', weight: 3, expanded: false }, { type: 'refund.complete', weight: 1, expanded: false }], { mode: 'test', seed: 11, size: 4, now: new Date() });
    assert.deepEqual([...again.order], [...pool.order]);
  });
});

describe('stamped requests', () => {
  const v0: SignatureLayout = { form: 'v0', encoding: 'hex', separator: ',' };
  const schemes: Array<{ scheme: SchemeName; secrets: string[]; layout: SignatureLayout }> = [
    { scheme: 'digitalriver', secrets: ['tok_current_123', 'tok_previous_456'], layout: v0 },
    { scheme: 'digitalriver', secrets: ['tok_current_123', 'tok_previous_456'], layout: connectorLayout },
    { scheme: 'stripe', secrets: ['whsec_stripe_local'], layout: v0 },
    { scheme: 'standard-webhooks', secrets: ['whsec_' + Buffer.from('standard webhooks key material').toString('base64')], layout: v0 },
  ];
  for (const { scheme, secrets, layout } of schemes) {
    test(`${scheme} (${layout.form}): every request is complete HTTP, with its own id, the current time and a signature over exactly its body`, () => {
      const stamper = createStamper({ pool, url: 'http://127.0.0.1:9/hooks/dr?x=1', headers: { 'X-Extra': 'yes', Authorization: 'Basic dTpw' }, scheme, secrets, layout });
      const ids = new Set<string>();
      const before = Date.now();
      for (let n = 0; n < 50; n++) {
        const request = parse(stamper.next());
        assert.equal(request.requestLine, 'POST /hooks/dr?x=1 HTTP/1.1');
        assert.equal(request.headers['host'], '127.0.0.1:9');
        assert.equal(request.headers['content-type'], 'application/json');
        assert.equal(request.headers['x-extra'], 'yes');
        assert.equal(request.headers['authorization'], 'Basic dTpw');
        assert.equal(Number(request.headers['content-length']), request.body.length);
        const event = JSON.parse(request.body.toString('utf8')) as { id: string; createdTime: string; liveMode: boolean };
        assert.match(event.id, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
        ids.add(event.id);
        const created = Date.parse(event.createdTime);
        assert.ok(created >= before - 1 && created <= Date.now(), 'createdTime is the time of stamping');
        assert.equal(event.liveMode, false);
        const nowSec = Math.floor(Date.now() / 1000);
        if (layout.form === 'connector') assert.match(request.headers['digitalriver-signature']!, /^\d{10}, [A-Za-z0-9+/]{43}=, [A-Za-z0-9+/]{43}=$/);
        for (const secret of secrets) {
          const verified = verifySignature(scheme, request.headers, request.body, { secrets: [secret], toleranceSec: 5, nowSec, layout });
          assert.deepEqual(verified, { ok: true, matchedSecretIndex: 0 }, `signed with ${scheme} secret #${secrets.indexOf(secret) + 1}`);
        }
      }
      assert.equal(ids.size, 50);
      assert.equal(stamper.stamped, 50);
    });
  }

  test('a refreshed Authorization header rebuilds the requests; framing headers and broken header values are refused', () => {
    const stamper = createStamper({ pool, url: 'http://127.0.0.1:9/', headers: { Authorization: 'Bearer one' }, scheme: 'digitalriver', secrets: ['tok'], layout: { form: 'v0', encoding: 'base64', separator: ', ' } });
    assert.equal(parse(stamper.next()).headers['authorization'], 'Bearer one');
    stamper.setHeaders({ Authorization: 'Bearer two-longer' });
    const request = parse(stamper.next());
    assert.equal(request.headers['authorization'], 'Bearer two-longer');
    assert.match(request.headers['digitalriver-signature']!, /^t=\d{10}, v0=[A-Za-z0-9+/]{43}=$/);
    const setup = { pool, url: 'http://127.0.0.1:9/', scheme: 'digitalriver' as const, secrets: ['tok'], layout: { form: 'v0' as const, encoding: 'hex' as const, separator: ',' as const } };
    assert.throws(() => createStamper({ ...setup, headers: { 'Content-Length': '5' } }), UsageError);
    assert.throws(() => createStamper({ ...setup, headers: { 'X-Bad': 'a\r\nInjected: yes' } }), UsageError);
  });
});

describe('prepared HMAC', () => {
  test('equals createHmac for short, block-sized and long keys, empty and long messages', () => {
    for (const keyLength of [1, 16, 64, 65, 200]) {
      const key = randomBytes(keyLength);
      for (const messageLength of [0, 55, 56, 64, 5000]) {
        const message = randomBytes(messageLength);
        const framed = Buffer.concat([Buffer.alloc(PAD_BYTES), message]);
        for (const encoding of ['hex', 'base64'] as const) {
          assert.equal(hmac(prepareKey(key), framed, encoding), createHmac('sha256', key).update(message).digest(encoding), `key ${keyLength} B, message ${messageLength} B`);
        }
      }
    }
  });
});

describe('pacer', () => {
  const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
  /** Waits until `done()`, for 30 s at most: a schedule of a few hundred ms, which a busy machine may stretch. */
  const until = async (done: () => boolean): Promise<void> => {
    const limit = performance.now() + 30_000;
    while (!done() && performance.now() < limit) await sleep(20);
  };

  test('hands out exactly its slots at the fixed rate to connections that wait for them, in order, none before it falls due', async () => {
    const expired: number[] = [];
    const before = performance.now();
    // The first slot falls due 100 ms after the pacer starts, when every connection below is waiting for one.
    const pacer = createPacer({ rate: 200, slots: 100, deadlineMs: 3000, offsetMs: 100, onExpired: (due) => expired.push(due) });
    const after = performance.now();
    const handed: Array<{ dueMs: number; atMs: number }> = [];
    // As many connections as slots, each answered at once: one is always waiting when a slot falls due, so only the
    // schedule limits them, however late a busy machine fires the timers.
    const connection = (): void => pacer.take((dueMs) => {
      handed.push({ dueMs, atMs: performance.now() });
      setImmediate(connection);
    });
    for (let n = 0; n < 100; n++) connection();
    await until(() => pacer.done);
    await sleep(50);
    assert.equal(handed.length, 100, 'the 100 slots, not one more');
    assert.ok(pacer.done);
    assert.equal(pacer.stop(), 0, 'nothing due was left');
    assert.deepEqual(expired, []);
    // Slot k falls due 5 ms after slot k − 1 and is handed out no earlier: a burst would hand them out before they fall due.
    const first = handed[0]!.dueMs;
    assert.ok(first >= before + 100 && first <= after + 100, 'the first slot falls due 100 ms after the pacer starts');
    handed.forEach(({ dueMs, atMs }, k) => {
      assert.ok(Math.abs(dueMs - (first + k * 5)) < 1e-6, `slot ${k} fell due at ${dueMs - first} ms`);
      assert.ok(atMs >= dueMs, `slot ${k} handed out ${Math.round(dueMs - atMs)} ms before it fell due`);
    });
    // Timers a busy machine fires late are no wait for a connection.
    assert.equal(pacer.connectionBound, 0, `a connection was waiting whenever a slot fell due (${pacer.connectionBound} waited)`);
  });

  test('a slot waiting for a busy connection goes out late, and expires unsent once its deadline has passed', async () => {
    const expired: number[] = [];
    const lateness: number[] = [];
    const pacer = createPacer({ rate: 200, slots: 40, deadlineMs: 100, onExpired: (due) => expired.push(due) });
    // Two connections answered after 50 ms each carry at most 40/s of the 200/s due.
    const connection = (): void => pacer.take((_due, late) => {
      lateness.push(late);
      setTimeout(connection, 50);
    });
    connection();
    connection();
    await until(() => pacer.done);
    assert.ok(pacer.done);
    assert.equal(lateness.length + expired.length, 40, 'every slot was sent or expired');
    assert.ok(expired.length >= 10, `slots that waited past the 100 ms deadline expired (${expired.length})`);
    assert.ok(lateness.every((late) => late < 100), 'none went out after its deadline');
    assert.ok(lateness.filter((late) => late > 5).length >= lateness.length / 2, 'most went out late');
    assert.ok(pacer.connectionBound / pacer.due > 0.5, `most slots waited for a connection (${pacer.connectionBound}/${pacer.due})`);
  });

  test('with no connection free at all, the slots expire at their deadlines; stopping counts the due ones not yet expired', async () => {
    const expired: Array<{ dueMs: number; atMs: number }> = [];
    /** The pacer's clock: first read when it starts, last when it stops. */
    let start = Number.NaN;
    let clock = Number.NaN;
    const now = (): number => {
      clock = performance.now();
      if (Number.isNaN(start)) start = clock;
      return clock;
    };
    const pacer = createPacer({ rate: 20, slots: 100, deadlineMs: 100, now, onExpired: (dueMs) => expired.push({ dueMs, atMs: performance.now() }) });
    await sleep(300);
    // Slots fall due every 50 ms from the start: those due at 0, 50, 100 and 150 ms had passed their deadline.
    assert.ok(expired.length >= 4, `the slots past their deadline expired as it passed (${expired.length})`);
    const left = pacer.stop();
    const stoppedAt = clock;
    const fallenDue = Math.min(100, Math.floor((stoppedAt - start) / 50) + 1);
    const pastDeadline = Math.min(100, Math.floor((stoppedAt - start - 100) / 50) + 1);
    assert.deepEqual(expired.map(({ dueMs }) => dueMs), Array.from({ length: pastDeadline }, (_, k) => start + k * 50), 'every slot past its deadline at the stop expired, in order');
    assert.ok(expired.every(({ dueMs, atMs }) => atMs >= dueMs + 100), 'none expired before its deadline');
    assert.equal(left, fallenDue - pastDeadline, `due but within their deadline when stopped: ${left}`);
    assert.equal(pacer.due, expired.length + left, 'every slot due is expired or left');
    const count = expired.length;
    await sleep(150);
    assert.equal(expired.length, count, 'nothing expires after the stop');
  });
});

describe('recorder and judgement', () => {
  const quiet: Diagnostics = { cpuShare: 0.2, stampShare: 0.01, stampMicros: 5, eventLoopLagP99Ms: 1, connectionBoundShare: 0, maxInFlight: 3 };

  test('counts outcomes by status, timeouts at the deadline, connection errors, and a per-second series', () => {
    let clock = 0;
    const recorder = createRecorder(3000, { now: () => clock });
    for (let n = 0; n < 97; n++) {
      recorder.sent();
      recorder.answered(202, 10 + (n % 10), 10 + (n % 10));
    }
    clock = 1500;
    for (const status of [308, 503]) {
      recorder.sent();
      recorder.answered(status, 5, 5);
    }
    recorder.sent();
    recorder.timedOut();
    recorder.sent();
    recorder.connectionError('ECONNRESET');
    recorder.sent();
    const measurement = recorder.finish(1);
    const { outcomes } = measurement;
    assert.equal(measurement.sent, 102);
    assert.deepEqual(outcomes.statuses, { '202': 97, '308': 1, '503': 1 });
    assert.equal(outcomes.judged, 101);
    assert.equal(outcomes.acknowledged, 97);
    assert.equal(outcomes.redirects, 1);
    assert.equal(outcomes.timeouts, 1);
    assert.equal(outcomes.connectionErrors, 1);
    assert.deepEqual(outcomes.errorCodes, { ECONNRESET: 1 });
    assert.deepEqual(outcomes.causes, { 'connection-reset': 1 }, 'the code classified by the table contract and send use');
    assert.equal(outcomes.failures, 4);
    assert.equal(outcomes.unfinished, 1);
    assert.equal(measurement.serviceHistogram, null, 'closed loop: the latency is the service time');
    assert.equal(measurement.halves, null);
    assert.deepEqual(measurement.series.map((s) => [s.second, s.sent, s.completed, s.failures]), [[0, 97, 97, 0], [1, 5, 4, 4]]);
    const latency = summarize(measurement.histogram)!;
    assert.equal(latency.count, 100, 'answers and the timeout; a connection error has no latency');
    assert.ok(latency.p50 >= 10 && latency.p50 <= 19);
    assert.equal(latency.max, 3001, 'the timeout counts just over the deadline');
    measurement.histogram.destroy();

    const checks = judgeStep({ latencyMs: latency, outcomes, pace: { kind: 'closed' }, shortfall: null, diagnostics: quiet, thresholds: { p99Ms: 3000, maxFailureRate: 0.05 }, deadlineMs: 3000 });
    assert.deepEqual(checks.map((c) => [c.id, c.verdict.status]), [['p99', 'pass'], ['failure-rate', 'pass']]);
    const strict = judgeStep({ latencyMs: latency, outcomes, pace: { kind: 'closed' }, shortfall: null, diagnostics: quiet, thresholds: { p99Ms: 15, maxFailureRate: 0 }, deadlineMs: 3000 });
    assert.deepEqual(strict.map((c) => c.verdict.status), ['fail', 'fail']);
    assert.match(strict[1]!.verdict.reason, /1 answered 308 \(a redirect, not followed\), 1 answered 503, 1 timed out after 3000 ms, 1 lost to connection errors \(connection reset ×1 \(ECONNRESET\)\)/);
    const step = { label: 'steady', checks: strict } as unknown as StepResult;
    const verdict = runVerdict([step], outcomes, null, 3000);
    assert.equal(verdict.status, 'fail');
    assert.match(verdict.summary, /^Digital River would have counted 3\.96 % of these 101 deliveries \(4\) as failed: .*an endpoint that keeps failing is disabled automatically\.$/);
  });

  test('a run that fails with no delivery failed says what broke, not only that none failed', () => {
    const outcomes: Outcomes = { judged: 135, acknowledged: 135, statuses: { '202': 135 }, redirects: 0, timeouts: 0, notSent: 0, connectionErrors: 0, errorCodes: {}, failures: 0, failureRate: 0, unfinished: 0 };
    const shortfall = { requestedRate: 45, achievedRate: 20, cause: 'receiver-saturated' as const, explanation: 'the receiver fell behind (it answered about 20/s of the 45/s due).' };
    const latencyMs = { count: 135, mean: 1200, p50: 1200, p90: 2100, p99: 2400, p999: 2450, max: 2450 };
    const checks = judgeStep({ latencyMs, outcomes, pace: { kind: 'open', rate: 45 }, shortfall, diagnostics: quiet, thresholds: { p99Ms: 3000, maxFailureRate: 0 }, deadlineMs: 3000 });
    assert.deepEqual(checks.map((c) => [c.id, c.verdict.status]), [['p99', 'pass'], ['failure-rate', 'pass'], ['rate', 'fail']]);
    const verdict = runVerdict([{ label: 'steady', checks } as unknown as StepResult], outcomes, null, 3000);
    assert.equal(verdict.status, 'fail');
    assert.match(verdict.summary, /^Digital River would have counted none of these 135 deliveries as failed \(every one was answered 2xx within 3000 ms\), but the run failed: the receiver fell behind \(it answered about 20\/s of the 45\/s due\)\. Digital River retries/);
    assert.doesNotMatch(verdict.summary, /\.\./);
  });

  test('open loop: the service time of the deliveries written with few connections busy, a cut-off one at the time it had, and its growth with them', () => {
    // 16 connections: the lower band takes up to 2 in flight, the light one up to 4. Service time 10 ms per delivery in flight, plus 3.
    const recorder = createRecorder(1000, { windowSec: 2, connections: 16, now: () => 0 });
    recorder.answered(202, 13, 13, 0.1, 1);
    recorder.answered(202, 23, 23, 0.2, 2);
    recorder.answered(202, 33, 33, 0.3, 3);
    recorder.timedOut(0.4, { serviceMs: 43, inFlight: 4 });
    recorder.answered(202, 500, 500, 1, 9);
    const measurement = recorder.finish(0);
    assert.deepEqual(measurement.serviceByLoad, { lower: { count: 2, meanMs: 18 }, light: { count: 4, meanMs: 28 }, slope: { msPerDelivery: 10, standardError: 0, count: 4 } });
    assert.equal(createRecorder(1000, { windowSec: 2 }).finish(0).serviceByLoad, null, 'without the connections');
    measurement.histogram.destroy();
    measurement.serviceHistogram!.destroy();
  });

  test('open loop: an answer after the deadline from its slot is a timeout, a slot never sent too; latency is kept per half of the step', () => {
    const recorder = createRecorder(1000, { windowSec: 2, now: () => 0 });
    recorder.answered(202, 40, 30, 0.2);
    recorder.answered(202, 1200, 300, 0.4);
    recorder.notSent(1.5);
    for (let n = 0; n < 3; n++) recorder.answered(202, 500 + n, 20, 1.2);
    const measurement = recorder.finish(0);
    const { outcomes, halves } = measurement;
    assert.deepEqual(outcomes.statuses, { '202': 4 }, 'the late answer is not counted as answered');
    assert.equal(outcomes.timeouts, 2);
    assert.equal(outcomes.notSent, 1);
    assert.equal(outcomes.failures, 2);
    assert.equal(halves!.halfSec, 1);
    assert.deepEqual([halves!.early!.count, halves!.late!.count], [2, 4]);
    assert.deepEqual([halves!.third!.count, halves!.fourth!.count], [3, 1], 'the second half split at 1.5 s: due at 1.2 s, and the slot at 1.5 s');
    assert.ok(Math.abs(halves!.early!.q25 - 40) < 0.1, `${halves!.early!.q25}`);
    assert.ok(Math.abs(halves!.late!.median - 502) < 1, `the never-sent slot counts just over the deadline: ${halves!.late!.median}`);
    const service = summarize(measurement.serviceHistogram!)!;
    assert.deepEqual([service.count, service.max], [5, 300], 'service time of every answer, the late one too');
    assert.match(runVerdict([], outcomes, null, 1000).summary, /2 timed out after 1000 ms \(1 of them never sent: every connection was still busy at their deadline\)/);
    measurement.histogram.destroy();
    measurement.serviceHistogram!.destroy();
  });
});

describe('the pace of the answers', () => {
  const diagnostics: Diagnostics = { cpuShare: 0.2, stampShare: 0.01, stampMicros: 5, eventLoopLagP99Ms: 1, connectionBoundShare: 0.2, maxInFlight: 10 };
  const outcomes = (judged: number, timeouts = 0): Outcomes => ({
    judged, acknowledged: judged - timeouts, statuses: { '202': judged - timeouts }, redirects: 0, timeouts, notSent: 0, connectionErrors: 0, errorCodes: {}, failures: timeouts, failureRate: timeouts / judged, unfinished: 0,
  });
  const half = (q25: number, median: number, q75: number, count = 100) => ({ count, q25, median, q75 });
  type Quarter = PaceHalves['third'];
  const shifted = (part: Quarter, byMs: number): Quarter => part && { count: Math.ceil(part.count / 2), q25: part.q25 + byMs, median: part.median + byMs, q75: part.q75 + byMs };
  /** Without quarters given, the second half's follow the halves' trend: a quarter of their rise either side of its median. */
  const figures = (parts: Pick<PaceHalves, 'halfSec' | 'early' | 'late'> & Partial<PaceHalves>, extra: Partial<Diagnostics> = {}) => {
    const quarterRise = (parts.late!.median - parts.early!.median) / 4;
    const halves: PaceHalves = { third: shifted(parts.late, -quarterRise), fourth: shifted(parts.late, quarterRise), ...parts };
    return { requestedRate: 100, halves, outcomes: outcomes(200), connections: 50, deadlineMs: 3000, diagnostics: { ...diagnostics, ...extra }, serviceMs: null, serviceByLoad: null, unloaded: null };
  };

  test('level latency, however long, kept pace; a rising one is a receiver that fell behind, measured from the rise', () => {
    assert.equal(diagnosePace(figures({ halfSec: 1, early: half(2400, 2500, 2600), late: half(2400, 2500, 2600) })), null, 'slow but steady');
    // A backlog: latency from schedule up by 1 s across halves 1 s apart, so the answers came at 100 · 1 / (1 + 1) = 50/s.
    const behind = diagnosePace(figures({ halfSec: 1, early: half(250, 500, 750), late: half(1250, 1500, 1750) }))!;
    assert.equal(behind.cause, 'receiver-saturated');
    assert.equal(behind.achievedRate, 50);
    assert.match(behind.explanation, /^the receiver fell behind \(it answered about 50\/s of the 100\/s due: the median time .* rose from 500 ms .* to 1500 ms .*\); held at this rate, deliveries would exceed the 3000 ms deadline after about 3 s\.$/);
    assert.equal(diagnosePace(figures({ halfSec: 1, early: half(250, 500, 750), late: half(1250, 1500, 1750) }, { cpuShare: 0.97 }))?.cause, 'generator-limit');
  });

  test("drhook's own event-loop delay explains a rise up to twice its size, not more", () => {
    const small = { halfSec: 1, early: half(10, 20, 30), late: half(200, 220, 240) };
    assert.equal(diagnosePace(figures(small, { eventLoopLagP99Ms: 150 }))?.cause, 'generator-limit');
    assert.match(diagnosePace(figures(small, { eventLoopLagP99Ms: 150 }))!.explanation, /something else on this machine had the CPU/);
    assert.equal(diagnosePace(figures(small, { eventLoopLagP99Ms: 50 }))?.cause, 'receiver-saturated');
    assert.equal(diagnosePace(figures({ halfSec: 1, early: half(250, 500, 750), late: half(1250, 1500, 1750) }, { eventLoopLagP99Ms: 150 }))?.cause, 'receiver-saturated');
  });

  test('with drhook\'s CPU saturated, lateness is inconclusive instead of failing; answers that failed still fail', () => {
    const saturated = { ...diagnostics, cpuShare: 0.97 };
    const late = { ...outcomes(200, 20) };
    const latencyMs = { count: 200, mean: 900, p50: 800, p90: 2900, p99: 3001, p999: 3001, max: 3001 };
    const judge = (result: Outcomes, d: Diagnostics) =>
      judgeStep({ latencyMs, outcomes: result, pace: { kind: 'open', rate: 100 }, shortfall: null, diagnostics: d, thresholds: { p99Ms: 3000, maxFailureRate: 0 }, deadlineMs: 3000 }).map((c) => c.verdict.status);
    assert.deepEqual(judge(late, saturated), ['inconclusive', 'inconclusive', 'pass']);
    assert.deepEqual(judge(late, diagnostics), ['fail', 'fail', 'pass']);
    const rejected: Outcomes = { ...late, statuses: { '202': 170, '503': 10 }, acknowledged: 170, failures: 30, failureRate: 0.15 };
    assert.deepEqual(judge(rejected, saturated), ['inconclusive', 'fail', 'pass']);
  });

  test("every connection busy: Little's law tells drhook's connections from a receiver that slowed down with concurrency", () => {
    const rising = { halfSec: 1, early: half(250, 500, 750), late: half(1250, 1500, 1750) };
    const flat = (ms: number) => ({ count: 200, mean: ms, p50: ms, p90: ms, p99: ms, p999: ms, max: ms });
    const band = (meanMs: number, count = 12) => ({ count, meanMs });
    const busy = (serviceMs: number, unloaded: ServiceBand | null, bands: Partial<ServiceByLoad> = {}) => ({
      ...figures(rising, { connectionBoundShare: 0.9 }),
      serviceMs: flat(serviceMs),
      serviceByLoad: { lower: null, light: null, slope: null, ...bands },
      unloaded,
    });
    // 100/s asked over 50 connections. One at a time, 5 ms each: at that speed 50 connections carry 10000/s, yet all were busy.
    const serial = diagnosePace(busy(250, band(5)))!;
    assert.equal(serial.cause, 'receiver-saturated');
    assert.match(serial.explanation, /All 50 of drhook's connections were busy \(90 % of the deliveries waited for one\), but the receiver is the limit: at its service time with few in flight \(5 ms on average\) the 50 connections would carry 10000\/s, at least twice the 100\/s asked \(Little's law: connections ÷ service time\)/);
    // On a busy machine drhook's own delays add 300 ms to every answer, hiding S₀; each delivery more in flight still adds 20 ms.
    const slope = (msPerDelivery: number, standardError: number, count = 20) => ({ slope: { msPerDelivery, standardError, count } });
    const filling = diagnosePace(busy(600, band(400), slope(20, 1)))!;
    assert.equal(filling.cause, 'receiver-saturated', 'at 400 ms the connections carry only 125/s, but the receiver answers at most 50/s');
    assert.match(filling.explanation, /as the connections filled \(up to 12 in flight\), each delivery more in flight added about 20 ms to its service time, as when it takes them one at a time, so it answers at most about 50\/s, short of the 100\/s asked/);
    assert.equal(diagnosePace(busy(600, band(400), slope(8, 1)))!.cause, 'connection-limit', 'at most 125/s: it could take the 100/s asked');
    assert.equal(diagnosePace(busy(600, band(400), slope(20, 6)))!.cause, 'connection-limit', 'a slope within four standard errors of none is noise');
    assert.equal(diagnosePace(busy(600, band(400), slope(20, 1, 7)))!.cause, 'connection-limit', 'fitted to too few deliveries');
    // 1 s each however many at once: 50 connections carry 50/s, whatever the receiver could take.
    const parallel = diagnosePace(busy(1010, band(1000), { lower: band(1000), slope: { msPerDelivery: 0.4, standardError: 1.1, count: 12 } }))!;
    assert.equal(parallel.cause, 'connection-limit');
    assert.match(parallel.explanation, /took about 1010 ms per answer \(1000 ms on average with few in flight\), so 50 connections carry at most 49\.5\/s.*rerun with --connections \d+ or more/);
    // 300 ms at light load: 50 connections carry 167/s, short of twice 100/s: not shown to be the receiver.
    assert.equal(diagnosePace(busy(400, band(300)))!.cause, 'connection-limit');
    assert.equal(diagnosePace(busy(250, null))!.cause, 'connection-limit', 'without the service time at light load the connections are not ruled out');
    assert.equal(diagnosePace(busy(250, band(5, 4)))!.cause, 'connection-limit', 'nor with it measured on four deliveries');
  });

  test('a p99 of fewer than 100 timed deliveries is inconclusive whatever it measured; lateness under drhook\'s own limits is inconclusive too', () => {
    const judge = (count: number, p99: number, extra: Partial<Parameters<typeof judgeStep>[0]> = {}) =>
      judgeStep({
        latencyMs: { count, mean: p99 / 2, p50: p99 / 2, p90: p99, p99, p999: p99, max: p99 },
        outcomes: outcomes(count),
        pace: { kind: 'open', rate: 100 },
        shortfall: null,
        diagnostics,
        thresholds: { p99Ms: 200, maxFailureRate: 0 },
        deadlineMs: 3000,
        ...extra,
      });
    const few = judge(99, 12)[0]!.verdict;
    assert.deepEqual([few.status, few.status === 'inconclusive' && few.cause], ['inconclusive', 'too-few-deliveries']);
    assert.match(few.reason, /^only 99 deliveries were timed, too few to judge a p99 \(at least 100 are needed: of fewer it is only the slowest, here 12 ms\)/);
    assert.equal(judge(99, 900)[0]!.verdict.status, 'inconclusive', 'one slow delivery of 99 does not show a p99 over budget either');
    assert.equal(judge(100, 12)[0]!.verdict.status, 'pass');
    assert.equal(judge(100, 900)[0]!.verdict.status, 'fail');
    assert.equal(judge(1, 12)[0]!.measured, '12 ms from schedule (of 1)');

    const limited = { requestedRate: 100, achievedRate: 40, cause: 'connection-limit' as const, explanation: "drhook's connections were the limit" };
    const late = { ...outcomes(200, 30) };
    const checks = judge(200, 3001, { outcomes: late, shortfall: limited });
    assert.deepEqual(checks.map((c) => c.verdict.status), ['inconclusive', 'inconclusive', 'inconclusive']);
    assert.match(checks[1]!.verdict.reason, /but every one of drhook's connections was busy, so deliveries waited for one: this says nothing against the receiver$/);
    const rejected: Outcomes = { ...late, statuses: { '202': 160, '503': 10 }, acknowledged: 160, failures: 40, failureRate: 0.2 };
    assert.deepEqual(judge(200, 3001, { outcomes: rejected, shortfall: limited }).map((c) => c.verdict.status), ['inconclusive', 'fail', 'inconclusive'], 'a 503 is the receiver\'s');
  });

  test('latency that stepped up once and stayed level within the second half is not a backlog; one that keeps rising is', () => {
    // 50 ms for the first 1.5 s of a 3 s step, then 200 ms: the halves' medians 50 and 200, the quarters' 200 and 200.
    const early = half(50, 50, 51, 150);
    const late = half(200, 200, 201, 150);
    const stepped = { halfSec: 1.5, early, late, third: half(200, 200, 201, 75), fourth: half(200, 200, 201, 75) };
    assert.equal(diagnosePace(figures(stepped)), null, 'the second half was flat: the receiver kept pace at its new latency');
    assert.equal(diagnosePace(figures({ ...stepped, third: half(175, 176, 178, 75), fourth: half(195, 196, 198, 75) })), null, 'a rise of 20 ms between quarters is under a third of the 75 expected');
    const growing = diagnosePace(figures({ ...stepped, third: half(150, 160, 170, 75), fourth: half(230, 240, 250, 75) }))!;
    assert.equal(growing.cause, 'receiver-saturated', 'up 80 ms between quarters: still growing');
    assert.equal(growing.achievedRate, 90.91);
  });

  test('scattered latency or a small rise is not taken for a backlog', () => {
    assert.equal(diagnosePace(figures({ halfSec: 1, early: half(100, 400, 900), late: half(200, 600, 1000) })), null, 'the halves overlap');
    assert.equal(diagnosePace(figures({ halfSec: 1, early: half(10, 12, 14), late: half(40, 42, 44) })), null, 'up 30 ms over 1 s: 97 % of the rate');
  });

  test('most of the second half over the deadline is a shortfall; too few deliveries are judged by the share answered in time', () => {
    const timedOut = diagnosePace({ ...figures({ halfSec: 1, early: half(2000, 2500, 3001), late: half(3001, 3001, 3001) }), outcomes: outcomes(200, 150) })!;
    assert.equal(timedOut.cause, 'receiver-saturated');
    assert.equal(timedOut.achievedRate, 25);
    assert.match(timedOut.explanation, /only 50 of the 200 deliveries due were answered within 3000 ms: .* rose from 2500 ms .* to over the deadline in the second/);
    const allLate = diagnosePace({ ...figures({ halfSec: 1, early: half(3001, 3001, 3001), late: half(3001, 3001, 3001) }), outcomes: outcomes(200, 160) })!;
    assert.match(allLate.explanation, /was over the deadline from the first half of the step on/);
    assert.doesNotMatch(allLate.explanation, /rose from/, 'no rise is claimed from a median already over the deadline');
    const few = { ...figures({ halfSec: 1, early: half(5, 5, 5, 4), late: half(5, 5, 5, 4) }), outcomes: outcomes(8, 4) };
    assert.match(diagnosePace(few)!.explanation, /only 4 of the 8 deliveries due were answered within 3000 ms/);
    assert.equal(diagnosePace({ ...few, outcomes: outcomes(8) }), null);
  });
});

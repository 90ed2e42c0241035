// The load hot path and its parts without a network: pool weights, stamped requests that verify, the pacer, the recorder, the judgement.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { buildPool, CREATED_WIDTH, ID_WIDTH } from '../src/load/pool.js';
import { createStamper } from '../src/load/stamp.js';
import { createPacer } from '../src/load/pace.js';
import { createRecorder, summarize } from '../src/load/stats.js';
import { diagnoseShortfall } from '../src/load/diagnose.js';
import { judgeStep, runVerdict } from '../src/load/judge.js';
import type { Diagnostics, StepResult } from '../src/load/report.js';
import { verifySignature, type SchemeName } from '../src/signing.js';
import { hmac, PAD_BYTES, prepareKey } from '../src/load/hmac.js';
import { createHmac, randomBytes } from 'node:crypto';
import { UsageError } from '../src/errors.js';

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
  const schemes: Array<{ scheme: SchemeName; secrets: string[] }> = [
    { scheme: 'digitalriver', secrets: ['tok_current_123', 'tok_previous_456'] },
    { scheme: 'stripe', secrets: ['whsec_stripe_local'] },
    { scheme: 'standard-webhooks', secrets: ['whsec_' + Buffer.from('standard webhooks key material').toString('base64')] },
  ];
  for (const { scheme, secrets } of schemes) {
    test(`${scheme}: every request is complete HTTP, with its own id, the current time and a signature over exactly its body`, () => {
      const stamper = createStamper({ pool, url: 'http://127.0.0.1:9/hooks/dr?x=1', headers: { 'X-Extra': 'yes', Authorization: 'Basic dTpw' }, scheme, secrets, layout: { encoding: 'hex', separator: ',' } });
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
        for (const secret of secrets) {
          const verified = verifySignature(scheme, request.headers, request.body, { secrets: [secret], toleranceSec: 5, nowSec });
          assert.deepEqual(verified, { ok: true, matchedSecretIndex: 0 }, `signed with ${scheme} secret #${secrets.indexOf(secret) + 1}`);
        }
      }
      assert.equal(ids.size, 50);
      assert.equal(stamper.stamped, 50);
    });
  }

  test('a refreshed Authorization header rebuilds the requests; framing headers and broken header values are refused', () => {
    const stamper = createStamper({ pool, url: 'http://127.0.0.1:9/', headers: { Authorization: 'Bearer one' }, scheme: 'digitalriver', secrets: ['tok'], layout: { encoding: 'base64', separator: ', ' } });
    assert.equal(parse(stamper.next()).headers['authorization'], 'Bearer one');
    stamper.setHeaders({ Authorization: 'Bearer two-longer' });
    const request = parse(stamper.next());
    assert.equal(request.headers['authorization'], 'Bearer two-longer');
    assert.match(request.headers['digitalriver-signature']!, /^t=\d{10}, v0=[A-Za-z0-9+/]{43}=$/);
    const setup = { pool, url: 'http://127.0.0.1:9/', scheme: 'digitalriver' as const, secrets: ['tok'], layout: { encoding: 'hex' as const, separator: ',' as const } };
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
  test('hands out slots at the fixed rate to connections that wait for them, in order', async () => {
    const pacer = createPacer(200);
    const sentAt: number[] = [];
    const start = performance.now();
    // Four connections that are answered at once: only the schedule limits them.
    const connection = (): void => pacer.take(() => {
      sentAt.push(performance.now() - start);
      setImmediate(connection);
    });
    for (let n = 0; n < 4; n++) connection();
    await new Promise((resolve) => setTimeout(resolve, 500));
    pacer.stop();
    assert.ok(sentAt.length >= 70 && sentAt.length <= 110, `about 100 sends in 0.5 s at 200/s, got ${sentAt.length}`);
    const firstHalf = sentAt.filter((at) => at < 250).length;
    assert.ok(firstHalf >= sentAt.length * 0.35 && firstHalf <= sentAt.length * 0.65, `spread over the time, not sent in a burst (${firstHalf} of ${sentAt.length} in the first half)`);
    assert.ok(pacer.connectionBound <= sentAt.length * 0.1, `connections were free whenever a slot came due (${pacer.connectionBound} waited)`);
  });

  test('counts the slots that were due while every connection was busy', async () => {
    const pacer = createPacer(200);
    // Two connections answered after 50 ms each carry at most 40/s: most slots wait for a connection.
    const connection = (): void => pacer.take(() => void setTimeout(connection, 50));
    connection();
    connection();
    await new Promise((resolve) => setTimeout(resolve, 600));
    pacer.stop();
    assert.ok(pacer.sent <= 30, `at most about 24 sends, got ${pacer.sent}`);
    assert.ok(pacer.connectionBound / pacer.sent > 0.5, `most sends waited for a connection (${pacer.connectionBound}/${pacer.sent})`);
  });
});

describe('recorder and judgement', () => {
  test('counts outcomes by status, timeouts at the deadline, connection errors, and a per-second series', () => {
    let clock = 0;
    const recorder = createRecorder(3000, () => clock);
    for (let n = 0; n < 97; n++) {
      recorder.sent();
      recorder.answered(202, 10 + (n % 10));
    }
    clock = 1500;
    for (const status of [308, 503]) {
      recorder.sent();
      recorder.answered(status, 5);
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
    assert.equal(outcomes.failures, 4);
    assert.equal(outcomes.unfinished, 1);
    assert.deepEqual(measurement.series.map((s) => [s.second, s.sent, s.completed, s.failures]), [[0, 97, 97, 0], [1, 5, 4, 4]]);
    const latency = summarize(measurement.histogram)!;
    assert.equal(latency.count, 100, 'answers and the timeout; a connection error has no latency');
    assert.ok(latency.p50 >= 10 && latency.p50 <= 19);
    assert.equal(latency.max, 3001, 'the timeout counts just over the deadline');
    measurement.histogram.destroy();

    const checks = judgeStep({ latencyMs: latency, outcomes, pace: { kind: 'closed' }, shortfall: null, thresholds: { p99Ms: 3000, maxFailureRate: 0.05 }, deadlineMs: 3000 });
    assert.deepEqual(checks.map((c) => [c.id, c.verdict.status]), [['p99', 'pass'], ['failure-rate', 'pass']]);
    const strict = judgeStep({ latencyMs: latency, outcomes, pace: { kind: 'closed' }, shortfall: null, thresholds: { p99Ms: 15, maxFailureRate: 0 }, deadlineMs: 3000 });
    assert.deepEqual(strict.map((c) => c.verdict.status), ['fail', 'fail']);
    assert.match(strict[1]!.verdict.reason, /1 answered 308 \(a redirect, not followed\), 1 answered 503, 1 timed out after 3000 ms, 1 lost to connection errors \(ECONNRESET\)/);
    const step = { label: 'steady', checks: strict } as unknown as StepResult;
    const verdict = runVerdict([step], outcomes, null, 3000);
    assert.equal(verdict.status, 'fail');
    assert.match(verdict.summary, /^Digital River would have counted 3\.96 % of these 101 deliveries \(4\) as failed: .*an endpoint that keeps failing is disabled automatically\.$/);
  });

  test('tells a saturated receiver from a saturated generator', () => {
    const diagnostics: Diagnostics = { cpuShare: 0.2, stampShare: 0.01, stampMicros: 5, eventLoopLagP99Ms: 1, connectionBoundShare: 0.9, maxInFlight: 10 };
    const figures = { requestedRate: 200, achievedRate: 100, connections: 10, diagnostics, latencyMs: null, series: [] };
    assert.equal(diagnoseShortfall({ ...figures, achievedRate: 195 }), null, 'within 5 % is no shortfall');
    assert.equal(diagnoseShortfall(figures)?.cause, 'receiver-saturated');
    assert.equal(diagnoseShortfall({ ...figures, diagnostics: { ...diagnostics, cpuShare: 0.97 } })?.cause, 'generator-limit');
    assert.equal(diagnoseShortfall({ ...figures, diagnostics: { ...diagnostics, connectionBoundShare: 0.1 } })?.cause, 'undetermined');
  });
});

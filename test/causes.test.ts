// The one table of failure causes: both engines' codes for the same failure classify alike, the breaker reads the table, and older load reports without causes still read.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ANSWER_WITHOUT_REQUEST, causeTable, classifyFailure, CLOSED_BEFORE_ANSWER, errorCauses, type ErrorCause, type FailureSignal } from '../src/wire/causes.js';
import { createBreaker } from '../src/contract/breaker.js';
import { causeCounts, causeTallies, describeTally } from '../src/load/stats.js';
import type { DeliveryEngine } from '../src/wire/delivery.js';
import type { DeliveryOutcome } from '../src/wire/outcome.js';
import type { Outcomes } from '../src/load/report.js';

/** The same failure as undici reports it to contract and send, and as load's connections and parser report it. */
const sameFailure: Array<[ErrorCause, FailureSignal, string]> = [
  ['connection-refused', { code: 'ECONNREFUSED', message: 'connect ECONNREFUSED 127.0.0.1:9' }, 'ECONNREFUSED'],
  ['connection-reset', { code: 'ECONNRESET', message: 'read ECONNRESET' }, 'EPIPE'],
  ['dns', { code: 'ENOTFOUND', message: 'getaddrinfo ENOTFOUND nowhere.invalid' }, 'EAI_AGAIN'],
  ['tls', { code: 'DEPTH_ZERO_SELF_SIGNED_CERT', message: 'self-signed certificate' }, 'DEPTH_ZERO_SELF_SIGNED_CERT'],
  ['socket-closed', { code: 'UND_ERR_SOCKET', message: 'other side closed' }, CLOSED_BEFORE_ANSWER],
  ['headers-too-large', { code: 'UND_ERR_HEADERS_OVERFLOW', message: 'Headers Overflow Error' }, 'HPE_HEADER_OVERFLOW'],
  ['protocol', { code: 'HPE_INVALID_CONSTANT', name: 'HTTPParserError', message: 'Expected HTTP/' }, 'HPE_INVALID_CONSTANT'],
  ['protocol', { code: 'UND_ERR_SOCKET', message: 'bad response' }, ANSWER_WITHOUT_REQUEST],
  // A status line `099`: undici's parser lets it through and its own check refuses it; load's parser refuses it.
  ['protocol', { code: 'ERR_ASSERTION', name: 'AssertionError', message: 'The expression evaluated to a falsy value:' }, 'HPE_INVALID_STATUS'],
  ['other', { code: 'ETIMEDOUT', message: 'connect ETIMEDOUT' }, 'ETIMEDOUT'],
];

test('contract and load name the same failure with the same cause', () => {
  for (const [cause, undici, loadCode] of sameFailure) {
    assert.equal(classifyFailure(undici), cause, `undici ${JSON.stringify(undici)}`);
    assert.equal(classifyFailure({ code: loadCode }), cause, `load ${loadCode}`);
  }
  const labels = errorCauses.map((cause) => causeTable[cause].label);
  assert.equal(new Set(labels).size, labels.length, 'every cause has its own label');
});

test('the breaker trips on exactly the causes the table marks unreachable, and reports them by their labels', async () => {
  for (const cause of errorCauses.filter((each) => each !== 'aborted')) {
    const outcome: DeliveryOutcome = { kind: 'error', cause, message: cause, durationMs: 1 };
    const engine: DeliveryEngine = { deadlineMs: 1000, deliver: async () => outcome, close: async () => {} };
    let trips = 0;
    const breaker = createBreaker(2, () => trips++);
    const watched = breaker.watch(engine, 'processed');
    for (let i = 0; i < 2; i++) await watched.deliver({ url: 'http://127.0.0.1:9/', headers: {}, body: Buffer.alloc(0) });
    assert.equal(trips, causeTable[cause].unreachable ? 1 : 0, cause);
    if (trips === 1) assert.deepEqual([...breaker.tripped!.causes], [[causeTable[cause].label, 2]]);
  }
});

test('a load report written before causes were recorded has them classified from its codes', () => {
  const older = { judged: 6, acknowledged: 0, statuses: {}, redirects: 0, timeouts: 0, connectionErrors: 6, errorCodes: { ECONNRESET: 2, EPIPE: 1, 'closed-before-answer': 3 }, failures: 6, failureRate: 1, unfinished: 0 } satisfies Outcomes;
  assert.deepEqual(causeCounts(older), { 'connection-reset': 3, 'socket-closed': 3 });
  assert.deepEqual(causeTallies(older).map(describeTally), ['connection reset ×3 (ECONNRESET, EPIPE)', 'connection closed before a complete answer ×3 (closed-before-answer)']);
  const newer: Outcomes = { ...older, causes: { 'socket-closed': 6 } };
  assert.deepEqual(causeCounts(newer), { 'socket-closed': 6 }, 'a report that holds causes is read as written');
});

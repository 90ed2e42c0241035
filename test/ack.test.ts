// One acknowledgement rule for both engines: contract's verdict on an answer and load's recorder agree on every status and time.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { acknowledgement, judgeAcknowledgement } from '../src/wire/ack.js';
import { createRecorder } from '../src/load/stats.js';
import type { DeliveryOutcome } from '../src/wire/outcome.js';

const DEADLINE_MS = 3000;
const cases: Array<{ status: number; ms: number; expected: ReturnType<typeof acknowledgement> }> = [
  { status: 200, ms: 5, expected: 'acknowledged' },
  { status: 204, ms: DEADLINE_MS, expected: 'acknowledged' },
  { status: 299, ms: 1, expected: 'acknowledged' },
  { status: 202, ms: DEADLINE_MS + 1, expected: 'late' },
  { status: 500, ms: DEADLINE_MS + 1, expected: 'late' },
  { status: 199, ms: 5, expected: 'refused' },
  { status: 301, ms: 5, expected: 'refused' },
  { status: 404, ms: 5, expected: 'refused' },
  { status: 999, ms: 5, expected: 'refused' },
];

test('a complete 2xx within the deadline is acknowledged, later is late whatever the status, anything else refused', () => {
  for (const { status, ms, expected } of cases) assert.equal(acknowledgement(status, ms, DEADLINE_MS), expected, `${status} in ${ms} ms`);
});

test('contract and load judge each answer alike: only an acknowledged one passes', () => {
  for (const { status, ms, expected } of cases) {
    const outcome: DeliveryOutcome = { kind: 'response', status, headers: {}, body: { text: '', bytes: 0, truncated: false }, durationMs: ms, headersMs: ms };
    const verdict = judgeAcknowledgement(outcome, DEADLINE_MS);
    const recorder = createRecorder(DEADLINE_MS);
    recorder.sent();
    recorder.answered(status, ms, ms);
    const { outcomes, histogram, serviceHistogram } = recorder.finish(0);
    histogram.destroy();
    serviceHistogram?.destroy();
    assert.equal(verdict.status, expected === 'acknowledged' ? 'pass' : 'fail', `contract: ${status} in ${ms} ms: ${verdict.reason}`);
    assert.deepEqual(
      { acknowledged: outcomes.acknowledged, failures: outcomes.failures, timeouts: outcomes.timeouts },
      { acknowledged: expected === 'acknowledged' ? 1 : 0, failures: expected === 'acknowledged' ? 0 : 1, timeouts: expected === 'late' ? 1 : 0 },
      `load: ${status} in ${ms} ms`,
    );
  }
});

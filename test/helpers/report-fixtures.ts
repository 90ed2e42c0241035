// A contract report built in code for the report writers' tests: every check status, every outcome kind, hostile text.
import type { CaseRecord, CheckResult, ContractReport, DeliveryRecord } from '../../src/contract/results.js';
import type { CheckId } from '../../src/catalog/checks.js';
import { checks } from '../../src/catalog/checks.js';
import { resolveSettings, settingsForReport } from '../../src/contract/settings.js';
import type { DeliveryOutcome } from '../../src/wire/outcome.js';
import type { Verdict } from '../../src/wire/verdict.js';

/** Planted where secrets could leak (settings, headers, bodies, messages); markup characters test escaping. */
export const plantedSecret = `PLANTED-secret&"<tok>'x`;
/** A fragment of the secret that survives any escaping: it must never appear in a written report. */
export const plantedFragment = 'PLANTED';
/** Hostile text: markup characters and a control character (BEL). */
export const hostileText = `<&"'>\u0007`;
export const target = 'http://127.0.0.1:9/hook';

export function redactPlanted(text: string): string {
  return text.split(plantedSecret).join('[redacted]');
}

function delivery(outcome: DeliveryOutcome, eventId = 'evt-0001', body = '{"id":"evt-0001","type":"order.accepted"}'): DeliveryRecord {
  return {
    request: {
      url: target,
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${plantedSecret}`, 'digitalriver-signature': 't=1,v0=abc' },
      bodyExcerpt: body,
      bodyBytes: Buffer.byteLength(body),
      eventId,
    },
    outcome,
  };
}

function ok(status = 200, durationMs = 12): DeliveryOutcome {
  return { kind: 'response', status, headers: { 'content-type': 'text/plain' }, body: { text: 'ok', bytes: 2, truncated: false }, durationMs, headersMs: durationMs / 2 };
}

function record(checkId: CheckId, eventType: string, fault: string, deliveries: DeliveryRecord[], verdict: Verdict): CaseRecord {
  const slug = fault.replace(/[^a-z0-9]+/gi, '-').toLowerCase();
  return {
    id: `${checkId}/${eventType}/test/${slug}`,
    checkId,
    eventType,
    mode: 'test',
    fault,
    deliveries,
    verdict,
    reproduce: `drhook send ${eventType} --url ${target} --mode test --fault ${slug}`,
  };
}

function ran(id: CheckId, cases: CaseRecord[]): CheckResult {
  const count = (status: Verdict['status']) => cases.filter((c) => c.verdict.status === status).length;
  const counts = { pass: count('pass'), fail: count('fail'), warn: count('warn') };
  const status = counts.fail > 0 ? 'fail' : counts.warn > 0 ? 'warn' : 'pass';
  return { id, rule: checks[id].rule, required: checks[id].required, status, counts, cases };
}

/** Number of failing cases in the malformed.400 check: more than the summary shows per check. */
export const manyFailures = 12;

/**
 * ack.no-redirect passes; ack.2xx fails (one pass, a 500 with a hostile body, a timeout); malformed.400 fails 12 times;
 * idempotency.redelivery passes with two deliveries; compat.unknown-type (advisory) warns on a refused connection;
 * signature.wrong-mode is skipped; malformed.robust fails one case of two, with the contract it discovered.
 */
export function buildContractReport(): ContractReport {
  const hostileBody = `{"error":"${hostileText} boom","token":"${plantedSecret}"}`;
  const reportChecks: CheckResult[] = [
    ran('ack.no-redirect', [record('ack.no-redirect', 'order.accepted', 'valid event', [delivery(ok())], { status: 'pass', reason: 'HTTP 200' })]),
    ran('ack.2xx', [
      record('ack.2xx', 'order.accepted', 'valid event', [delivery(ok(202))], { status: 'pass', reason: 'HTTP 202 is an acknowledgement' }),
      record(
        'ack.2xx',
        'order.complete',
        `valid event ${hostileText}`,
        [delivery({ kind: 'response', status: 500, headers: {}, body: { text: hostileBody, bytes: Buffer.byteLength(hostileBody), truncated: false }, durationMs: 40, headersMs: 39 }, 'evt-0002')],
        { status: 'fail', reason: `expected a 2xx, got HTTP 500 ${hostileText}` },
      ),
      record('ack.2xx', 'refund.pending', 'valid event', [delivery({ kind: 'timeout', deadlineMs: 3000, durationMs: 3001, phase: 'headers' }, 'evt-0003')], {
        status: 'fail',
        reason: 'no answer within 3000 ms',
      }),
    ]),
    ran(
      'malformed.400',
      Array.from({ length: manyFailures }, (_, i) =>
        record('malformed.400', `order.type${i}`, `data.object.field${i} missing`, [delivery(ok(200, 5), `evt-1${i}`)], {
          status: 'fail',
          reason: `expected HTTP 400, got HTTP 200 (field${i})`,
        }),
      ),
    ),
    ran('idempotency.redelivery', [
      record('idempotency.redelivery', 'order.accepted', 'same event twice', [delivery(ok(200, 100)), delivery(ok(200, 150))], { status: 'pass', reason: 'both acknowledged' }),
    ]),
    ran('compat.unknown-type', [
      record(
        'compat.unknown-type',
        'order.not_subscribed',
        'unsubscribed type',
        [delivery({ kind: 'error', cause: 'connection-refused', message: 'connect ECONNREFUSED 127.0.0.1:9', code: 'ECONNREFUSED', durationMs: 2 }, 'evt-0004')],
        { status: 'warn', reason: 'connection refused' },
      ),
    ]),
    { id: 'signature.wrong-mode', rule: checks['signature.wrong-mode'].rule, required: true, status: 'skipped', skippedReason: 'needs the signing tokens of both modes', counts: { pass: 0, fail: 0, warn: 0 }, cases: [] },
    ran('malformed.robust', [
      // A passing case keeps its answer, not the body sent; a failing one keeps both.
      {
        ...record('malformed.robust', 'order.accepted', 'data.object.state: not in the enum (sent "announced_later")', [withoutBody(delivery(ok(202), 'evt-2001'))], { status: 'pass', reason: 'answered 202 in 12 ms: the field is not relied on' }),
        mutation: { pointer: '/state', kind: 'not-in-enum' },
      },
      {
        ...record(
          'malformed.robust',
          'order.accepted',
          'data.object.billTo.name: text outside Latin-1',
          [delivery({ kind: 'response', status: 500, headers: {}, body: { text: 'Internal Server Error', bytes: 21, truncated: false }, durationMs: 8, headersMs: 7 }, 'evt-2002')],
          { status: 'fail', reason: 'answered 500 in 8 ms: the handler failed on it' },
        ),
        mutation: { pointer: '/billTo/name', kind: 'non-latin-1' },
      },
    ]),
  ];
  return {
    tool: 'drhook',
    version: '0.1.0',
    kind: 'contract',
    runId: '20261122-141503-contract-a1b2',
    startedAt: '2026-11-22T14:15:03.000Z',
    finishedAt: '2026-11-22T14:15:09.500Z',
    complete: true,
    stoppedBy: null,
    target,
    // Real settings, with the secret planted where a header's value goes.
    settings: { ...settingsForReport(resolveSettings(target, { seed: 7, secrets: { test: ['fixture-test-token'], live: [] } })), headers: { 'X-Planted': plantedSecret } },
    gate: {
      status: 'fail',
      summary: '2 required checks failed: ack.2xx, malformed.400.',
      failedRequired: ['ack.2xx', 'malformed.400'],
      warnings: ['compat.unknown-type'],
      unsigned: false,
    },
    checks: reportChecks,
    discoveredContract: {
      depth: { budget: 6000 },
      sampled: false,
      types: [
        {
          type: 'order.accepted',
          fields: 2,
          presentFields: 2,
          presentCases: 2,
          absentCases: { planned: 0, of: 0 },
          demanded: ['/id'],
          orderReferences: [],
          requires: [],
          tolerates: ['/state'],
          validates: [],
          failing: ['/billTo/name'],
        },
      ],
    },
  };
}

function withoutBody({ request: { bodyExcerpt: _body, ...request }, outcome }: DeliveryRecord): DeliveryRecord {
  return { request, outcome };
}

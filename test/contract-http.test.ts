// The contract runner against hand-made servers and the reference receiver's OAuth: deadline boundary, redirects, tokens.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { CheckId } from '../src/catalog/checks.js';
import type { ContractReport } from '../src/contract/results.js';
import { runContract } from '../src/contract/run.js';
import { resolveSettings, type ContractOptions } from '../src/contract/settings.js';
import { startReceiver, TOKEN_PATH } from '../src/receiver/server.js';
import { startServer } from './helpers/http.js';

function statusOf(report: ContractReport, id: CheckId): string | undefined {
  return report.checks.find((check) => check.id === id)?.status;
}

function reasonsOf(report: ContractReport, id: CheckId): string[] {
  return report.checks.find((check) => check.id === id)?.cases.map((c) => c.verdict.reason) ?? [];
}

/** Unsigned unless tokens are given: the hand-made servers and the receivers without tokens verify no signature. */
async function runOnce(url: string, options: ContractOptions): Promise<ContractReport> {
  return runContract(resolveSettings(url, { events: ['order.accepted'], seed: 5, unsigned: options.secrets === undefined, ...options }));
}

test('the deadline: an answer after 2 s passes, one after 4 s fails and names the deadline', async () => {
  const delayed = (ms: number) =>
    startServer((_req, res) => {
      setTimeout(() => res.writeHead(202).end('{"status":"accepted"}'), ms);
    });
  // A second either side of the 3000 ms deadline: the servers' timers share this process with the runs, and on a busy
  // machine fire late.
  const [quick, slow] = await Promise.all([delayed(2000), delayed(4000)]);
  try {
    const [inTime, late] = await Promise.all([runOnce(quick.url, { only: ['ack'] }), runOnce(slow.url, { only: ['ack'] })]);
    assert.equal(statusOf(inTime, 'ack.deadline'), 'pass', reasonsOf(inTime, 'ack.deadline').join('\n'));
    assert.equal(statusOf(inTime, 'ack.2xx'), 'pass');
    assert.equal(statusOf(late, 'ack.deadline'), 'fail');
    assert.match(reasonsOf(late, 'ack.deadline')[0]!, /no complete answer within the 3000 ms deadline.*202 Accepted/);
    assert.equal(statusOf(late, 'ack.no-redirect'), 'pass');
    assert.equal(late.gate.status, 'fail');
    assert.deepEqual(late.gate.failedRequired, ['ack.2xx', 'ack.deadline']);
  } finally {
    await Promise.all([quick.close(), slow.close()]);
  }
});

for (const status of [301, 302, 303, 307, 308]) {
  test(`a ${status} redirect fails ack.2xx and ack.no-redirect, shows the Location and is not followed`, async () => {
    const server = await startServer((req, res) => {
      if (req.url === '/moved') res.writeHead(200).end('ok');
      else res.writeHead(status, { Location: '/moved' }).end();
    });
    try {
      const report = await runOnce(`${server.url}/hook`, { only: ['ack'] });
      assert.equal(statusOf(report, 'ack.no-redirect'), 'fail');
      assert.equal(statusOf(report, 'ack.2xx'), 'fail');
      assert.equal(statusOf(report, 'ack.deadline'), 'pass');
      assert.match(reasonsOf(report, 'ack.no-redirect')[0]!, new RegExp(`answered ${status} \\(Location: /moved\\).*never follows`));
      assert.deepEqual(server.requests.map((r) => r.url), ['/hook'], 'the redirect target received nothing');
    } finally {
      await server.close();
    }
  });
}

for (const { status, checks } of [
  { status: 400, checks: ['signature.missing', 'malformed.400'] },
  { status: 401, checks: ['signature.invalid', 'auth.required'] },
] as const) {
  test(`a receiver that answers ${status} to everything passes no rejection check: the valid event got the same answer`, async () => {
    const server = await startServer((_req, res) => void res.writeHead(status).end('{"error":"no"}'));
    try {
      const report = await runOnce(server.url, { only: [...checks], secrets: { test: ['whsec-SECRET-guard'], live: [] }, auth: { kind: 'basic', username: 'u', password: 'PASS-guard-1' } });
      for (const id of checks) {
        assert.equal(statusOf(report, id), 'fail', id);
        assert.match(reasonsOf(report, id)[0]!, new RegExp(`^answered ${status} in \\d+ ms, as required .*, but the valid event of this type and mode got the same ${status}, so the rejection shows nothing about `));
      }
      const records = report.checks.reduce((sum, check) => sum + check.cases.length, 0);
      assert.equal(server.requests.length, records + 1, 'one valid event sent as the control, unjudged');
    } finally {
      await server.close();
    }
  });
}

for (const grant of ['client_credentials', 'password'] as const) {
  test(`OAuth ${grant}: a token from the receiver's endpoint on every delivery, and auth.required judged`, async () => {
    const password = grant === 'password' ? { username: 'merchant', password: 'PASS-owner-31c4' } : {};
    const receiver = await startReceiver({ secrets: { test: [], live: [] }, auth: { kind: 'oauth', clientId: 'digitalriver', clientSecret: 'CLIENT-SECRET-77aa', ...password } });
    try {
      const report = await runOnce(receiver.url, {
        only: ['ack.2xx', 'auth.required'],
        auth: { kind: 'oauth', tokenUrl: receiver.tokenUrl!, clientId: 'digitalriver', clientSecret: 'CLIENT-SECRET-77aa', grant, ...password },
      });
      assert.equal(statusOf(report, 'ack.2xx'), 'pass', reasonsOf(report, 'ack.2xx').join('\n'));
      assert.equal(statusOf(report, 'auth.required'), 'pass', reasonsOf(report, 'auth.required').join('\n'));
      const faults = report.checks.find((c) => c.id === 'auth.required')!.cases.map((c) => c.fault);
      assert.deepEqual(faults, ['no Authorization header', 'a Bearer token the token endpoint never granted']);
      const text = JSON.stringify(report);
      assert.ok(!text.includes('CLIENT-SECRET-77aa') && !text.includes('PASS-owner-31c4'));
      assert.match(text, /Bearer \[redacted\]/);
    } finally {
      await receiver.close();
    }
  });
}

test('OAuth: a token that expires during the run is fetched again', async () => {
  const granted: string[] = [];
  const receiver = await startReceiver({
    secrets: { test: [], live: [] },
    auth: { kind: 'oauth', clientId: 'digitalriver', clientSecret: 'CLIENT-SECRET-1b2c', tokenTtlSec: 1 },
    // About 100 ms of processing per event, one at a time: fifteen deliveries in a row outlast the 1 s token.
    fault: 'serial-processing',
    log: (line) => {
      // `<time> /oauth/token - 200 …`: one line per token the endpoint granted.
      if (line.includes(`${TOKEN_PATH} - 200 `)) granted.push(line);
    },
  });
  try {
    const report = await runOnce(receiver.url, {
      only: ['ack.2xx'],
      events: ['order.accepted', 'order.cancelled', 'order.complete', 'order.fulfilled', 'order.review_opened', 'order.charge.capture.complete',
        'order.charge.refund.complete', 'refund.complete', 'refund.pending', 'fulfillment.created', 'subscription.created',
        'subscription.updated', 'invoice.created', 'customer.created', 'sku.created'],
      concurrency: 1,
      auth: { kind: 'oauth', tokenUrl: receiver.tokenUrl!, clientId: 'digitalriver', clientSecret: 'CLIENT-SECRET-1b2c', grant: 'client_credentials' },
    });
    assert.equal(statusOf(report, 'ack.2xx'), 'pass', reasonsOf(report, 'ack.2xx').join('\n'));
    assert.ok(granted.length >= 2, `tokens granted: ${granted.length}`);
  } finally {
    await receiver.close();
  }
});

test('a token endpoint that refuses is a setup error with its status, before any delivery', async () => {
  const server = await startServer((req, res) => {
    if (req.url === '/token') res.writeHead(401, { 'Content-Type': 'application/json' }).end('{"error":"invalid_client"}');
    else res.writeHead(200).end();
  });
  try {
    await assert.rejects(
      runOnce(`${server.url}/hook`, { only: ['ack'], auth: { kind: 'oauth', tokenUrl: `${server.url}/token`, clientId: 'x', clientSecret: 'CLIENT-SECRET-9z', grant: 'client_credentials' } }),
      (error: Error) => error.name === 'UsageError' && /answered 401.*invalid_client/.test(error.message) && !error.message.includes('CLIENT-SECRET-9z'),
    );
    assert.deepEqual(server.requests.map((r) => r.url), ['/token']);
  } finally {
    await server.close();
  }
});

test('an interrupted run reports what finished, marked incomplete, and fails the gate', async () => {
  const server = await startServer((_req, res) => {
    setTimeout(() => res.writeHead(200).end(), 300);
  });
  const controller = new AbortController();
  let cases = 0;
  try {
    const report = await runContract(resolveSettings(server.url, { only: ['ack', 'compat'], events: ['order.accepted', 'order.complete', 'refund.complete'], seed: 9, concurrency: 1, unsigned: true }), {
      signal: controller.signal,
      onCase: () => {
        if (++cases === 3) controller.abort();
      },
    });
    assert.equal(report.complete, false);
    assert.equal(report.gate.status, 'fail');
    assert.match(report.gate.summary, /^Interrupted after \d+ of \d+ cases/);
    const recorded = report.checks.reduce((sum, check) => sum + check.cases.length, 0);
    assert.ok(recorded >= 3 && recorded < 12, `recorded ${recorded}`);
    assert.ok(report.checks.every((check) => check.status !== 'skipped' && check.cases.length > 0));
  } finally {
    await server.close();
  }
});

for (const signature of [
  { scheme: 'digitalriver', layout: { encoding: 'base64', separator: ', ' } },
  { scheme: 'stripe', layout: {} },
  { scheme: 'standard-webhooks', layout: {} },
] as const) {
  test(`signature checks under ${signature.scheme} ${JSON.stringify(signature.layout)}: the reference receiver passes them all`, async () => {
    const token = `whsec_${Buffer.from('SECRET-scheme-0123456789abcdef').toString('base64')}`;
    const receiver = await startReceiver({ secrets: { test: [token], live: [] }, scheme: signature.scheme, layout: signature.layout });
    try {
      const report = await runOnce(receiver.url, {
        only: ['ack.2xx', 'signature'],
        secrets: { test: [token], live: [] },
        scheme: signature.scheme,
        ...('encoding' in signature.layout ? { signatureEncoding: signature.layout.encoding, signatureSeparator: signature.layout.separator } : {}),
      });
      const notPassing = report.checks.filter((check) => check.status !== 'pass').map((check) => `${check.id}: ${check.status}`);
      assert.deepEqual(notPassing, ['signature.wrong-mode: skipped']);
      assert.match(String(report.settings.signature), new RegExp(`^${signature.scheme}:`));
      assert.ok(!JSON.stringify(report).includes('SECRET-scheme') && !JSON.stringify(report).includes(token));
    } finally {
      await receiver.close();
    }
  });
}

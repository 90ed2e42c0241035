// Subscription advice over real HTTP: per selected type, safe to subscribe, fix the handler first (or deselect it) with the failing checks, or not judged; every report ends with it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { schemasDir } from '../src/base/paths.js';
import type { CheckId } from '../src/catalog/checks.js';
import type { ContractReport, TypeAdvice } from '../src/contract/results.js';
import { runContract } from '../src/contract/run.js';
import { resolveSettings } from '../src/contract/settings.js';
import { startReceiver } from '../src/receiver/server.js';
import { renderConsoleSummary } from '../src/report/contract/console.js';
import { renderContractHtml } from '../src/report/contract/html.js';
import { renderSummaryMarkdown } from '../src/report/contract/summary.js';
import { startExpressReceiver } from './helpers/framework-receivers.js';

const tokens = { test: 'whsec-SECRET-subscribe-test-5a1b', live: 'whsec-SECRET-subscribe-live-6c2d' };
const secrets = { test: [tokens.test], live: [tokens.live] };
const types = ['order.accepted', 'refund.complete', 'subscription.created'];
const only: CheckId[] = ['ack.2xx', 'signature.invalid', 'idempotency.redelivery'];
const paths = { html: 'r/report.html', json: 'r/report.json', junit: 'r/junit.xml', summary: 'r/summary.md' };

function run(url: string, options: { only?: CheckId[] } = {}): Promise<ContractReport> {
  return runContract(resolveSettings(url, { only, events: types, secrets, seed: 21, concurrency: 2, ...options }));
}

function adviceOf(report: ContractReport, type: string): TypeAdvice {
  const advice = report.subscriptions?.types.find((entry) => entry.type === type);
  assert.ok(advice, `advice for ${type}`);
  return advice;
}

async function validator() {
  const ajv = new Ajv2020({ allErrors: true, strict: false });
  addFormats.default(ajv);
  return ajv.compile(JSON.parse(await readFile(path.join(schemasDir, 'report.schema.json'), 'utf8')) as object);
}

test('a receiver that crashes on one type and rejects another: those are to fix first (or deselect), with the failing checks and the risk of being disabled; the third is safe', async () => {
  const receiver = await startExpressReceiver(tokens, (event) => {
    if (event.type === 'refund.complete') throw new Error('refund handler not written yet');
    if (event.type === 'subscription.created') return { status: 422, body: { error: 'subscriptions are not supported' } };
  });
  try {
    const report = await run(receiver.url);
    assert.equal(report.gate.status, 'fail');
    const safe = adviceOf(report, 'order.accepted');
    assert.equal(safe.verdict, 'subscribe');
    assert.deepEqual(safe.verdict === 'subscribe' && [...safe.passed].sort(), [...only].sort());

    const crashing = adviceOf(report, 'refund.complete');
    assert.equal(crashing.verdict, 'fix-or-deselect');
    if (crashing.verdict !== 'fix-or-deselect') return;
    assert.deepEqual([...crashing.failing].sort(), ['ack.2xx', 'idempotency.redelivery'], 'signature.invalid still rejects it');
    // The valid event (ack.2xx) and both copies of the redelivery: 500 each.
    assert.equal(crashing.refusal?.kind, 'fails');
    assert.equal(crashing.refusal?.deliveries, 3);

    const rejecting = adviceOf(report, 'subscription.created');
    assert.equal(rejecting.verdict, 'fix-or-deselect');
    assert.equal(rejecting.verdict === 'fix-or-deselect' && rejecting.refusal?.kind, 'rejects');
    assert.deepEqual(report.subscriptions?.endpoint, []);
    assert.equal((await validator())(JSON.parse(JSON.stringify(report))), true, 'report.json keeps to its schema');

    const console = renderConsoleSummary(report, paths, { color: false });
    const advice = console.slice(console.indexOf('\nSubscriptions\n'));
    assert.ok(console.indexOf('\nSubscriptions\n') > console.indexOf('Failing cases'), 'after the failing cases');
    assert.match(advice, /✓ order\.accepted\s+safe to subscribe \(3 checks passed\)/);
    assert.match(advice, /✗ refund\.complete\s+fix the handler first \(failing: (ack\.2xx, idempotency\.redelivery|idempotency\.redelivery, ack\.2xx); or deselect it in the Dashboard if your application does not need it\)\n\s+The receiver fails on 3 deliveries of it as Digital River makes them \(5xx, timeouts or dropped connections\): Digital River retries each, and disables an endpoint that keeps failing them\./);
    assert.match(advice, /✗ subscription\.created\s+fix the handler first .*\n\s+The receiver rejects \d+ deliveries of it .*\(redirects or 4xx\)/);

    const summary = renderSummaryMarkdown(report);
    const section = summary.slice(summary.indexOf('### Subscriptions'));
    assert.ok(summary.indexOf('### Subscriptions') > summary.indexOf('### Failing and warning cases'), 'summary.md ends with it');
    assert.match(section, /^\| `order\.accepted` \| ✓ safe to subscribe \| 3 checks passed \|$/m);
    assert.match(section, /^\| `refund\.complete` \| ✗ fix the handler first \| failing: .*deselect it in the Dashboard.* — The receiver fails on 3 deliveries .*disables an endpoint/m);

    const html = renderContractHtml(report);
    assert.ok(html.indexOf('id="subscriptions-section"') > html.indexOf('id="cases"'), 'after the cases');
    assert.match(html, /<tr class="advice fix-or-deselect" data-type="refund\.complete" data-verdict="fix-or-deselect">/);
    assert.match(html, /<tr class="advice subscribe" data-type="order\.accepted" data-verdict="subscribe">/);
  } finally {
    await receiver.close();
  }
});

test('the reference receiver: every type safe to subscribe; one that skips signatures: fix first, without the risk of being disabled (it acknowledges what Digital River sends)', async () => {
  const good = await startReceiver({ secrets });
  const unchecked = await startReceiver({ secrets, fault: 'skip-signature' });
  try {
    const [passed, skipping] = await Promise.all([run(good.url), run(unchecked.url)]);
    assert.deepEqual(passed.subscriptions?.types.map((entry) => entry.verdict), ['subscribe', 'subscribe', 'subscribe']);
    for (const type of types) {
      const advice = adviceOf(skipping, type);
      assert.equal(advice.verdict, 'fix-or-deselect');
      if (advice.verdict !== 'fix-or-deselect') continue;
      assert.deepEqual(advice.failing, ['signature.invalid']);
      assert.equal(advice.refusal, null);
    }
    assert.doesNotMatch(renderConsoleSummary(skipping, paths, { color: false }), /disables an endpoint/);
  } finally {
    await Promise.all([good.close(), unchecked.close()]);
  }
});

test('a burst that fails is named for the endpoint, not for a type; a type no check sent is not judged', async () => {
  const receiver = await startReceiver({ secrets, fault: 'serial-processing' });
  try {
    // 40 events processed one at a time (100 ms each) before answering: the later ones miss the 3000 ms deadline.
    const report = await runContract(resolveSettings(receiver.url, { only: ['concurrency.burst', 'compat.unknown-type'], events: types, secrets, seed: 21, burst: 40 }));
    assert.equal(report.checks.find((check) => check.id === 'concurrency.burst')?.status, 'fail');
    assert.deepEqual(report.subscriptions?.endpoint, ['concurrency.burst']);
    for (const type of types) {
      const advice = adviceOf(report, type);
      assert.equal(advice.verdict, 'not-judged', type);
      assert.match(advice.verdict === 'not-judged' ? advice.reason : '', /no check that ran sent an event of this type/);
    }
    assert.match(renderSummaryMarkdown(report), /> ⚠️ Whatever types are subscribed: concurrency\.burst fails on the endpoint as a whole\.\n$/);
  } finally {
    await receiver.close();
  }
});

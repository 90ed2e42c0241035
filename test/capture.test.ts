// Fidelity to Digital River's side: the connector's signature layout, captured events replayed by send and contract, the safelist hint.
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { CheckResult, ContractReport } from '../src/contract/results.js';
import { startReceiver } from '../src/receiver/server.js';
import { connectorLayout, signatureHeaders, verifySignature, type SignatureLayout } from '../src/wire/signing.js';
import { sourceIpHint } from '../src/wire/ack.js';
import { connectorSignatureMatches, startConnectorReceiver } from './helpers/connector-receiver.js';
import { runCli, startServer, type CliResult, type TestServer } from './helpers/http.js';
import { samplePath } from './helpers/reference.js';

const token = 'whsec-capture-test-5e6f7a8b';
const env = { DRHOOK_TEST_SECRET: token, DRHOOK_LIVE_SECRET: '', DRHOOK_PASSWORD: '', DRHOOK_CLIENT_SECRET: '' };
const cleanup: Array<() => Promise<unknown>> = [];
after(() => Promise.all(cleanup.map((step) => step())));

async function tempDir(): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'drhook-capture-'));
  cleanup.push(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

async function connectorReceiver(): Promise<TestServer> {
  const receiver = await startConnectorReceiver(token);
  cleanup.push(() => receiver.close());
  return receiver;
}

async function referenceReceiver(options: { layout?: SignatureLayout } = {}) {
  const receiver = await startReceiver({ secrets: { test: [token], live: [] }, ...options });
  cleanup.push(() => receiver.close());
  return receiver;
}

function checkOf(report: ContractReport, id: string): Extract<CheckResult, { cases: unknown[] }> {
  const check = report.checks.find((entry) => entry.id === id);
  assert.ok(check, `no ${id} in the report`);
  return check;
}

function caseOf(report: ContractReport, id: string) {
  const found = report.checks.flatMap((check) => check.cases).find((record) => record.id === id);
  assert.ok(found, `no case ${id}`);
  return found;
}

function usageLine(result: CliResult): string {
  assert.equal(result.code, 2, result.stdout + result.stderr);
  const lines = result.stderr.trim().split('\n');
  assert.equal(lines.length, 1, `one line on stderr: ${result.stderr}`);
  assert.doesNotMatch(result.stderr, /\n\s+at /, 'no stack trace');
  return lines[0]!;
}

describe('the connector signature layout', { concurrency: true }, () => {
  const body = Buffer.from(JSON.stringify({ id: 'e1', type: 'order.accepted', data: { object: { id: '1' } } }), 'utf8');
  const timestamp = Math.floor(Date.now() / 1000);

  test('is "<unix seconds>, <base64 HMAC-SHA256 of t.body>", a further signature per extra token, and verifies as the connector verifies', () => {
    const one = signatureHeaders('digitalriver', { body, secrets: [token], timestamp, eventId: 'e1' }, connectorLayout)['DigitalRiver-Signature']!;
    assert.match(one, new RegExp(`^${timestamp}, [A-Za-z0-9+/]{43}=$`));
    assert.equal(connectorSignatureMatches(one, body, token), true);
    assert.equal(connectorSignatureMatches(one, Buffer.concat([body, Buffer.from(' ')]), token), false, 'a changed body does not match');

    const two = signatureHeaders('digitalriver', { body, secrets: [token, 'whsec-older-token-1234'], timestamp, eventId: 'e1' }, connectorLayout)['DigitalRiver-Signature']!;
    const parts = two.split(', ');
    assert.equal(parts.length, 3);
    assert.equal(`${parts[0]}, ${parts[1]}`, one, 'the newest token signs first');
    assert.equal(connectorSignatureMatches(two, body, token), true);
    assert.equal(connectorSignatureMatches(`${parts[0]}, ${parts[2]}`, body, 'whsec-older-token-1234'), true);

    // drhook's own verifier (the reference receiver's) reads the layout too.
    const verify = (header: string, secrets: string[]) =>
      verifySignature('digitalriver', { 'digitalriver-signature': header }, body, { secrets, toleranceSec: 300, nowSec: timestamp, layout: connectorLayout });
    assert.deepEqual(verify(two, ['whsec-older-token-1234']), { ok: true, matchedSecretIndex: 0 });
    assert.equal(verify(one, ['whsec-someone-else-99']).ok, false);
  });

  test('no v0 layout passes the connector check, whatever its encoding and separator', () => {
    for (const encoding of ['hex', 'base64'] as const) {
      for (const separator of [',', ', '] as const) {
        const header = signatureHeaders('digitalriver', { body, secrets: [token], timestamp, eventId: 'e1' }, { form: 'v0', encoding, separator })['DigitalRiver-Signature']!;
        assert.match(header, /^t=\d+,/);
        assert.equal(connectorSignatureMatches(header, body, token), false, `${encoding} "${separator}" passed`);
      }
    }
  });

  test("a contract run with the connector layout gets the connector's valid events acknowledged and flags its defects", async () => {
    const receiver = await connectorReceiver();
    const reportDir = await tempDir();
    const only = ['--only', 'ack.2xx,signature.missing,signature.invalid,signature.stale,signature.rotation,malformed.400'];
    const common = ['--events', 'refund.complete', '--seed', '11', '--json', '--no-progress', '--report-dir', reportDir];
    const result = await runCli(['contract', receiver.url, '--signature-layout', 'connector', ...only, ...common], { env });
    assert.equal(result.code, 1, result.stderr);
    const report = JSON.parse(result.stdout) as ContractReport;
    assert.match(String(report.settings.signature), /^digitalriver \(connector layout\): DigitalRiver-Signature: <unix>, <base64 HMAC-SHA256 of "t\.body">$/);

    // The layout matches: the valid event is acknowledged.
    assert.equal(checkOf(report, 'ack.2xx').status, 'pass');
    // A bad signature is answered 500, not a 4xx: Digital River retries it and counts it toward disabling the webhook.
    for (const id of ['signature.invalid', 'signature.missing']) {
      const check = checkOf(report, id);
      assert.equal(check.status, 'fail', id);
      assert.ok(check.cases.every((record) => record.verdict.status === 'fail' && /answered 500/.test(record.verdict.reason)), `${id}: ${JSON.stringify(check.cases.map((c) => c.verdict))}`);
    }
    // No timestamp age is checked: a replayed, old signature is acknowledged.
    assert.match(caseOf(report, 'signature.stale/refund.complete/test/stale-timestamp').verdict.reason, /^answered 200 in \d+ ms; an event signed \d+ s ago/);
    assert.equal(checkOf(report, 'signature.stale').status, 'fail');
    // A null data.object is acknowledged.
    const nullObject = caseOf(report, 'malformed.400/refund.complete/test/data.object-null');
    assert.equal(nullObject.verdict.status, 'fail');
    assert.match(nullObject.verdict.reason, /^answered 200/);
    // Only the second part is compared: the current token's signature is found only when it comes first.
    assert.equal(caseOf(report, 'signature.rotation/refund.complete/test/first-signature-current').verdict.status, 'pass');
    assert.equal(caseOf(report, 'signature.rotation/refund.complete/test/second-signature-current').verdict.status, 'fail');
    assert.ok(nullObject.reproduce.includes(' --signature-layout connector '), nullObject.reproduce);

    // The default layout is not what the connector verifies: every valid event is answered 500.
    const v0 = await runCli(['contract', receiver.url, '--only', 'ack.2xx', ...common], { env });
    const v0Report = JSON.parse(v0.stdout) as ContractReport;
    assert.equal(checkOf(v0Report, 'ack.2xx').status, 'fail');
    assert.match(checkOf(v0Report, 'ack.2xx').cases[0]!.verdict.reason, /^answered 500/);
  });

  test('the layout is checked: connector fixes base64 and ", ", and belongs to the digitalriver scheme', async () => {
    const line = usageLine(await runCli(['send', 'http://127.0.0.1:9/', '--type', 'order.accepted', '--signature-layout', 'connector', '--signature-encoding', 'hex'], { env }));
    assert.equal(line, "drhook: --signature-encoding 'hex' contradicts the connector signature layout, which is always 'base64': leave --signature-encoding out");
    const stripe = usageLine(await runCli(['sign', '--scheme', 'stripe', '--signature-layout', 'connector'], { env, input: '{}' }));
    assert.equal(stripe, 'drhook: --signature-layout connector applies to the digitalriver scheme only, not stripe');
  });
});

describe('captured events', { concurrency: true }, () => {
  test('send --body sends the captured bytes re-signed now, id kept; --new-id changes only the id; - reads stdin', async () => {
    const receiver = await referenceReceiver();
    const file = samplePath('refund.complete');
    const bytes = await readFile(file);
    const captured = JSON.parse(bytes.toString('utf8')) as { id: string; createdTime: string };

    const kept = await runCli(['send', receiver.url, '--body', file], { env });
    assert.equal(kept.code, 0, kept.stdout + kept.stderr);
    assert.match(kept.stdout, new RegExp(`event +refund\\.complete ${captured.id} \\(test mode, ${bytes.length} bytes, captured: .*refund\\.complete\\.1\\.json\\)`));
    assert.match(kept.stdout, /^PASS acknowledged: answered 202/m);

    const renamed = await runCli(['send', receiver.url, '--body', '-', '--new-id', '--json'], { env, input: bytes });
    assert.equal(renamed.code, 0, renamed.stdout + renamed.stderr);
    const sent = JSON.parse(renamed.stdout) as { event: { id: string; capturedFrom: string }; verdict: { status: string } };
    assert.notEqual(sent.event.id, captured.id);
    assert.equal(sent.event.capturedFrom, 'stdin');
    const stats = receiver.stats();
    assert.equal(stats.signaturesVerified, 2, 'both signatures verified by the reference receiver');
    assert.equal(stats.distinctEventIds, 2);
    assert.equal(stats.duplicates, 0);
  });

  test('the bytes on the wire are the file, signed for the current time (connector layout against the connector check)', async () => {
    const receiver = await connectorReceiver();
    const file = samplePath('refund.complete');
    const result = await runCli(['send', receiver.url, '--body', file, '--signature-layout', 'connector'], { env });
    assert.equal(result.code, 0, result.stdout + result.stderr);
    const request = receiver.requests[0]!;
    assert.deepEqual(request.body, await readFile(file));
    const [timestamp] = String(request.headers['digitalriver-signature']).split(', ');
    assert.ok(Math.abs(Number(timestamp) - Date.now() / 1000) < 60, 'signed now, not when captured');
  });

  test('an invalid captured event or a wrong use of --body is refused with one line naming the file and the reason', async () => {
    const dir = await tempDir();
    const event = JSON.parse(await readFile(samplePath('refund.complete'), 'utf8')) as { id: string; data: { object: Record<string, unknown> } };
    delete event.data.object.id;
    const broken = path.join(dir, 'broken.json');
    await writeFile(broken, JSON.stringify(event));
    const line = usageLine(await runCli(['send', 'http://127.0.0.1:9/', '--body', broken], { env }));
    assert.equal(line, `drhook: ${broken}: refund.complete ${event.id} is not a valid event: /data/object/id: is required`);

    const notJson = path.join(dir, 'log.txt');
    await writeFile(notJson, 'POST /webhooks 200\n');
    assert.match(usageLine(await runCli(['send', 'http://127.0.0.1:9/', '--body', notJson], { env })), new RegExp(`^drhook: ${notJson.replace(/[.]/g, '\\.')}(:1)?: not JSON: `));
    assert.equal(
      usageLine(await runCli(['send', 'http://127.0.0.1:9/', '--body', samplePath('refund.complete'), '--type', 'refund.complete'], { env })),
      "drhook: --type cannot go with --body: the captured event is sent as it is (its liveMode decides the mode and the token)",
    );
    assert.equal(usageLine(await runCli(['send', 'http://127.0.0.1:9/'], { env })), 'drhook: send needs --type <event type> to generate an event, or --body <file> to send a captured one');
  });

  test('contract --events-from makes every case of the captured type from the captured event, and a reproduce command reproduces', async () => {
    const receiver = await referenceReceiver();
    const dir = await tempDir();
    const captured = JSON.parse(await readFile(samplePath('refund.complete'), 'utf8')) as { id: string; data: { object: { id: string } } };
    const file = path.join(dir, 'captured.ndjson');
    await writeFile(file, `${JSON.stringify(captured)}\n`);
    const args = ['contract', receiver.url, '--events-from', file, '--only', 'ack.2xx,malformed.400,malformed.robust,signature.tampered', '--mutations', '4', '--seed', '5', '--json', '--no-progress', '--report-dir', dir];
    const result = await runCli(args, { env });
    assert.equal(result.code, 0, result.stdout.slice(0, 2000) + result.stderr);
    const report = JSON.parse(result.stdout) as ContractReport;
    assert.deepEqual(report.settings.events, ['refund.complete'], 'the captured types are the run\'s');
    assert.deepEqual(report.settings.eventsFrom, { files: [file], types: { 'refund.complete': 1 } });
    const cases = report.checks.flatMap((check) => check.cases);
    assert.ok(cases.length > 8);
    const objectId = `"id":"${captured.data.object.id}"`;
    for (const record of cases) {
      // malformed.400 breaks data.object itself; a passing malformed.robust case keeps no excerpt.
      const excerpt = record.deliveries[0]!.request.bodyExcerpt;
      if (record.checkId !== 'malformed.400' && excerpt !== undefined) assert.ok(excerpt.includes(objectId), `${record.id} is not about the captured refund`);
      assert.notEqual(record.deliveries[0]!.request.eventId, captured.id, 'each case has an id of its own');
      assert.match(record.reproduce, new RegExp(` --events-from ${file.replace(/[.]/g, '\\.')} `));
    }
    const robust = checkOf(report, 'malformed.robust').cases;
    assert.ok(robust.length >= 4 && robust.every((record) => record.verdict.status === 'pass'));
    assert.ok(report.discoveredContract!.types[0]!.presentFields > 10, 'the mutations break the fields the captured event holds');

    // A case's reproduce command sends that case again, from the captured event.
    const record = checkOf(report, 'ack.2xx').cases[0]!;
    const words = record.reproduce.split(' ').slice(1);
    const again = await runCli([...words, '--json', '--no-progress', '--report-dir', dir], { env });
    assert.equal(again.code, 0, again.stderr);
    const rerun = JSON.parse(again.stdout) as ContractReport;
    const same = caseOf(rerun, record.id);
    assert.equal(same.deliveries[0]!.request.eventId, record.deliveries[0]!.request.eventId);
    assert.equal(same.deliveries[0]!.request.bodyExcerpt, record.deliveries[0]!.request.bodyExcerpt);
  });

  test('contract --events-from refuses an invalid captured event before sending anything: exit 2, the file, the event and the reason', async () => {
    const dir = await tempDir();
    const good = JSON.parse(await readFile(samplePath('subscription.created'), 'utf8')) as Record<string, unknown>;
    const bad = JSON.parse(await readFile(samplePath('refund.complete'), 'utf8')) as { id: string; data: { object: Record<string, unknown> } };
    bad.data.object.currency = 'dollars';
    const file = path.join(dir, 'events.ndjson');
    await writeFile(file, `${JSON.stringify(good)}\n${JSON.stringify(bad)}\n`);
    const server = await startServer((_req, res) => void res.writeHead(200).end());
    cleanup.push(() => server.close());
    const line = usageLine(await runCli(['contract', server.url, '--events-from', file, '--only', 'ack.2xx', '--no-progress', '--report-dir', dir], { env }));
    assert.match(line, new RegExp(`^drhook: ${file.replace(/[.]/g, '\\.')}:2: refund\\.complete ${bad.id} is not a valid event: /data/object/currency: `));
    assert.equal(server.requests.length, 0, 'nothing was sent');
    assert.equal(
      usageLine(await runCli(['contract', server.url, '--events-from', '-', '--only', 'ack.2xx'], { env, input: JSON.stringify(good) })),
      'drhook: --events-from reads files, not stdin: save the events to a file, so the reproduce commands can read them again',
    );
  });
});

test('a 403 where a 2xx was due carries the hint that a source-IP filter may be refusing drhook, and is still a failure', async () => {
  const server = await startServer((_req, res) => void res.writeHead(403).end('Forbidden'));
  cleanup.push(() => server.close());
  const result = await runCli(['send', server.url, '--type', 'refund.complete'], { env });
  assert.equal(result.code, 1);
  assert.ok(result.stdout.includes(`FAIL answered 403, not 2xx; ${sourceIpHint}`), result.stdout);
});

// `drhook report <report.json>`: report.html and summary.md rendered again from saved contract and load reports; bad files exit 2.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import net, { type AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { schemasDir } from '../src/base/paths.js';
import { runLoad } from '../src/load/run.js';
import type { LoadReport } from '../src/load/report.js';
import { resolveLoadSettings } from '../src/load/settings.js';
import { startReceiver } from '../src/receiver/server.js';
import { renderJson } from '../src/report/formats/index.js';
import { runCli } from './helpers/http.js';
import { buildContractReport, redactPlanted } from './helpers/report-fixtures.js';
import { redactStrings } from '../src/wire/redact-strings.js';

let work: string;
let load: LoadReport;
before(async () => {
  work = await mkdtemp(path.join(os.tmpdir(), 'drhook-report-command-'));
  const receiver = await startReceiver({ secrets: { test: ['tok_report_command'], live: [] } });
  try {
    load = await runLoad(resolveLoadSettings(receiver.url, { events: ['refund.complete'], secrets: { test: ['tok_report_command'], live: [] }, count: 100, connections: 4, poolSize: 2, seed: 1 }));
  } finally {
    await receiver.close();
  }
});
after(() => rm(work, { recursive: true, force: true }));

async function saved(name: string, content: string): Promise<string> {
  const dir = await mkdtemp(path.join(work, `${name}-`));
  const file = path.join(dir, 'report.json');
  await writeFile(file, content);
  return file;
}

test('a contract report: report.html and summary.md beside it, the paths printed, exit 0; secrets in the environment masked in them', async () => {
  const report = buildContractReport();
  report.settings = { ...report.settings, headers: { 'X-Planted': 'tok-LEAKED-4471' } };
  const file = await saved('contract', renderJson(redactStrings(report, redactPlanted)));
  const result = await runCli(['report', file], { env: { DRHOOK_TEST_SECRET: 'tok-LEAKED-4471' } });
  assert.equal(result.code, 0, result.stderr);
  const dir = path.dirname(file);
  assert.deepEqual((await readdir(dir)).sort(), ['report.html', 'report.json', 'summary.md']);
  assert.equal(result.stdout, `Reports (contract run ${report.runId}):\n  ${path.join(dir, 'report.html')}\n  ${path.join(dir, 'summary.md')}\n`);
  const html = await readFile(path.join(dir, 'report.html'), 'utf8');
  assert.match(html, /^<!DOCTYPE html>/);
  assert.match(html, /<div class="headline">✗ Gate: FAIL<\/div>/);
  assert.ok(html.includes('data-check="malformed.400"'));
  assert.ok(!html.includes('<&"\'>'), 'the fixture\'s hostile text is escaped');
  const summary = await readFile(path.join(dir, 'summary.md'), 'utf8');
  assert.match(summary, /^## ❌ drhook contract gate: fail/);
  for (const [name, text] of [['report.html', html], ['summary.md', summary]]) {
    assert.ok(!text!.includes('LEAKED'), `${name} holds no secret`);
    assert.ok(text!.includes('[redacted]'), `${name} shows where it was`);
  }
});

test('a load report into --out: the charts\' data embedded, Chart.js inlined, no external reference', async () => {
  const file = await saved('load', `${JSON.stringify(load, null, 2)}\n`);
  const out = path.join(work, 'load-out', 'nested');
  const result = await runCli(['report', file, '--out', out]);
  assert.equal(result.code, 0, result.stderr);
  assert.deepEqual((await readdir(out)).sort(), ['report.html', 'summary.md']);
  const html = await readFile(path.join(out, 'report.html'), 'utf8');
  assert.match(html, /<script type="application\/json" id="drhook-data">\{"budgetMs":3000,/);
  assert.ok(html.includes('Chart.js v4.6.1'));
  assert.ok(!/\b(src|href)\s*=\s*["']?(https?:)?\/\//i.test(html), 'nothing loaded from the network');
  assert.match(html, /Content-Security-Policy" content="default-src 'none'; script-src 'sha256-/);
  assert.match(await readFile(path.join(out, 'summary.md'), 'utf8'), /^## ✅ drhook load: pass/);
});

test('a file that is not a drhook contract or load report: exit 2, one line naming the problem, nothing written', async () => {
  const valid = JSON.parse(renderJson(redactStrings(buildContractReport(), redactPlanted))) as Record<string, unknown>;
  const cases: Array<[string, string, RegExp]> = [
    ['not-json', '{"tool": "drhook", ', /is not JSON: /],
    ['not-drhook', '{"checks": []}', /is not a drhook report \(no "tool": "drhook"\)/],
    ['unknown-kind', '{"tool": "drhook", "kind": "send"}', /is a drhook report of kind "send"; drhook report renders contract and load reports/],
    ['invalid', JSON.stringify({ ...valid, gate: { status: 'maybe' } }), /is not a valid contract report: at \/gate it must have required property/],
  ];
  for (const [name, content, message] of cases) {
    const file = await saved(name, content);
    const result = await runCli(['report', file]);
    assert.equal(result.code, 2, name);
    assert.equal(result.stdout, '', name);
    assert.match(result.stderr, /^drhook: [^\n]+\n$/, name);
    assert.match(result.stderr, message, name);
    assert.deepEqual(await readdir(path.dirname(file)), ['report.json'], `${name}: nothing written`);
  }
  const missing = await runCli(['report', path.join(work, 'no-such', 'report.json')]);
  assert.equal(missing.code, 2);
  assert.match(missing.stderr, /^drhook: cannot read .*report\.json: ENOENT\n$/);
});

/**
 * A raw TCP receiver answering each request with `HTTP/1.1 <status> Odd` and a two-byte body, taking `statuses` in turn
 * (a connection the client drops after an answer it cannot parse is simply closed).
 */
async function statusServer(statuses: readonly string[]): Promise<{ url: string; close(): Promise<void> }> {
  const sockets = new Set<net.Socket>();
  let answered = 0;
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('error', () => {});
    socket.on('close', () => sockets.delete(socket));
    let buffered = '';
    socket.on('data', (chunk: Buffer) => {
      buffered += chunk.toString('latin1');
      for (;;) {
        const end = buffered.indexOf('\r\n\r\n');
        if (end < 0) return;
        const length = Number(/\r\ncontent-length:\s*(\d+)/i.exec(buffered.slice(0, end))?.[1] ?? 0);
        if (buffered.length < end + 4 + length) return;
        buffered = buffered.slice(end + 4 + length);
        socket.write(`HTTP/1.1 ${statuses[answered++ % statuses.length]} Odd\r\nContent-Length: 2\r\n\r\nok`);
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

interface ReportedOutcome {
  kind: string;
  status?: number;
  cause?: string;
  message?: string;
}

// 999 is an answer RFC 9110 asks a client to treat as a 5xx; `0` and `099` are no HTTP status at all. One run of each
// command meets all three, in turn.
test('statuses outside 100–599 (999, 0, 099): every report drhook writes matches its schema, and drhook report renders it', async () => {
  const env = { DRHOOK_TEST_SECRET: 'tok_report_status_5e1d', DRHOOK_LIVE_SECRET: '', DRHOOK_PASSWORD: '', DRHOOK_CLIENT_SECRET: '' };
  const statuses = ['999', '0', '099'];
  const [loadServer, contractServer] = await Promise.all([statusServer(statuses), statusServer(statuses)]);
  const ajv = new Ajv2020({ allErrors: true, strict: true });
  addFormats.default(ajv);
  const compile = async (file: string) => ajv.compile(JSON.parse(await readFile(path.join(schemasDir, file), 'utf8')) as object);
  const validate = { load: await compile('load-report.schema.json'), contract: await compile('report.schema.json') };
  try {
    const reportDir = await mkdtemp(path.join(work, 'statuses-'));
    const timeout = ['--timeout-ms', '1000', '--no-progress', '--json', '--report-dir', reportDir];
    const [load, contract] = await Promise.all([
      runCli(['load', loadServer.url, '--events', 'refund.complete', '--count', '3', '--connections', '1', '--pool-size', '2', ...timeout], { env }),
      runCli(['contract', contractServer.url, '--events', 'refund.complete,subscription.created,sku.updated', '--only', 'ack', '--mode', 'test', '--concurrency', '1', ...timeout], { env }),
    ]);
    assert.equal(load.code, 1, load.stderr);
    assert.equal(contract.code, 1, contract.stderr);
    const loadReport = JSON.parse(load.stdout) as { totals: { outcomes: { statuses: Record<string, number>; errorCodes: Record<string, number> } }; verdict: { summary: string } };
    assert.deepEqual(loadReport.totals.outcomes.statuses, { '999': 1 });
    assert.deepEqual(loadReport.totals.outcomes.errorCodes, { HPE_INVALID_CONSTANT: 1, HPE_INVALID_STATUS: 1 });
    assert.match(loadReport.verdict.summary, /1 answered 999 \(not a valid HTTP status: counted as a server error\)/);
    assert.ok(validate.load(loadReport), `load report.json: ${JSON.stringify(validate.load.errors)}`);
    const contractReport = JSON.parse(contract.stdout) as { checks: Array<{ id: string; cases?: Array<{ deliveries: Array<{ outcome: ReportedOutcome }> }> }> };
    const acknowledged = contractReport.checks.find((check) => check.id === 'ack.2xx')?.cases ?? [];
    const seen = acknowledged.flatMap((record) => record.deliveries.map(({ outcome }) => (outcome.kind === 'response' ? `response ${outcome.status}` : outcome.kind)));
    assert.deepEqual(seen.sort(), ['error', 'error', 'response 999'], 'the contract run met all three');
    // `0` and `099` are no HTTP status: both are protocol errors, said in words (never an assertion's own text).
    for (const { outcome } of acknowledged.flatMap((record) => record.deliveries)) {
      if (outcome.kind !== 'error') continue;
      assert.equal(outcome.cause, 'protocol', JSON.stringify(outcome));
      assert.match(outcome.message ?? '', /sent a response that is not valid HTTP\/1\.1: /);
      assert.doesNotMatch(outcome.message ?? '', /falsy/);
    }
    assert.ok(validate.contract(contractReport), `contract report.json: ${JSON.stringify(validate.contract.errors)}`);
    for (const runId of await readdir(reportDir)) {
      const rendered = await runCli(['report', path.join(reportDir, runId, 'report.json')]);
      assert.equal(rendered.code, 0, `${runId}: ${rendered.stderr}`);
      assert.match(rendered.stdout, /^Reports \((contract|load) run /);
    }
    assert.equal((await readdir(reportDir)).length, 2, 'a load and a contract report rendered');
  } finally {
    await Promise.all([loadServer.close(), contractServer.close()]);
  }
});

// Memory stays bounded under hostile receivers: deliveries, load and contract runs against endless, 100 MB and huge-header answers, sent several times the bound.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import type { Socket } from 'node:net';
import { mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type { ContractReport } from '../src/contract/results.js';
import { runContract } from '../src/contract/run.js';
import { resolveSettings } from '../src/contract/settings.js';
import { startServer } from './helpers/http.js';
import { startFlood, startHostile, type HostileServer } from './helpers/hostile.js';

const child = fileURLToPath(new URL('./helpers/deliver-many.js', import.meta.url));
const cli = fileURLToPath(new URL('../src/cli.js', import.meta.url));
const probe = fileURLToPath(new URL('./helpers/rss-probe.js', import.meta.url));
/** Far above the ~100 MB a Node process with drhook loaded needs, far below one 100 MB body per delivery. */
const LIMIT_MB = 300;
/** What the receivers send before the deliveries stop: several times the bound, so that keeping it would cross the bound. */
const VOLUME_MB = 4 * LIMIT_MB;
const MB = 1024 * 1024;

/** Counts the bytes the servers listening on `urls` write to their connections, from now until stop(). */
function sentBytes(urls: readonly string[]): { total(): number; stop(): void } {
  const ports = new Set(urls.map((url) => Number(new URL(url).port)));
  const open = new Set<Socket>();
  let closed = 0;
  const onSocket = (message: unknown): void => {
    const { socket } = message as { socket: Socket };
    if (!ports.has(socket.localPort ?? -1)) return;
    open.add(socket);
    socket.once('close', () => {
      open.delete(socket);
      closed += socket.bytesWritten;
    });
  };
  subscribe('net.server.socket', onSocket);
  return {
    total: () => closed + [...open].reduce((sum, socket) => sum + socket.bytesWritten, 0),
    stop: () => void unsubscribe('net.server.socket', onSocket),
  };
}

let servers: HostileServer[] = [];
before(async () => {
  servers = await Promise.all((['endless-body', 'body-100mb', 'huge-headers'] as const).map((kind) => startHostile(kind)));
});
after(() => Promise.all(servers.map((server) => server.close())));

/**
 * The child's peak RSS and outcomes, and what the receivers sent it. `deliver`: at least `count` deliveries, and on
 * until the receivers have sent VOLUME_MB (a slow machine takes longer, it does not send less); `load`: a run of
 * `count` against each receiver, all three at once.
 */
async function peak(mode: 'deliver' | 'load', count: number): Promise<{ maxRssMB: number; outcomes: Record<string, number>; sentMB: number }> {
  // load counts timeouts in whole seconds: its deadline is at least 1000 ms.
  const deadlineMs = mode === 'load' ? 1000 : 500;
  const sent = sentBytes(servers.map((server) => server.url));
  try {
    const run = promisify(execFile)(process.execPath, [child, mode, String(count), String(deadlineMs), ...servers.map((server) => server.url)]);
    if (mode === 'deliver') {
      // Past two minutes the deliveries stop anyway, and the volume assertion says how much was sent.
      const started = performance.now();
      const timer = setInterval(() => {
        if (sent.total() >= VOLUME_MB * MB || performance.now() - started > 120_000) {
          clearInterval(timer);
          run.child.stdin?.end();
        }
      }, 50);
      run.finally(() => clearInterval(timer)).catch(() => {});
    }
    const { stdout } = await run;
    return { ...(JSON.parse(stdout) as { maxRssMB: number; outcomes: Record<string, number> }), sentMB: Math.round(sent.total() / MB) };
  } finally {
    sent.stop();
  }
}

test(`deliveries against endless, 100 MB and huge-header answers, ${VOLUME_MB} MB sent, stay under ${LIMIT_MB} MB`, async () => {
  const { maxRssMB, outcomes, sentMB } = await peak('deliver', 24);
  process.stdout.write(`# deliveries: peak RSS ${maxRssMB} MB, ${sentMB} MB sent, outcomes ${JSON.stringify(outcomes)}\n`);
  assert.ok(Object.values(outcomes).reduce((a, b) => a + b, 0) >= 24);
  assert.ok((outcomes['error:headers-too-large'] ?? 0) >= 8, 'every third delivery went to the huge headers');
  assert.ok(sentMB >= VOLUME_MB, `the receivers sent ${sentMB} MB`);
  assert.ok(maxRssMB < LIMIT_MB, `peak RSS ${maxRssMB} MB`);
});

test(`load runs against the same receivers stay under ${LIMIT_MB} MB`, async () => {
  const { maxRssMB, outcomes, sentMB } = await peak('load', 24);
  process.stdout.write(`# load: peak RSS ${maxRssMB} MB, ${sentMB} MB sent, ${JSON.stringify(outcomes)}\n`);
  assert.deepEqual(outcomes, { 'sent:24': 3 });
  assert.ok(maxRssMB < LIMIT_MB, `peak RSS ${maxRssMB} MB`);
});

test(`contract against 100 MB 2xx bodies stays under ${LIMIT_MB} MB, its reports a few MB, judged on the 64 KiB read`, async () => {
  const flood = await startFlood('200 OK');
  const sent = sentBytes([flood.url]);
  const work = await mkdtemp(path.join(tmpdir(), 'drhook-memory-'));
  try {
    const rssFile = path.join(work, 'rss');
    const reportDir = path.join(work, 'reports');
    // Eight 100 MB bodies at once in the burst; the other cases two at a time, so that on a busy machine too some of
    // them are read to their end within the deadline and judged.
    const checks = ['--events', 'order.accepted', '--only', 'ack,signature,concurrency', '--burst', '8', '--concurrency', '2'];
    const args = ['--import', probe, cli, 'contract', flood.url, ...checks, '--mode', 'test', '--seed', '1', '--no-progress', '--report-dir', reportDir];
    const env = { ...process.env, NO_COLOR: '1', RSS_PROBE_FILE: rssFile, DRHOOK_TEST_SECRET: 'tok_memory_77c1e0', DRHOOK_LIVE_SECRET: '', DRHOOK_PASSWORD: '', DRHOOK_CLIENT_SECRET: '' };
    const code = await new Promise<number | null>((resolve) => execFile(process.execPath, args, { env, maxBuffer: 16 * 1024 * 1024 }, (error) => resolve(error ? ((error as { code?: number }).code ?? null) : 0)));
    assert.equal(code, 1, 'the gate fails (a 200 to everything)');
    const maxRssMB = Number(await readFile(rssFile, 'utf8'));
    const [runDir] = await readdir(reportDir);
    const files = await readdir(path.join(reportDir, runDir!));
    const sizes = Object.fromEntries(await Promise.all(files.map(async (file) => [file, (await stat(path.join(reportDir, runDir!, file))).size] as const)));
    const report = JSON.parse(await readFile(path.join(reportDir, runDir!, 'report.json'), 'utf8')) as ContractReport;
    const outcomes = report.checks.flatMap((check) => check.cases.flatMap((record) => record.deliveries.map((delivery) => delivery.outcome)));
    const responses = outcomes.flatMap((outcome) => (outcome.kind === 'response' ? [outcome] : []));
    const sentMB = Math.round(sent.total() / MB);
    process.stdout.write(`# contract: peak RSS ${maxRssMB} MB, ${sentMB} MB sent, ${responses.length} of ${outcomes.length} outcomes responses, files ${JSON.stringify(sizes)}\n`);
    assert.ok(outcomes.length > 8, `${outcomes.length} deliveries: the burst of 8 and the other cases`);
    assert.ok(responses.length > 0, 'a 100 MB answer was read to its end and judged');
    for (const outcome of outcomes) assert.ok(outcome.kind === 'response' || outcome.kind === 'timeout', `read to its end, or until the deadline: ${JSON.stringify(outcome)}`);
    for (const outcome of responses) {
      assert.ok(outcome.body.text.length <= 2048, `a ${outcome.body.text.length}-character body kept`);
      assert.equal(outcome.body.bytes, 100 * 1024 * 1024);
      assert.equal(outcome.body.truncated, true);
    }
    assert.ok(maxRssMB < LIMIT_MB, `peak RSS ${maxRssMB} MB`);
    for (const [file, size] of Object.entries(sizes)) assert.ok(size < 3 * 1024 * 1024, `${file}: ${size} bytes`);
  } finally {
    sent.stop();
    await flood.close();
    await rm(work, { recursive: true, force: true });
  }
});

test('malformed.message judges the whole 64 KiB read, though the report keeps 2 KiB of it', async () => {
  // The field is named only after 10 KB of padding: past the excerpt, within the read.
  const server = await startServer((_req, res, body) => {
    const id = (JSON.parse(body.toString('utf8')) as { data?: { object?: { id?: unknown } } }).data?.object?.id;
    if (typeof id === 'string') res.writeHead(202).end();
    else res.writeHead(400, { 'content-type': 'text/plain' }).end(`${'-'.repeat(10_000)} data.object.id is missing or invalid`);
  });
  try {
    const settings = resolveSettings(`${server.url}/hook`, { events: ['order.accepted'], only: ['malformed.message'], mode: 'test', seed: 1, secrets: { test: ['tok_memory_77c1e0'], live: [] } }, {});
    const report = await runContract(settings);
    const idCases = report.checks.flatMap((check) => check.cases).filter((record) => record.fault.startsWith('data.object.id:'));
    assert.ok(idCases.length > 0);
    for (const record of idCases) {
      assert.equal(record.verdict.status, 'pass', `${record.fault}: ${record.verdict.reason}`);
      const outcome = record.deliveries[0]!.outcome;
      assert.ok(outcome.kind === 'response' && outcome.body.text.length === 2048 && outcome.body.truncated && outcome.body.bytes > 10_000);
    }
  } finally {
    await server.close();
  }
});

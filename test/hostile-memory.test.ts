// Memory stays bounded under hostile receivers: hundreds of deliveries (and load runs) against endless, 100 MB and huge-header answers.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { startHostile, type HostileServer } from './helpers/hostile.js';

const child = fileURLToPath(new URL('./helpers/deliver-many.js', import.meta.url));
/** Far above the ~100 MB a Node process with drhook loaded needs, far below one 100 MB body per delivery. */
const LIMIT_MB = 300;

let servers: HostileServer[] = [];
before(async () => {
  servers = await Promise.all((['endless-body', 'body-100mb', 'huge-headers'] as const).map((kind) => startHostile(kind)));
});
after(() => Promise.all(servers.map((server) => server.close())));

async function peak(mode: 'deliver' | 'load', count: number): Promise<{ maxRssMB: number; outcomes: Record<string, number> }> {
  // load counts timeouts in whole seconds: its deadline is at least 1000 ms.
  const deadlineMs = mode === 'load' ? 1000 : 500;
  const { stdout } = await promisify(execFile)(process.execPath, [child, mode, String(count), String(deadlineMs), ...servers.map((server) => server.url)]);
  return JSON.parse(stdout) as { maxRssMB: number; outcomes: Record<string, number> };
}

test(`200 deliveries against endless, 100 MB and huge-header answers stay under ${LIMIT_MB} MB`, async () => {
  const { maxRssMB, outcomes } = await peak('deliver', 200);
  process.stdout.write(`# deliveries: peak RSS ${maxRssMB} MB, outcomes ${JSON.stringify(outcomes)}\n`);
  assert.equal(Object.values(outcomes).reduce((a, b) => a + b, 0), 200);
  assert.ok(maxRssMB < LIMIT_MB, `peak RSS ${maxRssMB} MB`);
});

test(`load runs against the same receivers stay under ${LIMIT_MB} MB`, async () => {
  const { maxRssMB, outcomes } = await peak('load', 24);
  process.stdout.write(`# load: peak RSS ${maxRssMB} MB, ${JSON.stringify(outcomes)}\n`);
  assert.deepEqual(outcomes, { 'sent:24': 3 });
  assert.ok(maxRssMB < LIMIT_MB, `peak RSS ${maxRssMB} MB`);
});

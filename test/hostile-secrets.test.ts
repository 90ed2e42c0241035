// Secrets never leave drhook: contract and load with signing tokens, a Basic password and OAuth, every byte written searched.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startReceiver, type RunningReceiver } from '../src/receiver/server.js';
import { runCli, startServer, type CliResult, type TestServer } from './helpers/http.js';

const secrets = {
  testToken: 'tok-test-7Hq2ZpWx',
  liveToken: 'tok-live-Vx93KdLm',
  basicPassword: 'pw-basic-Qm48LsTy',
  clientSecret: 'cs-oauth-Jt61WbPe',
  ownerPassword: 'pw-owner-Rb27NcKa',
};
const noEnv = { DRHOOK_TEST_SECRET: '', DRHOOK_LIVE_SECRET: '', DRHOOK_PASSWORD: '', DRHOOK_CLIENT_SECRET: '' };

let work: string;
let tokenFile: string;
before(async () => {
  work = await mkdtemp(path.join(tmpdir(), 'drhook-secrets-'));
  tokenFile = path.join(work, 'test-token');
  await writeFile(tokenFile, `# the test-mode token\n${secrets.testToken}\n`);
});
after(() => rm(work, { recursive: true, force: true }));

/** Every file under `dir`, recursively, as raw bytes. */
async function everyFile(dir: string): Promise<Array<[string, Buffer]>> {
  const files: Array<[string, Buffer]> = [];
  for (const entry of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) {
      const file = path.join(entry.parentPath, entry.name);
      files.push([file, await readFile(file)]);
    }
  }
  return files;
}

/** Searches stdout, stderr and every report file for each secret, as itself and in base64. */
async function assertNoSecret(results: CliResult[], reportDir: string, extra: string[]): Promise<number> {
  const files = await everyFile(reportDir);
  assert.ok(files.length >= 4, 'the report files were written');
  const haystacks: Array<[string, Buffer]> = [...results.flatMap((result, index): Array<[string, Buffer]> => [[`stdout ${index}`, Buffer.from(result.stdout)], [`stderr ${index}`, Buffer.from(result.stderr)]]), ...files];
  const needles = [...Object.values(secrets), ...extra].flatMap((secret) => [secret, Buffer.from(secret).toString('base64')]);
  needles.push(Buffer.from(`drhook:${secrets.basicPassword}`).toString('base64'));
  for (const [name, bytes] of haystacks) for (const needle of needles) assert.ok(!bytes.includes(needle), `${needle} found in ${name}`);
  return haystacks.reduce((sum, [, bytes]) => sum + bytes.length, 0);
}

test('signing tokens (flag, file, environment) and a Basic password appear nowhere', async () => {
  const receiver = await startReceiver({ secrets: { test: [secrets.testToken], live: [secrets.liveToken] }, auth: { kind: 'basic', username: 'drhook', password: secrets.basicPassword } });
  const reportDir = path.join(work, 'basic');
  try {
    const auth = ['--auth', 'basic', '--username', 'drhook'];
    const contract = await runCli(
      ['contract', receiver.url, '--events', 'order.accepted', '--only', 'ack,signature,auth', '--mode', 'both', '--secret-file', tokenFile, '--seed', '2', '--no-progress', '--report-dir', reportDir, ...auth],
      { env: { ...noEnv, DRHOOK_LIVE_SECRET: secrets.liveToken, DRHOOK_PASSWORD: secrets.basicPassword } },
    );
    assert.equal(contract.code, 0, contract.stdout + contract.stderr);
    const load = await runCli(
      ['load', receiver.url, '--events', 'order.accepted', '--count', '20', '--connections', '2', '--secret', secrets.testToken, '--password', secrets.basicPassword, '--no-progress', '--report-dir', reportDir, ...auth],
      { env: noEnv },
    );
    assert.equal(load.code, 0, load.stdout + load.stderr);
    const searched = await assertNoSecret([contract, load], reportDir, []);
    assert.ok(searched > 10_000);
  } finally {
    await receiver.close();
  }
});

test('an OAuth client secret, a password grant and the fetched bearer tokens appear nowhere', async () => {
  const receiver: RunningReceiver = await startReceiver({
    secrets: { test: [secrets.testToken], live: [] },
    auth: { kind: 'oauth', clientId: 'drhook-client', clientSecret: secrets.clientSecret, username: 'owner', password: secrets.ownerPassword },
  });
  // A pass-through in front of the token endpoint, to learn every bearer token drhook is given.
  const bearers: string[] = [];
  const tokenProxy: TestServer = await startServer(async (req, res, body) => {
    const answer = await fetch(receiver.tokenUrl!, { method: 'POST', headers: { 'content-type': req.headers['content-type'] ?? '' }, body });
    const text = await answer.text();
    const token = (JSON.parse(text) as { access_token?: string }).access_token;
    if (token) bearers.push(token);
    res.writeHead(answer.status, { 'content-type': 'application/json' }).end(text);
  });
  const reportDir = path.join(work, 'oauth');
  try {
    const auth = ['--auth', 'oauth', '--token-url', `${tokenProxy.url}/oauth/token`, '--client-id', 'drhook-client', '--grant', 'password', '--username', 'owner'];
    const env = { ...noEnv, DRHOOK_TEST_SECRET: secrets.testToken, DRHOOK_CLIENT_SECRET: secrets.clientSecret, DRHOOK_PASSWORD: secrets.ownerPassword };
    const contract = await runCli(['contract', receiver.url, '--events', 'order.accepted', '--only', 'ack,auth', '--mode', 'test', '--seed', '3', '--no-progress', '--report-dir', reportDir, ...auth], { env });
    assert.equal(contract.code, 0, contract.stdout + contract.stderr);
    const load = await runCli(['load', receiver.url, '--events', 'order.accepted', '--count', '20', '--connections', '2', '--no-progress', '--json', '--report-dir', reportDir, ...auth], { env });
    assert.equal(load.code, 0, load.stdout + load.stderr);
    assert.ok(bearers.length >= 2, 'each run fetched a bearer token');
    await assertNoSecret([contract, load], reportDir, bearers);
  } finally {
    await tokenProxy.close();
    await receiver.close();
  }
});

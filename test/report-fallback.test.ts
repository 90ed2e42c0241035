// A run directory that goes away during a run: contract and load still hand over their results (a temporary directory, or report.json on stdout) and exit 2 in one line.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { schemasDir } from '../src/base/paths.js';
import { startServer, type CliResult } from './helpers/http.js';

const env = { NO_COLOR: '1', DRHOOK_TEST_SECRET: 'tok_fallback_3a9c1e', DRHOOK_LIVE_SECRET: '', DRHOOK_PASSWORD: '', DRHOOK_CLIENT_SECRET: '' };
const cli = fileURLToPath(new URL('../src/cli.js', import.meta.url));

let work: string;
const validate: Record<'contract' | 'load', ValidateFunction> = {} as Record<'contract' | 'load', ValidateFunction>;
before(async () => {
  work = await mkdtemp(path.join(tmpdir(), 'drhook-fallback-'));
  const ajv = new Ajv2020({ allErrors: true, strict: true });
  addFormats.default(ajv);
  for (const [kind, file] of [['contract', 'report.schema.json'], ['load', 'load-report.schema.json']] as const) {
    validate[kind] = ajv.compile(JSON.parse(await readFile(path.join(schemasDir, file), 'utf8')) as object);
  }
});
after(() => rm(work, { recursive: true, force: true }));

/**
 * Runs drhook with `--report-dir base`; as soon as its run directory appears (before the first answer, which the
 * receiver holds back), replaces it with a file, so that no report can be written there.
 */
async function runLosingItsDirectory(args: string[], base: string, extraEnv: Record<string, string>): Promise<CliResult & { runDir: string }> {
  const child = spawn(process.execPath, [cli, ...args, '--report-dir', base, '--no-progress'], { env: { ...process.env, ...env, ...extraEnv }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
  let runDir = '';
  for (const deadline = performance.now() + 20_000; runDir === '' && performance.now() < deadline; ) {
    const [name] = await readdir(base).catch(() => []);
    if (name !== undefined) runDir = path.join(base, name);
    else await new Promise((resolve) => setTimeout(resolve, 10));
  }
  assert.ok(runDir !== '', 'the run directory appeared');
  await rm(runDir, { recursive: true, force: true });
  await writeFile(runDir, 'not a directory any more');
  return { code: await exited, stdout, stderr, runDir };
}

const runs = {
  contract: (url: string) => ['contract', url, '--events', 'order.accepted', '--only', 'ack', '--mode', 'test'],
  load: (url: string) => ['load', url, '--events', 'order.accepted', '--rate', '20', '--duration', '1s', '--pool-size', '2'],
};

describe('the run directory replaced by a file mid-run', { concurrency: 2 }, () => {
  for (const command of ['contract', 'load'] as const) {
    test(`${command}: the reports go to a temporary directory named in one line, exit 2`, async () => {
      const server = await startServer((_req, res) => void setTimeout(() => res.writeHead(202).end(), 1000));
      try {
        const base = path.join(work, `${command}-moved`);
        const temp = path.join(work, `${command}-tmp`);
        await mkdir(temp);
        const result = await runLosingItsDirectory(runs[command](`${server.url}/hook`), base, { TMPDIR: temp });
        assert.equal(result.code, 2, result.stderr);
        const escaped = result.runDir.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
        const line = new RegExp(`^drhook: cannot write the reports to ${escaped} \\(ENOTDIR: it is no longer a directory\\): they were written to (\\S+) instead\\n$`);
        assert.match(result.stderr, line);
        const moved = line.exec(result.stderr)![1]!;
        assert.equal(path.dirname(moved), temp);
        assert.deepEqual((await readdir(moved)).sort(), ['junit.xml', 'report.html', 'report.json', 'summary.md']);
        const report = JSON.parse(await readFile(path.join(moved, 'report.json'), 'utf8')) as { kind: string };
        assert.equal(report.kind, command);
        assert.ok(validate[command](report), JSON.stringify(validate[command].errors));
        assert.ok(result.stdout.includes(path.join(moved, 'report.html')), `the console names where they are: ${result.stdout}`);
      } finally {
        await server.close();
      }
    });

    test(`${command}: with no temporary directory either, report.json is printed on stdout, exit 2`, async () => {
      const server = await startServer((_req, res) => void setTimeout(() => res.writeHead(202).end(), 1000));
      try {
        const base = path.join(work, `${command}-printed`);
        const result = await runLosingItsDirectory(runs[command](`${server.url}/hook`), base, { TMPDIR: path.join(work, 'no-such-directory') });
        assert.equal(result.code, 2, result.stderr);
        assert.match(result.stderr, /^drhook: cannot write the reports to \S+ \(ENOTDIR: it is no longer a directory\) nor to a temporary directory: report\.json was printed on stdout instead\n$/);
        // Before the report, contract's console may have said how many cases it planned; nothing else.
        const start = result.stdout.indexOf('{');
        assert.match(result.stdout.slice(0, start), command === 'contract' ? /^(Planned [\d,]+ cases\.[^\n]*\n)?$/ : /^$/);
        const report = JSON.parse(result.stdout.slice(start)) as { kind: string };
        assert.equal(report.kind, command);
        assert.ok(validate[command](report), JSON.stringify(validate[command].errors));
      } finally {
        await server.close();
      }
    });
  }
});

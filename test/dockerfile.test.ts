// The container image recipe, checked without a container builder: its stages, user and entrypoint, the files it copies, and the entrypoint run as the image lays it out, with the production dependencies only.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { cp, mkdir, mkdtemp, readdir, readFile, rm, symlink } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startReceiver, type RunningReceiver } from '../src/receiver/server.js';

const root = fileURLToPath(new URL('../../', import.meta.url));

interface Instruction {
  keyword: string;
  args: string;
}

interface Stage {
  from: string;
  name: string | undefined;
  instructions: Instruction[];
}

/** The Dockerfile's instructions by stage: comments dropped, continued lines joined. */
function parseDockerfile(text: string): Stage[] {
  const joined = text.replace(/\\\r?\n/g, ' ');
  const stages: Stage[] = [];
  for (const line of joined.split(/\r?\n/)) {
    const trimmed = line.trim();
    if (trimmed === '' || trimmed.startsWith('#')) continue;
    const [, keyword = '', args = ''] = /^(\S+)\s+(.*)$/.exec(trimmed) ?? [];
    const upper = keyword.toUpperCase();
    if (upper === 'FROM') {
      const [from = '', as, name] = args.split(/\s+/);
      stages.push({ from, name: as?.toUpperCase() === 'AS' ? name : undefined, instructions: [] });
      continue;
    }
    assert.ok(stages.length > 0, `${upper} before the first FROM`);
    stages.at(-1)!.instructions.push({ keyword: upper, args: args.trim() });
  }
  return stages;
}

interface Copy {
  from: string | undefined;
  sources: string[];
  /** Absolute, in the image. */
  destination: string;
}

/** The stage's COPY instructions, destinations made absolute against the WORKDIR in force. */
function copies(stage: Stage): Copy[] {
  let workdir = '/';
  const found: Copy[] = [];
  for (const { keyword, args } of stage.instructions) {
    if (keyword === 'WORKDIR') workdir = path.posix.resolve(workdir, args);
    if (keyword !== 'COPY') continue;
    const words = args.split(/\s+/);
    const flags = words.filter((word) => word.startsWith('--'));
    const paths = words.filter((word) => !word.startsWith('--'));
    const from = flags.find((flag) => flag.startsWith('--from='))?.slice('--from='.length);
    found.push({ from, sources: paths.slice(0, -1), destination: path.posix.resolve(workdir, paths.at(-1)!) });
  }
  return found;
}

/** Where each source of a COPY lands in the image: the destination itself for one source, else inside it. */
function placed(copy: Copy): Array<{ source: string; target: string }> {
  return copy.sources.map((source) => ({
    source,
    target: copy.sources.length === 1 && !copy.destination.endsWith('/') ? copy.destination : path.posix.join(copy.destination, path.posix.basename(source)),
  }));
}

const text = await readFile(path.join(root, 'Dockerfile'), 'utf8');
const stages = parseDockerfile(text);
const final = stages.at(-1)!;
const entrypoint = JSON.parse(final.instructions.findLast((i) => i.keyword === 'ENTRYPOINT')?.args ?? 'null') as string[] | null;

test('two stages on Node 20: the build stage compiles with the dev dependencies, the image installs only the production ones and runs as a user that is not root', () => {
  assert.equal(stages.length, 2);
  for (const stage of stages) assert.match(stage.from, /^node:20(\.\d+){0,2}-(alpine|slim|bookworm-slim)[\w.]*$/, `${stage.from}: Node 20, a small base`);
  const [build] = stages;
  const runs = (stage: Stage) => stage.instructions.filter((i) => i.keyword === 'RUN').map((i) => i.args);
  assert.ok(runs(build!).some((run) => /\bnpm ci\b/.test(run) && !/--omit=dev/.test(run)), 'the build stage installs the dev dependencies');
  assert.ok(runs(build!).some((run) => /\btsc -p tsconfig\.json\b/.test(run)), 'and compiles');
  const install = runs(final).find((run) => /\bnpm ci\b/.test(run));
  assert.match(install ?? '', /\bnpm ci --omit=dev\b/);
  assert.match(install ?? '', /--ignore-scripts/, '`prepare` (tsc) cannot run without the dev dependencies');
  const user = final.instructions.findLast((i) => i.keyword === 'USER')?.args;
  assert.ok(user !== undefined && !/^(root|0)(:|$)/.test(user), `USER ${user}`);
  // Nothing runs as root after the switch: the last RUN comes before USER.
  const lastRun = final.instructions.findLastIndex((i) => i.keyword === 'RUN');
  assert.ok(lastRun < final.instructions.findLastIndex((i) => i.keyword === 'USER'));
  assert.deepEqual(entrypoint, ['node', '/opt/drhook/dist/src/cli.js']);
  const fromBuild = copies(final).filter((copy) => copy.from !== undefined);
  assert.deepEqual(fromBuild.map((copy) => copy.from), [build!.name], 'the compiled files come from the build stage');
});

test('every file the recipe copies exists and reaches the builder; the image holds everything the package ships', async () => {
  const ignored = (await readFile(path.join(root, '.dockerignore'), 'utf8')).split('\n').map((line) => line.trim()).filter((line) => line && !line.startsWith('#'));
  for (const stage of stages) {
    for (const copy of copies(stage).filter((c) => c.from === undefined)) {
      for (const source of copy.sources) {
        assert.ok(existsSync(path.join(root, source)), `COPY ${source}: no such file in the repository`);
        assert.ok(!ignored.some((pattern) => source === pattern || source.startsWith(`${pattern}/`)), `COPY ${source}: .dockerignore leaves it out`);
      }
    }
  }
  for (const heavy of ['node_modules', 'dist', '.git', 'reports']) assert.ok(ignored.includes(heavy), `.dockerignore leaves out ${heavy}`);
  const shipped = (JSON.parse(await readFile(path.join(root, 'package.json'), 'utf8')) as { files: string[] }).files;
  const inImage = copies(final).flatMap((copy) => placed(copy).map(({ target }) => target));
  for (const entry of [...shipped, 'package.json']) assert.ok(inImage.includes(`/opt/drhook/${entry}`), `${entry} is in the image`);
});

// The image's files laid out under a temporary root as the final stage's COPY instructions place them (the compiled
// files from this build, as the build stage makes them), with only the production dependencies of package-lock.json.
let image: string;
let receiver: RunningReceiver;
const secret = 'whsec-SECRET-image-9f3e';

before(async () => {
  image = await mkdtemp(path.join(os.tmpdir(), 'drhook-image-'));
  for (const copy of copies(final)) {
    for (const { source, target } of placed(copy)) {
      const from = copy.from === undefined ? path.join(root, source) : path.join(root, path.posix.relative('/build', source));
      await cp(from, path.join(image, target), { recursive: true });
    }
  }
  const lock = JSON.parse(await readFile(path.join(root, 'package-lock.json'), 'utf8')) as { packages: Record<string, { dev?: boolean }> };
  const modules = path.join(image, 'opt/drhook/node_modules');
  await mkdir(path.join(modules, '@types'), { recursive: true });
  for (const [key, entry] of Object.entries(lock.packages)) {
    const name = key.slice('node_modules/'.length);
    if (!key.startsWith('node_modules/') || name.includes('node_modules/') || entry.dev) continue;
    if (!existsSync(path.join(root, key))) continue; // an optional package for another platform
    await mkdir(path.dirname(path.join(modules, name)), { recursive: true });
    await symlink(path.join(root, key), path.join(modules, name));
  }
  await mkdir(path.join(image, 'work'));
  receiver = await startReceiver({ secrets: { test: [secret], live: [] } });
});

after(async () => {
  await receiver?.close();
  await rm(image, { recursive: true, force: true });
});

/** `docker run <image> …args`: the entrypoint under the temporary root, in /work; symlinks kept, so a dev dependency is not found through them. */
function run(args: string[], env: Record<string, string> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  const [, script] = entrypoint!;
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--preserve-symlinks', path.join(image, script!), ...args],
      { cwd: path.join(image, 'work'), env: { PATH: process.env.PATH ?? '', NO_COLOR: '1', ...env } },
      (error, stdout, stderr) => resolve({ code: error === null ? 0 : typeof error.code === 'number' ? error.code : -1, stdout, stderr }),
    );
  });
}

test('the entrypoint runs from the image layout with the production dependencies only: its version, and a contract gate with its reports', async () => {
  const version = await run(['--version']);
  assert.equal(version.code, 0, version.stderr);
  assert.equal(version.stdout.trim(), (JSON.parse(await readFile(path.join(root, 'package.json'), 'utf8')) as { version: string }).version);

  // The layout holds no dev dependency: a missing production one would fail here as in the image.
  const imports = (name: string) =>
    new Promise<boolean>((resolve) => {
      execFile(process.execPath, ['--preserve-symlinks', '--input-type=module', '-e', `await import('${name}')`], { cwd: path.join(image, 'opt/drhook/dist/src') }, (error) => resolve(error === null));
    });
  assert.equal(await imports('ajv'), true, 'a production dependency is found from the image layout');
  assert.equal(await imports('express'), false, 'a dev dependency is not');

  const gate = await run(['contract', receiver.url, '--only', 'ack.2xx,idempotency.concurrent', '--events', 'order.accepted', '--no-progress'], { DRHOOK_TEST_SECRET: secret });
  assert.equal(gate.code, 0, `${gate.stdout}${gate.stderr}`);
  assert.match(gate.stdout, /Gate: PASS/);
  const [runDir] = await readdir(path.join(image, 'work', 'reports'));
  assert.deepEqual((await readdir(path.join(image, 'work', 'reports', runDir!))).sort(), ['junit.xml', 'report.html', 'report.json', 'summary.md']);
  assert.ok(!gate.stdout.includes(secret));
});

// The import check `npm test` runs (dependency-cruiser over src/, type-only imports included): clean on the real tree, failing on a planted upward import, a type-only cycle, or commander outside the command layer.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { cp, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { packageRoot } from '../src/base/paths.js';

const depcruise = path.join(packageRoot, 'node_modules', 'dependency-cruiser', 'bin', 'dependency-cruise.mjs');

interface Check {
  code: number | null;
  /** `rule: from → to` for each error reported (a cycle by its first step). */
  violations: string[];
  output: string;
}

/** Runs the import check exactly as `npm test` does, in `root`. */
function importCheck(root: string): Promise<Check> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [depcruise, 'src', '--config', '.dependency-cruiser.cjs'], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      const violations = [...output.matchAll(/^\s*error (\S+): (\S+) → \s*(\S+)/gm)].map(([, rule, from, to]) => `${rule}: ${from} → ${to}`);
      resolve({ code, violations, output });
    });
  });
}

let work: string;
before(async () => {
  work = await mkdtemp(path.join(tmpdir(), 'drhook-layering-'));
});
after(async () => {
  await rm(work, { recursive: true, force: true });
});

/** A copy of src/ and the rules, with `files` (paths under src/) added; node_modules is the real one, so commander resolves. */
async function treeWith(name: string, files: Record<string, string>): Promise<string> {
  const root = path.join(work, name);
  await cp(path.join(packageRoot, 'src'), path.join(root, 'src'), { recursive: true });
  await cp(path.join(packageRoot, '.dependency-cruiser.cjs'), path.join(root, '.dependency-cruiser.cjs'));
  await symlink(path.join(packageRoot, 'node_modules'), path.join(root, 'node_modules'), 'dir');
  for (const [file, text] of Object.entries(files)) await writeFile(path.join(root, 'src', file), text);
  return root;
}

test('the real tree passes: no import points up, sideways or in a circle, and commander stays in the command layer', async () => {
  const check = await importCheck(packageRoot);
  assert.deepEqual(check.violations, [], check.output);
  assert.equal(check.code, 0, check.output);
  assert.match(check.output, /no dependency violations found \((\d+) modules/);
});

test('a lower folder importing a higher one fails the check, naming the rule and the import', async () => {
  const root = await treeWith('upward', { 'base/bad.ts': "import { list } from '../commands/options.js';\nexport const split = list;\n" });
  const check = await importCheck(root);
  assert.notEqual(check.code, 0, check.output);
  assert.deepEqual(check.violations, ['no-upward-from-base: src/base/bad.ts → src/commands/options.ts'], check.output);
});

test('a cycle made only of `import type` fails the check, though it leaves no trace in the compiled output', async () => {
  const root = await treeWith('cycle', {
    'scenario/cycle-a.ts': "import type { B } from './cycle-b.js';\nexport interface A { b?: B }\n",
    'scenario/cycle-b.ts': "import type { A } from './cycle-a.js';\nexport interface B { a?: A }\n",
  });
  const check = await importCheck(root);
  assert.notEqual(check.code, 0, check.output);
  assert.equal(check.violations.length, 1, check.output);
  assert.match(check.violations[0]!, /^no-circular: src\/scenario\/cycle-[ab]\.ts → src\/scenario\/cycle-[ab]\.ts$/);
});

test('library code importing commander fails the check', async () => {
  const root = await treeWith('commander', { 'wire/flags.ts': "import type { Command } from 'commander';\nexport type Flags = Command;\n" });
  const check = await importCheck(root);
  assert.notEqual(check.code, 0, check.output);
  assert.equal(check.violations.length, 1, check.output);
  assert.match(check.violations[0]!, /^commander-only-in-commands: src\/wire\/flags\.ts → \S*node_modules\/commander\//);
});

// The import check `npm test` runs (dependency-cruiser over src/, type-only imports included) fails on a planted upward import, a type-only cycle, or commander outside the command layer.
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

// The real tree is checked by the same command as the `imports` stage of `npm test`; here, that the check can fail.
test('a tree with a planted upward import, a type-only cycle and commander outside the command layer fails the check, naming each rule and import', async () => {
  const root = await treeWith('planted', {
    'base/bad.ts': "import { list } from '../commands/options.js';\nexport const split = list;\n",
    'scenario/cycle-a.ts': "import type { B } from './cycle-b.js';\nexport interface A { b?: B }\n",
    'scenario/cycle-b.ts': "import type { A } from './cycle-a.js';\nexport interface B { a?: A }\n",
    'wire/flags.ts': "import type { Command } from 'commander';\nexport type Flags = Command;\n",
  });
  const check = await importCheck(root);
  assert.notEqual(check.code, 0, check.output);
  assert.equal(check.violations.length, 3, check.output);
  assert.ok(check.violations.includes('no-upward-from-base: src/base/bad.ts → src/commands/options.ts'), check.output);
  // A cycle made only of `import type` leaves no trace in the compiled output, and is caught all the same.
  assert.ok(check.violations.some((v) => /^no-circular: src\/scenario\/cycle-[ab]\.ts → src\/scenario\/cycle-[ab]\.ts$/.test(v)), check.output);
  assert.ok(check.violations.some((v) => /^commander-only-in-commands: src\/wire\/flags\.ts → \S*node_modules\/commander\//.test(v)), check.output);
});

#!/usr/bin/env node
// `npm test`: every stage in order, each reported; a failed stage never hides the others, and any failure fails the run.
import { spawn } from 'node:child_process';
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { findChromium } from './chromium.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const bin = (name) => path.join(root, 'node_modules', '.bin', name);

/**
 * The stages, in order. `needs`: stages that must have passed for this one to mean anything (a stage that needs
 * the build runs the compiled files, or type-checks against them); otherwise it is not run, and says why.
 */
const stages = [
  { name: 'chromium', describe: 'the Chromium the browser tests drive', run: checkChromium },
  // The import rules (.dependency-cruiser.cjs) over the TypeScript sources, `import type` included: a type-only cycle
  // leaves no trace in dist/, so this needs no build.
  { name: 'imports', describe: 'depcruise src --config .dependency-cruiser.cjs', command: [bin('depcruise'), 'src', '--config', '.dependency-cruiser.cjs'] },
  { name: 'build', describe: 'tsc -p tsconfig.json', command: [bin('tsc'), '-p', 'tsconfig.json'] },
  { name: 'types: test/browser', describe: 'tsc -p test/browser', command: [bin('tsc'), '-p', 'test/browser'] },
  { name: 'types: examples/playwright', describe: 'tsc -p examples/playwright', command: [bin('tsc'), '-p', 'examples/playwright'], needs: ['build'] },
  // Three test files at once on two cores: most tests wait on real deadlines and receivers, not on the CPU.
  { name: 'node tests', describe: 'node --test dist/test/*.test.js', run: () => runCommand(nodeTests()), needs: ['build'] },
  { name: 'browser tests', describe: 'playwright test', command: [bin('playwright'), 'test'], needs: ['build', 'chromium'] },
];

/**
 * The files that wait longest on real clocks (load steps, deadlines, interrupted runs), started first so that no long
 * one is left to run alone at the end; every other test file follows in name order. A name no longer here is skipped.
 */
const longestFirst = ['load', 'hostile-receivers', 'load-cli', 'contract-cli', 'hostile-memory', 'hostile-secrets', 'playwright-example', 'faults', 'contract-slow', 'hostile-input', 'hostile-interrupt', 'capture', 'load-reconnect', 'load-baseline', 'contract-baseline'];

/** `node --test` on every compiled test file (dist/test/helpers/ holds no tests), the longest first. */
function nodeTests() {
  const names = readdirSync(path.join(root, 'dist', 'test')).filter((name) => name.endsWith('.test.js')).map((name) => name.slice(0, -'.test.js'.length));
  const ordered = [...longestFirst.filter((name) => names.includes(name)), ...names.filter((name) => !longestFirst.includes(name)).sort()];
  return [process.execPath, '--test', '--test-concurrency=3', ...ordered.map((name) => path.join('dist', 'test', `${name}.test.js`))];
}

/** One line, as the chromium script says it: the executable, or how to install one (repeated in the summary). */
async function checkChromium() {
  const chromium = findChromium();
  if ('error' in chromium) {
    process.stderr.write(`drhook: ${chromium.error}\n`);
    return { code: 1, detail: chromium.error };
  }
  process.stdout.write(`${chromium.path}\n`);
  return { code: 0 };
}

/** The stage's process while one runs. */
let current;

/** Runs `command` with the terminal as its own; resolves with its exit code, or the signal that ended it. */
function runCommand([file, ...args]) {
  return new Promise((resolve) => {
    const child = spawn(file, args, { cwd: root, stdio: 'inherit' });
    current = child;
    child.on('error', (error) => {
      process.stderr.write(`drhook: cannot run ${file}: ${error.message}\n`);
      resolve({ code: 1 });
    });
    child.on('exit', (code, signal) => resolve(signal === null ? { code: code ?? 1 } : { code: 1, signal }));
  });
}

const results = new Map();
/** The signal that stopped the run (SIGINT, SIGTERM), if one did. */
let interrupted;
// Ctrl-C reaches the running stage itself (same process group); SIGTERM, often sent to this process alone, is passed
// on. Either way the runner then stops instead of starting the next stage.
process.on('SIGINT', () => (interrupted ??= 'SIGINT'));
process.on('SIGTERM', () => {
  interrupted ??= 'SIGTERM';
  current?.kill('SIGTERM');
});

for (const stage of stages) {
  if (interrupted) {
    results.set(stage.name, { status: 'not run', detail: 'interrupted' });
    continue;
  }
  const missing = (stage.needs ?? []).filter((name) => results.get(name)?.status !== 'pass');
  if (missing.length > 0) {
    results.set(stage.name, { status: 'not run', detail: `needs ${missing.join(' and ')}, which did not pass` });
    process.stdout.write(`\n== ${stage.name}: not run (needs ${missing.join(' and ')})\n`);
    continue;
  }
  process.stdout.write(`\n== ${stage.name}: ${stage.describe}\n`);
  const started = performance.now();
  const { code, signal, detail: said } = stage.run ? await stage.run() : await runCommand(stage.command);
  const seconds = `${Math.round((performance.now() - started) / 100) / 10} s`;
  if (signal === 'SIGINT' || signal === 'SIGTERM') interrupted ??= signal;
  const detail = said ?? (signal ? `ended by ${signal}, ${seconds}` : code === 0 ? seconds : `exit ${code}, ${seconds}`);
  results.set(stage.name, { status: code === 0 ? 'pass' : 'FAIL', detail });
}

process.stdout.write('\n== npm test\n');
for (const stage of stages) {
  const { status, detail } = results.get(stage.name);
  process.stdout.write(`  ${status.padEnd(8)} ${stage.name} (${detail})\n`);
}
const passed = stages.every((stage) => results.get(stage.name).status === 'pass');
process.stdout.write(passed ? 'all stages passed\n' : interrupted ? 'interrupted\n' : 'FAILED: see the stages above\n');
process.exitCode = interrupted === 'SIGINT' ? 130 : interrupted === 'SIGTERM' ? 143 : passed ? 0 : 1;

// action.yml and the example workflows checked against GitHub's published schemas (action-validator, offline); a broken copy of each is refused.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, writeFile, mkdir } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';

const root = fileURLToPath(new URL('../../', import.meta.url));
const validator = path.join(root, 'node_modules', '.bin', 'action-validator');
const examples = path.join(root, 'examples', 'github-actions');

/** The validator's exit code and what it printed; it tells an action from a workflow by the file's name (action.yml). */
function validate(file: string): Promise<{ code: number; output: string }> {
  return new Promise((resolve) => {
    execFile(validator, [file], (error, stdout, stderr) => {
      const code = error === null ? 0 : typeof error.code === 'number' ? error.code : -1;
      resolve({ code, output: `${stdout}${stderr}` });
    });
  });
}

async function workflows(): Promise<string[]> {
  return (await readdir(examples)).filter((name) => /\.ya?ml$/.test(name)).map((name) => path.join(examples, name));
}

test('action.yml and every example workflow are valid', async () => {
  const files = [path.join(root, 'action.yml'), ...(await workflows())];
  assert.ok(files.length >= 3, 'the action and at least two example workflows');
  for (const file of files) {
    const { code, output } = await validate(file);
    assert.equal(code, 0, `${path.relative(root, file)}:\n${output}`);
  }
});

test('a broken action.yml and a broken workflow are refused, naming what is wrong', async () => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'drhook-actions-'));
  try {
    const action = await readFile(path.join(root, 'action.yml'), 'utf8');
    const broken = [
      // A composite step that runs a script must name its shell.
      { name: 'action.yml', text: action.replace(/^ {6}shell: bash\n/gm, ''), says: /shell/ },
      { name: 'action.yml', text: action.replace('using: composite', 'using: compose'), says: /\/runs/ },
    ];
    for (const file of await workflows()) {
      const text = await readFile(file, 'utf8');
      broken.push({ name: path.basename(file), text: text.replace(/^ {4}runs-on: .*\n/m, ''), says: /runs-on|\/jobs/ });
    }
    for (const [index, { name, text, says }] of broken.entries()) {
      const sub = path.join(dir, String(index));
      await mkdir(sub);
      await writeFile(path.join(sub, name), text);
      const { code, output } = await validate(path.join(sub, name));
      assert.notEqual(code, 0, `broken copy ${index} of ${name} was accepted`);
      assert.match(output, says);
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('the action passes secrets only through the environment and fails the job on a failing gate', async () => {
  const action = parse(await readFile(path.join(root, 'action.yml'), 'utf8')) as {
    inputs: Record<string, unknown>;
    outputs: Record<string, { value: string }>;
    runs: { using: string; steps: Array<{ id?: string; run?: string; env?: Record<string, string> }> };
  };
  assert.equal(action.runs.using, 'composite');
  for (const input of ['url', 'scenario', 'mode', 'test-secret', 'live-secret', 'password', 'client-secret']) assert.ok(input in action.inputs, input);
  assert.deepEqual(Object.keys(action.outputs).sort(), ['exit-code', 'gate', 'report-dir']);
  const step = action.runs.steps.find((candidate) => candidate.id === 'contract');
  assert.ok(step?.run && step.env);
  const secretInputs = ['test-secret', 'live-secret', 'password', 'client-secret'];
  for (const input of secretInputs) {
    assert.ok(Object.values(step.env).includes(`\${{ inputs.${input} }}`), `${input} reaches drhook through the environment`);
    for (const { run } of action.runs.steps) assert.ok(!run?.includes(`inputs.${input}`), `${input} is never put into a script`);
  }
  // Every input reaches the script through the environment only (no expression is pasted into the shell).
  assert.doesNotMatch(step.run, /\$\{\{/);
  assert.doesNotMatch(step.run, /echo[^\n]*DRHOOK_(TEST|LIVE|CLIENT)_SECRET|echo[^\n]*DRHOOK_PASSWORD/);
  assert.match(step.run, /cat "\$run_dir\/summary\.md" >> "\$GITHUB_STEP_SUMMARY"/);
  assert.match(step.run, /exit "\$code"\s*$/);

  // The step's script, run by bash against a stand-in drhook that exits as a gate would: outputs, summary, exit.
  for (const [exit, gate] of [[0, 'pass'], [1, 'fail'], [2, 'error'], [3, 'inconclusive']] as const) {
    const outcome = await runStep(step.run, step.env, exit);
    assert.equal(outcome.code, exit, `exit ${exit} is the step's exit`);
    assert.match(outcome.output, new RegExp(`^gate=${gate}$`, 'm'));
    assert.match(outcome.output, new RegExp(`^exit-code=${exit}$`, 'm'));
    if (exit === 2) {
      assert.match(outcome.output, /^report-dir=$/m, 'a setup error makes no run directory');
    } else {
      assert.match(outcome.output, /^report-dir=drhook-reports\/\d{8}-\d{6}-contract-[0-9a-f]{4}$/m);
      assert.equal(outcome.summary, `## gate exit ${exit}\n`);
    }
    assert.ok(!outcome.log.includes('whsec-ACTION-secret'), 'the secret is not printed');
    assert.match(outcome.argv, /^contract http:\/\/127\.0\.0\.1:3000\/hook --report-dir drhook-reports --no-progress --scenario s\.yaml --mode both --events order\.accepted$/m);
    assert.equal(outcome.secretSeen, 'whsec-ACTION-secret', 'drhook finds the token in DRHOOK_TEST_SECRET');
  }
});

/**
 * Runs the script as the runner would (bash, GITHUB_* files, RUNNER_TEMP) with a `drhook` that records its arguments
 * and environment, makes a run directory with a summary.md (unless it exits 2, a setup error), and exits with `exit`.
 */
async function runStep(script: string, env: Record<string, string>, exit: number) {
  const work = await mkdtemp(path.join(os.tmpdir(), 'drhook-step-'));
  try {
    const bin = path.join(work, 'temp', 'drhook-bin');
    await mkdir(bin, { recursive: true });
    await writeFile(
      path.join(bin, 'drhook'),
      [
        '#!/usr/bin/env bash',
        'printf "%s\\n" "$*" > "$WORK/argv"',
        'printf "%s" "$DRHOOK_TEST_SECRET" > "$WORK/secret"',
        `if [ ${exit} -ne 2 ]; then d="$4/20261122-141503-contract-a1b2"; mkdir -p "$d"; printf '## gate exit ${exit}\\n' > "$d/summary.md"; fi`,
        `exit ${exit}`,
      ].join('\n'),
      { mode: 0o755 },
    );
    const inputs: Record<string, string> = {
      'inputs.url': 'http://127.0.0.1:3000/hook',
      'inputs.scenario': 's.yaml',
      'inputs.mode': 'both',
      'inputs.args': '--events order.accepted',
      'inputs.report-dir': 'drhook-reports',
      'inputs.test-secret': 'whsec-ACTION-secret',
    };
    const stepEnv = Object.fromEntries(Object.entries(env).map(([name, value]) => [name, inputs[value.replace(/^\$\{\{ (.*) \}\}$/, '$1')] ?? '']));
    const files = { GITHUB_OUTPUT: path.join(work, 'output'), GITHUB_STEP_SUMMARY: path.join(work, 'summary') };
    await Promise.all(Object.values(files).map((file) => writeFile(file, '')));
    const { code, log } = await new Promise<{ code: number; log: string }>((resolve) => {
      // As GitHub runs a composite step's `shell: bash`: bash --noprofile --norc -eo pipefail.
      execFile('bash', ['--noprofile', '--norc', '-eo', 'pipefail', '-c', script], { cwd: work, env: { PATH: process.env.PATH ?? '', WORK: work, RUNNER_TEMP: path.join(work, 'temp'), ...files, ...stepEnv } }, (error, stdout, stderr) =>
        resolve({ code: error === null ? 0 : typeof error.code === 'number' ? error.code : -1, log: `${stdout}${stderr}` }),
      );
    });
    const read = (name: string) => readFile(path.join(work, name), 'utf8');
    return { code, log, output: await read('output'), summary: await read('summary'), argv: await read('argv'), secretSeen: await read('secret') };
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

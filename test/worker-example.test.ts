// examples/worker run as its README says: its worker crashes on one mutation, and its test names that one and no other.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../', import.meta.url));

test('the worker example fails on the one mutation its worker crashes on, naming the field, the mutation and the case', async () => {
  // A test run of its own: not a subtest of this one (node:test marks its children through NODE_TEST_CONTEXT).
  const { NODE_TEST_CONTEXT: _inherited, ...env } = process.env;
  const child = spawn(process.execPath, ['--test', '--test-reporter=tap', 'examples/worker/'], { cwd: root, env: { ...env, NO_COLOR: '1' } });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  assert.equal(code, 1, output);
  assert.match(output, /^ok 1 - the worker books every valid event drhook sends$/m);
  assert.match(output, /^not ok 2 - the worker survives every malformed and mutated event drhook sends$/m);
  const [, crashed, tried] = /the worker crashed on (\d+) of (\d+) variants/.exec(output) ?? [];
  assert.equal(crashed, '1', output);
  assert.ok(Number(tried) > 100, `the variants of every field of order.accepted: ${tried}`);
  assert.match(output, /data\.object\.items: empty \(sent \[\]\) \(mutation empty of data\.object\.items, case malformed\.robust\/order\.accepted\/test\/items-empty\): RangeError/);
});

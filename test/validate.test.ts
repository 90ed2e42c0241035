// `drhook validate` and `drhook events` as a user runs them: files, arrays, NDJSON, stdin, exit codes and --json.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runCli } from './helpers/http.js';
import { sample, samplePath } from './helpers/reference.js';

let dir = '';
before(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'drhook-validate-'));
});
after(() => fs.rmSync(dir, { recursive: true, force: true }));

function write(name: string, text: string): string {
  const file = path.join(dir, name);
  fs.writeFileSync(file, text);
  return file;
}

function brokenOrder(): any {
  const event = sample('order.accepted');
  delete event.data.object.currency;
  event.data.object.items[0].amount = -1;
  return event;
}

test('a valid sample passes with exit 0', async () => {
  const file = samplePath('order.accepted');
  const result = await runCli(['validate', file]);
  assert.equal(result.code, 0, result.stderr);
  assert.match(result.stdout, new RegExp(`^✓ ${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} order.accepted e5bf7399-49ba-4ea6-a217-65e8efcaee86$`, 'm'));
  assert.match(result.stdout, /1 event, all valid/);
});

test('an invalid event exits 1 and prints each violation with its pointer', async () => {
  const file = write('broken.json', JSON.stringify(brokenOrder(), null, 2));
  const result = await runCli(['validate', file]);
  assert.equal(result.code, 1, result.stderr);
  assert.match(result.stdout, /^✗ .*broken\.json order\.accepted e5bf7399/m);
  assert.match(result.stdout, /^ {2}\/data\/object\/currency: is required$/m);
  assert.match(result.stdout, /^ {2}\/data\/object\/items\/0\/amount: must be >= 0, got -1$/m);
});

test('NDJSON is checked line by line, with line numbers', async () => {
  const lines = [JSON.stringify(sample('refund.complete')), '', JSON.stringify(brokenOrder())];
  const file = write('events.ndjson', `${lines.join('\n')}\n`);
  const result = await runCli(['validate', file]);
  assert.equal(result.code, 1);
  assert.match(result.stdout, /^✓ .*events\.ndjson:1 refund\.complete /m);
  assert.match(result.stdout, /^✗ .*events\.ndjson:3 order\.accepted /m);
  assert.match(result.stdout, /2 events, 1 invalid/);
});

test('a JSON array from stdin (-), with --json for machines', async () => {
  const input = JSON.stringify([sample('subscription.extended'), { ...sample('order.complete'), type: 'order.completed' }]);
  const result = await runCli(['validate', '--json', '-'], { input });
  assert.equal(result.code, 1);
  const report = JSON.parse(result.stdout);
  assert.equal(report.valid, false);
  assert.deepEqual(
    report.events.map((e: any) => [e.source, e.index, e.type, e.valid]),
    [
      ['stdin', 0, 'subscription.extended', true],
      ['stdin', 1, 'order.completed', false],
    ],
  );
  assert.equal(report.events[1].violations[0].pointer, '/type');
  assert.match(report.events[1].violations[0].message, /did you mean 'order\.complete'/);
});

test('--expanded expects physical and metadata in productDetails', async () => {
  const result = await runCli(['validate', '--expanded', samplePath('order.accepted')]);
  assert.equal(result.code, 1);
  assert.match(result.stdout, /\/data\/object\/items\/0\/productDetails\/physical: is required/);
});

test('an unreadable or broken file is a usage error (exit 2) on one line naming the file', async () => {
  const missing = path.join(dir, 'nope.json');
  const unreadable = await runCli(['validate', samplePath('order.accepted'), missing]);
  assert.equal(unreadable.code, 2);
  assert.equal(unreadable.stdout, '');
  assert.equal(unreadable.stderr, `drhook: cannot read ${missing}: no such file\n`);

  const broken = write('broken.ndjson', `${JSON.stringify(sample('refund.complete'))}\n{"id": \n`);
  const notJson = await runCli(['validate', broken]);
  assert.equal(notJson.code, 2);
  assert.match(notJson.stderr, /^drhook: .*broken\.ndjson:2: not JSON: .+\n$/);

  const empty = await runCli(['validate', write('empty.json', ' \n')]);
  assert.equal(empty.code, 2);
  assert.match(empty.stderr, /empty\.json is empty/);
});

test('drhook events lists the catalog; --json gives all 129 entries, retired types marked in both', async () => {
  const json = await runCli(['events', '--json']);
  assert.equal(json.code, 0, json.stderr);
  const entries = JSON.parse(json.stdout);
  assert.equal(entries.length, 129);
  assert.deepEqual(entries[0], {
    type: 'account.update.failure',
    category: 'Account management events',
    resource: 'Account',
    schema: 'objects/undocumented.schema.json',
    documented: false,
    note: "The public record does not describe this event's data.object; drhook accepts any object.",
  });
  const text = await runCli(['events']);
  assert.equal(text.code, 0);
  assert.match(text.stdout, /^Order events$/m);
  assert.match(text.stdout, /^ {2}order\.accepted +expandable$/m);
  assert.match(text.stdout, /^ {2}fulfiller\.created +undocumented$/m);
  assert.match(text.stdout, /^129 event types\./m);
  // Retired types: marked in the listing and in --json (with the release note), current types not.
  const retired = entries.filter((entry: { retired?: string }) => entry.retired).map((entry: { type: string }) => entry.type).sort();
  assert.deepEqual(retired, [
    'order.charge.capture.completed', 'order.charge.capture.created', 'order.charge.created',
    'order.charge.refund.completed', 'order.charge.refund.created', 'refund.created',
  ]);
  assert.match(entries.find((entry: { type: string }) => entry.type === 'refund.created').retired, /release-notes\/2020\.md, 2020\/3\/31: .*removed the refund\.created event/);
  assert.match(text.stdout, /^ {2}refund\.created +retired$/m);
  assert.match(text.stdout, /^ {2}order\.charge\.refund\.created +retired$/m);
  assert.match(text.stdout, /^ {2}refund\.complete$/m);
  assert.match(text.stdout, /^6 retired: /m);
});

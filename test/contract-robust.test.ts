// The universal contract and malformed.robust against receivers written on Express and Fastify: correct ones pass, whatever
// error format they answer in; ones that crash or hang on one field fail malformed.robust, naming that field.
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { CaseRecord, ContractReport } from '../src/contract/results.js';
import { runContract } from '../src/contract/run.js';
import { resolveSettings, type ContractOptions } from '../src/contract/settings.js';
import { fieldPath } from '../src/events/pointer.js';
import { validateEvent, type Violation } from '../src/events/schemas.js';
import { parseScenario } from '../src/scenario/scenario.js';
import { startReceiver } from '../src/receiver/server.js';
import { startExpressReceiver, startFastifyReceiver, type FrameworkReceiver, type Handler, type Tokens } from './helpers/framework-receivers.js';
import { runCli } from './helpers/http.js';

const tokens: Tokens = { test: 'whsec-SECRET-robust-test-51e0', live: 'whsec-SECRET-robust-live-7a2c' };
const secrets = { test: [tokens.test], live: [tokens.live] };
type Json = Record<string, unknown>;

const tempDirs: string[] = [];
after(() => Promise.all(tempDirs.map((dir) => rm(dir, { recursive: true, force: true }))));

async function withReceiver<T>(start: Promise<FrameworkReceiver>, use: (receiver: FrameworkReceiver) => Promise<T>): Promise<T> {
  const receiver = await start;
  try {
    return await use(receiver);
  } finally {
    await receiver.close();
  }
}

function robustOf(report: ContractReport): CaseRecord[] {
  return report.checks.find((check) => check.id === 'malformed.robust')?.cases ?? [];
}

/** Why the cases that did not pass failed, for assertion messages. */
function reasons(report: ContractReport): string {
  return report.checks.flatMap((check) => check.cases.filter((record) => record.verdict.status !== 'pass').map((record) => `${record.id}: ${record.verdict.reason}`)).slice(0, 20).join('\n');
}

describe('correct receivers that validate only the id pass the default run', { concurrency: true }, () => {
  const receivers: Array<[string, () => Promise<FrameworkReceiver>]> = [
    ['Express', () => startExpressReceiver(tokens)],
    ['Fastify', () => startFastifyReceiver(tokens)],
  ];
  for (const [name, start] of receivers) {
    test(`${name}: exit 0, every field tolerated, and --write-requires pins nothing beyond the id`, async () => {
      await withReceiver(start(), async (receiver) => {
        const reportDir = await mkdtemp(path.join(os.tmpdir(), 'drhook-robust-'));
        tempDirs.push(reportDir);
        const requiresFile = path.join(reportDir, 'requires.yaml');
        const result = await runCli(
          ['contract', receiver.url, '--events', 'refund.complete,order.charge.capture.complete', '--seed', '31', '--no-progress', '--report-dir', reportDir, '--write-requires', requiresFile],
          { env: { DRHOOK_TEST_SECRET: tokens.test, DRHOOK_LIVE_SECRET: '' } },
        );
        const [runId] = (await readdir(reportDir)).filter((entry) => entry !== 'requires.yaml');
        const report = JSON.parse(await readFile(path.join(reportDir, runId!, 'report.json'), 'utf8')) as ContractReport;
        assert.equal(result.code, 0, `${result.stdout}\n${reasons(report)}`);
        assert.match(result.stdout, /^Planned [\d,]+ cases\. malformed\.robust: [\d,]+ cases \(budget 6,000\)/m, 'the count is printed before sending');
        assert.match(result.stdout, /Gate: PASS/);
        const robust = report.checks.find((check) => check.id === 'malformed.robust')!;
        assert.equal(robust.status, 'pass');
        assert.ok(robust.counts.pass > 150, `${robust.counts.pass} cases`);
        for (const type of report.discoveredContract!.types) {
          assert.deepEqual([type.requires, type.validates, type.failing], [[], [], []], type.type);
          assert.ok(type.tolerates.length >= type.presentFields, `${type.type}: ${type.tolerates.length} fields tolerated`);
        }
        assert.match(result.stdout, /Discovered contract[\s\S]*refund\.complete +requires none · tolerates \d+/);
        const fragment = await readFile(requiresFile, 'utf8');
        const pasted = parseScenario(`name: pinned\n${fragment}`, requiresFile);
        assert.deepEqual(pasted.events.map((event) => [event.type, event.requires]), [['refund.complete', ['/id']], ['order.charge.capture.complete', ['/id']]]);
      });
    });

    test(`${name}: the renewal types are held to their subscription.id, nothing else`, async () => {
      await withReceiver(start(), async (receiver) => {
        const settings = resolveSettings(receiver.url, { only: ['malformed.400', 'malformed.message'], events: ['subscription.payment_failed'], secrets, seed: 32 });
        const report = await runContract(settings);
        assert.equal(report.gate.status, 'pass', reasons(report));
        const slugs = report.checks.find((check) => check.id === 'malformed.400')!.cases.map((record) => record.id.split('/').at(-1));
        assert.deepEqual(slugs.filter((slug) => !slug!.startsWith('data.object')), ['subscription.id-missing', 'subscription.id-null', 'subscription.id-wrong-type']);
      });
    });
  }
});

/** The first violation of data.object by drhook's schemas, as the segments of its path and its message. */
function firstViolation(event: Json): { segments: string[]; violation: Violation } | undefined {
  const violation = validateEvent(event).find((found) => found.pointer.startsWith('/data/object'));
  return violation && { segments: violation.pointer.split('/').slice(1), violation };
}

/** A handler that validates data.object against the schemas and answers 400 in `format`. */
const validating = (format: (segments: string[], violation: Violation, event: Json) => unknown): Handler => (event) => {
  const found = firstViolation(event);
  return found && { status: 400, body: format(found.segments, found.violation, event) };
};

const numericSegments = (segments: string[]) => segments.map((segment) => (/^\d+$/.test(segment) ? Number(segment) : segment));

describe('correct receivers that validate more, in the error formats real libraries answer with, pass', { concurrency: true }, () => {
  const receivers: Array<[string, () => Promise<FrameworkReceiver>]> = [
    [
      'zod issues with path arrays (Express)',
      () => startExpressReceiver(tokens, validating((segments, violation) => ({ issues: [{ code: 'invalid_type', path: numericSegments(segments), message: violation.message }] }))),
    ],
    [
      'a NestJS / class-validator message array (Express)',
      () => startExpressReceiver(tokens, validating((segments, violation) => ({ statusCode: 400, message: [`${segments.join('.')} ${violation.message}`], error: 'Bad Request' }))),
    ],
    [
      'a FastAPI / pydantic detail[].loc array, the input echoed (Express)',
      () =>
        startExpressReceiver(tokens, validating((segments, violation, event) => ({
          detail: [{ type: 'value_error', loc: ['body', ...numericSegments(segments)], msg: violation.message, input: (event.data as Json).object }],
        }))),
    ],
    [
      "Fastify's own schema validation (body/data/object/amount must be number)",
      () =>
        startFastifyReceiver(tokens, {
          object: {
            properties: {
              amount: { type: 'number', minimum: 0 },
              currency: { type: 'string', pattern: '^[A-Z]{3}$' },
              liveMode: { type: 'boolean' },
              items: { type: 'array', items: { type: 'object', required: ['quantity'], properties: { quantity: { type: 'integer', minimum: 1 } } } },
            },
          },
        }),
    ],
  ];
  for (const [name, start] of receivers) {
    test(name, async () => {
      await withReceiver(start(), async (receiver) => {
        const settings = resolveSettings(receiver.url, { events: ['refund.complete', 'subscription.created'], secrets, seed: 33 });
        const report = await runContract(settings);
        assert.equal(report.gate.status, 'pass', reasons(report));
        const robust = robustOf(report);
        const rejected = robust.filter((record) => record.deliveries[0]?.outcome.kind === 'response' && record.deliveries[0].outcome.status === 400);
        assert.ok(rejected.length > 20, `${rejected.length} breaks rejected naming the field`);
        const discovered = report.discoveredContract!.types.find((type) => type.type === 'refund.complete')!;
        assert.ok(discovered.requires.includes('/amount') || discovered.validates.some((field) => field.field === '/amount'), JSON.stringify(discovered.validates));
      });
    });
  }
});

interface Defect {
  name: string;
  type: string;
  /** The case that must fail, and the field every failing case must be about (at it or inside it). */
  slug: string;
  field: string;
  start: () => Promise<FrameworkReceiver>;
  /** The failure: a crash (500) or a hang (the deadline). */
  failure: RegExp;
}

const object = (event: Json) => (event.data as Json).object as Json;
const crash500 = /^answered 500 in \d+ ms: the handler failed on it/;

const defects: Defect[] = [
  {
    name: 'a nested null (Express: each charge read without a check)',
    type: 'refund.complete',
    slug: 'charges.0-null',
    field: '/charges',
    failure: crash500,
    start: () => startExpressReceiver(tokens, (event) => void ((object(event).charges ?? []) as Json[]).forEach((charge) => void charge.id)),
  },
  {
    name: 'a number sent as a string (Express: amount.toFixed)',
    type: 'refund.complete',
    slug: 'amount-wrong-type',
    field: '/amount',
    failure: crash500,
    start: () => startExpressReceiver(tokens, (event) => void (object(event).amount != null && (object(event).amount as number).toFixed(2))),
  },
  {
    name: 'an empty array (Express: waits for the first item forever)',
    // Not refund.complete: a refund of an amount carries items: [] (as Digital River's do), so that would hang on every case.
    type: 'return.accepted',
    slug: 'items-empty',
    field: '/items',
    failure: /^gave no complete answer within the 3000 ms deadline/,
    start: () => startExpressReceiver(tokens, (event) => (Array.isArray(object(event).items) && (object(event).items as unknown[]).length === 0 ? 'hang' : undefined)),
  },
  {
    name: 'an unknown enum value (Fastify: a switch without a default)',
    type: 'refund.complete',
    slug: 'state-not-in-enum',
    field: '/state',
    failure: crash500,
    start: () =>
      startFastifyReceiver(tokens, {
        handler: (event) => {
          const state = object(event).state;
          if (state !== undefined && !['pending', 'succeeded', 'failed'].includes(state as string)) throw new Error(`unhandled refund state ${String(state)}`);
        },
      }),
  },
  {
    name: 'a null optional object (Fastify: a default that only covers undefined)',
    type: 'subscription.created',
    slug: 'stateTransitions-null',
    field: '/stateTransitions',
    failure: crash500,
    start: () =>
      startFastifyReceiver(tokens, {
        handler: (event) => {
          const { stateTransitions = {} } = object(event);
          void Object.keys(stateTransitions as object);
        },
      }),
  },
  {
    name: 'text outside Latin-1 (Fastify: a name written to a Latin-1 column)',
    type: 'plan.created',
    slug: 'name-non-latin-1',
    field: '/name',
    failure: crash500,
    start: () =>
      startFastifyReceiver(tokens, {
        handler: (event) => {
          const name = object(event).name;
          if (typeof name === 'string' && /[^\u0000-\u00ff]/.test(name)) throw new Error("Incorrect string value for column 'name'");
        },
      }),
  },
];

describe('receivers that crash or hang on one field fail malformed.robust, naming that field and nothing else', { concurrency: true }, () => {
  for (const defect of defects) {
    test(defect.name, async () => {
      await withReceiver(defect.start(), async (receiver) => {
        const options: ContractOptions = { only: ['malformed.robust'], events: [defect.type], secrets, seed: 34 };
        const report = await runContract(resolveSettings(receiver.url, options));
        const robust = robustOf(report);
        assert.equal(report.gate.status, 'fail');
        const failing = robust.filter((record) => record.verdict.status === 'fail');
        const named = failing.find((record) => record.id === `malformed.robust/${defect.type}/test/${defect.slug}`);
        assert.ok(named, `${defect.slug} fails; failing: ${failing.map((record) => record.id).join(', ')}`);
        assert.match(named.verdict.reason, defect.failure);
        assert.ok(named.fault.startsWith(`${fieldPath(named.mutation!.pointer)}: `), `the fault names the field: ${named.fault}`);
        assert.match(named.reproduce, new RegExp(`--only malformed\\.robust --events ${defect.type.replace('.', '\\.')} --mode test --seed 34 --case malformed\\.robust/${defect.type.replace('.', '\\.')}/test/${defect.slug.replace(/\./g, '\\.')}$`));
        assert.ok(named.deliveries[0]?.request.bodyExcerpt !== undefined, 'a failing case keeps the body it sent');
        for (const record of failing) {
          const pointer = record.mutation!.pointer;
          assert.ok(pointer === defect.field || pointer.startsWith(`${defect.field}/`), `${record.id} fails too: ${record.verdict.reason}`);
        }
        assert.ok(robust.length - failing.length > 50, 'every other field passes');
        assert.ok(report.discoveredContract!.types[0]!.failing.includes(defect.field));

        // The reproduce command's --case sends that one case again, and it fails again.
        const again = await runContract(resolveSettings(receiver.url, { ...options, caseId: named.id }));
        assert.deepEqual(robustOf(again).map((record) => [record.id, record.verdict.status]), [[named.id, 'fail']]);
      });
    });
  }
});

test('the contract a receiver showed, pinned with --write-requires, is what malformed.400 and malformed.message then demand of it, and it passes', async () => {
  const receiver = await startReceiver({ secrets });
  const reportDir = await mkdtemp(path.join(os.tmpdir(), 'drhook-pinned-'));
  tempDirs.push(reportDir);
  try {
    const env = { DRHOOK_TEST_SECRET: tokens.test, DRHOOK_LIVE_SECRET: '' };
    const fragment = path.join(reportDir, 'requires.yaml');
    const events = ['--events', 'refund.complete,subscription.created'];
    const first = await runCli(['contract', receiver.url, ...events, '--only', 'malformed', '--seed', '35', '--no-progress', '--report-dir', reportDir, '--write-requires', fragment], { env });
    assert.equal(first.code, 0, first.stdout);
    assert.match(first.stdout, /^Wrote the fields the receiver requires, for 2 event types, to .*requires\.yaml$/m);
    const scenario = path.join(reportDir, 'pinned.yaml');
    await writeFile(scenario, `name: pinned\nmode: test\n${await readFile(fragment, 'utf8')}`);
    const pinned = parseScenario(await readFile(scenario, 'utf8'), scenario);
    const refund = pinned.events.find((event) => event.type === 'refund.complete')!;
    // The reference receiver validates against the schemas: what they require, it requires.
    assert.ok(refund.requires.includes('/id') && refund.requires.includes('/state') && refund.requires.length > 3, refund.requires.join(' '));
    const again = await runCli(['contract', receiver.url, '--scenario', scenario, '--only', 'malformed.400,malformed.message', '--seed', '36', '--no-progress', '--report-dir', reportDir, '--json'], { env });
    assert.equal(again.code, 0, again.stdout.slice(0, 2000));
    const report = JSON.parse(again.stdout) as ContractReport;
    assert.ok(report.checks.every((check) => check.status === 'pass' && check.counts.pass > 30), JSON.stringify(report.checks.map((check) => [check.id, check.counts])));
  } finally {
    await receiver.close();
  }
});

// Scenarios: the bundled ones load and only require what Digital River always sends; every mistake names file:line:col and key.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { isEventType } from '../src/catalog/events.js';
import { checkIds } from '../src/catalog/checks.js';
import { DEFAULT_CONCURRENCY, DEFAULT_DEADLINE_MS } from '../src/wire/limits.js';
import { UsageError } from '../src/base/errors.js';
import { scenariosDir, schemasDir } from '../src/base/paths.js';
import { defaultScenarioPath, loadScenario, parseScenario } from '../src/scenario/scenario.js';
import { fieldSchema } from '../src/events/schemas.js';

const minimal = 'name: mine\nevents: [order.accepted]\n';

/** The UsageError a scenario text raises, as `mine.yaml:…` text. */
function problem(text: string, file = 'mine.yaml'): string {
  try {
    parseScenario(text, file);
  } catch (error) {
    assert.ok(error instanceof UsageError, `expected a UsageError, got ${String(error)}`);
    assert.equal(error.exitCode, 2);
    return error.message;
  }
  assert.fail('the scenario was accepted');
}

function withTempDir(run: (dir: string) => void): void {
  const dir = mkdtempSync(path.join(tmpdir(), 'drhook-scenario-'));
  try {
    run(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test('the default scenario loads from the package with the subscription of a typical integration', () => {
  const scenario = loadScenario();
  assert.equal(scenario.file, defaultScenarioPath);
  assert.equal(defaultScenarioPath, path.join(scenariosDir, 'default.yaml'));
  assert.deepEqual(
    scenario.events.map((event) => event.type),
    [
      'order.accepted',
      'order.cancelled',
      'order.complete',
      'order.charge.capture.complete',
      'order.review_opened',
      'refund.complete',
      'fulfillment.created',
      'subscription.created',
      'subscription.extended',
      'subscription.payment_failed',
    ],
  );
  const accepted = scenario.events[0]!;
  assert.deepEqual(accepted, { type: 'order.accepted', weight: 5, requires: ['/id'], expanded: false });
  // Only the universal contract: every type requires its id, the renewals (which wrap {subscription, invoice}) the subscription's.
  for (const event of scenario.events) {
    assert.deepEqual(event.requires, event.type === 'subscription.extended' || event.type === 'subscription.payment_failed' ? ['/subscription/id'] : ['/id'], event.type);
  }
  assert.ok(scenario.events.every((event) => event.weight > 0 && event.weight <= accepted.weight));
  assert.deepEqual(
    { deadlineMs: scenario.deadlineMs, toleranceSec: scenario.toleranceSec, burst: scenario.burst, concurrency: scenario.concurrency, mode: scenario.mode },
    { deadlineMs: 3000, toleranceSec: 300, burst: 50, concurrency: 8, mode: 'test' },
  );
  assert.deepEqual(scenario.auth, { kind: 'none' });
  assert.deepEqual(scenario.signature, { scheme: 'digitalriver', layout: 'v0', encoding: 'hex', separator: ',' });
  assert.deepEqual(scenario.checks, {});
  assert.deepEqual(scenario.headers, {});
  assert.deepEqual(scenario.load, {});
});

test('settings left out take the defaults, which agree with the delivery engine and the default scenario', () => {
  const scenario = parseScenario(minimal, 'mine.yaml');
  const bundled = loadScenario();
  assert.equal(scenario.file, 'mine.yaml');
  assert.equal(scenario.description, undefined);
  assert.equal(scenario.deadlineMs, DEFAULT_DEADLINE_MS);
  assert.equal(scenario.concurrency, DEFAULT_CONCURRENCY);
  for (const key of ['deadlineMs', 'toleranceSec', 'burst', 'concurrency', 'mode', 'auth', 'signature', 'checks', 'headers', 'load'] as const) {
    assert.deepEqual(scenario[key], bundled[key], key);
  }
});

test('a bare event type is short for the type with weight 1, expanded false and the universal contract required (/id, or /subscription/id)', () => {
  const scenario = parseScenario(
    'name: mine\nevents:\n  - order.complete\n  - subscription.extended\n  - subscription.deleted\n  - { type: refund.complete, weight: 2.5, requires: [/orderId] }\n',
    'mine.yaml',
  );
  assert.deepEqual(scenario.events, [
    { type: 'order.complete', weight: 1, requires: ['/id'], expanded: false },
    // {subscription, invoice} has no id of its own: the subscription's is required; a deleted subscription's data.object may be empty.
    { type: 'subscription.extended', weight: 1, requires: ['/subscription/id'], expanded: false },
    { type: 'subscription.deleted', weight: 1, requires: [], expanded: false },
    { type: 'refund.complete', weight: 2.5, requires: ['/orderId'], expanded: false },
  ]);
});

test('a full scenario keeps every setting', () => {
  const scenario = parseScenario(
    [
      'name: full',
      'description: every key',
      'events:',
      '  - { type: order.accepted, expanded: true, requires: [/id, /items/0/quantity] }',
      'checks:',
      '  signature.missing: { allowedStatuses: [401, 403] }',
      '  payload.large: { run: false }',
      '  compat.unknown-type: { required: true }',
      'deadlineMs: 2500',
      'toleranceSec: 60',
      'burst: 20',
      'concurrency: 4',
      'mode: both',
      'headers: { X-Route: erp }',
      'auth: { kind: oauth, tokenUrl: "https://shop.example/token", clientId: dr, clientSecretEnv: CLIENT_SECRET, grant: password, username: hook, passwordEnv: HOOK_PASSWORD, scope: hooks }',
      'signature: { scheme: digitalriver, encoding: base64, separator: ", " }',
      'load: { rate: 12.5, duration: 1.5m, connections: 3 }',
      'mutations: 2500',
    ].join('\n'),
    'full.yaml',
  );
  assert.deepEqual(scenario.mutations, { kind: 'budget', cases: 2500 });
  assert.deepEqual(parseScenario('name: all\nevents: [order.accepted]\nmutations: all\n', 'all.yaml').mutations, { kind: 'all' });
  assert.equal(parseScenario(minimal, 'mine.yaml').mutations, undefined, 'unset: the default budget');
  assert.equal(scenario.description, 'every key');
  assert.deepEqual(scenario.events, [{ type: 'order.accepted', weight: 1, requires: ['/id', '/items/0/quantity'], expanded: true }]);
  assert.deepEqual(scenario.checks, {
    'signature.missing': { allowedStatuses: [401, 403] },
    'payload.large': { run: false },
    'compat.unknown-type': { required: true },
  });
  assert.deepEqual(
    [scenario.deadlineMs, scenario.toleranceSec, scenario.burst, scenario.concurrency, scenario.mode],
    [2500, 60, 20, 4, 'both'],
  );
  assert.deepEqual(scenario.headers, { 'X-Route': 'erp' });
  assert.deepEqual(scenario.auth, {
    kind: 'oauth',
    tokenUrl: 'https://shop.example/token',
    clientId: 'dr',
    clientSecretEnv: 'CLIENT_SECRET',
    grant: 'password',
    username: 'hook',
    passwordEnv: 'HOOK_PASSWORD',
    scope: 'hooks',
  });
  assert.deepEqual(scenario.signature, { scheme: 'digitalriver', layout: 'v0', encoding: 'base64', separator: ', ' });
  assert.deepEqual(scenario.load, { rate: 12.5, durationSec: 90, connections: 3 });
});

test('every bundled scenario loads, and requires only fields Digital River always sends', () => {
  const files = readdirSync(scenariosDir).filter((file) => /\.(ya?ml|json)$/.test(file));
  assert.ok(files.includes('default.yaml') && files.length >= 4, `scenarios/ holds ${files.join(', ')}`);
  for (const file of files) {
    const scenario = loadScenario(path.join(scenariosDir, file));
    assert.ok(scenario.name.length > 0, file);
    assert.ok(scenario.events.length > 0, file);
    for (const event of scenario.events) {
      assert.ok(isEventType(event.type), `${file}: ${event.type}`);
      // Each part of each pointer is required by its parent: generated events always have it, and a receiver that
      // validates against the schemas answers its absence with 400 (the malformed.* checks rely on that).
      for (const pointer of event.requires) {
        const parts = pointer.slice(1).split('/');
        parts.forEach((part, depth) => {
          if (/^\d+$/.test(part)) return;
          const parent = parts.slice(0, depth).map((p) => '/' + p).join('');
          const required = fieldSchema(event.type, parent)?.required;
          assert.ok(Array.isArray(required) && required.includes(part), `${file}: ${event.type} ${pointer}: ${part} is not required in ${parent || 'data.object'}`);
        });
      }
    }
  }
});

test('the schema lists exactly the check ids of the contract catalog', () => {
  const schema = JSON.parse(readFileSync(path.join(schemasDir, 'scenario.schema.json'), 'utf8')) as {
    properties: { checks: { properties: Record<string, unknown> } };
  };
  assert.deepEqual(Object.keys(schema.properties.checks.properties), [...checkIds]);
});

test('mistakes name the file, line, column and key, with a suggestion where one is close', () => {
  const cases: Array<[string, string | RegExp]> = [
    // unknown top-level key
    ['name: mine\nevents: [order.accepted]\ndeadlinems: 3000\n', 'mine.yaml:3:1: deadlinems: unknown key (did you mean deadlineMs?)'],
    // wrong type
    ['name: mine\nevents: [order.accepted]\nburst: lots\n', 'mine.yaml:3:8: burst: must be a whole number'],
    // the first problem in the file is reported, whatever the order of the schema
    ['events: [order.accepted]\nburst: 1.5\nname: [mine]\n', 'mine.yaml:2:8: burst: must be a whole number'],
    ['name: mine\nevents: order.accepted\n', 'mine.yaml:2:9: events: must be a list'],
    ['name: mine\nevents: [order.accepted]\nmode: production\n', 'mine.yaml:3:7: mode: must be one of test, live, both'],
    ['name: mine\nevents: [order.accepted]\nmutations: most\n', 'mine.yaml:3:12: mutations: must be all or a whole number of cases'],
    ['name: mine\nevents: [order.accepted]\nmutations: -5\n', 'mine.yaml:3:12: mutations: must be >= 0'],
    // the connector layout fixes base64 and ", ", and is a digitalriver layout
    ["name: mine\nevents: [order.accepted]\nsignature: { layout: connector, encoding: hex }\n", "mine.yaml:3:43: signature.encoding: contradicts layout connector, which is always 'base64': leave it out"],
    ['name: mine\nevents: [order.accepted]\nsignature: { scheme: stripe, layout: connector }\n', 'mine.yaml:3:38: signature.layout: connector applies to the digitalriver scheme only, not stripe'],
    // unknown check id
    [
      'name: mine\nevents: [order.accepted]\nchecks:\n  signature.missng: { allowedStatuses: [401] }\n',
      'mine.yaml:4:3: checks.signature.missng: unknown check id (did you mean signature.missing?)',
    ],
    ['name: mine\nevents: [order.accepted]\nchecks:\n  ack.2xx: { rn: false }\n', 'mine.yaml:4:14: checks.ack.2xx.rn: unknown key (did you mean run?)'],
    // negative weight
    ['name: mine\nevents:\n  - order.accepted\n  - type: order.complete\n    weight: -2\n', 'mine.yaml:5:13: events[1].weight: must be > 0'],
    // bad pointers
    ['name: mine\nevents:\n  - type: order.accepted\n    requires: [id]\n', 'mine.yaml:4:16: events[0].requires[0]: must be a JSON pointer into data.object, such as /id or /items/0/skuId'],
    [
      'name: mine\nevents:\n  - type: order.accepted\n    requires: [/id, /shipTo/adress]\n',
      'mine.yaml:4:21: events[0].requires[1]: order.accepted has no field /shipTo/adress in data.object (did you mean /shipTo/address?)',
    ],
    [
      'name: mine\nevents:\n  - type: subscription.extended\n    requires: [/id]\n',
      'mine.yaml:4:16: events[0].requires[0]: subscription.extended has no field /id in data.object (fields of data.object: /subscription, /invoice)',
    ],
    ['name: mine\nevents:\n  - type: order.accepted\n    requires: [/id, /id]\n', 'mine.yaml:4:21: events[0].requires[1]: repeats events[0].requires[0]'],
    // missing and duplicate events
    ['name: mine\n', 'mine.yaml:1:1: events: is required'],
    ['name: mine\nevents: []\n', 'mine.yaml:2:9: events: must list at least 1 entry'],
    ['name: mine\nevents: [order.accepted, order.complete, order.accepted]\n', 'mine.yaml:2:42: events[2].type: order.accepted is already listed as events[0]'],
    ['name: mine\nevents:\n  - { type: order.complete, expanded: true }\n', /^mine\.yaml:3:39: events\[0\]\.expanded: order\.complete has no expanded form \(only .*order\.accepted.*\)$/],
    // settings that contradict the check
    [
      'name: mine\nevents: [order.accepted]\nchecks:\n  signature.missing: { allowedStatuses: [401, 200] }\n',
      'mine.yaml:4:47: checks.signature.missing.allowedStatuses[1]: 200 is not a 4xx: signature.missing passes only when the receiver rejects the delivery (to skip the check, set run: false)',
    ],
    ['name: mine\nevents: [order.accepted]\nchecks:\n  ack.2xx: { allowedStatuses: [200] }\n', /^mine\.yaml:4:14: checks\.ack\.2xx\.allowedStatuses: ack\.2xx is not judged by a status list/],
    ['name: mine\nevents: [order.accepted]\nchecks:\n  payload.large: { run: false, required: true }\n', 'mine.yaml:4:32: checks.payload.large.required: a required check must run: drop run: false or required: true'],
    ['name: mine\nevents: [order.accepted]\nsignature: { scheme: stripe, encoding: base64 }\n', 'mine.yaml:3:30: signature.encoding: applies to the digitalriver scheme only; stripe fixes its own header layout'],
    ['name: mine\nevents: [order.accepted]\nsignature: { separator: ";" }\n', 'mine.yaml:3:25: signature.separator: must be one of ",", ", "'],
    ['name: mine\nevents: [order.accepted]\nload: { duration: 5 minutes }\n', 'mine.yaml:3:19: load.duration: must be a number of seconds or a duration such as 30s, 5m or 1h'],
    // auth
    ['name: mine\nevents: [order.accepted]\nauth: { kind: digest }\n', 'mine.yaml:3:15: auth.kind: must be one of none, basic, oauth'],
    ['name: mine\nevents: [order.accepted]\nauth:\n  kind: basic\n  username: hook\n', 'mine.yaml:3:1: auth.passwordEnv: is required'],
    ['name: mine\nevents: [order.accepted]\nauth: { kind: basic, username: hook, passwordEnvv: X }\n', 'mine.yaml:3:38: auth.passwordEnvv: unknown key (did you mean passwordEnv?)'],
    ['name: mine\nevents: [order.accepted]\nauth: { kind: basic, username: hook, passwordEnv: my-password }\n', 'mine.yaml:3:51: auth.passwordEnv: must be the name of an environment variable, such as DRHOOK_PASSWORD'],
    [
      'name: mine\nevents: [order.accepted]\nauth: { kind: oauth, tokenUrl: "https://a.example/t", clientId: c, clientSecretEnv: S, grant: password }\n',
      'mine.yaml:3:1: auth.username: is required with grant: password',
    ],
    [
      'name: mine\nevents: [order.accepted]\nauth: { kind: oauth, tokenUrl: "https://a.example/t", clientId: c, clientSecretEnv: S, username: u }\n',
      'mine.yaml:3:88: auth.username: is only used with grant: password',
    ],
    ['name: mine\nevents: [order.accepted]\nauth: { kind: oauth, tokenUrl: a.example/t, clientId: c, clientSecretEnv: S }\n', 'mine.yaml:3:32: auth.tokenUrl: must be an http:// or https:// URL'],
    ['name: mine\nevents: [order.accepted]\nheaders: { Authorization: Basic eDp5 }\n', /^mine\.yaml:3:12: headers\.Authorization: credentials go in auth/],
    ['name: mine\nevents: [order.accepted]\nheaders: { "X Route": erp }\n', 'mine.yaml:3:12: headers.X Route: is not an HTTP header name (letters, digits and -)'],
    ['name: mine\nevents: [order.accepted]\nknownIds: { order: ["", "240450000336"] }\n', 'mine.yaml:3:21: knownIds.order[0]: must not be empty'],
    ['name: mine\nevents: [order.accepted]\nknownIds: { orders: [240450000336] }\n', 'mine.yaml:3:13: knownIds.orders: unknown key (did you mean order?)'],
    // not a scenario at all
    ['', 'mine.yaml:1:1: a scenario must be a mapping (key: value) with at least name and events'],
    ['- order.accepted\n', 'mine.yaml:1:1: a scenario must be a mapping (key: value) with at least name and events'],
  ];
  for (const [text, expected] of cases) {
    const message = problem(text);
    if (typeof expected === 'string') assert.equal(message, expected, text);
    else assert.match(message, expected, text);
  }
});

test("the schema's example pointer names a field, and known order ids may be written with or without quotes", () => {
  const schema = JSON.parse(readFileSync(path.join(schemasDir, 'scenario.schema.json'), 'utf8')) as { $defs: { event: { properties: { requires: { items: { 'x-error': string } } } } } };
  const examples = [...schema.$defs.event.properties.requires.items['x-error'].matchAll(/\/[\w/]+/g)].map((match) => match[0]);
  assert.ok(examples.length >= 2, examples.join());
  const scenario = parseScenario(`name: mine\nevents:\n  - type: order.accepted\n    requires: [${examples.join(', ')}]\n`, 'mine.yaml');
  assert.deepEqual(scenario.events[0]!.requires, examples);
  assert.deepEqual(parseScenario(`${minimal}knownIds: { order: [240450000336, "ord-2"] }\n`, 'mine.yaml').knownIds, { order: ['240450000336', 'ord-2'] });
  assert.deepEqual(parseScenario(minimal, 'mine.yaml').knownIds, { order: [] });
});

test('an unknown event type is reported at the type, in either form, with the closest known type', () => {
  assert.match(
    problem('name: mine\nevents:\n  - order.accepted\n  - order.acepted\n'),
    /^mine\.yaml:4:5: events\[1\]\.type: unknown event type 'order\.acepted' \(did you mean 'order\.accepted'/,
  );
  assert.match(
    problem('name: mine\nevents:\n  - type: order.acepted\n    weight: 2\n'),
    /^mine\.yaml:3:11: events\[0\]\.type: unknown event type 'order\.acepted' \(did you mean 'order\.accepted'/,
  );
});

test('an inline password or client secret is refused, names the *Env key to use and never shows the secret', () => {
  const basic = problem('name: mine\nevents: [order.accepted]\nauth:\n  kind: basic\n  username: hook\n  password: hunter2-secret\n');
  assert.match(basic, /^mine\.yaml:6:3: auth\.password: secrets never go in a scenario .*passwordEnv$/);
  assert.doesNotMatch(basic, /hunter2/);
  const oauth = problem(
    'name: mine\nevents: [order.accepted]\nauth:\n  kind: oauth\n  tokenUrl: https://a.example/t\n  clientId: c\n  clientSecret: s3cr3t-value\n',
  );
  assert.match(oauth, /^mine\.yaml:7:3: auth\.clientSecret: secrets never go in a scenario .*clientSecretEnv$/);
  assert.doesNotMatch(oauth, /s3cr3t/);
});

test('YAML syntax errors name the file, line and column', () => {
  assert.match(problem('name: mine\nevents:\n  - type: order.accepted\n   weight: 2\n'), /^mine\.yaml:4:\d+: invalid YAML: /);
  assert.match(problem('name: mine\nevents: [order.accepted\n'), /^mine\.yaml:\d+:\d+: invalid YAML: /);
  assert.equal(problem('name: mine\nname: again\nevents: [order.accepted]\n'), 'mine.yaml:2:1: invalid YAML: Map keys must be unique');
});

test('JSON scenario files work too, tabs and all, and their mistakes have positions', () => {
  withTempDir((dir) => {
    const file = path.join(dir, 'mine.json');
    writeFileSync(file, '{\n\t"name": "json",\n\t"events": [\n\t\t"order.accepted",\n\t\t{ "type": "refund.complete", "weight": 2 }\n\t],\n\t"checks": { "payload.large": { "run": false } }\n}\n');
    const scenario = loadScenario(file);
    assert.equal(scenario.file, file);
    assert.deepEqual(scenario.events.map((event) => [event.type, event.weight]), [['order.accepted', 1], ['refund.complete', 2]]);
    assert.deepEqual(scenario.checks, { 'payload.large': { run: false } });
    writeFileSync(file, '{\n\t"name": "json",\n\t"events": [\n\t\t{ "type": "refund.complete", "weight": 0 }\n\t]\n}\n');
    assert.throws(() => loadScenario(file), { name: 'UsageError', message: `${file}:4:42: events[0].weight: must be > 0` });
  });
});

test('a scenario file that cannot be read is a usage error naming it', () => {
  withTempDir((dir) => {
    const missing = path.join(dir, 'absent.yaml');
    assert.throws(() => loadScenario(missing), (error: unknown) => error instanceof UsageError && error.message === `cannot read scenario ${missing}: no such file`);
    assert.throws(() => loadScenario(dir), (error: unknown) => error instanceof UsageError && error.message === `cannot read scenario ${dir}: it is a directory`);
  });
});

test("digitalriverVersion: the webhook's API version, the current one by default, a date or a usage error", () => {
  assert.equal(parseScenario(minimal, 'mine.yaml').digitalriverVersion, '2021-12-13');
  assert.equal(parseScenario(`${minimal}digitalriverVersion: 2021-03-23\n`, 'mine.yaml').digitalriverVersion, '2021-03-23');
  assert.match(problem(`${minimal}digitalriverVersion: latest\n`), /^mine\.yaml:3:\d+: digitalriverVersion: must be an API version date such as 2021-12-13/);
});

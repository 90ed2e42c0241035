// The contract report writers: run directories, atomic writes, report.json against its schema, JUnit, Markdown, console, redaction.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm, mkdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { checkIds } from '../src/catalog/checks.js';
import { mutationKinds } from '../src/events/mutations.js';
import type { ErrorCause } from '../src/wire/outcome.js';
import { UsageError } from '../src/base/errors.js';
import { schemasDir } from '../src/base/paths.js';
import { createRunDirectory } from '../src/commands/run-dir.js';
import { writeFileAtomic } from '../src/report/atomic-write.js';
import { renderJunit } from '../src/report/contract/junit.js';
import { renderSummaryMarkdown, summaryCasesPerCheck } from '../src/report/contract/summary.js';
import { renderConsoleSummary, consoleCasesPerCheck } from '../src/report/contract/console.js';
import { colorEnabled } from '../src/report/ansi.js';
import { createProgress } from '../src/report/contract/progress.js';
import { renderJson } from '../src/report/formats/index.js';
import { writeReports } from '../src/report/report-files.js';
import { renderContractHtml } from '../src/report/contract/html.js';
import { buildContractReport, manyFailures, plantedFragment, plantedSecret, redactPlanted } from './helpers/report-fixtures.js';

let work: string;
before(async () => {
  work = await mkdtemp(path.join(tmpdir(), 'drhook-report-'));
});
after(async () => {
  await rm(work, { recursive: true, force: true });
});

async function loadValidator() {
  const schema = JSON.parse(await readFile(path.join(schemasDir, 'report.schema.json'), 'utf8')) as { $defs: Record<string, { enum?: string[] }> };
  const ajv = new Ajv2020({ allErrors: true, strict: true });
  addFormats.default(ajv);
  return { schema, validate: ajv.compile(schema) };
}

describe('run directories', () => {
  it('creates the base directory and a new, sortable, unique run directory per call', async () => {
    const base = path.join(work, 'nested', 'reports');
    const first = await createRunDirectory(base, 'contract');
    const second = await createRunDirectory(base, 'load');
    assert.match(first.runId, /^\d{8}-\d{6}-contract-[0-9a-f]{4}$/);
    assert.match(second.runId, /^\d{8}-\d{6}-load-[0-9a-f]{4}$/);
    assert.notEqual(first.runId, second.runId);
    assert.equal(first.dir, path.join(path.resolve(base), first.runId));
    assert.deepEqual((await readdir(base)).sort(), [first.runId, second.runId].sort());
    assert.ok(first.runId.slice(0, 15) <= second.runId.slice(0, 15), 'the timestamp prefix sorts by start time');
  });

  it('reports an unusable base directory as a usage error', async () => {
    const file = path.join(work, 'not-a-directory');
    await writeFile(file, 'x');
    await assert.rejects(createRunDirectory(file, 'contract'), (error: unknown) => error instanceof UsageError && error.message.includes(file));
  });
});

describe('atomic writes', () => {
  it('replaces a file whole and leaves no temporary file behind', async () => {
    const dir = path.join(work, 'atomic');
    await mkdir(dir);
    const file = path.join(dir, 'report.json');
    await writeFileAtomic(file, 'first');
    await writeFileAtomic(file, 'second, longer text');
    assert.equal(await readFile(file, 'utf8'), 'second, longer text');
    assert.deepEqual(await readdir(dir), ['report.json']);
  });

  it('removes its temporary file when the rename fails', async () => {
    const dir = path.join(work, 'atomic-fail');
    await mkdir(path.join(dir, 'occupied'), { recursive: true });
    await writeFile(path.join(dir, 'occupied', 'keep'), 'x');
    await assert.rejects(writeFileAtomic(path.join(dir, 'occupied'), 'text'));
    assert.deepEqual(await readdir(dir), ['occupied']);
  });
});

describe('report.json schema', () => {
  it('accepts the rendered report and names exactly the catalog check ids and the error causes', async () => {
    const { schema, validate } = await loadValidator();
    const report = JSON.parse(renderJson(buildContractReport())) as unknown;
    assert.ok(validate(report), JSON.stringify(validate.errors, null, 2));
    assert.deepEqual(schema.$defs.CheckId?.enum, [...checkIds]);
    assert.deepEqual(schema.$defs.MutationKind?.enum, [...mutationKinds]);
    const causes: Record<ErrorCause, true> = {
      'connection-refused': true,
      'connection-reset': true,
      dns: true,
      tls: true,
      'socket-closed': true,
      protocol: true,
      'headers-too-large': true,
      aborted: true,
      other: true,
    };
    assert.deepEqual([...(schema.$defs.ErrorCause?.enum ?? [])].sort(), Object.keys(causes).sort());
  });

  it('rejects illegal states: a skipped check with cases, a run check with a skip reason, an unknown outcome kind', async () => {
    const { validate } = await loadValidator();
    const mutate = (change: (report: any) => void) => {
      const report = JSON.parse(renderJson(buildContractReport()));
      change(report);
      return validate(report);
    };
    assert.equal(mutate(() => {}), true);
    assert.equal(mutate((r) => (r.checks[5].cases = r.checks[0].cases)), false);
    assert.equal(mutate((r) => (r.checks[0].skippedReason = 'no reason')), false);
    assert.equal(mutate((r) => (r.checks[0].cases[0].deliveries[0].outcome.kind = 'maybe')), false);
    assert.equal(mutate((r) => (r.checks[1].cases[2].deliveries[0].outcome.phase = 'later')), false);
    assert.equal(mutate((r) => (r.checks[0].id = 'ack.unknown')), false);
    assert.equal(mutate((r) => (r.startedAt = 'yesterday')), false);
  });
});

interface XmlElement {
  name: string;
  attrs: Record<string, string>;
  children: XmlElement[];
  text: string;
}

/** A strict parser for the XML subset drhook writes (declaration, elements, attributes, text, entity and character references). */
function parseXml(xml: string): XmlElement {
  let at = 0;
  const fail = (why: string): never => assert.fail(`malformed XML (${why}) at ${at}: ${JSON.stringify(xml.slice(at, at + 40))}`);
  const match = (pattern: RegExp): RegExpExecArray | null => {
    const sticky = new RegExp(pattern.source, 'y');
    sticky.lastIndex = at;
    const found = sticky.exec(xml);
    if (found) at = sticky.lastIndex;
    return found;
  };
  const illegal = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
  if (illegal.test(xml)) fail('character not allowed in XML');
  const named: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };
  const decode = (text: string): string =>
    text.replace(/&([^;&]*)(;?)/g, (_, ref: string, semi: string) => {
      if (!semi) fail('unterminated reference');
      const code = /^#x[0-9a-f]+$/i.test(ref) ? parseInt(ref.slice(2), 16) : /^#\d+$/.test(ref) ? Number(ref.slice(1)) : undefined;
      if (code === undefined) return named[ref] ?? fail(`unknown entity &${ref};`);
      const char = String.fromCodePoint(code);
      if (illegal.test(char)) fail('character reference to a forbidden character');
      return char;
    });
  const element = (): XmlElement => {
    const open = match(/<([A-Za-z_][\w.-]*)/) ?? fail('expected an element');
    const node: XmlElement = { name: open[1] ?? '', attrs: {}, children: [], text: '' };
    for (let attr = match(/\s+([A-Za-z_][\w.-]*)="([^"<]*)"/); attr; attr = match(/\s+([A-Za-z_][\w.-]*)="([^"<]*)"/)) {
      const key = attr[1] ?? '';
      if (key in node.attrs) fail(`duplicate attribute ${key}`);
      node.attrs[key] = decode(attr[2] ?? '');
    }
    const end = match(/\s*(\/?)>/) ?? fail('expected > or />');
    if (end[1] === '/') return node;
    for (;;) {
      const text = match(/[^<]*/)?.[0] ?? '';
      if (text.includes(']]>')) fail(']]> in text');
      node.text += decode(text);
      if (xml.startsWith('</', at)) {
        const close = match(/<\/([A-Za-z_][\w.-]*)\s*>/) ?? fail('bad end tag');
        if (close[1] !== node.name) fail(`</${close[1]}> closes <${node.name}>`);
        return node;
      }
      node.children.push(element());
    }
  };
  match(/<\?xml version="1\.0" encoding="UTF-8"\?>\s*/) ?? fail('expected the XML declaration');
  const root = element();
  match(/\s*/);
  if (at !== xml.length) fail('content after the root element');
  return root;
}

const all = (node: XmlElement, name: string): XmlElement[] => [...(node.name === name ? [node] : []), ...node.children.flatMap((c) => all(c, name))];

describe('junit.xml', () => {
  const root = parseXml(renderJunit(buildContractReport()));
  const suites = all(root, 'testsuite');
  const suite = (id: string) => suites.find((s) => s.attrs.name === id) ?? assert.fail(`no testsuite ${id}`);

  it('is well-formed with one testsuite per check and one testcase per case, totals on testsuites', () => {
    assert.equal(root.name, 'testsuites');
    assert.deepEqual(
      suites.map((s) => s.attrs.name),
      buildContractReport().checks.map((c) => c.id),
    );
    assert.equal(all(root, 'testcase').length, 1 + 3 + manyFailures + 1 + 1 + 1 + 2);
    assert.equal(all(root, 'failure').length, 2 + manyFailures + 1);
    assert.equal(all(root, 'skipped').length, 1);
    assert.deepEqual(
      { tests: root.attrs.tests, failures: root.attrs.failures, errors: root.attrs.errors, skipped: root.attrs.skipped, time: root.attrs.time },
      { tests: String(21), failures: String(15), errors: '0', skipped: '1', time: '6.500' },
    );
    assert.equal(suite('malformed.400').attrs.failures, String(manyFailures));
  });

  it('names testcases by event type, mode and fault and fails required cases with reason, response and reproduce command', () => {
    const cases = all(suite('ack.2xx'), 'testcase');
    assert.deepEqual(
      cases.map((c) => [c.attrs.classname, c.attrs.name]),
      [
        ['ack.2xx', 'order.accepted [test] valid event'],
        ['ack.2xx', `order.complete [test] valid event <&"'>\\x07`],
        ['ack.2xx', 'refund.pending [test] valid event'],
      ],
    );
    const failure = all(cases[1]!, 'failure')[0] ?? assert.fail('no failure');
    assert.equal(failure.attrs.message, `expected a 2xx, got HTTP 500 <&"'>\\x07`);
    assert.match(failure.text, /HTTP 500 in 40 ms/);
    assert.match(failure.text, /"error":"<&"'>\\x07 boom"/);
    assert.match(failure.text, /reproduce: drhook send order\.complete --url http:\/\/127\.0\.0\.1:9\/hook/);
    assert.match(all(cases[2]!, 'failure')[0]?.text ?? '', /timeout after 3\.00 s \(deadline 3000 ms\)/);
    assert.equal(all(cases[0]!, 'failure').length, 0);
    assert.equal(cases[1]!.attrs.time, '0.040');
  });

  it('reports advisory warnings in system-out, not as failures, and sums delivery times', () => {
    const advisory = suite('compat.unknown-type');
    assert.equal(advisory.attrs.failures, '0');
    assert.deepEqual(all(advisory, 'property').find((p) => p.attrs.name === 'advisory')?.attrs.value, 'true');
    assert.deepEqual(all(suite('ack.2xx'), 'property').find((p) => p.attrs.name === 'advisory')?.attrs.value, 'false');
    const out = all(advisory, 'system-out')[0]?.text ?? '';
    assert.match(out, /^warning: connection refused/);
    assert.match(out, /connect ECONNREFUSED 127\.0\.0\.1:9/);
    assert.equal(all(suite('idempotency.redelivery'), 'testcase')[0]?.attrs.time, '0.250');
  });

  it('gives a testsuite the time of its slowest case: its cases ran at once, their sum would overstate it', () => {
    const times = all(suite('ack.2xx'), 'testcase').map((c) => Number(c.attrs.time));
    assert.ok(times.length > 1);
    assert.equal(Number(suite('ack.2xx').attrs.time), Math.max(...times));
    assert.ok(Math.max(...times) < times.reduce((sum, time) => sum + time, 0));
  });

  it('writes a skipped check as a testcase with the reason', () => {
    const skipped = all(suite('signature.wrong-mode'), 'skipped');
    assert.deepEqual(skipped.map((s) => s.attrs.message), ['needs the signing tokens of both modes']);
    assert.equal(suite('signature.wrong-mode').attrs.skipped, '1');
  });
});

describe('summary.md', () => {
  const markdown = renderSummaryMarkdown(buildContractReport());

  it('leads with the gate and the target, then a table row per check', () => {
    assert.match(markdown.split('\n')[0] ?? '', /^## ❌ drhook contract gate: fail$/);
    assert.match(markdown, /2 required checks failed: ack\.2xx, malformed\.400\./);
    assert.match(markdown, /\*\*Target:\*\* `http:\/\/127\.0\.0\.1:9\/hook`/);
    assert.match(markdown, /\| `ack\.2xx` \| required \| ❌ fail \| 1 \| 2 \| 0 \| A valid signed event/);
    assert.match(markdown, /\| `compat\.unknown-type` \| advisory \| ⚠️ warn \| 0 \| 0 \| 1 \|/);
    assert.match(markdown, /\| `signature\.wrong-mode` \| required \| ⏭️ skipped \| – \| – \| – \| .*skipped: needs the signing tokens of both modes/);
    assert.equal(markdown.match(/^\| `[a-z]+\.[a-z0-9-]+` \| (required|advisory) \|/gm)?.length, 7);
  });

  it('shows the contract malformed.robust discovered, per event type', () => {
    assert.match(markdown, /### Discovered contract/);
    assert.match(markdown, /\| `order\.accepted` \| – \| – \| 1 \| `\/billTo\/name` \|/);
  });

  it('shows every failing or warning case with what was sent, what came back, why, and the reproduce command', () => {
    assert.match(markdown, /```sh\ndrhook send refund\.pending --url http:\/\/127\.0\.0\.1:9\/hook --mode test --fault valid-event\n```/);
    assert.match(markdown, /- \*\*Got:\*\* timeout after 3\.00 s/);
    assert.match(markdown, /- \*\*Got:\*\* connection refused after 2 ms: connect ECONNREFUSED 127\.0\.0\.1:9/);
    assert.match(markdown, /- \*\*Sent:\*\* POST http:\/\/127\.0\.0\.1:9\/hook · \d+ B · event evt-0002/);
    assert.match(markdown, /- \*\*Why:\*\* expected a 2xx, got HTTP 500 \\<\\&"'\\>\\\\x07$/m);
    assert.ok(!markdown.includes('\u0007'), 'control characters are made visible');
    assert.ok(markdown.indexOf('`ack.2xx` (required)') < markdown.indexOf('`compat.unknown-type` (advisory)'), 'failures before warnings');
  });

  it('caps the cases shown per check and points to report.json for the rest', () => {
    const shown = markdown.match(/^\*\*\d+\. `order\.type\d+`/gm) ?? [];
    assert.equal(shown.length, summaryCasesPerCheck);
    assert.match(markdown, new RegExp(`…and ${manyFailures - summaryCasesPerCheck} more in report\\.json\\.`));
  });
});

describe('console summary', () => {
  const paths = { json: 'reports/r/report.json', junit: 'reports/r/junit.xml', summary: 'reports/r/summary.md', html: 'reports/r/report.html' };

  it('prints the checks, the failing cases with reproduce commands, the gate and the report paths, without colour', () => {
    const text = renderConsoleSummary(buildContractReport(), paths, { color: false });
    assert.ok(!text.includes('\u001b'), 'no ANSI escape when colour is off');
    assert.ok(!text.includes('\u0007'), 'no raw control characters from the receiver');
    assert.match(text, /^ {2}ack\.2xx +required +fail +1 +2 +0$/m);
    assert.match(text, /^ {2}signature\.wrong-mode +required +skipped +needs the signing tokens of both modes$/m);
    assert.match(text, /^ {2}✗ ack\.2xx {2}refund\.pending \[test\] valid event$/m);
    assert.match(text, /^ {6}\$ drhook send refund\.pending --url/m);
    assert.match(text, /^ {2}! compat\.unknown-type {2}order\.not_subscribed \[test\] unsubscribed type$/m);
    assert.match(text, new RegExp(`… and ${manyFailures - consoleCasesPerCheck} more malformed\\.400 cases in reports/r/report\\.json`));
    assert.match(text, /^Gate: FAIL {2}2 required checks failed/m);
    assert.match(text, /^Discovered contract \(malformed\.robust: 2 cases \(budget 6,000\): 2 for the 2 fields the base events hold, 0 for fields they lack\)$/m);
    assert.match(text, /^ {2}order\.accepted {2}requires none · tolerates 1 · failing on \/billTo\/name$/m);
    for (const file of Object.values(paths)) assert.ok(text.includes(file));
  });

  it('says a 404 to every valid event without known orders first, and prints reasons that differ only in timings once, counted', () => {
    const report = buildContractReport();
    const ack = report.checks.find((check) => check.id === 'ack.2xx')!;
    const notFound = (durationMs: number) => ({ kind: 'response' as const, status: 404, headers: {}, body: { text: 'not found', bytes: 9, truncated: false }, durationMs, headersMs: 1 });
    ack.cases = ack.cases.map((record, index) => {
      const durationMs = 10 + index * 7;
      return { ...record, deliveries: [{ ...record.deliveries[0]!, outcome: notFound(durationMs) }], verdict: { status: 'fail', reason: `answered 404 in ${durationMs} ms; not a 2xx` } };
    });
    const text = renderConsoleSummary(report, paths, { color: false });
    const lines = text.split('\n');
    const setup = lines.findIndex((line) => line.startsWith('Setup: the receiver answered 404 to all 3 valid events, about orders it has never seen'));
    assert.ok(setup >= 0 && setup < lines.indexOf('Failing cases'), text);
    assert.match(lines[setup]!, /name orders it knows \(knownIds\.order in the scenario, or --known-order-id\)/);
    assert.deepEqual(lines.filter((line) => line.startsWith('  ✗ ack.2xx ')), ['  ✗ ack.2xx  3 cases with this reason, e.g. order.accepted [test] valid event']);
    assert.deepEqual(lines.filter((line) => line.includes('why: answered 404')), ['      why: answered 404 in 10 ms; not a 2xx']);
    // Reasons that say different things stay apart: malformed.400 names a field per case.
    assert.equal(lines.filter((line) => line.startsWith('  ✗ malformed.400 ')).length, consoleCasesPerCheck);
    // With known orders, a 404 is the receiver's own answer, not a setup problem.
    const known = { ...report, settings: { ...report.settings, knownIds: { order: ['240450000336'] } } };
    assert.ok(!renderConsoleSummary(known, paths, { color: false }).includes('Setup:'));
  });

  it('colours only when asked, and decides colour from TTY, NO_COLOR and FORCE_COLOR', () => {
    assert.ok(renderConsoleSummary(buildContractReport(), paths, { color: true }).includes('\u001b[31m'));
    assert.equal(colorEnabled({ isTTY: true }, {}), true);
    assert.equal(colorEnabled({ isTTY: false }, {}), false);
    assert.equal(colorEnabled({ isTTY: true }, { NO_COLOR: '1' }), false);
    assert.equal(colorEnabled({ isTTY: false }, { FORCE_COLOR: '1' }), true);
    assert.equal(colorEnabled({ isTTY: true }, { FORCE_COLOR: '0' }), true);
    assert.equal(colorEnabled({ isTTY: false }, { FORCE_COLOR: '1', NO_COLOR: '1' }), false);
  });
});

describe('progress', () => {
  function fakeStream(isTTY: boolean) {
    const stream = Object.assign(new PassThrough(), { isTTY, columns: 120, cursorTo: () => true, moveCursor: () => true, clearLine: () => true, clearScreenDown: () => true });
    let written = '';
    stream.on('data', (chunk: Buffer) => (written += chunk.toString()));
    return { stream: stream as unknown as NodeJS.WriteStream, written: () => written };
  }

  it('is silent when the stream is not a terminal', async () => {
    const { stream, written } = fakeStream(false);
    const progress = createProgress(3, stream);
    progress.tick('fail');
    progress.stop();
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(written(), '');
  });

  it('shows cases done out of the total and failures so far on a terminal', async () => {
    const { stream, written } = fakeStream(true);
    const progress = createProgress(3, stream);
    progress.tick('pass');
    progress.tick('fail');
    progress.tick('warn');
    progress.stop();
    progress.stop();
    await new Promise((resolve) => setImmediate(resolve));
    assert.match(written(), /3\/3 cases \| failed: 1 \| warned: 1/);
  });
});

describe('writeReports, a contract report', () => {
  it('writes report.json, junit.xml, summary.md and report.html with the secret redacted everywhere and no temporary files', async () => {
    const { dir } = await createRunDirectory(path.join(work, 'reports'), 'contract');
    const paths = await writeReports(buildContractReport(), dir, redactPlanted);
    assert.deepEqual(paths, { json: path.join(dir, 'report.json'), junit: path.join(dir, 'junit.xml'), summary: path.join(dir, 'summary.md'), html: path.join(dir, 'report.html') });
    assert.deepEqual((await readdir(dir)).sort(), ['junit.xml', 'report.html', 'report.json', 'summary.md']);
    for (const file of Object.values(paths)) {
      const text = await readFile(file, 'utf8');
      assert.ok(!text.includes(plantedFragment), `${path.basename(file)} holds no part of the secret`);
      assert.ok(text.includes('[redacted]'), `${path.basename(file)} shows where the secret was`);
    }
    const { validate } = await loadValidator();
    const written = JSON.parse(await readFile(paths.json, 'utf8')) as { settings: { headers: Record<string, string> } };
    assert.ok(validate(written), JSON.stringify(validate.errors));
    assert.equal(written.settings.headers['X-Planted'], '[redacted]');
    parseXml(await readFile(paths.junit, 'utf8'));
  });

  it('keeps a secret planted in any string of the report data out of every file, and every file whole', async () => {
    const { dir } = await createRunDirectory(path.join(work, 'reports'), 'contract');
    // Values the schema constrains (enums, formats) are left alone, so the written report can still be validated.
    const constrained = new Set(['tool', 'kind', 'checkId', 'status', 'cause', 'phase', 'mode', 'startedAt', 'finishedAt', 'stoppedBy', 'failedRequired', 'warnings', 'checks', 'method']);
    let planted = 0;
    const plant = (value: unknown, key = ''): unknown => {
      if (typeof value === 'string') {
        if (constrained.has(key) || (key === 'id' && (checkIds as readonly string[]).includes(value))) return value;
        planted += 1;
        return `${value} ${plantedSecret}`;
      }
      if (Array.isArray(value)) return value.map((item) => plant(item, key));
      if (typeof value === 'object' && value !== null) return Object.fromEntries(Object.entries(value).map(([name, item]) => [name, plant(item, name)]));
      return value;
    };
    const report = plant(buildContractReport()) as ReturnType<typeof buildContractReport>;
    const hostile = report.checks.flatMap((check) => check.cases).flatMap((record) => record.deliveries).find((delivery) => delivery.outcome.kind === 'response' && delivery.outcome.status === 500)!;
    assert.ok(hostile.outcome.kind === 'response' && hostile.outcome.body.text.includes(plantedSecret) && Object.values(hostile.outcome.headers).every((value) => value.includes(plantedSecret)));
    assert.ok(planted > 50, `${planted} strings planted`);

    const paths = await writeReports(report, dir, redactPlanted);
    for (const file of Object.values(paths)) assert.ok(!(await readFile(file, 'utf8')).includes(plantedFragment), `${path.basename(file)} holds no part of the secret`);
    const { validate } = await loadValidator();
    const written = JSON.parse(await readFile(paths.json, 'utf8')) as typeof report;
    assert.ok(validate(written), JSON.stringify(validate.errors));
    assert.ok(written.gate.summary.endsWith(' [redacted]'), 'the secret is masked where it was, the text around it kept');
    parseXml(await readFile(paths.junit, 'utf8'));
    assert.match(await readFile(paths.html, 'utf8'), /<\/html>\s*$/);
  });
});

describe('report.html', () => {
  it('spells out at most 25 flagged cases per check and event type, the rest counted, every link leading to a case shown', () => {
    const report = buildContractReport();
    const robust = report.checks.find((check) => check.id === 'malformed.robust');
    assert.ok(robust && robust.status !== 'skipped');
    const failing = robust.cases.find((record) => record.verdict.status === 'fail')!;
    robust.cases = Array.from({ length: 60 }, (_, i) => ({ ...failing, id: `${failing.id}-${i}`, fault: `data.object.field${i}: null` }));
    robust.counts = { pass: 0, fail: 60, warn: 0 };
    const html = renderContractHtml(report);
    const shown = html.match(/<details class="case fail" id="case-\d+" data-case-id="malformed\.robust\//g) ?? [];
    assert.equal(shown.length, 25);
    assert.match(html, /…and 35 more in report\.json \(at most 25 per event type are shown\)/);
    for (const [, anchor] of html.matchAll(/href="#(case-\d+)"/g)) assert.ok(html.includes(`id="${anchor}"`), `${anchor} is shown`);
    assert.match(html, /…and 30 more/, 'a matrix cell lists 30 cases in its tooltip');
  });
});

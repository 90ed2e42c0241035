// The `drhook contract <url>` command: the contract gate, with report files; exit 0 pass, 1 fail, 2 setup, 130/143 interrupted.
import { readFileSync, statSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { Argument, Option, type Command } from 'commander';
import { checkIds, checks } from '../catalog/checks.js';
import { resolveSettings, settingsSecrets, type ContractOptions, type ContractSettings, type MutationDepth, type RunMode } from '../contract/settings.js';
import { UsageError } from '../base/errors.js';
import { readCapturedEvents } from '../events/captured.js';
import { readInput } from './read-input.js';
import { catchInterruptions } from './interrupt.js';
import {
  addAuthOptions,
  addDeliveryOptions,
  addReportOptions,
  addSecretOptions,
  list,
  parseInteger,
  repeat,
  sharedOptionsFrom,
  warnIfInsecure,
  type ReportFlags,
  type SharedFlags,
  apiVersionOption,
} from './options.js';
import { parseUrl } from '../scenario/settings.js';
import { resolveSecrets } from '../wire/secrets.js';
import { createRedactor } from '../wire/redact.js';
import { redactStrings } from '../wire/redact-strings.js';
import { colorEnabled } from '../report/ansi.js';
import { describeCoverage, renderRequiresFragment } from '../report/contract/discovered.js';
import { writeFileAtomic } from '../report/atomic-write.js';
import type { RunPlan } from '../contract/run.js';
import type { ContractReport } from '../contract/results.js';
import { baselineOf, parseBaseline, withBaseline, type ContractBaseline } from '../contract/baseline.js';
import type { Progress } from '../report/contract/progress.js';
import { createRunDirectory } from './run-dir.js';

interface ContractFlags extends SharedFlags, ReportFlags {
  events?: string[];
  only?: string[];
  skip?: string[];
  case?: string;
  knownOrderId?: string[];
  mode?: RunMode;
  tolerance?: number;
  burst?: number;
  mutations?: MutationDepth;
  writeRequires?: string;
  unsigned?: boolean;
  eventsFrom?: string[];
  baseline?: string;
  writeBaseline?: string;
}


/** The checks and their rules, after the options in --help. */
function checkList(): string {
  const width = Math.max(...checkIds.map((id) => id.length));
  const lines = checkIds.map((id) => `  ${id.padEnd(width)}  ${checks[id].required ? 'required' : 'advisory'}  ${checks[id].rule}`);
  return [
    '',
    'Checks (a failing required check fails the gate, exit 1; an advisory one warns):',
    ...lines,
    '',
    'Every mode the run sends needs its signing token (DRHOOK_TEST_SECRET, --secret; exit 2 without), unless --unsigned',
    'sends the events unsigned and runs no signature check. signature.wrong-mode needs both modes\' tokens, auth.required',
    'configured auth. Flags override the scenario. Reports go to <report-dir>/<run-id>/.',
  ].join('\n');
}

export function register(program: Command): void {
  const command = program
    .command('contract')
    .description("check a webhook receiver against Digital River's delivery contract: the gate before webhooks go live")
    .addArgument(new Argument('<url>', 'the receiver endpoint (http:// or https://)').argParser(parseUrl))
    .option('--scenario <file>', 'scenario (YAML or JSON): subscribed event types, fields relied on, settings (default: the bundled scenarios/default.yaml)')
    .option('--events <types>', 'event types to test instead of the scenario\'s, comma-separated', list)
    .option('--only <checks>', 'run only these checks (ids, or families such as signature), comma-separated or repeated', list)
    .option('--skip <checks>', 'leave out these checks (ids or families), comma-separated or repeated', list)
    .option('--case <id>', 'run one case again, as named in a report (with the --only, --events, --mode and --seed of its reproduce command)')
    .addOption(new Option('--mode <mode>', "data mode of the events: test, live or both (default: the scenario's)").choices(['test', 'live', 'both']))
    .option('--events-from <file>', 'captured events (one JSON event, a JSON array or NDJSON; repeatable): the valid events of their types, from which the other cases are made (default types: the captured ones)', repeat)
    .option('--known-order-id <ids>', "orders the receiver knows, comma-separated or repeated (default: the scenario's knownIds.order): every check but environment.unknown-resource sends events about them", list);
  addSecretOptions(command);
  command.option('--unsigned', 'send every event without a signature, for a receiver that does not verify them: no signature check runs, and the reports say so');
  addAuthOptions(command);
  addDeliveryOptions(command);
  command
    .addOption(new Option('--tolerance <sec>', 'signature age the receiver accepts; signature.stale signs one older (default 300)').argParser(parseInteger('--tolerance', { min: 1, max: 86_400 })))
    .addOption(new Option('--burst <n>', 'simultaneous deliveries in concurrency.burst (default 50)').argParser(parseInteger('--burst', { min: 1, max: 1024 })))
    .option('--header <header>', "extra request header 'Name: value' (repeatable)", repeat)
    .addOption(new Option('--seed <n>', 'seed of the generated events: the same seed makes the same events (default: random, recorded in the report)').argParser(parseInteger('--seed', { min: 0, max: Number.MAX_SAFE_INTEGER })))
    .addOption(apiVersionOption("the scenario's"))
    .addOption(new Option('--mutations <n|all>', 'malformed.robust: at most n cases (every field the base events hold still gets every mutation; those of fields they lack are sampled by the seed), or all: every mutation of every field (default: the scenario\'s, else 6000)').argParser(parseMutations))
    .option('--write-requires <file>', 'write the fields the receiver was seen to require (malformed.robust) as a scenario fragment (events: with requires) to this file')
    .option('--baseline <file>', 'known failures (a file --write-baseline wrote, or an earlier report.json): the gate fails only on failures not in it, and the reports list what is new, fixed and still failing')
    .option('--write-baseline <file>', "write this run's failures as a baseline to this file, once the run finished");
  addReportOptions(command)
    .addHelpText('after', checkList)
    .action(async (url: string, flags: ContractFlags, self: Command) => {
      process.exitCode = await contract(url, flags, self, process.env);
    });
}

/** The options the user set; commander's defaults are left out so the scenario decides. */
function contractOptions(flags: ContractFlags, command: Command, env: NodeJS.ProcessEnv, eventsFrom: ContractOptions['eventsFrom']): ContractOptions {
  const given = <K extends keyof ContractFlags>(key: K): ContractFlags[K] | undefined =>
    command.getOptionValueSource(key) === 'default' ? undefined : flags[key];
  // Unsigned, the environment's tokens are not used; tokens given by flag contradict --unsigned and are refused.
  const secrets = resolveSecrets(flags, flags.unsigned ? {} : env);
  const options: ContractOptions = { ...sharedOptionsFrom(flags, command, env, secrets), unsigned: flags.unsigned === true };
  const set = <K extends keyof ContractOptions>(key: K, value: ContractOptions[K] | undefined) => {
    if (value !== undefined) options[key] = value;
  };
  set('events', flags.events);
  set('only', flags.only);
  set('skip', flags.skip);
  set('caseId', flags.case);
  set('knownOrderIds', flags.knownOrderId);
  set('mode', flags.mode);
  set('concurrency', given('concurrency'));
  set('toleranceSec', flags.tolerance);
  set('burst', flags.burst);
  set('mutations', flags.mutations);
  set('eventsFrom', eventsFrom);
  return options;
}


/** `--mutations`: all, or a whole number of cases. */
function parseMutations(value: string): MutationDepth {
  const text = value.trim();
  if (text === 'all') return { kind: 'all' };
  const cases = /^\d+$/.test(text) ? Number(text) : Number.NaN;
  if (!(cases <= 1_000_000)) throw new UsageError(`--mutations must be all or a whole number of cases from 0 to 1000000, got '${value}'`);
  return { kind: 'budget', cases };
}

/** `--write-requires`: malformed.robust must run, and the file's directory must exist (checked before anything is sent). */
function checkWriteRequires(file: string, settings: ContractSettings): void {
  if (!settings.checks.includes('malformed.robust')) throw new UsageError('--write-requires needs malformed.robust to run: it writes what that check found');
  checkDirectory('--write-requires', file);
}

/** The directory `file` is to be written in must exist: checked before anything is sent. */
function checkDirectory(flag: string, file: string): void {
  const dir = path.dirname(path.resolve(file));
  let isDir = false;
  try {
    isDir = statSync(dir).isDirectory();
  } catch {
    // reported below
  }
  if (!isDir) throw new UsageError(`${flag} ${file}: no directory ${dir} to write it in`);
}

/** The line printed once the cases are planned, before the first delivery. */
function planLine(plan: RunPlan): string {
  const robust = plan.coverage ? ` malformed.robust: ${describeCoverage(plan.coverage)}.` : '';
  return `Planned ${plan.cases.toLocaleString('en-US')} cases.${robust}\n`;
}

/** The captured events of --events-from, each file read and every event checked against the schemas. */
async function readEventsFrom(files: readonly string[] | undefined): Promise<ContractOptions['eventsFrom']> {
  if (files === undefined) return undefined;
  if (files.includes('-')) throw new UsageError('--events-from reads files, not stdin: save the events to a file, so the reproduce commands can read them again');
  const events = await Promise.all(files.map(async (file) => readCapturedEvents(file, await readInput(file, ''))));
  return { files, events: events.flat() };
}

async function contract(url: string, flags: ContractFlags, command: Command, env: NodeJS.ProcessEnv): Promise<number> {
  const settings = resolveSettings(url, contractOptions(flags, command, env, await readEventsFrom(flags.eventsFrom)), env);
  if (flags.writeRequires !== undefined) checkWriteRequires(flags.writeRequires, settings);
  if (flags.writeBaseline !== undefined) checkDirectory('--write-baseline', flags.writeBaseline);
  const baseline = flags.baseline === undefined ? undefined : readBaseline(flags.baseline);
  const redact = createRedactor(settingsSecrets(settings));
  // The engine and the report writers load once the settings hold: a usage error costs no more than reading them.
  const [{ runContract }, { createProgress }, { fallbackMessage, writeReportsOrFallback }, { renderConsoleSummary }] = await Promise.all([
    import('../contract/run.js'),
    import('../report/contract/progress.js'),
    import('../report/report-files.js'),
    import('../report/contract/console.js'),
  ]);
  const { runId, dir } = await createRunDirectory(flags.reportDir, 'contract');

  warnIfInsecure(settings.tls.insecure);
  const interruption = catchInterruptions();
  let progress: Progress | undefined;
  let report: ContractReport;
  try {
    try {
      const ran = await runContract(settings, {
        signal: interruption.signal,
        runId,
        onPlan: (plan) => {
          // --json's output is the report alone.
          if (!flags.json) process.stdout.write(planLine(plan));
        },
        onStart: (total) => {
          if (flags.progress && !flags.json) progress = createProgress(total);
        },
        onCase: (record) => progress?.tick(record.verdict.status),
      });
      report = baseline === undefined ? ran : withBaseline(ran, baseline, flags.baseline!);
    } catch (error) {
      // Nothing was judged: no run directory is left behind.
      await rm(dir, { recursive: true, force: true });
      const interrupted = interruption.exitCode();
      if (interrupted === undefined) throw error;
      process.stderr.write('drhook: interrupted during setup: no event was sent\n');
      return interrupted;
    } finally {
      progress?.stop();
    }
    const written = await writeReportsOrFallback(report, dir, redact);
    // The data is redacted, then rendered: rendered text is never altered afterwards.
    const clean = redactStrings(report, redact);
    const json = flags.json || written.kind === 'unwritten';
    process.stdout.write(json ? `${JSON.stringify(clean, null, 2)}\n` : renderConsoleSummary(clean, written.paths, { color: colorEnabled(process.stdout, env) }));
    const lost = fallbackMessage(written, dir);
    if (lost !== undefined) throw new UsageError(lost);
    if (flags.writeRequires !== undefined) await writeRequires(flags.writeRequires, clean, json ? process.stderr : process.stdout);
    if (flags.writeBaseline !== undefined) await writeBaseline(flags.writeBaseline, clean, json ? process.stderr : process.stdout);
  } finally {
    interruption.release();
  }
  return interruption.exitCode() ?? (report.gate.status === 'pass' ? 0 : 1);
}

/** Writes the discovered contract as a scenario fragment, once the run finished: a partial run has not seen every field. */
async function writeRequires(file: string, report: ContractReport, out: NodeJS.WritableStream): Promise<void> {
  if (!report.complete || report.discoveredContract === undefined) {
    process.stderr.write(`drhook: --write-requires: ${file} not written: the run did not finish, so not every field was tried\n`);
    return;
  }
  await writeFileAtomic(file, renderRequiresFragment(report));
  out.write(`Wrote the fields the receiver requires, for ${report.discoveredContract.types.length} event types, to ${file}\n`);
}

/** `--baseline`: read before anything is sent, so a bad file stops the run at once. */
function readBaseline(file: string): ContractBaseline {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new UsageError(`--baseline ${file}: ${code === 'ENOENT' ? 'no such file' : `cannot read it (${code ?? 'error'})`}; give a file written by --write-baseline or a contract run's report.json`);
  }
  return parseBaseline(text, file);
}

/** Writes the run's failures as a baseline, once the run finished: a partial run does not know every failure. */
async function writeBaseline(file: string, report: ContractReport, out: NodeJS.WritableStream): Promise<void> {
  if (!report.complete) {
    process.stderr.write(`drhook: --write-baseline: ${file} not written: the run did not finish, so not every failure is known\n`);
    return;
  }
  const baseline = baselineOf(report);
  await writeFileAtomic(file, `${JSON.stringify(baseline, null, 2)}\n`);
  out.write(`Wrote a baseline of ${baseline.failures.length} failing ${baseline.failures.length === 1 ? 'case' : 'cases'} to ${file}\n`);
}

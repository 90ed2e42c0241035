// The `drhook load <url>` command: load and capacity tests with unique signed events; exit 0 thresholds held, 1 broken, 2 setup, 3 inconclusive, 130/143 interrupted.
import { readFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { Argument, Option, type Command } from 'commander';
import { UsageError } from '../base/errors.js';
import type { Mode } from '../events/event.js';
import { resolveLoadSettings, settingsSecrets, type LoadOptions } from '../load/settings.js';
import { parseSegment, parseStartAt, type Segment } from '../load/shard.js';
import { catchInterruptions } from './interrupt.js';
import {
  addAuthOptions,
  addDeliveryOptions,
  addReportOptions,
  addSecretOptions,
  list,
  parseDurationMs,
  parseInteger,
  parseSeconds,
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
import { colorEnabled } from '../report/ansi.js';
import type { LoadProgressBar } from '../report/load/progress.js';
import { redactStrings } from '../wire/redact-strings.js';
import type { LoadReport } from '../load/report.js';
import { checkLoadBaseline, parseLoadBaseline, withLoadBaseline } from '../load/baseline.js';
import { createRunDirectory } from './run-dir.js';

interface LoadFlags extends SharedFlags, ReportFlags {
  events?: string[];
  mode?: Mode;
  rate?: number;
  duration?: number;
  count?: number;
  warmup?: number;
  connections?: number;
  ramp?: number[];
  stepDuration?: number;
  capacity?: boolean;
  maxRate?: number;
  timeLimit?: number;
  p99Ms?: number;
  maxFailureRate?: number;
  poolSize?: number;
  allowLong?: boolean;
  stories?: boolean;
  shard?: Segment;
  startAt?: Date;
  baseline?: string;
  regression?: number;
}


export function register(program: Command): void {
  const command = program
    .command('load')
    .description(
      'load and capacity tests: unique, freshly signed events at a fixed rate, a ramp, or a search for the highest rate your receiver sustains. ' +
        'It sends real load: point it at 127.0.0.1 or a staging receiver you own, never at someone else\'s endpoint.',
    )
    .addArgument(new Argument('<url>', 'the receiver endpoint (http:// or https://); only this URL receives load').argParser(parseUrl))
    .option('--scenario <file>', 'scenario (YAML or JSON): event types and weights, mode, auth, signature, load defaults (default: the bundled scenarios/default.yaml)')
    .option('--events <types>', "event types and weights instead of the scenario's: type[:weight],… e.g. order.accepted:5,refund.complete", list)
    .addOption(new Option('--mode <mode>', "data mode: signs with that mode's token, sets liveMode").choices(['test', 'live']))
    .addOption(new Option('--rate <events/s>', 'fixed arrival rate (open loop); without it the run is closed loop: each connection sends again as soon as it is answered').argParser(parseRate('--rate')))
    .addOption(new Option('--duration <time>', 'how long to send: 30, 30s, 2m (seconds without a unit); required unless --count, --ramp or --capacity').argParser(parseSeconds('--duration')))
    .addOption(new Option('--count <n>', 'send this many requests instead of a duration').argParser(parseInteger('--count', { min: 1, max: 100_000_000 })))
    .addOption(new Option('--warmup <time>', 'send load this long first, not counted (default 0)').argParser(parseSeconds('--warmup', true)))
    .addOption(new Option('--connections <n>', 'connections, each with one delivery in flight at a time (default 50, or the scenario\'s)').argParser(parseInteger('--connections', { min: 1, max: 10_000 })))
    .addOption(new Option('--ramp <rates>', 'run one step per rate, e.g. 50,100,200,400 (needs --step-duration)').argParser(parseRamp))
    .addOption(new Option('--step-duration <time>', 'length of each --ramp or --capacity step (capacity default 5s)').argParser(parseSeconds('--step-duration')))
    .option('--capacity', 'search the highest rate at which p99 and failures hold their thresholds (from --rate, default 10/s; needs --time-limit)')
    .addOption(new Option('--max-rate <events/s>', '--capacity: never go above this rate').argParser(parseRate('--max-rate')))
    .addOption(new Option('--time-limit <time>', '--capacity: the longest the search may take').argParser(parseSeconds('--time-limit')))
    .addOption(new Option('--p99-ms <ms>', 'p99 latency budget (default: the deadline, 3000 ms)').argParser(parseDurationMs('--p99-ms')))
    .addOption(new Option('--max-failure-rate <share>', 'largest share of failed deliveries: a fraction 0–1 or a percentage such as 1% (default 0)').argParser(parseShare))
    .option('--allow-long', 'allow a run longer than 10 minutes (up to 24 hours)')
    .addOption(new Option('--shard <K/N>', "run the K-th of N shards of the test: every Nth delivery of each step, ids apart from the other shards'; merge their reports with drhook merge (needs --start-at)").argParser(parseSegment))
    .addOption(new Option('--start-at <time>', 'with --shard: the ISO 8601 time every shard starts its clock at, e.g. 2026-05-01T12:00:00Z').argParser(parseStartAt))
    .option('--baseline <report.json>', "an earlier load run's report.json: a step whose p99 or failure share grew beyond --regression against the baseline's step at the same pace fails the run")
    .addOption(new Option('--regression <share>', 'with --baseline: how much a p99 or failure share may grow, a percentage such as 10% or a fraction (default 10%)').argParser(parseRegression));
  addSecretOptions(command);
  addAuthOptions(command);
  addDeliveryOptions(command, { concurrency: false });
  command
    .option('--header <header>', "extra request header 'Name: value' (repeatable)", repeat)
    .addOption(new Option('--seed <n>', 'seed of the generated events (default: random, recorded in the report)').argParser(parseInteger('--seed', { min: 0, max: Number.MAX_SAFE_INTEGER })))
    .addOption(apiVersionOption("the scenario's"))
    .addOption(new Option('--pool-size <n>', 'distinct generated events the requests are stamped from (default 32)').argParser(parseInteger('--pool-size', { min: 1, max: 1000 })))
    .option('--stories', "send orders' lifecycles instead of independent events: each order's events in Digital River's order, orders interleaved, each step in the share of orders its weight gives");
  addReportOptions(command)
    .action(async (url: string, flags: LoadFlags, self: Command) => {
      process.exitCode = await load(url, flags, self, process.env);
    });
}

/** The options the user set; commander's defaults are left out so the scenario decides. */
function loadOptions(flags: LoadFlags, command: Command, env: NodeJS.ProcessEnv): LoadOptions {
  const options: LoadOptions = sharedOptionsFrom(flags, command, env, resolveSecrets(flags, env));
  const set = <K extends keyof LoadOptions>(key: K, value: LoadOptions[K] | undefined) => {
    if (value !== undefined) options[key] = value;
  };
  set('events', flags.events);
  set('mode', flags.mode);
  set('rate', flags.rate);
  set('durationSec', flags.duration);
  set('count', flags.count);
  set('warmupSec', flags.warmup);
  set('connections', flags.connections);
  set('ramp', flags.ramp);
  set('stepSec', flags.stepDuration);
  set('capacity', flags.capacity);
  set('maxRate', flags.maxRate);
  set('timeLimitSec', flags.timeLimit);
  set('p99Ms', flags.p99Ms);
  set('maxFailureRate', flags.maxFailureRate);
  set('poolSize', flags.poolSize);
  set('allowLong', flags.allowLong);
  set('stories', flags.stories);
  set('shard', flags.shard);
  set('startAt', flags.startAt);
  return options;
}

async function load(url: string, flags: LoadFlags, command: Command, env: NodeJS.ProcessEnv): Promise<number> {
  const settings = resolveLoadSettings(url, loadOptions(flags, command, env), env);
  if (flags.regression !== undefined && flags.baseline === undefined) throw new UsageError('--regression needs --baseline: the report to compare with');
  const baseline = flags.baseline === undefined ? undefined : readBaseline(flags.baseline);
  if (baseline !== undefined) checkLoadBaseline(baseline, settings, flags.baseline!);
  const redact = createRedactor(settingsSecrets(settings));
  // The engine and the report writers load once the settings hold: a usage error costs no more than reading them.
  const [{ runLoad }, { createLoadProgress }, { fallbackMessage, writeReportsOrFallback }, { renderJson }, { renderLoadConsole }] = await Promise.all([
    import('../load/run.js'),
    import('../report/load/progress.js'),
    import('../report/report-files.js'),
    import('../report/formats/index.js'),
    import('../report/load/console.js'),
  ]);
  const { runId, dir } = await createRunDirectory(flags.reportDir, 'load');

  warnIfInsecure(settings.tls.insecure);
  const interruption = catchInterruptions();
  // The signals stay caught until the reports are written, so a second Ctrl-C cannot cut a file short.
  try {
    const progress: LoadProgressBar | undefined = flags.progress && !flags.json ? createLoadProgress() : undefined;
    let report;
    try {
      const ran = await runLoad(settings, { signal: interruption.signal, runId, onProgress: (live) => progress?.update(live) });
      report = baseline === undefined ? ran : withLoadBaseline(ran, baseline, flags.baseline!, flags.regression ?? DEFAULT_REGRESSION);
    } catch (error) {
      // Nothing was measured: no run directory is left behind.
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
    process.stdout.write(json ? renderJson(clean) : renderLoadConsole(clean, written.paths, { color: colorEnabled(process.stdout, env) }));
    const lost = fallbackMessage(written, dir);
    if (lost !== undefined) throw new UsageError(lost);
    return interruption.exitCode() ?? verdictExitCode[report.verdict.status];
  } finally {
    interruption.release();
  }
}

/** Exit codes by verdict: inconclusive (drhook could not judge the receiver) is neither a pass nor a failure. */
export const verdictExitCode: Readonly<Record<LoadReport['verdict']['status'], 0 | 1 | 3>> = { pass: 0, fail: 1, inconclusive: 3 };

function parseRate(name: string): (value: string) => number {
  return (value) => {
    const rate = /^\d+(\.\d+)?$/.test(value.trim()) ? Number(value) : Number.NaN;
    if (!(rate >= 0.1 && rate <= 100_000)) throw new UsageError(`${name} must be events per second from 0.1 to 100000, got '${value}'`);
    return rate;
  };
}

/** `50,100,200,400`: rising or not, each a rate. */
function parseRamp(value: string): number[] {
  const parts = value.split(',').map((part) => part.trim());
  const rates = parts.map((part) => (/^\d+(\.\d+)?$/.test(part) ? Number(part) : Number.NaN));
  if (parts.length === 0 || rates.some((rate) => !(rate >= 0.1 && rate <= 100_000))) {
    throw new UsageError(`--ramp must list rates in events per second (0.1 to 100000) separated by commas, such as 50,100,200,400, got '${value}'`);
  }
  return rates;
}

/** How much a step may regress against its baseline step when --regression does not say. */
const DEFAULT_REGRESSION = 0.1;

/** `--baseline`: read and checked before anything is sent. */
function readBaseline(file: string): LoadReport {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new UsageError(`--baseline ${file}: ${code === 'ENOENT' ? 'no such file' : `cannot read it (${code ?? 'error'})`}; give the report.json of an earlier drhook load run`);
  }
  return parseLoadBaseline(text, file);
}

/** `10%` or `0.1`. */
function parseRegression(value: string): number {
  const text = value.trim();
  const percent = text.endsWith('%');
  const number = /^\d+(\.\d+)?$/.test(percent ? text.slice(0, -1).trim() : text) ? Number(percent ? text.slice(0, -1) : text) : Number.NaN;
  const share = percent ? number / 100 : number;
  if (!(share >= 0 && share <= 10)) throw new UsageError(`--regression must be a percentage such as 10% or a fraction such as 0.1 (at most 1000%), got '${value}'`);
  return share;
}

/** `0.01` or `1%`. */
function parseShare(value: string): number {
  const text = value.trim();
  const percent = text.endsWith('%');
  const number = /^\d+(\.\d+)?$/.test(percent ? text.slice(0, -1).trim() : text) ? Number(percent ? text.slice(0, -1) : text) : Number.NaN;
  const share = percent ? number / 100 : number;
  if (!(share >= 0 && share <= 1)) throw new UsageError(`--max-failure-rate must be a fraction from 0 to 1 or a percentage such as 1%, got '${value}'`);
  return share;
}

// The `drhook merge <dir…>` command: the reports of a load test's shards merged into one; exit 0 held, 1 broken or shards missing, 2 setup, 3 inconclusive.
import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import type { Command } from 'commander';
import { UsageError } from '../base/errors.js';
import type { LoadReport } from '../load/report.js';
import { mergeShards, type ShardInput } from '../load/merge.js';
import { colorEnabled } from '../report/ansi.js';
import { renderLoadConsole } from '../report/load/console.js';
import { renderJson } from '../report/formats/index.js';
import { fallbackMessage, writeReportsOrFallback } from '../report/report-files.js';
import { createRedactor } from '../wire/redact.js';
import { redactStrings } from '../wire/redact-strings.js';
import { resolveSecrets } from '../wire/secrets.js';
import { readReport } from './report.js';
import { createRunDirectory, defaultReportDir } from './run-dir.js';

interface MergeFlags {
  reportDir: string;
  json?: boolean;
}

/** How deep under each directory given report.json files are looked for (a run directory under a shard's --report-dir under a volume). */
const MAX_DEPTH = 4;

export function register(program: Command): void {
  program
    .command('merge')
    .description(
      "merge the reports of a load test's shards (drhook load --shard K/N) into one report: percentiles from the shards' histograms added up, " +
        'thresholds and diagnosis applied to the merged data. Exit 0 held, 1 a threshold broke or shards are missing or incomplete, 2 shards of different tests, 3 inconclusive',
    )
    .argument('<dir...>', "shard run directories, directories holding them (searched for report.json), or report.json files")
    .option('--report-dir <dir>', 'where the run directory with the merged reports (report.json, junit.xml, summary.md, report.html) goes', defaultReportDir)
    .option('--json', 'print the merged report.json to stdout instead of the table')
    .action(async (dirs: string[], flags: MergeFlags) => {
      process.exitCode = await merge(dirs, flags, process.env);
    });
}

async function merge(sources: readonly string[], flags: MergeFlags, env: NodeJS.ProcessEnv): Promise<number> {
  const files = (await Promise.all(sources.map(reportFiles))).flat();
  const unique = [...new Set(files.map((file) => path.resolve(file)))];
  const inputs: ShardInput[] = [];
  for (const file of unique) {
    const report = await readReport(file);
    if (report.kind !== 'load') throw new UsageError(`${file} is a contract report: drhook merge merges the reports of drhook load --shard`);
    // A merged report found under a directory given is not a shard: it is skipped, not merged again.
    if (report.merge) continue;
    inputs.push({ source: file, report });
  }
  if (inputs.length === 0) throw new UsageError(`no shard report.json under ${sources.join(', ')}: give the run directories that drhook load --shard wrote`);
  // Merged (or refused) before the run directory exists: a refused merge leaves nothing behind.
  const pending = mergeShards(inputs, 'pending');
  const { runId, dir } = await createRunDirectory(flags.reportDir, 'load');
  const merged = { ...pending, runId };
  // The shards' reports were redacted when they were written; secrets in the environment now are masked again all the same.
  const secrets = resolveSecrets({}, env);
  const redact = createRedactor([...secrets.test, ...secrets.live, env.DRHOOK_PASSWORD ?? '', env.DRHOOK_CLIENT_SECRET ?? '']);
  const written = await writeReportsOrFallback(merged, dir, redact);
  const clean = redactStrings(merged, redact);
  const json = flags.json || written.kind === 'unwritten';
  process.stdout.write(json ? renderJson(clean) : renderLoadConsole(clean, written.paths, { color: colorEnabled(process.stdout, env) }));
  const lost = fallbackMessage(written, dir);
  if (lost !== undefined) throw new UsageError(lost);
  return mergeExitCode(merged.verdict);
}

/** A merge with shards missing or incomplete exits 1, never 0: the test did not run as asked. Otherwise as drhook load: 0, 1, 3. */
export function mergeExitCode(verdict: LoadReport['verdict']): number {
  if (verdict.status === 'inconclusive') return verdict.cause === 'missing-shards' ? 1 : 3;
  return verdict.status === 'pass' ? 0 : 1;
}

/** A report.json given, or those under a directory given; a path that does not exist is a usage error. */
async function reportFiles(source: string): Promise<string[]> {
  let info;
  try {
    info = await stat(source);
  } catch (error) {
    throw new UsageError(`cannot read ${source}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
  }
  if (!info.isDirectory()) return [source];
  const found: string[] = [];
  const walk = async (dir: string, depth: number): Promise<void> => {
    const entries = await readdir(dir, { withFileTypes: true });
    for (const entry of entries.sort((a, b) => a.name.localeCompare(b.name))) {
      const full = path.join(dir, entry.name);
      if (entry.isFile() && entry.name === 'report.json') found.push(full);
      else if (entry.isDirectory() && depth < MAX_DEPTH) await walk(full, depth + 1);
    }
  };
  await walk(source, 0);
  return found;
}

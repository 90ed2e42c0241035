// The `drhook report <report.json>` command: report.html and summary.md rendered again from a saved contract or load report.
import { mkdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import type { Command } from 'commander';
import type { ContractReport } from '../contract/results.js';
import { UsageError } from '../base/errors.js';
import type { LoadReport } from '../load/report.js';
import { schemasDir } from '../base/paths.js';
import { createRedactor } from '../wire/redact.js';
import { formatsFor, writeReportFiles } from '../report/report-files.js';
import { oneLine } from '../report/text.js';
import { resolveSecrets } from '../wire/secrets.js';

interface ReportFlags {
  out?: string;
}

type SavedReport = ContractReport | LoadReport;

/** What `drhook report` renders again: the human-readable files (report.json is the input, junit.xml is for CI runs). */
const rerendered = formatsFor(['html', 'summary']);

const schemaFiles: Record<SavedReport['kind'], string> = { contract: 'report.schema.json', load: 'load-report.schema.json' };

export function register(program: Command): void {
  program
    .command('report')
    .description('render report.html and summary.md again from a saved report.json (of drhook contract or drhook load)')
    .argument('<report.json>', 'a report.json that drhook contract or drhook load wrote')
    .option('--out <dir>', 'where to write report.html and summary.md (default: the directory of report.json)')
    .action(async (file: string, flags: ReportFlags) => {
      process.stdout.write(await report(file, flags, process.env));
    });
}

async function report(file: string, flags: ReportFlags, env: NodeJS.ProcessEnv): Promise<string> {
  const saved = await readReport(file);
  const outDir = path.resolve(flags.out ?? path.dirname(file));
  try {
    await mkdir(outDir, { recursive: true });
  } catch (error) {
    throw new UsageError(`cannot create --out ${outDir}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
  }
  // The saved report was redacted when it was written; secrets in the environment now are masked again all the same.
  const secrets = resolveSecrets({}, env);
  const redact = createRedactor([...secrets.test, ...secrets.live, env.DRHOOK_PASSWORD ?? '', env.DRHOOK_CLIENT_SECRET ?? '']);
  const paths = await writeReportFiles(saved, rerendered, outDir, redact);
  return `Reports (${saved.kind} run ${redact(saved.runId)}):\n  ${paths.html}\n  ${paths.summary}\n`;
}

/** The file as a contract or load report, checked against its schema; anything else is a one-line usage error. */
export async function readReport(file: string): Promise<SavedReport> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new UsageError(`cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new UsageError(`${file} is not JSON: ${oneLine(error instanceof Error ? error.message : String(error), 200)}`);
  }
  const head = typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as { tool?: unknown; kind?: unknown }) : {};
  if (head.tool !== 'drhook') throw new UsageError(`${file} is not a drhook report (no "tool": "drhook"): give the report.json of a contract or load run`);
  if (head.kind !== 'contract' && head.kind !== 'load') {
    throw new UsageError(`${file} is a drhook report of kind ${JSON.stringify(head.kind) ?? 'undefined'}; drhook report renders contract and load reports`);
  }
  const ajv = new Ajv2020({ allErrors: false, strict: true });
  addFormats.default(ajv);
  const validate = ajv.compile(JSON.parse(await readFile(path.join(schemasDir, schemaFiles[head.kind]), 'utf8')) as object);
  if (!validate(value)) {
    const [error] = validate.errors ?? [];
    const where = error?.instancePath ? `at ${error.instancePath}` : 'at the top level';
    throw new UsageError(`${file} is not a valid ${head.kind} report: ${where} it ${error?.message ?? 'does not match the schema'}`);
  }
  return value as SavedReport;
}

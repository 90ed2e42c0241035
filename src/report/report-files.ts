// Writes a run's report files (report.json, junit.xml, summary.md, report.html) into its run directory, redacted and atomically; a temporary directory when that fails.
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { writeFileAtomic } from './atomic-write.js';
import { redactStrings, type Redactor } from '../wire/redact-strings.js';

/** Where each report file of a run was written. */
export interface ReportPaths {
  json: string;
  junit: string;
  summary: string;
  html: string;
}

/** How a run's report is rendered into the text of each file. */
export type ReportRenderers<R> = Readonly<Record<keyof ReportPaths, (report: R) => string>>;

/** report.json is the report itself, pretty-printed. */
export function renderJson(report: unknown): string {
  return `${JSON.stringify(report, null, 2)}\n`;
}

/**
 * Redacts every string of the report, then renders the clean data: redacting before rendering means escaping or
 * truncation cannot hide a secret from the redactor, and the rendered JSON, XML or HTML is never altered afterwards.
 */
export async function writeReportFiles<R>(report: R, renderers: ReportRenderers<R>, dir: string, redact: Redactor): Promise<ReportPaths> {
  const clean = redactStrings(report, redact);
  const paths: ReportPaths = { json: path.join(dir, 'report.json'), junit: path.join(dir, 'junit.xml'), summary: path.join(dir, 'summary.md'), html: path.join(dir, 'report.html') };
  const keys = Object.keys(paths) as Array<keyof ReportPaths>;
  await Promise.all(keys.map((key) => writeFileAtomic(paths[key], renderers[key](clean))));
  return paths;
}

/**
 * Where a run's reports went: its run directory; a new temporary directory when the run directory could not take them
 * (gone, unwritable, full: `why`); or nowhere, when neither could.
 */
export type WrittenReports =
  | { kind: 'written'; paths: ReportPaths }
  | { kind: 'moved'; paths: ReportPaths; dir: string; why: string }
  | { kind: 'unwritten'; why: string };

/** writeReportFiles into `dir`, else into a new temporary directory: the results of a run are never lost to its report directory. */
export async function writeReportFilesOrFallback<R>(report: R, renderers: ReportRenderers<R>, dir: string, redact: Redactor): Promise<WrittenReports> {
  try {
    return { kind: 'written', paths: await writeReportFiles(report, renderers, dir, redact) };
  } catch (error) {
    const why = writeFailure(error);
    try {
      const fallback = await mkdtemp(path.join(tmpdir(), `drhook-${path.basename(dir)}-`));
      return { kind: 'moved', paths: await writeReportFiles(report, renderers, fallback, redact), dir: fallback, why };
    } catch {
      return { kind: 'unwritten', why };
    }
  }
}

/** The one line saying where the reports are not, and where they are instead; undefined when they are where asked. */
export function fallbackMessage(written: WrittenReports, dir: string): string | undefined {
  switch (written.kind) {
    case 'written':
      return undefined;
    case 'moved':
      return `cannot write the reports to ${dir} (${written.why}): they were written to ${written.dir} instead`;
    case 'unwritten':
      return `cannot write the reports to ${dir} (${written.why}) nor to a temporary directory: report.json was printed on stdout instead`;
  }
}

const writeFailures: Record<string, string> = {
  ENOENT: 'it no longer exists',
  ENOTDIR: 'it is no longer a directory',
  EACCES: 'permission denied',
  EPERM: 'permission denied',
  EROFS: 'read-only file system',
  ENOSPC: 'no space left on the device',
  EDQUOT: 'disk quota exceeded',
};

function writeFailure(error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  if (code !== undefined) return `${code}${writeFailures[code] ? `: ${writeFailures[code]}` : ''}`;
  return error instanceof Error ? error.message : String(error);
}

// Writes a run's report files (every format of formats/) into its run directory, redacted and atomically; a temporary directory when that fails.
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { writeFileAtomic } from './atomic-write.js';
import { redactStrings, type Redactor } from '../wire/redact-strings.js';
import { forAnyKind, type AnyReport, type FileFormat, type FormatName, type ReportPaths } from './format.js';
import { reportFormats } from './formats/index.js';

export type { ReportPaths };

/**
 * Redacts every string of the report, then renders the clean data in each format into its file: redacting before
 * rendering means escaping or truncation cannot hide a secret from the redactor, and the rendered JSON, XML or HTML is
 * never altered afterwards.
 */
export async function writeReportFiles<R, N extends FormatName>(report: R, formats: { readonly [K in N]: FileFormat<R> }, dir: string, redact: Redactor): Promise<Record<N, string>> {
  const clean = redactStrings(report, redact);
  const names = Object.keys(formats) as N[];
  const paths = Object.fromEntries(names.map((name) => [name, path.join(dir, formats[name].file)])) as Record<N, string>;
  await Promise.all(names.map((name) => writeFileAtomic(paths[name], formats[name].render(clean))));
  return paths;
}

/** The formats named, each for a report of either kind. */
export function formatsFor<N extends FormatName>(names: readonly N[]): { readonly [K in N]: FileFormat<AnyReport> } {
  return Object.fromEntries(names.map((name) => [name, forAnyKind(reportFormats[name])])) as { readonly [K in N]: FileFormat<AnyReport> };
}

const allFormats = formatsFor(Object.keys(reportFormats) as FormatName[]);

/** Writes a contract or load report in every format into `dir`. */
export function writeReports(report: AnyReport, dir: string, redact: Redactor): Promise<ReportPaths> {
  return writeReportFiles(report, allFormats, dir, redact);
}

/**
 * Where a run's reports went: its run directory; a new temporary directory when the run directory could not take them
 * (gone, unwritable, full: `why`); or nowhere, when neither could.
 */
export type WrittenReports =
  | { kind: 'written'; paths: ReportPaths }
  | { kind: 'moved'; paths: ReportPaths; dir: string; why: string }
  | { kind: 'unwritten'; why: string };

/** writeReports into `dir`, else into a new temporary directory: the results of a run are never lost to its report directory. */
export async function writeReportsOrFallback(report: AnyReport, dir: string, redact: Redactor): Promise<WrittenReports> {
  try {
    return { kind: 'written', paths: await writeReports(report, dir, redact) };
  } catch (error) {
    const why = writeFailure(error);
    try {
      const fallback = await mkdtemp(path.join(tmpdir(), `drhook-${path.basename(dir)}-`));
      return { kind: 'moved', paths: await writeReports(report, fallback, redact), dir: fallback, why };
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

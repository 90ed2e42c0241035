// Writes a run's report files (report.json, junit.xml, summary.md, report.html) into its run directory, redacted and atomically.
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

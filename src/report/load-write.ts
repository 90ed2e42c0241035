// Writes a load run's reports (report.json, junit.xml, summary.md) into its run directory, redacted and atomically.
import path from 'node:path';
import type { LoadReport } from '../load/report.js';
import { writeFileAtomic } from './atomic-write.js';
import { renderLoadJunit } from './load-junit.js';
import { renderLoadSummaryMarkdown } from './load-summary.js';
import { redactStrings, type Redactor } from './redact.js';
import type { ReportPaths } from './write.js';

/** report.json is the LoadReport itself, pretty-printed. */
export function renderLoadReportJson(report: LoadReport): string {
  return `${JSON.stringify(report, null, 2)}\n`;
}

const renderers: Readonly<Record<keyof ReportPaths, (report: LoadReport) => string>> = {
  json: renderLoadReportJson,
  junit: renderLoadJunit,
  summary: renderLoadSummaryMarkdown,
};

/** Redacts every string of the report before rendering, then the full text of each file before it is written. */
export async function writeLoadReports(report: LoadReport, dir: string, redact: Redactor): Promise<ReportPaths> {
  const clean = redactStrings(report, redact);
  const paths: ReportPaths = { json: path.join(dir, 'report.json'), junit: path.join(dir, 'junit.xml'), summary: path.join(dir, 'summary.md') };
  const keys = Object.keys(renderers) as Array<keyof ReportPaths>;
  await Promise.all(keys.map((key) => writeFileAtomic(paths[key], redact(renderers[key](clean)))));
  return paths;
}

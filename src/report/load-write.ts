// Writes a load run's reports (report.json, junit.xml, summary.md, report.html) into its run directory, redacted and atomically.
import path from 'node:path';
import type { LoadReport } from '../load/report.js';
import { writeFileAtomic } from './atomic-write.js';
import { renderLoadHtml } from './html-load.js';
import { renderLoadJunit } from './load-junit.js';
import { renderLoadSummaryMarkdown } from './load-summary.js';
import { redactStrings, type Redactor } from './redact.js';

export interface LoadReportPaths {
  json: string;
  junit: string;
  summary: string;
  html: string;
}

/** report.json is the LoadReport itself, pretty-printed. */
export function renderLoadReportJson(report: LoadReport): string {
  return `${JSON.stringify(report, null, 2)}\n`;
}

const renderers: Readonly<Record<keyof LoadReportPaths, (report: LoadReport) => string>> = {
  json: renderLoadReportJson,
  junit: renderLoadJunit,
  summary: renderLoadSummaryMarkdown,
  html: renderLoadHtml,
};

/** Redacts every string of the report before rendering, then the full text of each file before it is written. */
export async function writeLoadReports(report: LoadReport, dir: string, redact: Redactor): Promise<LoadReportPaths> {
  const clean = redactStrings(report, redact);
  const paths: LoadReportPaths = { json: path.join(dir, 'report.json'), junit: path.join(dir, 'junit.xml'), summary: path.join(dir, 'summary.md'), html: path.join(dir, 'report.html') };
  const keys = Object.keys(renderers) as Array<keyof LoadReportPaths>;
  await Promise.all(keys.map((key) => writeFileAtomic(paths[key], redact(renderers[key](clean)))));
  return paths;
}

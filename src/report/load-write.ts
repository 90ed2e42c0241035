// Writes a load run's reports (report.json, junit.xml, summary.md, report.html) into its run directory, redacted and atomically.
import type { LoadReport } from '../load/report.js';
import { renderLoadHtml } from './html-load.js';
import { renderLoadJunit } from './load-junit.js';
import { renderLoadSummaryMarkdown } from './load-summary.js';
import { renderJson, writeReportFiles, type ReportPaths } from './report-files.js';
import type { Redactor } from './redact.js';

export type LoadReportPaths = ReportPaths;

/** report.json is the LoadReport itself, pretty-printed. */
export const renderLoadReportJson: (report: LoadReport) => string = renderJson;

export async function writeLoadReports(report: LoadReport, dir: string, redact: Redactor): Promise<LoadReportPaths> {
  return writeReportFiles(report, { json: renderLoadReportJson, junit: renderLoadJunit, summary: renderLoadSummaryMarkdown, html: renderLoadHtml }, dir, redact);
}

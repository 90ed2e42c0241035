// Writes a load run's reports (report.json, junit.xml, summary.md, report.html) into its run directory, redacted and atomically.
import type { LoadReport } from '../../load/report.js';
import { renderLoadHtml } from './html.js';
import { renderLoadJunit } from './junit.js';
import { renderLoadSummaryMarkdown } from './summary.js';
import { renderJson, writeReportFiles, type ReportPaths } from '../report-files.js';
import type { Redactor } from '../../wire/redact-strings.js';

export type LoadReportPaths = ReportPaths;

/** report.json is the LoadReport itself, pretty-printed. */
export const renderLoadReportJson: (report: LoadReport) => string = renderJson;

export async function writeLoadReports(report: LoadReport, dir: string, redact: Redactor): Promise<LoadReportPaths> {
  return writeReportFiles(report, { json: renderLoadReportJson, junit: renderLoadJunit, summary: renderLoadSummaryMarkdown, html: renderLoadHtml }, dir, redact);
}

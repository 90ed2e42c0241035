// Writes a load run's reports (report.json, junit.xml, summary.md, report.html) into its run directory, redacted and atomically.
import type { LoadReport } from '../../load/report.js';
import { renderLoadHtml } from './html.js';
import { renderLoadJunit } from './junit.js';
import { renderLoadSummaryMarkdown } from './summary.js';
import { renderJson, writeReportFiles, writeReportFilesOrFallback, type ReportPaths, type ReportRenderers, type WrittenReports } from '../report-files.js';
import type { Redactor } from '../../wire/redact-strings.js';

export type LoadReportPaths = ReportPaths;

/** report.json is the LoadReport itself, pretty-printed. */
export const renderLoadReportJson: (report: LoadReport) => string = renderJson;

const renderers: ReportRenderers<LoadReport> = { json: renderLoadReportJson, junit: renderLoadJunit, summary: renderLoadSummaryMarkdown, html: renderLoadHtml };

export async function writeLoadReports(report: LoadReport, dir: string, redact: Redactor): Promise<LoadReportPaths> {
  return writeReportFiles(report, renderers, dir, redact);
}

/** writeLoadReports, falling back to a temporary directory. */
export function writeLoadReportsOrFallback(report: LoadReport, dir: string, redact: Redactor): Promise<WrittenReports> {
  return writeReportFilesOrFallback(report, renderers, dir, redact);
}

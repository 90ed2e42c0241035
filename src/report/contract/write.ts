// Writes a contract run's reports (report.json, junit.xml, summary.md, report.html) into its run directory, redacted and atomically.
import type { ContractReport } from '../../contract/results.js';
import { renderContractHtml } from './html.js';
import { renderJunit } from './junit.js';
import { renderJson, writeReportFiles, writeReportFilesOrFallback, type ReportPaths, type ReportRenderers, type WrittenReports } from '../report-files.js';
import type { Redactor } from '../../wire/redact-strings.js';
import { renderSummaryMarkdown } from './summary.js';

export type { ReportPaths };

/** report.json is the ContractReport itself, pretty-printed. */
export const renderReportJson: (report: ContractReport) => string = renderJson;

const renderers: ReportRenderers<ContractReport> = { json: renderReportJson, junit: renderJunit, summary: renderSummaryMarkdown, html: renderContractHtml };

export async function writeContractReports(report: ContractReport, dir: string, redact: Redactor): Promise<ReportPaths> {
  return writeReportFiles(report, renderers, dir, redact);
}

/** writeContractReports, falling back to a temporary directory. */
export function writeContractReportsOrFallback(report: ContractReport, dir: string, redact: Redactor): Promise<WrittenReports> {
  return writeReportFilesOrFallback(report, renderers, dir, redact);
}

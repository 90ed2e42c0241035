// Writes a contract run's reports (report.json, junit.xml, summary.md, report.html) into its run directory, redacted and atomically.
import path from 'node:path';
import type { ContractReport } from '../contract/results.js';
import { writeFileAtomic } from './atomic-write.js';
import { renderContractHtml } from './html-contract.js';
import { renderJunit } from './junit.js';
import { redactStrings, type Redactor } from './redact.js';
import { renderSummaryMarkdown } from './summary.js';

export interface ReportPaths {
  json: string;
  junit: string;
  summary: string;
  html: string;
}

/** report.json is the ContractReport itself, pretty-printed. */
export function renderReportJson(report: ContractReport): string {
  return `${JSON.stringify(report, null, 2)}\n`;
}

const renderers: Readonly<Record<keyof ReportPaths, (report: ContractReport) => string>> = {
  json: renderReportJson,
  junit: renderJunit,
  summary: renderSummaryMarkdown,
  html: renderContractHtml,
};

/**
 * Redacts twice: every string of the report before rendering (so escaping or truncation cannot hide a secret from the
 * redactor), then the full text of each file before it is written.
 */
export async function writeContractReports(report: ContractReport, dir: string, redact: Redactor): Promise<ReportPaths> {
  const clean = redactStrings(report, redact);
  const paths: ReportPaths = { json: path.join(dir, 'report.json'), junit: path.join(dir, 'junit.xml'), summary: path.join(dir, 'summary.md'), html: path.join(dir, 'report.html') };
  const keys = Object.keys(renderers) as Array<keyof ReportPaths>;
  await Promise.all(keys.map((key) => writeFileAtomic(paths[key], redact(renderers[key](clean)))));
  return paths;
}

// report.json: the report itself, pretty-printed, for every kind.
import type { ReportFormat } from '../format.js';

/** Any report as report.json holds it. */
export function renderJson(report: unknown): string {
  return `${JSON.stringify(report, null, 2)}\n`;
}

export const jsonFormat: ReportFormat<'json'> = { name: 'json', file: 'report.json', render: { contract: renderJson, load: renderJson } };

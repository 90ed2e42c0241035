// Every file format a run's report is written in, listed once, for both kinds of report: the run directory's files and `drhook report`'s.
import type { FormatName, ReportFormat } from '../format.js';
import { htmlFormat } from './html.js';
import { jsonFormat } from './json.js';
import { junitFormat } from './junit.js';
import { summaryFormat } from './summary.js';

/** Keyed by name: a format named in FormatName but missing here does not compile. */
export const reportFormats: { readonly [N in FormatName]: ReportFormat<N> } = {
  json: jsonFormat,
  junit: junitFormat,
  summary: summaryFormat,
  html: htmlFormat,
};

export { renderJson } from './json.js';

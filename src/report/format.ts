// The one interface of a report format: the file a run's report is written to, and how each kind of report renders into it.
import type { ContractReport } from '../contract/results.js';
import type { LoadReport } from '../load/report.js';

/** The reports drhook writes, by their `kind`. */
export interface ReportsByKind {
  contract: ContractReport;
  load: LoadReport;
}
export type ReportKind = keyof ReportsByKind;
export type AnyReport = ReportsByKind[ReportKind];

export type FormatName = 'json' | 'junit' | 'summary' | 'html';

/** A format written into the run directory, with a renderer for every kind of report: a kind without one does not compile. */
export interface ReportFormat<N extends FormatName = FormatName> {
  readonly name: N;
  /** Its file name in the run directory. */
  readonly file: string;
  readonly render: { readonly [K in ReportKind]: (report: ReportsByKind[K]) => string };
}

/** A format bound to one report type: what the writer writes. */
export interface FileFormat<R> {
  readonly name: FormatName;
  readonly file: string;
  render(report: R): string;
}

/** Where each report file of a run was written. */
export type ReportPaths = Readonly<Record<FormatName, string>>;

/** `format` bound to reports of any kind: each rendered by its kind's renderer. */
export function forAnyKind(format: ReportFormat): FileFormat<AnyReport> {
  return {
    name: format.name,
    file: format.file,
    render: (report) => (report.kind === 'contract' ? format.render.contract(report) : format.render.load(report)),
  };
}

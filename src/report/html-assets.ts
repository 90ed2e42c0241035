// Vendored browser code inlined into report.html: Chart.js, read once from the installed package.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

let chartJs: string | undefined;

/** Chart.js's UMD build (it defines the global `Chart`), licence header included. */
export function chartJsSource(): string {
  if (chartJs === undefined) {
    // The package exports no path to its UMD build; it sits beside the CommonJS entry point.
    const entry = createRequire(import.meta.url).resolve('chart.js');
    chartJs = readFileSync(path.join(path.dirname(entry), 'chart.umd.min.js'), 'utf8');
  }
  return chartJs;
}

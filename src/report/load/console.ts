// The load report for the terminal: what ran, a table of steps with latency percentiles, thresholds, shortfalls, capacity and the verdict.
import { fmtRate } from '../../load/diagnose.js';
import { percent } from '../../load/judge.js';
import { capacityFigure } from '../../load/ramp.js';
import { describeLoadBaseline } from '../../load/baseline.js';
import type { LoadReport, StepResult, ThresholdCheck } from '../../load/report.js';
import { palette, type Palette } from '../ansi.js';
import { stepState } from './charts.js';
import { oneLine } from '../text.js';
import { rateIsAnswered, verdictWord } from './words.js';
import type { ReportPaths } from '../format.js';

const columns = (rate: string) => ['STEP', 'ASKED', rate, 'SENT', '2XX', 'FAILED', 'TIMEOUT', 'CONN', 'P50', 'P90', 'P99', 'P99.9', 'MAX', 'STATUS'];

export function renderLoadConsole(report: LoadReport, paths: ReportPaths, options: { color: boolean }): string {
  const p = palette(options.color);
  const lines = [
    `${p.bold('drhook load')} ${oneLine(report.target, 200)} ${p.dim(`(run ${oneLine(report.runId, 80)})`)}`,
    p.dim(`  ${oneLine(report.plan.description, 400)}`),
    p.dim(`  ${report.pool.templates} generated events of ${report.pool.types} type${report.pool.types === 1 ? '' : 's'} (${report.pool.bytes.min}–${report.pool.bytes.max} bytes), each request with its own id and time, signed afresh`),
    '',
    ...table(report.steps, columns(rateIsAnswered(report) ? 'ANSWERED/S' : 'SENT/S'), report.capacity !== null, p),
  ];
  for (const note of report.plan.notes) lines.push(p.dim(`  ${oneLine(note, 400)}`));
  const flagged = report.steps.flatMap((step) => step.checks.filter((check) => check.verdict.status !== 'pass').map((check) => ({ step, check })));
  // A capacity search breaks thresholds above the capacity on purpose: its own section says where.
  if (!report.capacity && (flagged.length > 0 || report.steps.length === 1)) {
    lines.push('', p.bold('Thresholds'));
    const shown = report.steps.length === 1 ? report.steps[0]!.checks.map((check) => ({ step: report.steps[0]!, check })) : flagged;
    for (const { step, check } of shown) lines.push(checkLine(report.steps.length > 1 ? step.label : '', check, p));
  }
  if (report.capacity) {
    const { capacity } = report;
    lines.push('', p.bold(`Capacity: ${capacityFigure(capacity)}`));
    if (capacity.lastGood) lines.push(`  last good  ${fmtRate(capacity.lastGood.rate)} (${capacity.lastGood.label}): p99 ${capacity.lastGood.p99Ms ?? '–'} ms, failures ${percent(capacity.lastGood.failureRate)}`);
    if (capacity.firstBad) lines.push(`  first bad  ${fmtRate(capacity.firstBad.rate)} (${capacity.firstBad.label}): ${oneLine(capacity.firstBad.why, 600)}`);
    lines.push(p.dim(`  ${oneLine(capacity.explanation, 600)}`));
  }
  const against = describeLoadBaseline(report);
  if (against !== undefined) lines.push('', oneLine(against, 1000));
  const word = verdictWord(report.verdict);
  const headline = p.bold(`Load: ${word.toUpperCase()}`);
  const verdict = word === 'pass' ? p.green(headline) : word === 'fail' ? p.red(headline) : p.yellow(headline);
  lines.push('', `${verdict}  ${oneLine(report.verdict.summary, 1000)}`);
  if (!report.complete) lines.push(p.yellow(report.stoppedBy === 'time-cap' ? 'The run reached its time cap: only the steps that ran are listed.' : 'The run was interrupted: only the steps that ran are listed.'));
  lines.push('', p.dim('Reports:'), `  ${paths.html}`, `  ${paths.json}`, `  ${paths.junit}`, `  ${paths.summary}`);
  return `${lines.join('\n')}\n`;
}

/** In a capacity search a step that breaks a threshold is above the capacity: shown as `above`, not as a failure. */
function table(steps: readonly StepResult[], titles: readonly string[], capacityRun: boolean, p: Palette): string[] {
  const rows = steps.map((step) => {
    const o = step.outcomes;
    const l = step.latencyMs;
    const latency = l ? [l.p50, l.p90, l.p99, l.p999, l.max].map((value) => `${value}ms`) : ['–', '–', '–', '–', '–'];
    return [
      step.label,
      step.pace.kind === 'open' ? fmtRate(step.pace.rate) : 'closed',
      String(step.achievedRate),
      String(step.sent),
      String(o.acknowledged),
      `${o.failures} ${percent(o.failureRate).replace(' ', '')}`,
      String(o.timeouts),
      String(o.connectionErrors),
      ...latency,
      // A capacity search's broken step is `above` the capacity, not failed.
      stepState(step, capacityRun),
    ];
  });
  const widths = titles.map((title, i) => Math.max(title.length, ...rows.map((row) => row[i]!.length)));
  const render = (cells: readonly string[]) => cells.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!))).join('  ');
  return [
    p.dim(`  ${render(titles)}`),
    ...rows.map((row) => {
      const text = `  ${render(row)}`;
      const status = row[row.length - 1];
      return status === 'pass' ? text : status === 'fail' ? p.red(text) : p.yellow(text);
    }),
  ];
}

function checkLine(label: string, check: ThresholdCheck, p: Palette): string {
  const { status } = check.verdict;
  const symbol = status === 'pass' ? p.green('✓') : status === 'fail' ? p.red('✗') : status === 'inconclusive' ? p.yellow('?') : p.yellow('!');
  const where = label ? `${label}: ` : '';
  return `  ${symbol} ${where}${check.limit} — measured ${check.measured}${status === 'pass' ? '' : `\n      ${oneLine(check.verdict.reason, 800)}`}`;
}

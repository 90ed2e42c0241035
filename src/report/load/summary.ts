// The load report as Markdown for a CI step summary: verdict sentence, what ran, a table of steps, thresholds and shortfalls.
import { fmtRate } from '../../load/diagnose.js';
import { rateIsAnswered, verdictWord } from './words.js';
import { percent } from '../../load/judge.js';
import { capacityFigure } from '../../load/ramp.js';
import { describeLoadBaseline } from '../../load/baseline.js';
import { causeTallies, describeTally } from '../../load/stats.js';
import type { LoadReport, StepResult, ThresholdCheck } from '../../load/report.js';
import { stepState, type StepState } from './charts.js';
import { mdCode, mdText } from '../markdown.js';
import { formatMs, oneLine } from '../text.js';

const mark: Record<ThresholdCheck['verdict']['status'], string> = { pass: '✅', fail: '❌', inconclusive: '❔', warn: '⚠️' };
const headMark: Record<ReturnType<typeof verdictWord>, string> = { pass: '✅', fail: '❌', inconclusive: '❔', interrupted: '⚠️' };
const stepMark: Record<StepState, string> = { pass: '✅ pass', fail: '❌ fail', warn: '⚠️ warn', above: '⚠️ above capacity', inconclusive: '❔ inconclusive' };

export function renderLoadSummaryMarkdown(report: LoadReport): string {
  const word = verdictWord(report.verdict);
  const wallMs = Math.max(0, Date.parse(report.finishedAt) - Date.parse(report.startedAt));
  const lines = [
    `## ${headMark[word]} drhook load: ${word}`,
    '',
    mdText(report.verdict.summary, 2000),
    '',
  ];
  if (report.verdict.reasons.length > 0) lines.push(...report.verdict.reasons.map((reason) => `- ${mdText(reason, 1000)}`), '');
  if (!report.complete) {
    const why = report.stoppedBy === 'time-cap' ? 'it reached its time cap' : 'it was interrupted';
    lines.push(`> ⚠️ The run is incomplete: ${why}. Only the steps that ran are listed.`, '');
  }
  lines.push(
    `**Target:** ${mdCode(oneLine(report.target, 200))} · **Run:** ${mdCode(report.runId)} · started ${mdText(report.startedAt, 40)} · ${formatMs(wallMs)} · drhook ${mdText(report.version, 40)}  `,
    `**Plan:** ${mdText(report.plan.description, 1000)}  `,
    `**Events:** ${report.pool.templates} generated events of ${report.pool.types} type${report.pool.types === 1 ? '' : 's'}, ${report.pool.bytes.min}–${report.pool.bytes.max} bytes; every request stamped with its own id and time and signed afresh`,
    '',
  );
  for (const note of report.plan.notes) lines.push(`*${mdText(note, 500)}*`, '');
  const against = describeLoadBaseline(report);
  if (against !== undefined) lines.push(`**Baseline:** ${mdText(against, 1000)}`, '');
  if (report.capacity) {
    const { capacity } = report;
    lines.push(
      `### Capacity: ${capacityFigure(capacity)}`,
      '',
      `- **Last good:** ${capacity.lastGood ? `${fmtRate(capacity.lastGood.rate)} (${mdText(capacity.lastGood.label, 40)}), p99 ${capacity.lastGood.p99Ms ?? '–'} ms, failures ${percent(capacity.lastGood.failureRate)}` : 'none'}`,
      `- **First bad:** ${capacity.firstBad ? `${fmtRate(capacity.firstBad.rate)} (${mdText(capacity.firstBad.label, 40)}): ${mdText(capacity.firstBad.why, 1000)}` : 'none'}`,
      `- **Search ended:** ${mdText(capacity.explanation, 1000)}`,
      '',
    );
  }
  lines.push(
    `| Step | Rate asked | ${rateIsAnswered(report) ? 'Answered/s' : 'Sent/s'} | Sent | 2xx | Failed | Timeouts | Conn. errors | p50 | p90 | p99 | p99.9 | max | Status |`,
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |',
    ...report.steps.map((step) => stepRow(step, report.capacity !== null)),
    '',
  );
  const details = report.steps.flatMap((step) => stepDetails(step, report.capacity !== null));
  if (details.length > 0) lines.push('### Thresholds', '', ...details, '');
  lines.push('The per-second series (requests, failures, p99) of every step is in report.json.');
  return `${lines.join('\n').trimEnd()}\n`;
}

function stepRow(step: StepResult, capacityRun: boolean): string {
  const o = step.outcomes;
  const l = step.latencyMs;
  const latency = l ? [l.p50, l.p90, l.p99, l.p999, l.max].map((value) => `${value} ms`) : ['–', '–', '–', '–', '–'];
  const asked = step.pace.kind === 'open' ? fmtRate(step.pace.rate) : 'closed loop';
  return `| ${mdText(step.label, 40)} | ${asked} | ${step.achievedRate} | ${step.sent} | ${o.acknowledged} | ${o.failures} (${percent(o.failureRate)}) | ${o.timeouts} | ${o.connectionErrors} | ${latency.join(' | ')} | ${stepMark[stepState(step, capacityRun)]} |`;
}

/** In a capacity search a broken threshold marks a step above the capacity: a finding, not a failure. */
function stepDetails(step: StepResult, capacityRun: boolean): string[] {
  const lines = [`**${mdText(step.label, 40)}**`, ''];
  for (const check of step.checks) {
    const { status } = check.verdict;
    const symbol = capacityRun && status === 'fail' ? '⚠️' : mark[status];
    const note = capacityRun && status === 'fail' ? ' (above the capacity)' : '';
    lines.push(`- ${symbol} ${mdText(check.limit, 100)}: ${mdText(check.measured, 100)}${note}. ${mdText(check.verdict.reason, 1000)}`);
  }
  const statuses = Object.entries(step.outcomes.statuses).map(([status, count]) => `${status} ×${count}`);
  if (statuses.length > 0) lines.push(`- Statuses: ${statuses.join(', ')}`);
  const causes = causeTallies(step.outcomes).map(describeTally);
  if (causes.length > 0) lines.push(`- Connection errors: ${mdText(causes.join(', '), 300)}`);
  if (step.outcomes.unfinished > 0) lines.push(`- ${step.outcomes.unfinished} still in flight when the step ended (not judged)`);
  const d = step.diagnostics;
  lines.push(`- drhook: CPU ${percent(d.cpuShare)}, stamping and signing ${percent(d.stampShare)} (${d.stampMicros} µs per event), event-loop delay p99 ${d.eventLoopLagP99Ms} ms, at most ${d.maxInFlight} in flight`);
  lines.push('');
  return lines;
}

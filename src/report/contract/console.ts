// The contract report for the terminal: a table of checks, the failing and warning cases, the gate and where the reports are.
import type { CheckResult, CheckStatus, ContractReport } from '../../contract/results.js';
import { palette, type Palette } from '../ansi.js';
import { bodyExcerpt, caseTitle, gateNotes, describeOutcome, flaggedChecks, groupByReason, groupOutcomes, setupNote, type FlaggedCase, type ReasonGroup } from './describe.js';
import { discoveredConsoleLines } from './discovered.js';
import { baselineConsoleLines } from './baseline.js';
import { subscriptionsConsoleLines } from './subscriptions.js';
import { oneLine } from '../text.js';
import type { ReportPaths } from '../format.js';

/**
 * At most this many reasons are printed per check, each once with the number of cases giving it and one of them as the
 * example; summary.md shows more cases and report.json has all.
 */
export const consoleCasesPerCheck = 3;

export function renderConsoleSummary(report: ContractReport, paths: ReportPaths, options: { color: boolean }): string {
  const p = palette(options.color);
  const idWidth = Math.max(5, ...report.checks.map((c) => c.id.length));
  const lines = [
    `${p.bold('drhook contract')} ${oneLine(report.target, 200)} ${p.dim(`(run ${oneLine(report.runId, 80)})`)}`,
    '',
    p.dim(`  ${'CHECK'.padEnd(idWidth)}  ${'KIND'.padEnd(8)}  ${'STATUS'.padEnd(7)}  ${'PASS'.padStart(4)}  ${'FAIL'.padStart(4)}  ${'WARN'.padStart(4)}`),
    ...report.checks.map((check) => checkRow(check, idWidth, p)),
  ];
  if (report.discoveredContract) {
    const [title = '', ...types] = discoveredConsoleLines(report.discoveredContract);
    lines.push('', p.bold(title), ...types);
  }
  const flagged = flaggedChecks(report);
  const setup = setupNote(report);
  if (setup !== undefined) lines.push('', p.yellow(oneLine(setup, 1000)));
  for (const [title, state] of [['Failing cases', 'fail'], ['Warnings', 'warn']] as const) {
    const groups = flagged.map((f) => ({ id: f.check.id, cases: f.cases.filter((c) => c.state === state) })).filter((g) => g.cases.length > 0);
    if (groups.length === 0) continue;
    lines.push('', p.bold(title));
    for (const group of groups) {
      const shown = groupByReason(group.cases).slice(0, consoleCasesPerCheck);
      for (const reason of shown) lines.push(...caseLines(group.id, reason, p));
      const more = group.cases.length - shown.reduce((sum, reason) => sum + reason.count, 0);
      if (more > 0) lines.push(p.dim(`    … and ${more} more ${group.id} case${more === 1 ? '' : 's'} in ${paths.json}`));
    }
  }
  lines.push(...baselineConsoleLines(report));
  if (report.subscriptions) {
    const verdictPaint = { subscribe: p.green, 'fix-or-deselect': p.red, 'not-judged': p.dim } as const;
    const [title = '', ...rest] = subscriptionsConsoleLines(report.subscriptions, (verdict, text) => verdictPaint[verdict](text));
    lines.push('', p.bold(title), ...rest);
  }
  const gate = report.gate.status === 'pass' ? p.green(p.bold('Gate: PASS')) : p.red(p.bold('Gate: FAIL'));
  lines.push('', `${gate}  ${oneLine(report.gate.summary, 1000)}`);
  for (const note of gateNotes(report)) lines.push(p.yellow(note));
  lines.push('', p.dim('Reports:'), `  ${paths.html}`, `  ${paths.json}`, `  ${paths.junit}`, `  ${paths.summary}`);
  return `${lines.join('\n')}\n`;
}

function checkRow(check: CheckResult, idWidth: number, p: Palette): string {
  const head = `  ${check.id.padEnd(idWidth)}  ${(check.required ? 'required' : 'advisory').padEnd(8)}  ${paint(check.status, check.status.padEnd(7), p)}`;
  if (check.status === 'skipped') return `${head}  ${p.dim(oneLine(check.skippedReason, 200))}`;
  const { pass, fail, warn } = check.counts;
  return `${head}  ${String(pass).padStart(4)}  ${String(fail).padStart(4)}  ${String(warn).padStart(4)}`;
}

function paint(status: CheckStatus, text: string, p: Palette): string {
  switch (status) {
    case 'pass':
      return p.green(text);
    case 'fail':
      return p.red(p.bold(text));
    case 'warn':
      return p.yellow(text);
    case 'skipped':
      return p.dim(text);
  }
}

/** One reason: the check, how many cases gave it, and the first of them (its title, answer and reproduce command). */
function caseLines(checkId: string, { example: { record, state }, count }: ReasonGroup, p: Palette): string[] {
  const mark = state === 'fail' ? p.red('✗') : p.yellow('!');
  const title = oneLine(caseTitle(record), 300);
  const got = groupOutcomes(record.deliveries).map((group) => {
    const body = bodyExcerpt(group.first, 120);
    return `${group.count > 1 ? `${group.count}× ` : ''}${describeOutcome(group.first)}${body === undefined ? '' : `: ${body}`}`;
  });
  return [
    `  ${mark} ${p.bold(checkId)}  ${count > 1 ? `${count} cases with this reason, e.g. ${title}` : title}`,
    `      why: ${oneLine(record.verdict.reason, 500)}`,
    ...(got.length > 0 ? [`      got: ${got.join('; ')}`] : []),
    p.dim(`      $ ${oneLine(record.reproduce, 10_000)}`),
  ];
}

// The comparison with a baseline in each report: what is new (and fails the gate), what was fixed, what still fails, what was not run.
import type { BaselineCase, BaselineComparison, ContractReport } from '../../contract/results.js';
import { escapeHtml } from '../html-page.js';
import { mdCode, mdText } from '../markdown.js';
import { oneLine } from '../text.js';

/** At most this many cases are named per list; report.json has them all. */
export const baselineCasesPerList = 20;

interface BaselineList {
  title: string;
  cases: readonly BaselineCase[];
}

/** The lists, in the order they matter: new failures first. */
function lists(comparison: BaselineComparison): BaselineList[] {
  return [
    { title: 'New failures (not in the baseline: these fail the gate)', cases: comparison.new },
    { title: 'Fixed (failing in the baseline, passing now)', cases: comparison.fixed },
    { title: 'Still failing (in the baseline)', cases: comparison.stillFailing },
    { title: 'Not run (failing in the baseline, not planned in this run)', cases: comparison.notRun },
  ];
}

/** One line: the counts against the baseline. */
export function baselineHeadline(comparison: BaselineComparison): string {
  const { new: added, stillFailing, fixed, notRun } = comparison;
  return `Against the baseline ${comparison.file} (run ${comparison.runId}): ${added.length} new, ${stillFailing.length} still failing, ${fixed.length} fixed, ${notRun.length} not run.`;
}

/** The failure key's case, as the lists show it. */
function caseText(entry: BaselineCase): string {
  return `${entry.key}${entry.fault ? ` (${entry.fault})` : ''}`;
}

export function baselineConsoleLines(report: ContractReport): string[] {
  const comparison = report.baseline;
  if (comparison === undefined) return [];
  const lines = ['', baselineHeadline(comparison)];
  for (const list of lists(comparison)) {
    if (list.cases.length === 0) continue;
    // Still failing cases are known: their count is enough on a terminal.
    const shown = list.cases === comparison.stillFailing ? [] : list.cases.slice(0, baselineCasesPerList);
    lines.push(`  ${list.title}: ${list.cases.length}`, ...shown.map((entry) => `    ${oneLine(caseText(entry), 300)}`));
    if (shown.length > 0 && list.cases.length > shown.length) lines.push(`    … and ${list.cases.length - shown.length} more in report.json`);
  }
  return lines;
}

export function baselineMarkdown(report: ContractReport): string[] {
  const comparison = report.baseline;
  if (comparison === undefined) return [];
  const lines = ['### Against the baseline', '', mdText(baselineHeadline(comparison), 1000), ''];
  for (const list of lists(comparison)) {
    if (list.cases.length === 0) continue;
    const shown = list.cases.slice(0, baselineCasesPerList);
    lines.push(`**${list.title}: ${list.cases.length}**`, '', ...shown.map((entry) => `- ${mdCode(oneLine(entry.key, 300))}${entry.fault ? ` ${mdText(entry.fault, 200)}` : ''}`));
    if (list.cases.length > shown.length) lines.push(`- *…and ${list.cases.length - shown.length} more in report.json.*`);
    lines.push('');
  }
  return lines;
}

export function baselineHtml(report: ContractReport): string {
  const comparison = report.baseline;
  if (comparison === undefined) return '';
  const sections = lists(comparison)
    .filter((list) => list.cases.length > 0)
    .map((list) => {
      const shown = list.cases.slice(0, baselineCasesPerList);
      const items = shown.map((entry) => `<li><code>${escapeHtml(entry.key)}</code>${entry.fault ? ` ${escapeHtml(entry.fault)}` : ''}</li>`);
      if (list.cases.length > shown.length) items.push(`<li class="muted">…and ${list.cases.length - shown.length} more in report.json</li>`);
      return `<h3>${escapeHtml(list.title)}: ${list.cases.length}</h3>\n<ul class="baseline">${items.join('')}</ul>`;
    });
  return ['<section id="baseline-section">', '<h2>Against the baseline</h2>', `<p>${escapeHtml(baselineHeadline(comparison))}</p>`, ...sections, '</section>'].join('\n');
}

/** The case ids a baseline already had failing: JUnit reports them skipped, so only new failures turn a CI run red. */
export function knownFailureIds(report: ContractReport): ReadonlySet<string> {
  return new Set((report.baseline?.stillFailing ?? []).flatMap((entry) => (entry.id === undefined ? [] : [entry.id])));
}

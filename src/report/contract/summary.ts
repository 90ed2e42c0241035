// The contract report as Markdown for a CI step summary: gate headline, table of checks, then the cases that failed or warned.
import type { CaseRecord, CheckResult, CheckStatus, ContractReport } from '../../contract/results.js';
import { bodyExcerpt, describeOutcome, describeRequest, flaggedChecks, gateNotes, groupOutcomes, settingsLine, setupNote, type FlaggedCheck } from './describe.js';
import { discoveredMarkdown } from './discovered.js';
import { baselineMarkdown } from './baseline.js';
import { subscriptionsMarkdown } from './subscriptions.js';
import { mdBlock, mdCode, mdText } from '../markdown.js';
import { formatMs, oneLine, plural } from '../text.js';

/** At most this many cases are spelled out per check; the rest are counted and left to report.json. */
export const summaryCasesPerCheck = 10;

const statusMark: Record<CheckStatus, string> = { pass: '✅ pass', fail: '❌ fail', warn: '⚠️ warn', skipped: '⏭️ skipped' };

export function renderSummaryMarkdown(report: ContractReport): string {
  const passed = report.gate.status === 'pass';
  const wallMs = Math.max(0, Date.parse(report.finishedAt) - Date.parse(report.startedAt));
  const lines = [
    `## ${passed ? '✅' : '❌'} drhook contract gate: ${report.gate.status}`,
    '',
    mdText(report.gate.summary, 1000),
    '',
    `**Target:** ${mdCode(oneLine(report.target, 200))} · **Run:** ${mdCode(report.runId)} · started ${mdText(report.startedAt, 40)} · ${formatMs(wallMs)} · drhook ${mdText(report.version, 40)}  `,
    `**Settings:** ${Object.keys(report.settings).length > 0 ? mdText(settingsLine(report.settings, 80), 2000) : 'defaults'}`,
    '',
  ];
  for (const note of gateNotes(report)) lines.push(`> ⚠️ ${note}`, '');
  const setup = setupNote(report);
  if (setup !== undefined) lines.push(`> ⚠️ ${mdText(setup, 1000)}`, '');
  lines.push('| Check | Kind | Status | Pass | Fail | Warn | Rule |', '| --- | --- | --- | ---: | ---: | ---: | --- |', ...report.checks.map(tableRow), '');
  lines.push(...baselineMarkdown(report));
  lines.push(...discoveredMarkdown(report));
  const flagged = flaggedChecks(report);
  if (flagged.length > 0) lines.push('### Failing and warning cases', '', ...flagged.flatMap(renderFlaggedCheck));
  lines.push(...subscriptionsMarkdown(report));
  return `${lines.join('\n').trimEnd()}\n`;
}

function tableRow(check: CheckResult): string {
  const kind = check.required ? 'required' : 'advisory';
  const counts = check.status === 'skipped' ? ['–', '–', '–'] : [check.counts.pass, check.counts.fail, check.counts.warn].map(String);
  const rule = check.status === 'skipped' ? `${mdText(check.rule, 300)} *(skipped: ${mdText(check.skippedReason, 200)})*` : mdText(check.rule, 300);
  return `| ${mdCode(check.id)} | ${kind} | ${statusMark[check.status]} | ${counts.join(' | ')} | ${rule} |`;
}

function renderFlaggedCheck({ check, cases }: FlaggedCheck): string[] {
  const failing = cases.filter((c) => c.state === 'fail').length;
  const warning = cases.length - failing;
  const tally = [failing > 0 ? `${failing} failing` : '', warning > 0 ? plural(warning, 'warning') : ''].filter(Boolean).join(', ');
  const shown = cases.slice(0, summaryCasesPerCheck);
  const lines = [`#### ${failing > 0 ? '❌' : '⚠️'} ${mdCode(check.id)} (${check.required ? 'required' : 'advisory'}): ${tally}`, ''];
  shown.forEach(({ record, state }, index) => lines.push(...renderCase(record, state, index + 1)));
  if (cases.length > shown.length) lines.push(`*…and ${cases.length - shown.length} more in report.json.*`, '');
  return lines;
}

function renderCase(record: CaseRecord, state: 'fail' | 'warn', index: number): string[] {
  const lines = [`**${index}. ${mdCode(record.eventType)} [${record.mode}] ${mdText(record.fault, 200)}**${state === 'warn' ? ' (warning)' : ''}`, ''];
  const first = record.deliveries[0];
  if (first) {
    const sentBody = oneLine(first.request.bodyExcerpt ?? '', 120);
    const count = record.deliveries.length > 1 ? ` (${record.deliveries.length} deliveries)` : '';
    lines.push(`- **Sent:** ${mdText(describeRequest(first.request), 300)}${count}${sentBody ? ` ${mdCode(sentBody)}` : ''}`);
    const got = groupOutcomes(record.deliveries).map((group) => {
      const body = bodyExcerpt(group.first, 200);
      return `${group.count > 1 ? `${group.count}× ` : ''}${mdText(describeOutcome(group.first), 400)}${body === undefined ? '' : ` ${mdCode(body)}`}`;
    });
    lines.push(`- **Got:** ${got.join('; ')}`);
  }
  lines.push(`- **Why:** ${mdText(record.verdict.reason, 500)}`, '', ...mdBlock(record.reproduce, 'sh'), '');
  return lines;
}

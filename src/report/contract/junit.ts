// The contract report as JUnit XML for CI: a testsuite per check, a testcase per case; only required failures fail.
import type { CaseRecord, CheckResult, ContractReport } from '../../contract/results.js';
import { bodyExcerpt, caseSeconds, caseState, caseTitle, describeOutcome, describeRequest, groupOutcomes, type CaseState } from './describe.js';
import { oneLine } from '../text.js';
import { knownFailureIds } from './baseline.js';
import { attrs, seconds, xmlText } from '../xml.js';

export function renderJunit(report: ContractReport): string {
  const known = knownFailureIds(report);
  const baselineFile = report.baseline?.file ?? '';
  const suites = report.checks.map(renderSuite);
  const total = (key: keyof SuiteTotals) => suites.reduce((sum, s) => sum + s.totals[key], 0);
  const wallSeconds = Math.max(0, Date.parse(report.finishedAt) - Date.parse(report.startedAt)) / 1000;
  const name = `drhook contract ${report.target}${report.stoppedBy === null ? '' : ` (${report.stoppedBy})`}`;
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites${attrs({ name, tests: total('tests'), failures: total('failures'), errors: 0, skipped: total('skipped'), time: seconds(wallSeconds), timestamp: report.startedAt })}>`,
    ...suites.flatMap((s) => s.lines.map((line) => `  ${line}`)),
    '</testsuites>',
    '',
  ].join('\n');

  function renderSuite(check: CheckResult): { totals: SuiteTotals; lines: string[] } {
    const properties = [
      '  <properties>',
      `    <property${attrs({ name: 'rule', value: check.rule })}/>`,
      `    <property${attrs({ name: 'advisory', value: String(!check.required) })}/>`,
      `    <property${attrs({ name: 'status', value: check.status })}/>`,
      '  </properties>',
    ];
    if (check.status === 'skipped') {
      const totals = { tests: 1, failures: 0, skipped: 1, time: 0 };
      return {
        totals,
        lines: [
          `<testsuite${suiteAttrs(check, totals)}>`,
          ...properties,
          `  <testcase${attrs({ classname: check.id, name: check.id, time: seconds(0) })}>`,
          `    <skipped${attrs({ message: check.skippedReason })}/>`,
          '  </testcase>',
          '</testsuite>',
        ],
      };
    }
    // A failure the baseline already had is reported skipped, as known: only new failures fail the CI run.
    const cases = check.cases.map((record) => {
      const state = caseState(check, record);
      return { record, state: state === 'fail' && known.has(record.id) ? ('known' as const) : state, time: caseSeconds(record) };
    });
    const totals = {
      tests: cases.length,
      failures: cases.filter((c) => c.state === 'fail').length,
      skipped: cases.filter((c) => c.state === 'known').length,
      // Cases run concurrently: their sum would overstate the check's time, the slowest is a floor of its wall time.
      time: Math.max(0, ...cases.map((c) => c.time)),
    };
    return {
      totals,
      lines: [`<testsuite${suiteAttrs(check, totals)}>`, ...properties, ...cases.flatMap((c) => renderCase(check, c.record, c.state, c.time, baselineFile)), '</testsuite>'],
    };
  }

  function suiteAttrs(check: CheckResult, totals: SuiteTotals): string {
    return attrs({ name: check.id, tests: totals.tests, failures: totals.failures, errors: 0, skipped: totals.skipped, time: seconds(totals.time), timestamp: report.startedAt });
  }
}

interface SuiteTotals {
  tests: number;
  failures: number;
  skipped: number;
  time: number;
}

function renderCase(check: CheckResult, record: CaseRecord, state: CaseState | 'known', time: number, baselineFile: string): string[] {
  const open = `  <testcase${attrs({ classname: check.id, name: caseTitle(record), time: seconds(time) })}`;
  switch (state) {
    case 'pass':
      return [`${open}/>`];
    case 'fail':
      return [
        `${open}>`,
        `    <failure${attrs({ message: oneLine(record.verdict.reason, 1000), type: check.id })}>${xmlText(caseDetails(record))}</failure>`,
        '  </testcase>',
      ];
    case 'known':
      return [
        `${open}>`,
        `    <skipped${attrs({ message: oneLine(`known failure, in the baseline ${baselineFile}: ${record.verdict.reason}`, 1000) })}/>`,
        `    <system-out>${xmlText(caseDetails(record))}</system-out>`,
        '  </testcase>',
      ];
    case 'warn':
      return [`${open}>`, `    <system-out>${xmlText(`warning: ${caseDetails(record)}`)}</system-out>`, '  </testcase>'];
  }
}

/** The reason, what was sent, what came back, and the command that reproduces the case. */
function caseDetails(record: CaseRecord): string {
  const lines = [record.verdict.reason];
  const first = record.deliveries[0];
  if (first) lines.push(`sent: ${describeRequest(first.request)} (${record.deliveries.length} ${record.deliveries.length === 1 ? 'delivery' : 'deliveries'})`);
  for (const group of groupOutcomes(record.deliveries)) {
    const body = bodyExcerpt(group.first, 500);
    lines.push(`got: ${group.count > 1 ? `${group.count}× ` : ''}${describeOutcome(group.first)}${body === undefined ? '' : ` — body: ${body}`}`);
  }
  lines.push(`reproduce: ${record.reproduce}`);
  return lines.join('\n');
}

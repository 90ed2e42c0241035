// The load report as JUnit XML for CI: a testsuite per step, a testcase per threshold (skipped when inconclusive); a capacity search adds its finding.
import { capacityFigure } from '../../load/ramp.js';
import type { LoadReport, StepResult, ThresholdCheck } from '../../load/report.js';
import { attrs, seconds, xmlText } from '../xml.js';

export function renderLoadJunit(report: LoadReport): string {
  const capacityRun = report.capacity !== null;
  const suites = report.steps.map((step) => renderStep(step, capacityRun));
  if (report.capacity) suites.push(renderCapacity(report));
  const tests = suites.reduce((sum, suite) => sum + suite.tests, 0);
  const failures = suites.reduce((sum, suite) => sum + suite.failures, 0);
  const skipped = suites.reduce((sum, suite) => sum + suite.skipped, 0);
  const wallSeconds = Math.max(0, Date.parse(report.finishedAt) - Date.parse(report.startedAt)) / 1000;
  const name = `drhook load ${report.target}${report.complete ? '' : ' (incomplete)'}`;
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites${attrs({ name, tests, failures, errors: 0, skipped, time: seconds(wallSeconds), timestamp: report.startedAt })}>`,
    ...suites.flatMap((suite) => suite.lines.map((line) => `  ${line}`)),
    '</testsuites>',
    '',
  ].join('\n');
}

interface Suite {
  tests: number;
  failures: number;
  skipped: number;
  lines: string[];
}

type Case = { state: 'passed' | 'failed' | 'skipped'; lines: string[] };

/** In a capacity search the steps above the capacity are expected to break: they are reported, not failed. */
function renderStep(step: StepResult, capacityRun: boolean): Suite {
  const name = `${step.label} (${step.pace.kind === 'open' ? `${step.pace.rate}/s` : 'closed loop'})`;
  const cases = step.checks.map((check) => renderCheck(name, check, capacityRun));
  const failures = cases.filter((c) => c.state === 'failed').length;
  const skipped = cases.filter((c) => c.state === 'skipped').length;
  return {
    tests: cases.length,
    failures,
    skipped,
    lines: [
      `<testsuite${attrs({ name, tests: cases.length, failures, errors: 0, skipped, time: seconds(step.durationSec), timestamp: step.startedAt })}>`,
      '  <properties>',
      `    <property${attrs({ name: 'sent', value: String(step.sent) })}/>`,
      `    <property${attrs({ name: 'achievedRate', value: String(step.achievedRate) })}/>`,
      `    <property${attrs({ name: 'failureRate', value: String(step.outcomes.failureRate) })}/>`,
      ...(step.latencyMs ? [`    <property${attrs({ name: 'p99Ms', value: String(step.latencyMs.p99) })}/>`] : []),
      '  </properties>',
      ...cases.flatMap((c) => c.lines),
      '</testsuite>',
    ],
  };
}

function renderCheck(suite: string, check: ThresholdCheck, capacityRun: boolean): Case {
  const open = `  <testcase${attrs({ classname: suite, name: `${check.limit} (measured ${check.measured})`, time: seconds(0) })}`;
  const { verdict } = check;
  if (verdict.status === 'pass') return { state: 'passed', lines: [`${open}/>`] };
  if (verdict.status === 'inconclusive') return skippedCase(open, `inconclusive (${verdict.cause}): ${verdict.reason}`);
  if (verdict.status === 'warn' || capacityRun) {
    const note = verdict.status === 'warn' ? 'warning' : 'above the capacity';
    return { state: 'passed', lines: [`${open}>`, `    <system-out>${xmlText(`${note}: ${verdict.reason}`)}</system-out>`, '  </testcase>'] };
  }
  return { state: 'failed', lines: [`${open}>`, `    <failure${attrs({ message: verdict.reason, type: check.id })}>${xmlText(verdict.reason)}</failure>`, '  </testcase>'] };
}

function skippedCase(open: string, message: string): Case {
  return { state: 'skipped', lines: [`${open}>`, `    <skipped${attrs({ message })}/>`, '  </testcase>'] };
}

function renderCapacity(report: LoadReport): Suite {
  const capacity = report.capacity!;
  const { verdict } = report;
  const open = `  <testcase${attrs({ classname: 'capacity', name: `capacity: ${capacityFigure(capacity)}`, time: seconds(0) })}`;
  const body = `${verdict.summary}\n${capacity.explanation}`;
  const found: Case =
    verdict.status === 'fail'
      ? { state: 'failed', lines: [`${open}>`, `    <failure${attrs({ message: verdict.summary, type: 'capacity' })}>${xmlText(body)}</failure>`, '  </testcase>'] }
      : verdict.status === 'inconclusive'
        ? skippedCase(open, `inconclusive (${verdict.cause}): ${verdict.summary}`)
        : { state: 'passed', lines: [`${open}>`, `    <system-out>${xmlText(body)}</system-out>`, '  </testcase>'] };
  const failures = found.state === 'failed' ? 1 : 0;
  const skipped = found.state === 'skipped' ? 1 : 0;
  return {
    tests: 1,
    failures,
    skipped,
    lines: [`<testsuite${attrs({ name: 'capacity', tests: 1, failures, errors: 0, skipped, time: seconds(0), timestamp: report.startedAt })}>`, ...found.lines, '</testsuite>'],
  };
}

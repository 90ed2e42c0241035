// What the reports say about malformed.robust: how deep it went, the contract the answers showed, and that contract as a scenario fragment.
import type { ContractReport, DiscoveredContract, DiscoveredType, MutationCoverage } from '../../contract/results.js';
import { mdCode, mdText } from '../markdown.js';
import { oneLine, plural } from '../text.js';

const count = (value: number): string => value.toLocaleString('en-US');

/** `9,530 cases (budget 6,000): every mutation of the 1,069 fields the base events hold (6,137), 3,392 of 3,392 for fields they lack` */
export function describeCoverage(coverage: MutationCoverage): string {
  const sum = (pick: (entry: MutationCoverage['types'][number]) => number) => coverage.types.reduce((total, entry) => total + pick(entry), 0);
  const present = sum((entry) => entry.presentCases);
  const planned = sum((entry) => entry.absentCases.planned);
  const of = sum((entry) => entry.absentCases.of);
  const depth = coverage.depth === 'all' ? 'every mutation of every field' : `budget ${count(coverage.depth.budget)}`;
  const absent = coverage.sampled ? `${count(planned)} of ${count(of)} for fields they lack, sampled by the seed` : `${count(planned)} for fields they lack`;
  return `${count(present + planned)} cases (${depth}): ${count(present)} for the ${count(sum((entry) => entry.presentFields))} fields the base events hold, ${absent}`;
}

/** `requires /state, /items · checks 3 · tolerates 140 · failing 2` */
function typeSummary(type: DiscoveredType, listed: number): string {
  const list = (fields: readonly string[]) => (fields.length <= listed ? fields.join(', ') : `${fields.slice(0, listed).join(', ')} and ${fields.length - listed} more`);
  return [
    type.requires.length > 0 ? `requires ${list(type.requires)}` : 'requires none',
    ...(type.validates.length > 0 ? [`checks ${plural(type.validates.length, 'field')} in part`] : []),
    `tolerates ${type.tolerates.length}`,
    ...(type.failing.length > 0 ? [`failing on ${list(type.failing)}`] : []),
  ].join(' · ');
}

/** The console's lines: the coverage, then one line per event type. */
export function discoveredConsoleLines(contract: DiscoveredContract): string[] {
  const width = Math.max(...contract.types.map((entry) => entry.type.length));
  return [`Discovered contract (malformed.robust: ${describeCoverage(contract)})`, ...contract.types.map((entry) => `  ${entry.type.padEnd(width)}  ${oneLine(typeSummary(entry, 4), 300)}`)];
}

/** summary.md's section: per type the fields it requires, checks in part, tolerates and fails on. */
export function discoveredMarkdown(report: ContractReport): string[] {
  const contract = report.discoveredContract;
  if (contract === undefined) return [];
  const fields = (list: readonly string[]) => (list.length === 0 ? '–' : list.length <= 12 ? list.map(mdCode).join(' ') : `${list.slice(0, 12).map(mdCode).join(' ')} and ${list.length - 12} more`);
  return [
    '### Discovered contract',
    '',
    mdText(`What the receiver showed under malformed.robust (${describeCoverage(contract)}). Requires: every break the declared contract sends was rejected with a 400 naming the field. Tolerates: every break was acknowledged. report.json lists every field; --write-requires writes the required ones as a scenario fragment.`, 1000),
    '',
    '| Event type | Requires | Checks in part | Tolerates | Failing |',
    '| --- | --- | --- | ---: | --- |',
    ...contract.types.map((entry) => `| ${mdCode(entry.type)} | ${fields(entry.requires)} | ${fields(entry.validates.map((field) => field.field))} | ${entry.tolerates.length} | ${fields(entry.failing)} |`),
    '',
  ];
}

/** Pointers written plain in a YAML flow list when they can be, quoted otherwise. */
const yamlScalar = (text: string): string => (/^\/[A-Za-z0-9_~./-]*$/.test(text) ? text : JSON.stringify(text));

/**
 * The discovered contract as the `events:` of a scenario: per type the fields the contract already demanded and those
 * the receiver was seen to require, with the type's weight and form, to paste over the scenario's entries.
 */
export function renderRequiresFragment(report: ContractReport): string {
  const contract = report.discoveredContract;
  if (contract === undefined) throw new Error('the report holds no discovered contract');
  const settings = report.settings.eventSettings as Record<string, { requires: string[]; weight: number; expanded: boolean }>;
  const lines = [
    `# The fields ${oneLine(report.target, 200)} rejected with a 400 naming them when they were missing, null or wrong`,
    `# (drhook contract, seed ${String(report.settings.seed)}, ${report.startedAt}). Paste over the scenario's events: malformed.400 and`,
    '# malformed.message then demand the same, and malformed.robust probes every other field.',
    'events:',
  ];
  for (const entry of contract.types) {
    const setting = settings[entry.type];
    const requires = [...new Set([...(setting?.requires ?? []), ...entry.requires])];
    lines.push(`  - type: ${entry.type}`);
    if (setting !== undefined && setting.weight !== 1) lines.push(`    weight: ${setting.weight}`);
    if (setting?.expanded) lines.push('    expanded: true');
    lines.push(`    requires: [${requires.map(yamlScalar).join(', ')}]`);
  }
  return `${lines.join('\n')}\n`;
}

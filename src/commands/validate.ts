// The `drhook validate` command: checks captured or hand-written events (JSON, JSON arrays, NDJSON) against the schemas.
import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { UsageError } from '../base/errors.js';
import { colorEnabled, palette } from '../report/ansi.js';
import { validateEvent, type Violation } from '../events/schemas.js';
import { describeOrigin, parseEventDocuments, type Origin } from '../events/captured.js';
import { readInput } from './read-input.js';

interface Checked {
  origin: Origin;
  type?: string;
  id?: string;
  violations: Violation[];
}

export function register(program: Command): void {
  program
    .command('validate')
    .description('Check events against the Digital River schemas: files (or - for stdin) holding one event, a JSON array or NDJSON.')
    .argument('<files...>', 'event files; - reads stdin')
    .option('--expanded', 'expect the expanded form (items[].productDetails with physical and metadata) where a type has one')
    .option('--json', 'print the results as JSON')
    .action(async (files: string[], options: { expanded?: boolean; json?: boolean }) => {
      if (files.filter((file) => file === '-').length > 1) throw new UsageError('stdin (-) can be read only once');
      const events = (await Promise.all(files.map(async (file) => parseEventDocuments(file === '-' ? 'stdin' : file, await readInput(file, 'drhook validate - < events.ndjson'))))).flat();
      const checked = events.map(({ origin, event }) => check(origin, event, options.expanded ?? false));
      process.stdout.write(options.json ? asJson(checked) : asText(checked));
      if (checked.some((result) => result.violations.length > 0)) process.exitCode = 1;
    });
}

function check(origin: Origin, event: unknown, expanded: boolean): Checked {
  const fields = typeof event === 'object' && event !== null && !Array.isArray(event) ? (event as Record<string, unknown>) : {};
  return {
    origin,
    ...(typeof fields.type === 'string' ? { type: fields.type } : {}),
    ...(typeof fields.id === 'string' ? { id: fields.id } : {}),
    violations: validateEvent(event, { expanded }),
  };
}

function asText(results: Checked[]): string {
  const color = palette(colorEnabled(process.stdout));
  const lines: string[] = [];
  for (const result of results) {
    const mark = result.violations.length === 0 ? color.green('✓') : color.red('✗');
    lines.push(`${mark} ${describeOrigin(result.origin)} ${result.type ?? '(no type)'} ${result.id ?? '(no id)'}`);
    for (const violation of result.violations) lines.push(`  ${violation.pointer || '(event)'}: ${violation.message}`);
  }
  const invalid = results.filter((result) => result.violations.length > 0).length;
  const total = `${results.length} event${results.length === 1 ? '' : 's'}`;
  lines.push(invalid === 0 ? `${total}, all valid` : `${total}, ${invalid} invalid`);
  return `${lines.join('\n')}\n`;
}

function asJson(results: Checked[]): string {
  const events = results.map(({ origin, type, id, violations }) => ({
    source: origin.source,
    ...(origin.at === 'line' ? { line: origin.line } : origin.at === 'element' ? { index: origin.index } : {}),
    type: type ?? null,
    id: id ?? null,
    valid: violations.length === 0,
    violations,
  }));
  return `${JSON.stringify({ valid: events.every((event) => event.valid), events }, null, 2)}\n`;
}

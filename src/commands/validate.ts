// The `drhook validate` command: checks captured or hand-written events (JSON, JSON arrays, NDJSON) against the schemas.
import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { UsageError } from '../base/errors.js';
import { colorEnabled, palette } from '../report/ansi.js';
import { validateEvent, type Violation } from '../events/schemas.js';

/** Where one event came from: a whole file, an element of a JSON array, or a line of NDJSON. */
type Origin = { source: string } & ({ at: 'document' } | { at: 'element'; index: number } | { at: 'line'; line: number });

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
      const events = (await Promise.all(files.map(async (file) => parseEvents(file, await readInput(file))))).flat();
      const checked = events.map(({ origin, event }) => check(origin, event, options.expanded ?? false));
      process.stdout.write(options.json ? asJson(checked) : asText(checked));
      if (checked.some((result) => result.violations.length > 0)) process.exitCode = 1;
    });
}

async function readInput(file: string): Promise<string> {
  try {
    if (file !== '-') return (await readFile(file, 'utf8')).replace(/^\uFEFF/, '');
    if (process.stdin.isTTY) throw new UsageError('nothing on stdin: pipe events in (drhook validate - < events.ndjson)');
    const chunks: Buffer[] = [];
    for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks).toString('utf8').replace(/^\uFEFF/, '');
  } catch (error) {
    if (error instanceof UsageError) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    const reason = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'it is a directory' : code === 'EACCES' ? 'permission denied' : (code ?? (error as Error).message);
    throw new UsageError(`cannot read ${file === '-' ? 'stdin' : file}: ${reason}`);
  }
}

/** One event, a JSON array of events, or NDJSON (one event per line). */
function parseEvents(file: string, text: string): Array<{ origin: Origin; event: unknown }> {
  const source = file === '-' ? 'stdin' : file;
  if (text.trim() === '') throw new UsageError(`${source} is empty: expected a JSON event, a JSON array of events or NDJSON`);
  let whole: unknown;
  try {
    whole = JSON.parse(text);
  } catch (error) {
    return parseLines(source, text, error as SyntaxError);
  }
  if (Array.isArray(whole)) return whole.map((event, index) => ({ origin: { source, at: 'element', index }, event }));
  return [{ origin: { source, at: 'document' }, event: whole }];
}

/** NDJSON; when the first line is not JSON on its own, the text was one (broken) JSON document. */
function parseLines(source: string, text: string, documentError: SyntaxError): Array<{ origin: Origin; event: unknown }> {
  const lines = text.split(/\r?\n/);
  const events: Array<{ origin: Origin; event: unknown }> = [];
  for (const [index, line] of lines.entries()) {
    if (line.trim() === '') continue;
    try {
      events.push({ origin: { source, at: 'line', line: index + 1 }, event: JSON.parse(line) });
    } catch (error) {
      if (events.length === 0) throw new UsageError(`${source}${locate(text, documentError)}: not JSON: ${reason(documentError)}`);
      throw new UsageError(`${source}:${index + 1}: not JSON: ${reason(error as SyntaxError)}`);
    }
  }
  return events;
}

/** `:line` of the position a JSON.parse error names, if it names one. */
function locate(text: string, error: SyntaxError): string {
  const position = /at position (\d+)/.exec(error.message)?.[1];
  if (position === undefined) return '';
  return `:${text.slice(0, Number(position)).split('\n').length}`;
}

/** The parser's complaint on one line, without the echo of the input that some Node versions append. */
function reason(error: SyntaxError): string {
  return error.message
    .replace(/, ".*" is not valid JSON$/s, '')
    .replace(/ in JSON at position \d+.*$/s, '')
    .replace(/\s+/g, ' ');
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

function where(origin: Origin): string {
  switch (origin.at) {
    case 'document':
      return origin.source;
    case 'element':
      return `${origin.source}[${origin.index}]`;
    case 'line':
      return `${origin.source}:${origin.line}`;
  }
}

function asText(results: Checked[]): string {
  const color = palette(colorEnabled(process.stdout));
  const lines: string[] = [];
  for (const result of results) {
    const mark = result.violations.length === 0 ? color.green('✓') : color.red('✗');
    lines.push(`${mark} ${where(result.origin)} ${result.type ?? '(no type)'} ${result.id ?? '(no id)'}`);
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

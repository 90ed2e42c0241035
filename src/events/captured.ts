// Captured events (a logged body, a Dashboard copy): one JSON event, a JSON array or NDJSON, parsed and checked against the schemas.
import { UsageError } from '../base/errors.js';
import { isRecord } from '../base/is-record.js';
import type { DrEvent } from './event.js';
import { validateEvent } from './schemas.js';

/** Where one event came from: a whole file, an element of a JSON array, or a line of NDJSON. */
export type Origin = { source: string } & ({ at: 'document' } | { at: 'element'; index: number } | { at: 'line'; line: number });

/** One event, a JSON array of events, or NDJSON (one event per line); `source` names the input in errors. */
export function parseEventDocuments(source: string, text: string): Array<{ origin: Origin; event: unknown }> {
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

/** `file`, `file[2]` or `file:7`: where an event is, as messages name it. */
export function describeOrigin(origin: Origin): string {
  switch (origin.at) {
    case 'document':
      return origin.source;
    case 'element':
      return `${origin.source}[${origin.index}]`;
    case 'line':
      return `${origin.source}:${origin.line}`;
  }
}

/**
 * The events of one input, each valid against the schemas; the first invalid one is a UsageError of one line naming
 * where it is, its type and id, and what is wrong with it.
 */
export function readCapturedEvents(source: string, text: string): DrEvent[] {
  const documents = parseEventDocuments(source, text);
  if (documents.length === 0) throw new UsageError(`${source} holds no event: expected a JSON event, a JSON array of events or NDJSON`);
  return documents.map(({ origin, event }) => checkCapturedEvent(describeOrigin(origin), event));
}

/** `event` if it is a valid Digital River event; else the UsageError that says where (`at`), which event, and why. */
export function checkCapturedEvent(at: string, event: unknown): DrEvent {
  // Either form of the types with an expanded one is what Digital River sends, as the webhook is configured.
  const violations = validateEvent(event);
  if (violations.length === 0 || validateEvent(event, { expanded: true }).length === 0) return event as DrEvent;
  const fields = isRecord(event) ? event : {};
  const type = typeof fields.type === 'string' ? fields.type : '(no type)';
  const id = typeof fields.id === 'string' ? fields.id : '(no id)';
  const [first] = violations;
  const more = violations.length > 1 ? ` (and ${violations.length - 1} more: drhook validate lists them)` : '';
  throw new UsageError(`${at}: ${type} ${id} is not a valid event: ${first!.pointer || '(event)'}: ${first!.message}${more}`);
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

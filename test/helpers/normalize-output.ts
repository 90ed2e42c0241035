// What changes from one run of drhook to the next (times, ports, run ids, paths, signatures, measurements) replaced by placeholders.
import type { Json } from './golden-file.js';

export interface RunContext {
  /** The run's --report-dir, an absolute temporary path. */
  reportDir: string;
  /** The repository root (where the bundled scenarios are). */
  packageRoot: string;
  /** Millisecond figures that are settings, not measurements (the deadline, a p99 budget): kept as they are. */
  keptMs: readonly number[];
}

/** A field that holds a measurement, by its path (`steps.0.latencyMs.p50`): its value, unless null, becomes the placeholder. */
export interface MeasuredField {
  path: RegExp;
  placeholder: string;
}

const YEAR_SPAN = 10;
const EPOCH_SPAN_SEC = 366 * 86_400;

/** Each rule rewrites every match in every string; order matters (paths and run ids before numbers). */
function textRules(context: RunContext): Array<[RegExp, (match: string, ...groups: string[]) => string]> {
  const nowSec = Date.now() / 1000;
  const thisYear = new Date().getUTCFullYear();
  const near = (sec: number): boolean => Math.abs(sec - nowSec) <= EPOCH_SPAN_SEC;
  return [
    [new RegExp(escape(context.reportDir), 'g'), () => '<report-dir>'],
    [new RegExp(escape(context.packageRoot.replace(/\/+$/, '')), 'g'), () => '<package>'],
    [/\b\d{8}-\d{6}-(contract|load)-[0-9a-f]{4}\b/g, (_m, kind) => `<run-id ${kind}>`],
    [/\b127\.0\.0\.1:\d+/g, () => '127.0.0.1:<port>'],
    // HTTP Date headers, then ISO times and dates (also with "-" written as \u002d, and one cut off at the end of an excerpt).
    [/\b(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d{2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}:\d{2} GMT\b/g, () => '<http-date>'],
    [/\d{4}(?:-|\\u002d)\d{2}(?:-|\\u002d)\d{2}(?:T[\d:.]*Z?)?/g, () => '<time>'],
    [/\d{4}(?:-|\\u002d)\d{0,2}(?:(?:-|\\u002d)\d{0,2})?$/g, () => '<time>'],
    // Unix times (signature timestamps), in seconds or milliseconds, near now.
    [/(?<![\w.])\d{10}(?:\d{3})?(?![\w.])/g, (m) => (near(m.length === 13 ? Number(m) / 1000 : Number(m)) ? (m.length === 13 ? '<unix-ms>' : '<unix>') : m)],
    // HMAC digests (the signature of a body at a timestamp).
    [/\b(v\d+)=[0-9a-f]{64}\b/g, (_m, version) => `${version}=<hmac>`],
    // Durations measured in milliseconds; the settings' own figures stay.
    [/(?<![\w.])(\d+(?:\.\d+)?)( ?)ms\b/g, (m, value, space) => (context.keptMs.includes(Number(value)) ? m : `<ms>${space}ms`)],
    // The reference receiver's age of a stale signature, counted in whole seconds as they tick.
    [/\bis \d+ s old\b/g, () => 'is <n> s old'],
    // Years relative to now that the event generator writes into bodies (PO-2026-…, catalog versions, card expiry years).
    [/(?<=PO-|PO\\u002d|":|":")20\d\d(?![\w])/g, (m) => (Number(m) >= thisYear && Number(m) <= thisYear + YEAR_SPAN ? `<year+${Number(m) - thisYear}>` : m)],
  ];
}

export function createNormalizer(context: RunContext) {
  const rules = textRules(context);
  const text = (value: string): string => rules.reduce((out, [pattern, replace]) => out.replace(pattern, replace), value);

  /** Every string through the text rules (numbers stay), every field matching `measured` replaced by its placeholder. */
  const json = (value: Json, measured: readonly MeasuredField[], at = ''): Json => {
    const rule = measured.find((field) => field.path.test(at));
    if (rule && value !== null) return rule.placeholder;
    if (typeof value === 'string') return text(value);
    if (Array.isArray(value)) return value.map((item, index) => json(item, measured, join(at, String(index))));
    if (value !== null && typeof value === 'object') {
      return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, json(item, measured, join(at, key))]));
    }
    return value;
  };

  /**
   * Console output: the text rules on every line, and in a table (a header line of upper-case titles starting with STEP,
   * cells two or more spaces apart) the cells under `measuredColumns` replaced, the row's padding with them.
   */
  const consoleText = (output: string, measuredColumns: Readonly<Record<string, string>>): string => {
    const lines = output.split('\n');
    let titles: string[] | null = null;
    const out = lines.map((line) => {
      const cells = line.trim().split(/ {2,}/);
      if (cells[0] === 'STEP' && cells.length > 2 && cells.every((cell) => /^[A-Z0-9./ ]+$/.test(cell))) {
        titles = cells;
        return `  ${cells.join('  ')}`;
      }
      if (titles === null || line.trim() === '') {
        titles = null;
        return text(line);
      }
      if (cells.length !== titles.length) return text(line);
      const header = titles;
      return `  ${cells.map((cell, i) => measuredColumns[header[i]!] ?? text(cell)).join('  ')}`;
    });
    return out.join('\n');
  };

  return { text, json, consoleText };
}

function join(at: string, key: string): string {
  return at === '' ? key : `${at}.${key}`;
}

function escape(literal: string): string {
  return literal.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

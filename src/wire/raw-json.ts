// JSON texts of a value that JSON.stringify would not write: the same data in forms a receiver must verify byte for byte.
export type RawJsonForm = 'unicode-escapes' | 'escaped-slashes' | 'number-forms' | 'indented' | 'key-order';

export const rawJsonForms: readonly RawJsonForm[] = ['unicode-escapes', 'escaped-slashes', 'number-forms', 'indented', 'key-order'];

interface Style {
  string(text: string): string;
  number(value: number): string;
  keys(keys: string[]): string[];
  indent: string;
}

const canonical: Style = {
  string: (text) => JSON.stringify(text),
  number: (value) => JSON.stringify(value),
  keys: (keys) => keys,
  indent: '',
};

const hexEscape = (char: string): string => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`;

/** 100 → `1e2`, 10.5 → `10.50`; other integers as they are. */
function longhandNumber(value: number): string {
  const text = JSON.stringify(value);
  if (!Number.isFinite(value) || text.includes('e')) return text;
  if (!Number.isInteger(value)) return `${text}0`;
  if (value === 0 || value % 10 !== 0) return text;
  let mantissa = value;
  let exponent = 0;
  while (mantissa % 10 === 0) {
    mantissa /= 10;
    exponent++;
  }
  return `${mantissa}e${exponent}`;
}

const styles: Readonly<Record<RawJsonForm, Style>> = {
  // Every code unit outside printable ASCII (é, U+2028, each half of a surrogate pair) and every "-" as \uXXXX.
  'unicode-escapes': { ...canonical, string: (text) => JSON.stringify(text).replace(/[^\x20-\x7e]|-/g, hexEscape) },
  'escaped-slashes': { ...canonical, string: (text) => JSON.stringify(text).replace(/\//g, '\\/') },
  'number-forms': { ...canonical, number: longhandNumber },
  indented: { ...canonical, indent: '  ' },
  'key-order': { ...canonical, keys: (keys) => [...keys].reverse() },
};

/** What the form changes, for the case's description. */
export const rawJsonFormText: Readonly<Record<RawJsonForm, string>> = {
  'unicode-escapes': 'non-ASCII characters (é, U+2028) and "-" written as \\u escapes',
  'escaped-slashes': '"/" written as "\\/"',
  'number-forms': 'numbers written as 10.50 and 1e2',
  indented: 'indented over several lines',
  'key-order': 'object keys in reverse order',
};

/** The JSON text of `value` in the given form (a trailing newline for the indented one). */
export function rawJson(value: unknown, form: RawJsonForm): string {
  const style = styles[form];
  const text = write(value, style, '');
  return style.indent === '' ? text : `${text}\n`;
}

function write(value: unknown, style: Style, depth: string): string {
  if (value === null || value === undefined) return 'null';
  if (typeof value === 'string') return style.string(value);
  if (typeof value === 'number') return style.number(value);
  if (typeof value === 'boolean') return String(value);
  const inner = depth + style.indent;
  const open = style.indent === '' ? '' : `\n${inner}`;
  const close = style.indent === '' ? '' : `\n${depth}`;
  const joiner = style.indent === '' ? ',' : `,\n${inner}`;
  const colon = style.indent === '' ? ':' : ': ';
  if (Array.isArray(value)) {
    if (value.length === 0) return '[]';
    return `[${open}${value.map((item) => write(item, style, inner)).join(joiner)}${close}]`;
  }
  const record = value as Record<string, unknown>;
  const keys = style.keys(Object.keys(record).filter((key) => record[key] !== undefined));
  if (keys.length === 0) return '{}';
  return `{${open}${keys.map((key) => `${style.string(key)}${colon}${write(record[key], style, inner)}`).join(joiner)}${close}}`;
}

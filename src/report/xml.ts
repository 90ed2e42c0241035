// XML building blocks for the JUnit reports: escaped character data, escaped attribute lists, durations in seconds.
import { visibleText } from './text.js';

/** A duration as JUnit writes it: seconds with three decimals. */
export function seconds(value: number): string {
  return value.toFixed(3);
}

/** An attribute list (` key="value"` each), values escaped. */
export function attrs(values: Record<string, string | number>): string {
  return Object.entries(values)
    .map(([key, value]) => ` ${key}="${xmlAttr(String(value))}"`)
    .join('');
}

const entities: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' };

/** Character data: `&`, `<` and `>` escaped, characters XML forbids turned into visible escapes. */
export function xmlText(text: string): string {
  return visibleText(text).replace(/[&<>]/g, (c) => entities[c] ?? c);
}

/** Attribute values: quotes escaped too, and tabs and newlines kept (XML would otherwise normalise them to spaces). */
function xmlAttr(text: string): string {
  return visibleText(text)
    .replace(/[&<>"']/g, (c) => entities[c] ?? c)
    .replace(/\t/g, '&#9;')
    .replace(/\n/g, '&#10;');
}

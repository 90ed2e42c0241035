// Text shaping shared by the report writers: visible control characters, one-line excerpts, durations and sizes.

// C0/C1 controls (tab, newline and carriage return are handled by the callers), DEL, bidirectional overrides,
// non-characters and lone surrogates: all unsafe in a terminal, invalid in XML or misleading in Markdown.
const unsafe =
  /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F\u200E\u200F\u202A-\u202E\u2066-\u2069\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/** Replaces unsafe characters with visible escapes (`\x07`, `\u202e`); keeps tabs and turns CR/CRLF into LF. */
export function visibleText(text: string): string {
  return text.replace(/\r\n?/g, '\n').replace(unsafe, escapeChar);
}

/** One line of at most `max` characters: whitespace runs become one space, unsafe characters visible escapes. */
export function oneLine(text: string, max: number): string {
  return truncate(text.replace(/\s+/g, ' ').trim(), max).replace(unsafe, escapeChar);
}

/** Cuts `text` to `max` characters with an ellipsis, never splitting a surrogate pair. */
function truncate(text: string, max: number): string {
  if (text.length <= max) return text;
  const cut = text.slice(0, Math.max(0, max - 1));
  return `${/[\uD800-\uDBFF]$/.test(cut) ? cut.slice(0, -1) : cut}…`;
}

function escapeChar(char: string): string {
  const code = char.charCodeAt(0);
  return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
}

/** `850 ms`, `3.01 s`. */
export function formatMs(ms: number): string {
  return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)} s`;
}

/** `512 B`, `1.2 KB`, `3.4 MB` (decimal units). */
export function formatBytes(bytes: number): string {
  if (bytes < 1000) return `${bytes} B`;
  if (bytes < 1_000_000) return `${(bytes / 1000).toFixed(1)} KB`;
  return `${(bytes / 1_000_000).toFixed(1)} MB`;
}

/** `1 case`, `3 cases`. */
export function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}

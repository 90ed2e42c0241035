// Markdown building blocks for the CI step summaries: escaped one-line text, inline code spans, fenced code blocks.
import { oneLine, visibleText } from './text.js';

/** Plain text on one line with Markdown and HTML syntax neutralised. */
export function mdText(text: string, max: number): string {
  return oneLine(text, max).replace(/[\\`*_[\]<>|&~#!]/g, '\\$&');
}

/** An inline code span whose fence is longer than any backtick run inside it. */
export function mdCode(text: string): string {
  const longest = Math.max(0, ...(text.match(/`+/g) ?? []).map((run) => run.length));
  const fence = '`'.repeat(longest + 1);
  const pad = longest > 0 ? ' ' : '';
  return `${fence}${pad}${text}${pad}${fence}`;
}

/** A fenced code block whose fence is longer than any backtick run inside it. */
export function mdBlock(text: string, lang: string): string[] {
  const body = visibleText(text);
  const longest = Math.max(2, ...(body.match(/`+/g) ?? []).map((run) => run.length));
  const fence = '`'.repeat(longest + 1);
  return [`${fence}${lang}`, body, fence];
}

// The frame of report.html: escaping, embedded data and scripts, the style sheet, a content policy that forbids the network.
import { createHash } from 'node:crypto';
import { formatMs, visibleText } from './text.js';

const entities: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Text for element content and attribute values: markup characters escaped, control characters made visible. */
export function escapeHtml(text: string): string {
  return visibleText(text).replace(/[&<>"']/g, (c) => entities[c] ?? c);
}

/**
 * JSON that is safe inside `<script type="application/json">`: `<`, `>` and `&` are written as \u escapes (so neither
 * `</script` nor `<!--` can occur), and so are U+2028 and U+2029. JSON.parse reads it back unchanged.
 */
function jsonForScript(data: unknown): string {
  return JSON.stringify(data).replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** Script source that cannot end its element early: `</script` and `<!--` get an escape the JavaScript reads the same. */
function scriptSource(source: string): string {
  return source.replace(/<\/(script)/gi, '<\\/$1').replace(/<!--/g, '<\\!--');
}

export interface Page {
  kind: 'contract' | 'load';
  title: string;
  status: BannerStatus;
  /** Already escaped HTML. */
  body: string;
  /** Embedded as `<script type="application/json" id="drhook-data">`. */
  data?: unknown;
  /** Trusted script sources (drhook's own and vendored libraries), run in order after the body. */
  scripts?: readonly string[];
  version: string;
}

/** A whole, self-contained document: every script allowed by its hash, nothing loaded from anywhere. */
export function renderPage(page: Page): string {
  const scripts = [...(page.scripts ?? []), pageScript].map(scriptSource);
  const hashes = scripts.map((source) => `'sha256-${createHash('sha256').update(source, 'utf8').digest('base64')}'`);
  const policy = `default-src 'none'; script-src ${hashes.join(' ')}; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'`;
  return [
    '<!DOCTYPE html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    `<meta http-equiv="Content-Security-Policy" content="${policy}">`,
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>${escapeHtml(page.title)}</title>`,
    `<style>${styles}</style>`,
    '</head>',
    `<body class="report ${page.kind} ${page.status}">`,
    page.body,
    `<footer>Written by drhook ${escapeHtml(page.version)}. report.json next to this file holds every detail.</footer>`,
    ...(page.data === undefined ? [] : [`<script type="application/json" id="drhook-data">${jsonForScript(page.data)}</script>`]),
    ...scripts.map((source) => `<script>${source}</script>`),
    '</body>',
    '</html>',
    '',
  ].join('\n');
}

/** `<h1>` and the line under it: what ran against what, when, for how long. */
export function pageHeader(title: string, report: { target: string; runId: string; startedAt: string; finishedAt: string; version: string }): string {
  const wallMs = Math.max(0, Date.parse(report.finishedAt) - Date.parse(report.startedAt));
  return [
    '<header class="top">',
    `<h1>${escapeHtml(title)} <span class="target">${escapeHtml(report.target)}</span></h1>`,
    `<p class="meta">Run <code>${escapeHtml(report.runId)}</code> · started ${escapeHtml(report.startedAt)} · took ${formatMs(wallMs)} · drhook ${escapeHtml(report.version)}</p>`,
    '</header>',
  ].join('\n');
}

/** A verdict as a banner shows it: inconclusive (a load run that neither passes nor fails the receiver) in the warning colour. */
export type BannerStatus = 'pass' | 'fail' | 'inconclusive';

const bannerMark: Record<BannerStatus, string> = { pass: '✓', fail: '✗', inconclusive: '?' };

/** The verdict banner: the headline, the sentence under it, then any further lines (already escaped). */
export function banner(status: BannerStatus, headline: string, summary: string, extra: readonly string[] = []): string {
  return [
    `<section class="banner ${status}" id="verdict" role="status">`,
    `<div class="headline">${bannerMark[status]} ${escapeHtml(headline)}</div>`,
    `<p class="summary">${escapeHtml(summary)}</p>`,
    ...extra,
    '</section>',
  ].join('\n');
}

/** The page's closing section: the run's settings. */
export function settingsSection(settings: Record<string, unknown>): string {
  return ['<section id="settings">', '<h2>Settings</h2>', settingsTable(settings), '</section>'].join('\n');
}

/** The run's settings as a two-column table; nested values as JSON. */
function settingsTable(settings: Record<string, unknown>): string {
  const entries = Object.entries(settings);
  if (entries.length === 0) return '<p>Defaults.</p>';
  const rows = entries.map(([key, value]) => {
    const shown = typeof value === 'string' ? escapeHtml(value) : `<code>${escapeHtml(JSON.stringify(value, null, 1)?.replace(/\n\s*/g, ' ') ?? String(value))}</code>`;
    return `<tr><th scope="row">${escapeHtml(key)}</th><td>${shown}</td></tr>`;
  });
  return `<table class="settings" id="settings-table"><tbody>\n${rows.join('\n')}\n</tbody></table>`;
}

/** A command with a button that copies it (the clipboard API where allowed, else a selection copy). */
export function copyableCommand(id: string, command: string): string {
  return [
    '<div class="command">',
    `<pre><code id="${id}">${escapeHtml(command)}</code></pre>`,
    `<button type="button" class="copy" data-copy="${id}">Copy</button>`,
    '</div>',
  ].join('');
}

/** The page's own behaviour: copy buttons, expand/collapse all, and opening a case a link points at. */
const pageScript = String.raw`(function () {
  'use strict';
  function fallbackCopy(text) {
    return new Promise(function (resolve, reject) {
      var area = document.createElement('textarea');
      area.value = text;
      area.setAttribute('readonly', '');
      area.style.position = 'fixed';
      area.style.opacity = '0';
      document.body.appendChild(area);
      area.select();
      var copied = false;
      try { copied = document.execCommand('copy'); } catch (error) { copied = false; }
      document.body.removeChild(area);
      if (copied) resolve(); else reject(new Error('copy refused'));
    });
  }
  function copy(text) {
    if (navigator.clipboard && window.isSecureContext) {
      return navigator.clipboard.writeText(text).catch(function () { return fallbackCopy(text); });
    }
    return fallbackCopy(text);
  }
  function flash(button, label, state) {
    button.textContent = label;
    button.classList.remove('copied', 'copy-failed');
    button.classList.add(state);
    clearTimeout(button._drhookTimer);
    button._drhookTimer = setTimeout(function () {
      button.textContent = 'Copy';
      button.classList.remove(state);
    }, 4000);
  }
  function openTarget() {
    var id = decodeURIComponent(location.hash.slice(1));
    var target = id && document.getElementById(id);
    if (target && target.tagName === 'DETAILS') target.open = true;
  }
  document.addEventListener('click', function (event) {
    var button = event.target.closest && event.target.closest('button');
    if (!button) return;
    if (button.hasAttribute('data-copy')) {
      var source = document.getElementById(button.getAttribute('data-copy'));
      var text = source ? source.textContent : '';
      copy(text).then(function () { flash(button, 'Copied', 'copied'); }, function () {
        flash(button, 'Select and copy', 'copy-failed');
        var range = document.createRange();
        range.selectNodeContents(source);
        var selection = window.getSelection();
        selection.removeAllRanges();
        selection.addRange(range);
      });
    } else if (button.hasAttribute('data-expand')) {
      var open = button.getAttribute('data-expand') === 'open';
      document.querySelectorAll('details.case').forEach(function (details) { details.open = open; });
    }
  });
  window.addEventListener('hashchange', openTarget);
  openTarget();
})();`;

const styles = `
:root { --pass: #1a7f37; --pass-bg: #dafbe1; --fail: #cf222e; --fail-bg: #ffebe9; --warn: #9a6700; --warn-bg: #fff8c5;
  --skip: #57606a; --skip-bg: #eaeef2; --line: #d0d7de; --muted: #57606a; --code-bg: #f6f8fa; --link: #0969da; }
* { box-sizing: border-box; }
body { margin: 0 auto; max-width: 1200px; padding: 24px; font: 14px/1.5 -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; color: #1f2328; background: #fff; }
h1 { font-size: 22px; margin: 0 0 4px; }
h1 .target { font-weight: 400; font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: 16px; color: var(--muted); word-break: break-all; }
h2 { font-size: 18px; margin: 32px 0 12px; padding-bottom: 6px; border-bottom: 1px solid var(--line); }
h3 { font-size: 15px; margin: 20px 0 8px; }
h4 { font-size: 13px; margin: 0 0 6px; text-transform: uppercase; letter-spacing: .04em; color: var(--muted); }
a { color: var(--link); }
.meta, footer { color: var(--muted); }
footer { margin-top: 40px; padding-top: 12px; border-top: 1px solid var(--line); font-size: 12px; }
code, pre { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: 12px; }
pre { background: var(--code-bg); border: 1px solid var(--line); border-radius: 6px; padding: 8px 10px; margin: 0; white-space: pre-wrap; word-break: break-all; max-height: 320px; overflow: auto; }
.banner { border-radius: 8px; padding: 16px 20px; margin: 20px 0; border: 2px solid; }
.banner.pass { background: var(--pass-bg); border-color: var(--pass); }
.banner.fail { background: var(--fail-bg); border-color: var(--fail); }
.banner.inconclusive { background: var(--warn-bg); border-color: var(--warn); }
.banner .headline { font-size: 24px; font-weight: 700; }
.banner.pass .headline { color: var(--pass); }
.banner.fail .headline { color: var(--fail); }
.banner.inconclusive .headline { color: var(--warn); }
.banner .summary { font-size: 15px; margin: 6px 0 0; }
.banner ul { margin: 8px 0 0; padding-left: 20px; }
.banner .note { margin: 8px 0 0; font-weight: 600; color: var(--warn); }
table { border-collapse: collapse; width: 100%; }
th, td { border-bottom: 1px solid var(--line); padding: 6px 8px; text-align: left; vertical-align: top; }
thead th { background: var(--code-bg); font-size: 12px; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
table.settings th { width: 180px; font-weight: 600; }
.scroll { overflow-x: auto; }
.badge { display: inline-block; border-radius: 12px; padding: 0 8px; font-size: 12px; font-weight: 600; white-space: nowrap; }
.badge.pass { background: var(--pass-bg); color: var(--pass); }
.badge.fail { background: var(--fail-bg); color: var(--fail); }
.badge.warn, .badge.inconclusive { background: var(--warn-bg); color: var(--warn); }
.badge.skipped { background: var(--skip-bg); color: var(--skip); }
tr.status-fail td:first-child { border-left: 4px solid var(--fail); }
tr.status-warn td:first-child { border-left: 4px solid var(--warn); }
tr.status-inconclusive td:first-child { border-left: 4px solid var(--warn); }
tr.status-pass td:first-child { border-left: 4px solid var(--pass); }
tr.status-skipped td:first-child { border-left: 4px solid var(--skip-bg); }
tr.status-skipped { color: var(--muted); }
table.checks td:first-child { white-space: nowrap; }
.rule { color: var(--muted); font-size: 13px; }
table.matrix th.check { writing-mode: vertical-rl; transform: rotate(180deg); white-space: nowrap; font-weight: 600; padding: 8px 4px; vertical-align: bottom; }
table.matrix td.cell { text-align: center; white-space: nowrap; font-size: 12px; border-left: 1px solid #fff; }
table.matrix td.cell a { color: inherit; text-decoration: none; display: block; }
table.matrix td.pass { background: var(--pass-bg); color: var(--pass); }
table.matrix td.fail { background: var(--fail-bg); color: var(--fail); font-weight: 700; }
table.matrix td.warn { background: var(--warn-bg); color: var(--warn); font-weight: 600; }
table.matrix td.none { color: #8c959f; }
table.matrix { width: auto; min-width: 100%; }
table.matrix th.type, table.matrix th.corner { position: sticky; left: 0; z-index: 1; background: #fff; box-shadow: inset -1px 0 var(--line); }
table.matrix th.corner { background: var(--code-bg); vertical-align: bottom; }
table.matrix th.type { white-space: nowrap; font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: 12px; font-weight: 400; }
table.matrix th.type[title] { font-family: inherit; font-style: italic; cursor: help; }
.legend { color: var(--muted); font-size: 12px; margin: 6px 0 0; }
table.types th.type, table.types td.num { white-space: nowrap; font-weight: 400; }
table.types tr.late th.type { border-left: 4px solid var(--fail); }
table.types td.requires, table.types td.validates, table.types td.failing { font-size: 12px; }
table.subscriptions td.verdict { white-space: nowrap; font-weight: 600; }
table.subscriptions tr.subscribe td.verdict { color: var(--pass); }
table.subscriptions tr.fix-or-deselect td.verdict { color: var(--fail); }
table.subscriptions tr.not-judged td.verdict { color: var(--muted); }
table.subscriptions .refusal { margin: 4px 0 0; color: var(--warn); }
#subscriptions-section .endpoint { font-weight: 600; color: var(--fail); }
.toolbar { display: flex; gap: 8px; margin: 0 0 8px; }
button { font: inherit; font-size: 12px; padding: 3px 10px; border: 1px solid var(--line); border-radius: 6px; background: var(--code-bg); cursor: pointer; }
button:hover { background: #eaeef2; }
button.copied { background: var(--pass-bg); border-color: var(--pass); color: var(--pass); }
button.copy-failed { background: var(--warn-bg); border-color: var(--warn); color: var(--warn); }
details.case { border: 1px solid var(--line); border-radius: 6px; margin: 8px 0; }
details.case.fail { border-left: 4px solid var(--fail); }
details.case.warn { border-left: 4px solid var(--warn); }
details.case > summary { cursor: pointer; padding: 8px 12px; list-style-position: inside; }
details.case > summary .title { font-weight: 600; }
details.case > summary .reason { display: block; color: var(--muted); margin-left: 18px; font-size: 13px; }
details.case[open] > summary { border-bottom: 1px solid var(--line); }
details.case[open] > summary .reason { display: none; }
details.case.fail .mark { color: var(--fail); font-weight: 700; }
details.case.warn .mark { color: var(--warn); font-weight: 700; }
.case-body { padding: 12px; }
.case-body .why { margin: 0 0 12px; }
.exchange { display: grid; grid-template-columns: 1fr 1fr; gap: 12px; margin: 0 0 12px; }
@media (max-width: 800px) { .exchange { grid-template-columns: 1fr; } }
.exchange > div { min-width: 0; }
.exchange table { margin: 6px 0; font-size: 12px; }
.exchange table th { width: 35%; font-weight: 400; color: var(--muted); word-break: break-all; }
.exchange table td { word-break: break-all; font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; }
.line { margin: 0 0 4px; word-break: break-all; }
.command { display: flex; gap: 8px; align-items: flex-start; }
.command pre { flex: 1; }
.chart { position: relative; height: 300px; margin: 8px 0 16px; }
.charts { display: grid; grid-template-columns: 1fr 1fr; gap: 16px; }
@media (max-width: 900px) { .charts { grid-template-columns: 1fr; } }
.capacity-figure { font-size: 28px; font-weight: 700; }
.muted { color: var(--muted); }
`;

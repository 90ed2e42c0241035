// Copies the complete example events of Digital River's docs into reference/sample-events/: `node scripts/gather-doc-examples.mjs <GitBook checkout>`.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const docs = process.argv[2];
if (!docs || !fs.existsSync(path.join(docs, 'SUMMARY.md'))) {
  console.error('usage: node scripts/gather-doc-examples.mjs <checkout of DigitalRiver/GitBook, branch Digital-River-API>');
  process.exit(2);
}
const outDir = fileURLToPath(new URL('../reference/sample-events/', import.meta.url));

/** Markdown files under `dir`, relative to the checkout, sorted. */
function markdownFiles(dir) {
  return fs.readdirSync(path.join(docs, dir), { withFileTypes: true }).flatMap((entry) => {
    const rel = dir ? `${dir}/${entry.name}` : entry.name;
    if (entry.isDirectory()) return entry.name.startsWith('.') ? [] : markdownFiles(rel);
    return entry.name.endsWith('.md') ? [rel] : [];
  }).sort();
}

/**
 * Editing slips of the docs that leave an example otherwise complete, each repaired the one way it allows. An
 * example with `...` inside data.object is an excerpt, not a complete event, and is left out.
 */
const repairs = [
  { name: 'stray characters after the closing brace removed', fix: (text) => text.replace(/\}[A-Za-z]+\s*$/, '}') },
  { name: 'a "..." line standing for omitted envelope fields removed', fix: (text) => text.replace(/\n {4}\.\.\.\n/, '\n') },
  { name: 'a missing comma between two properties added', fix: (text) => text.replace(/\}\n(\s+)"name": "Carmen Sandiego"/, '},\n$1"name": "Carmen Sandiego"') },
];

function parse(body) {
  try {
    return { event: JSON.parse(body), repaired: [] };
  } catch {
    let text = body;
    const repaired = [];
    for (const { name, fix } of repairs) {
      const next = fix(text);
      if (next === text) continue;
      text = next;
      repaired.push(name);
      try {
        return { event: JSON.parse(text), repaired };
      } catch { /* try the next repair too */ }
    }
    return undefined;
  }
}

const found = [];
const excerpts = [];
const unreadable = [];
// The "Key event types" page first, so each type's first example (<type>.1.json) comes from it.
const keyPage = 'order-management/events-and-webhooks-1/events-1/event-types.md';
const files = markdownFiles('').sort((a, b) => (a === keyPage ? -1 : b === keyPage ? 1 : a.localeCompare(b)));
for (const file of files) {
  const lines = fs.readFileSync(path.join(docs, file), 'utf8').split('\n');
  let open = -1;
  for (let i = 0; i < lines.length; i++) {
    if (!/^\s*```/.test(lines[i])) continue;
    if (open < 0) {
      open = i;
      continue;
    }
    const body = lines.slice(open + 1, i).join('\n');
    const source = `${file}:${open + 2}`;
    open = -1;
    const type = /"type"\s*:\s*"([a-z_]+(?:\.[a-zA-Z_]+)+)"/.exec(body)?.[1];
    if (!type || !/"data"\s*:\s*\{\s*"object"/.test(body)) continue;
    const parsed = parse(body);
    if (parsed && typeof parsed.event.data?.object === 'object') found.push({ source, ...parsed });
    else if (/^\s*\.\.\.,?$/m.test(body)) excerpts.push({ source, type });
    else unreadable.push({ source, type });
  }
}

// The same example shown on several pages is kept once, with every page named; a copy that leaves envelope fields
// out ("...") is the same example. Copies that differ otherwise (another delivery's webhookIds) are kept apart.
const kept = [];
for (const entry of found) {
  const same = kept.find(({ event }) => event.id === entry.event.id && Object.keys(entry.event).every((key) => JSON.stringify(entry.event[key]) === JSON.stringify(event[key])));
  if (same) same.sources.push(entry.source);
  else kept.push({ event: entry.event, sources: [entry.source], repaired: entry.repaired });
}
// An unreadable copy of an event kept from another page is a duplicate, not a loss.
const keptIds = new Set(kept.map(({ event }) => event.id));
const duplicates = unreadable.filter(({ source }) => {
  const [file, line] = source.split(':');
  const text = fs.readFileSync(path.join(docs, file), 'utf8').split('\n').slice(Number(line) - 1, Number(line) + 6).join('\n');
  return [...keptIds].some((id) => text.includes(id.slice(0, 18)));
});
const lost = unreadable.filter((entry) => !duplicates.includes(entry));
if (lost.length) throw new Error(`unreadable complete examples: ${lost.map((e) => e.source).join(', ')}`);

for (const file of fs.readdirSync(outDir)) if (file.endsWith('.json')) fs.rmSync(path.join(outDir, file));
const counts = new Map();
const manifest = [];
for (const { event, sources, repaired } of kept) {
  const n = (counts.get(event.type) ?? 0) + 1;
  counts.set(event.type, n);
  const file = `${event.type}.${n}.json`;
  fs.writeFileSync(path.join(outDir, file), `${JSON.stringify(event, null, 2)}\n`);
  manifest.push({ file, sources, ...(repaired.length ? { repaired } : {}) });
}
const sources = {
  source: 'DigitalRiver/GitBook, branch Digital-River-API: every complete example event of the docs (paths relative to its root, :line of the example)',
  examples: manifest,
  duplicates: duplicates.map(({ source, type }) => ({ source, type, note: 'a damaged copy of an example kept from another page' })),
  excerpts: excerpts.map(({ source, type }) => ({ source, type })),
};
fs.writeFileSync(path.join(outDir, 'sources.json'), `${JSON.stringify(sources, null, 1)}\n`);
console.log(`${manifest.length} examples of ${counts.size} types, ${excerpts.length} excerpts left out, ${duplicates.length} damaged duplicates`);

// The redactor: one pass over the text, every encoded form of a secret, string values only, rendered output never touched.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createRedactor } from '../src/redact.js';
import { redactStrings } from '../src/report/redact.js';
import { renderJson, writeReportFiles } from '../src/report/report-files.js';

test('one pass: the mask itself is never masked again', () => {
  // "redacted" and "act" are secrets too: masking one after another would re-mask the first mask.
  const redact = createRedactor(['TOPSECRET-1', 'redacted', 'dacted]x']);
  assert.equal(redact('a TOPSECRET-1 b'), 'a [redacted] b');
  assert.equal(redact('TOPSECRET-1redacted'), '[redacted][redacted]');
});

test('the longest secret wins where secrets overlap, and regular-expression characters are literal', () => {
  const redact = createRedactor(['abc.defgh', 'abc.defgh+more', '(a|b)*[x]?$']);
  assert.equal(redact('abc.defgh+more abc.defgh abcXdefgh (a|b)*[x]?$'), '[redacted] [redacted] abcXdefgh [redacted]');
});

test('every encoded form is masked: base64, URL- and form-encoded, JSON- and HTML-escaped, whsec_ key', () => {
  const secret = 'CS+oauth/55=Yu "q" \\ <&> \'';
  const redact = createRedactor([secret]);
  const forms = [
    Buffer.from(secret).toString('base64'),
    encodeURIComponent(secret),
    new URLSearchParams({ client_secret: secret }).toString().slice('client_secret='.length),
    JSON.stringify(secret).slice(1, -1),
    'CS+oauth/55=Yu &quot;q&quot; \\ &lt;&amp;&gt; &#39;',
    'CS+oauth/55=Yu &quot;q&quot; \\ &lt;&amp;&gt; &apos;',
  ];
  for (const form of forms) assert.equal(redact(`[${form}]`), '[[redacted]]', form);
  // A token endpoint echoing the form body, and a JSON echo.
  assert.equal(redact('client_secret=CS%2Boauth%2F55%3DYu+%22q%22+%5C+%3C%26%3E+%27&x=1'), 'client_secret=[redacted]&x=1');
  assert.equal(redact(JSON.stringify({ echo: secret })), '{"echo":"[redacted]"}');
  const whsec = `whsec_${Buffer.from('key-bytes-0123456789').toString('base64')}`;
  assert.equal(createRedactor([whsec])(`${whsec} ${whsec.slice(6)}`), '[redacted] [redacted]');
  assert.equal(createRedactor([])('nothing to hide'), 'nothing to hide');
});

test('redactStrings masks string values and keeps object keys', () => {
  const redact = createRedactor(['cases-secret']);
  const clean = redactStrings({ cases: [{ 'cases-secret': 'x cases-secret y', status: 200 }] }, redact);
  assert.deepEqual(clean, { cases: [{ 'cases-secret': 'x [redacted] y', status: 200 }] });
});

test('report files are rendered from redacted data and never redacted again as text', async () => {
  const dir = await mkdtemp(path.join(tmpdir(), 'drhook-redact-'));
  try {
    // A secret that is also text the renderers write: redacting rendered JSON would break it.
    const secret = '"status": 200';
    const report = { status: 200, note: `said ${secret}` };
    const render = (value: unknown) => renderJson(value);
    const paths = await writeReportFiles(report, { json: render, junit: render, summary: render, html: render }, dir, createRedactor([secret]));
    const written = JSON.parse(await readFile(paths.json, 'utf8')) as unknown;
    assert.deepEqual(written, { status: 200, note: 'said [redacted]' });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

// The redactor: one pass over the text, every encoded form of a secret, string values only, rendered output never touched.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createRedactor, maskIssuedTokens, redactOutcome } from '../src/wire/redact.js';
import { redactStrings } from '../src/wire/redact-strings.js';
import { writeReportFiles } from '../src/report/report-files.js';
import { renderJson } from '../src/report/formats/index.js';

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

test('every encoded form is masked: base64 (and URL-safe), URL- and form-encoded, JSON- and HTML-escaped, whsec_ key', () => {
  const secret = 'CS+oauth/55=Yu "q" \\ <&> \'';
  const redact = createRedactor([secret]);
  const forms = [
    Buffer.from(secret).toString('base64'),
    encodeURIComponent(secret),
    new URLSearchParams({ client_secret: secret }).toString().slice('client_secret='.length),
    JSON.stringify(secret).slice(1, -1),
    'CS+oauth/55=Yu &quot;q&quot; \\ &lt;&amp;&gt; &#39;',
    'CS+oauth/55=Yu &quot;q&quot; \\ &lt;&amp;&gt; &apos;',
    'CS+oauth&#x2F;55=Yu &quot;q&quot; \\ &lt;&amp;&gt; &#x27;',
    JSON.stringify(secret).slice(1, -1).replace(/\//g, '\\/'),
    Buffer.from(secret).toString('base64url'),
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
    const as = (name: 'json' | 'junit' | 'summary' | 'html') => ({ name, file: `${name}.out`, render });
    const paths = await writeReportFiles(report, { json: as('json'), junit: as('junit'), summary: as('summary'), html: as('html') }, dir, createRedactor([secret]));
    const written = JSON.parse(await readFile(paths.json, 'utf8')) as unknown;
    assert.deepEqual(written, { status: 200, note: 'said [redacted]' });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('base64 at every alignment: a password inside `user:password` is masked whatever the user name', () => {
  const password = 'Pw-9xKq2LmZ7';
  const redact = createRedactor([password]);
  for (const user of ['', 'a', 'ab', 'abc', 'dr', 'hooks', 'webhook-user']) {
    const credential = Buffer.from(`${user}:${password}`).toString('base64');
    const masked = redact(`Basic ${credential}`);
    // Left: the characters that hold the user name's bits, and at most one that mixes the last bits with padding.
    const before = Math.ceil(((user.length + 1) * 8) / 6);
    assert.equal(masked, `Basic ${credential.slice(0, before)}[redacted]${credential.slice(Math.floor(((user.length + 1 + password.length) * 8) / 6))}`, user);
    assert.ok(masked.length - `Basic ${credential.slice(0, before)}[redacted]`.length <= 3, user);
  }
});

/** Every substring of 4 characters of `form` found in `text`. */
const partsIn = (text: string, form: string): string[] =>
  Array.from({ length: Math.max(0, form.length - 3) }, (_, at) => form.slice(at, at + 4)).filter((part) => text.includes(part));

test('a text cut before it was redacted: what is left of any form at the cut is masked, from 4 characters on', () => {
  const secret = 'Zq7-Wm3/Xv9+Kp';
  const credential = Buffer.from(`dr:${secret}`).toString('base64');
  const redact = createRedactor([secret, credential]);
  const forms = [secret, Buffer.from(secret).toString('base64'), encodeURIComponent(secret), credential];
  for (const form of forms) {
    const text = `… "authorization": "Basic ${form}", "next": 1 …`;
    const start = text.indexOf(form);
    for (let cut = start; cut <= start + form.length; cut += 1) {
      const head = redact.cut(text.slice(0, cut), 'end');
      const tail = redact.cut(text.slice(cut), 'start');
      for (const clean of [head, tail]) assert.deepEqual(forms.flatMap((f) => partsIn(clean, f)), [], `${form} cut after ${cut - start}: ${clean}`);
      const left = cut - start;
      assert.equal(head, left >= 4 && left < form.length ? `${text.slice(0, start)}[redacted]` : redact(text.slice(0, cut)), `${form} cut after ${left}`);
    }
  }
  // A character split by a byte cut decodes as U+FFFD: it belongs to the cut.
  assert.equal(redact.cut(`x ${secret.slice(0, 6)}\uFFFD`, 'end'), 'x [redacted]');
  // Text that merely ends like nothing secret is kept as it is; 3 characters are left.
  assert.equal(redact.cut('an ordinary answer', 'both'), 'an ordinary answer');
  assert.equal(redact.cut(`x ${secret.slice(0, 3)}`, 'end'), `x ${secret.slice(0, 3)}`);
  // A partial form overlapping a whole one is masked from its first character: the password inside a cut credential.
  assert.equal(redact.cut(`Basic ${credential.slice(0, -3)}`, 'end'), 'Basic [redacted]');
});

test('redactOutcome: the body (its end, when the read limit cut it), the response headers and an error message', () => {
  const secret = 'Tk8-Vn2Qx7Lp';
  const redact = createRedactor([secret]);
  const response = redactOutcome(
    {
      kind: 'response',
      status: 400,
      headers: { 'x-echo': `token ${secret}`, authorization: `Bearer ${secret}x` },
      body: { text: `seen ${secret}; again ${secret.slice(0, 7)}`, bytes: 70_000, truncated: true },
      durationMs: 5,
      headersMs: 2,
    },
    redact,
  );
  assert.deepEqual(response.kind === 'response' && [response.headers, response.body.text], [{ 'x-echo': 'token [redacted]', authorization: 'Bearer [redacted]' }, 'seen [redacted]; again [redacted]']);
  // A body read whole is not cut: the same end is kept.
  const whole = redactOutcome({ kind: 'response', status: 400, headers: {}, body: { text: `again ${secret.slice(0, 7)}`, bytes: 13, truncated: false }, durationMs: 5, headersMs: 2 }, redact);
  assert.equal(whole.kind === 'response' && whole.body.text, `again ${secret.slice(0, 7)}`);
  const error = redactOutcome({ kind: 'error', cause: 'other', message: `failed: ${secret}`, durationMs: 1 }, redact);
  assert.equal(error.kind === 'error' && error.message, 'failed: [redacted]');
});

test('maskIssuedTokens: access, refresh and ID token values in JSON, form and plain answers, a cut one included', () => {
  assert.equal(
    maskIssuedTokens('{"access_token": "eyJ.a\\"b", "token_type":"Bearer","refresh_token":"r-1","id_token":"x.y.z","expires_in":60}'),
    '{"access_token": "[redacted]", "token_type":"Bearer","refresh_token":"[redacted]","id_token":"[redacted]","expires_in":60}',
  );
  assert.equal(maskIssuedTokens('access_token=abc.def&token_type=Bearer&refresh_token=r%2B1'), 'access_token=[redacted]&token_type=Bearer&refresh_token=[redacted]');
  assert.equal(maskIssuedTokens("error: bad access_token: 'abc'; id_token=q"), "error: bad access_token: '[redacted]'; id_token=[redacted]");
  assert.equal(maskIssuedTokens('{"access_token":"abcdefgh'), '{"access_token":"[redacted]');
  assert.equal(maskIssuedTokens('{"my_access_token_count": 3}'), '{"my_access_token_count": 3}');
});

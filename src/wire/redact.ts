// Keeps secrets out of output: masks known secrets in every form they take, what a cut leaves of one, credentials in headers.
import type { DeliveryOutcome } from './outcome.js';

const mask = '[redacted]';

const htmlEntities: ReadonlyArray<Record<string, string>> = [
  { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' },
  { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' },
  { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#x27;', '/': '&#x2F;' },
];

/**
 * A form derived from a secret (an encoding, a part of its base64) shorter than this is not masked: it would mask
 * ordinary text. The secret itself is always masked.
 */
const MIN_DERIVED_CHARS = 8;

/**
 * What a cut leaves of a form is masked from this many characters on; 3 characters or fewer are left as they are, as
 * masking them would garble ordinary text at every cut. Every form of a secret given by flag, file or variable has at
 * least 8 characters (shorter secrets are refused), so a cut leaves at most 3 of 8 or more.
 */
const MIN_PARTIAL_CHARS = 4;

/**
 * The characters of base64 text holding only the secret's bits, when the secret starts `offset` bytes (0, 1 or 2)
 * into a 3-byte group: what any base64 text containing the secret holds, whatever comes before and after it
 * (`Basic base64(user:password)` holds one of these three for the password, whatever the user name).
 */
function base64Core(secret: Buffer, offset: number): string {
  const encoded = Buffer.concat([Buffer.alloc(offset), secret]).toString('base64');
  return encoded.slice(Math.ceil((offset * 8) / 6), Math.floor(((offset + secret.length) * 8) / 6));
}

/**
 * Every text form a secret may take in output: itself; its base64 (standard and URL-safe, alone or inside longer
 * base64 at any alignment); URL- and form-encoded; JSON-escaped (also with `\/`); HTML-escaped; the key part of a
 * `whsec_` secret.
 */
function secretForms(secret: string): string[] {
  const bytes = Buffer.from(secret, 'utf8');
  const base64 = [bytes.toString('base64'), ...[0, 1, 2].map((offset) => base64Core(bytes, offset))];
  const json = JSON.stringify(secret).slice(1, -1);
  const derived = [
    ...base64,
    ...base64.map((text) => text.replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '')),
    encodeURIComponent(secret),
    new URLSearchParams({ s: secret }).toString().slice('s='.length),
    json,
    json.replace(/\//g, '\\/'),
    ...htmlEntities.map((entities) => secret.replace(/[&<>"'/]/g, (char) => entities[char] ?? char)),
  ];
  if (secret.startsWith('whsec_') && secret.length > 'whsec_'.length) derived.push(secret.slice('whsec_'.length));
  return [secret, ...derived.filter((form) => form.length >= MIN_DERIVED_CHARS)];
}

const escapeRegExp = (text: string): string => text.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&');

/** Where a text was cut out of a longer one: at its start, its end, or both. */
export type CutEdges = 'start' | 'end' | 'both';

/**
 * Masks secrets in text. Text is redacted before it is cut (shortened to an excerpt, a reason, a line): a cut made
 * after redaction can only split a mask. Where a text was cut before it could be redacted (a body read up to its
 * limit), `cut` masks what is left of a form at the cut as well.
 */
export interface Redactor {
  /** The text with every occurrence of every form of every secret masked, in one pass (a mask is never masked again). */
  (text: string): string;
  /**
   * The same, for a text cut out of a longer one before it was redacted: a start of a form at its end, or an end of
   * a form at its start, of at least 4 characters is masked too.
   */
  cut(text: string, edges: CutEdges): string;
}

/** Replaces every occurrence of each secret (and its other forms) with `[redacted]`. */
export function createRedactor(secrets: readonly string[]): Redactor {
  // Longest first, so a secret containing another is masked whole.
  const forms = [...new Set(secrets.filter((secret) => secret !== '').flatMap(secretForms))].sort((a, b) => b.length - a.length);
  const pattern = forms.length === 0 ? undefined : new RegExp(forms.map(escapeRegExp).join('|'), 'g');
  const redact = (text: string): string => (pattern ? text.replace(pattern, mask) : text);
  const cut = (text: string, edges: CutEdges): string => {
    // Whole forms and the partial one at a cut are found in the text as it is, then masked together: a partial
    // form that overlaps a whole one (the password inside a cut Basic credential) is masked from its first character.
    const spans: Span[] = pattern ? Array.from(text.matchAll(pattern), (match) => [match.index, match.index + match[0].length]) : [];
    if (edges !== 'start') spans.push(partialAtEnd(text, forms));
    if (edges !== 'end') spans.push(partialAtStart(text, forms));
    return maskSpans(text, spans);
  };
  return Object.assign(redact, { cut });
}

/** Characters `[start, end)` of a text. */
type Span = [number, number];

/**
 * The span of the longest start of a form at the very end of the text (empty if none). A multi-byte character split
 * by a byte cut decodes as U+FFFD: it belongs to the cut.
 */
function partialAtEnd(text: string, forms: readonly string[]): Span {
  const kept = text.replace(/\uFFFD+$/, '');
  const longest = Math.max(0, ...forms.map((form) => longestPart(form.length, (length) => kept.endsWith(form.slice(0, length)))));
  return longest === 0 ? [text.length, text.length] : [kept.length - longest, text.length];
}

/** The span of the longest end of a form at the very start of the text (empty if none). */
function partialAtStart(text: string, forms: readonly string[]): Span {
  const longest = Math.max(0, ...forms.map((form) => longestPart(form.length, (length) => text.startsWith(form.slice(form.length - length)))));
  return [0, longest];
}

/** The greatest length under `formLength`, of at least MIN_PARTIAL_CHARS, for which `found` holds; 0 if none. */
function longestPart(formLength: number, found: (length: number) => boolean): number {
  for (let length = formLength - 1; length >= MIN_PARTIAL_CHARS; length -= 1) if (found(length)) return length;
  return 0;
}

/** The text with each span replaced by one mask; overlapping spans are masked as one. */
function maskSpans(text: string, spans: readonly Span[]): string {
  const sorted = spans.filter(([start, end]) => end > start).sort((a, b) => a[0] - b[0]);
  let result = '';
  let done = 0;
  for (const [start, end] of sorted) {
    if (start < done) {
      // Overlaps the mask just written: that mask now reaches further.
      done = Math.max(done, end);
      continue;
    }
    result += `${text.slice(done, start)}${mask}`;
    done = end;
  }
  return result + text.slice(done);
}

/**
 * The outcome as judges and reports may see it: secrets masked in the body (and what the read limit left of one at
 * its end), the response headers and an error message.
 */
export function redactOutcome(outcome: DeliveryOutcome, redact: Redactor): DeliveryOutcome {
  switch (outcome.kind) {
    case 'response': {
      const headers = Object.fromEntries(Object.entries(redactHeaders(outcome.headers)).map(([name, value]) => [name, redact(value)]));
      const text = outcome.body.truncated ? redact.cut(outcome.body.text, 'end') : redact(outcome.body.text);
      return { ...outcome, headers, body: { ...outcome.body, text } };
    }
    case 'error':
      return { ...outcome, message: redact(outcome.message) };
    case 'timeout':
      return outcome;
  }
}

/**
 * An issued token's key and its value (RFC 6749 §5.1, OpenID Connect), as JSON (`"access_token": "…"`), a form
 * (`access_token=…`) or a plain text writes it; the value ends at a quote, space, `&`, `,`, `;` or `}`.
 */
const issuedToken = /(["']?\b(?:access_token|refresh_token|id_token)["']?\s*[:=]\s*["']?)(?:\\.|[^"'&\s,;}\\])+/g;

/**
 * The values of access_token, refresh_token and id_token masked: a token endpoint's answer can hold tokens drhook
 * has not learned (in an answer it refused, a refresh token).
 */
export function maskIssuedTokens(text: string): string {
  return text.replace(issuedToken, `$1${mask}`);
}

const credentialHeaders = new Set(['authorization', 'proxy-authorization']);

/** `Bearer abc` → `Bearer [redacted]`; a value without a scheme word is masked whole. */
function maskCredential(value: string): string {
  const space = value.trim().indexOf(' ');
  return space > 0 ? `${value.trim().slice(0, space)} ${mask}` : mask;
}

/**
 * Masks Authorization and Proxy-Authorization credentials, keeping the scheme word (`Basic [redacted]`).
 * Signature headers are kept: signatures are not secrets and help debugging.
 */
export function redactHeaders<V extends string | readonly string[] | undefined>(headers: Readonly<Record<string, V>>): Record<string, V> {
  const result: Record<string, V> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (!credentialHeaders.has(name.toLowerCase()) || value === undefined) result[name] = value;
    else result[name] = (typeof value === 'string' ? maskCredential(value) : value.map(maskCredential)) as V;
  }
  return result;
}

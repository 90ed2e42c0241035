// Keeps secrets out of output: masks known secret values in text and credentials in Authorization headers.
const mask = '[redacted]';

const htmlEntities: ReadonlyArray<Record<string, string>> = [
  { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' },
  { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' },
];

/**
 * Every text form a secret may take in output: itself, its base64, URL- and form-encoded, JSON- and HTML-escaped,
 * and the key part of a `whsec_` secret.
 */
function secretForms(secret: string): string[] {
  const forms = [
    secret,
    Buffer.from(secret, 'utf8').toString('base64'),
    encodeURIComponent(secret),
    new URLSearchParams({ s: secret }).toString().slice('s='.length),
    JSON.stringify(secret).slice(1, -1),
    ...htmlEntities.map((entities) => secret.replace(/[&<>"']/g, (char) => entities[char] ?? char)),
  ];
  if (secret.startsWith('whsec_') && secret.length > 'whsec_'.length) forms.push(secret.slice('whsec_'.length));
  return forms;
}

const escapeRegExp = (text: string): string => text.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&');

/** Replaces every occurrence of each secret (and its other forms) with `[redacted]`, in one pass over the text. */
export function createRedactor(secrets: readonly string[]): (text: string) => string {
  // Longest first, so a secret containing another is masked whole.
  const forms = [...new Set(secrets.filter((secret) => secret !== '').flatMap(secretForms))].sort((a, b) => b.length - a.length);
  if (forms.length === 0) return (text) => text;
  const pattern = new RegExp(forms.map(escapeRegExp).join('|'), 'g');
  return (text) => text.replace(pattern, mask);
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

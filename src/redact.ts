// Keeps secrets out of output: masks known secret values in text and credentials in Authorization headers.
const mask = '[redacted]';

/** Every text form a secret may take in output: itself, its base64, and the key part of a `whsec_` secret. */
function secretForms(secret: string): string[] {
  const forms = [secret, Buffer.from(secret, 'utf8').toString('base64')];
  if (secret.startsWith('whsec_') && secret.length > 'whsec_'.length) forms.push(secret.slice('whsec_'.length));
  return forms;
}

/** Replaces every occurrence of each secret (and its other forms) with `[redacted]`. */
export function createRedactor(secrets: readonly string[]): (text: string) => string {
  // Longest first, so a secret containing another is masked whole.
  const forms = [...new Set(secrets.filter((secret) => secret !== '').flatMap(secretForms))].sort((a, b) => b.length - a.length);
  return (text) => forms.reduce((masked, form) => (masked.includes(form) ? masked.split(form).join(mask) : masked), text);
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

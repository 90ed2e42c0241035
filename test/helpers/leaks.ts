// Finds any part of a secret in text drhook wrote: every substring of 4 or more characters of each form it can take.

/** What a cut may leave of a form before the rest is masked: 3 characters (drhook masks 4 and more). */
export const MAX_LEFT_CHARS = 3;

/**
 * The forms a secret takes in output, written out here independently of drhook's redactor: itself, base64 (standard
 * and URL-safe), URL- and form-encoded, JSON- and HTML-escaped, and escaped for Markdown.
 */
export function formsOf(secret: string): string[] {
  const base64 = Buffer.from(secret, 'utf8').toString('base64');
  const html = secret.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
  return [
    ...new Set([
      secret,
      base64,
      base64.replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, ''),
      encodeURIComponent(secret),
      new URLSearchParams({ s: secret }).toString().slice(2),
      JSON.stringify(secret).slice(1, -1),
      html,
      secret.replace(/[\\`*_[\]<>|&~#!]/g, '\\$&'),
    ]),
  ];
}

/** Every substring of `length` characters of each form. */
function parts(forms: readonly string[], length: number): Map<string, string> {
  const found = new Map<string, string>();
  for (const form of forms) for (let at = 0; at + length <= form.length; at += 1) found.set(form.slice(at, at + length), form);
  return found;
}

/**
 * Each place in `text` holding more than MAX_LEFT_CHARS characters of a form in a row, as `…context… (part of
 * <form>)`; empty when there is none. One pass over the text; `ignored` parts are not looked for.
 */
export function findLeaks(text: string, forms: readonly string[], ignored: readonly string[] = []): string[] {
  const length = MAX_LEFT_CHARS + 1;
  const wanted = parts(forms, length);
  for (const part of ignored) wanted.delete(part);
  const leaks: string[] = [];
  for (let at = 0; at + length <= text.length; at += 1) {
    const form = wanted.get(text.slice(at, at + length));
    if (form !== undefined) leaks.push(`…${text.slice(Math.max(0, at - 30), at + 30)}… (part of ${form})`);
  }
  return leaks;
}

/**
 * The parts of the forms that text drhook writes anyway could hold by chance (hex digests, dates, numbers, words of
 * its own, anything in `ownText`): secrets for these tests are chosen so that none of their forms has one, or a leak
 * could not be told from chance.
 */
export function ambiguousParts(forms: readonly string[], ownText = ''): string[] {
  return [...parts(forms, MAX_LEFT_CHARS + 1).keys()].filter((part) => /^[0-9a-fA-F:TZ.\- ]+$/.test(part) || /^[a-z]+$/.test(part) || ownText.includes(part));
}

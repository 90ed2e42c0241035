// The receiver's signature step: verify the raw body with the tokens of the event's data mode (and each signature fault).
import type { Mode } from '../events/event.js';
import type { ModeSecrets } from '../wire/secrets.js';
import { verifySignature, type SchemeName, type SignatureLayout, type VerifyResult } from '../wire/signing.js';
import type { FaultName } from './faults.js';

export interface SignatureSettings {
  scheme: SchemeName;
  layout: Partial<SignatureLayout>;
  secrets: ModeSecrets;
  toleranceSec: number;
  fault: FaultName | undefined;
}

type Headers = Record<string, string | string[] | undefined>;

/** True when tokens are configured: then every delivery must carry a valid signature. */
export function signaturesRequired(secrets: ModeSecrets): boolean {
  return secrets.test.length > 0 || secrets.live.length > 0;
}

/**
 * Verifies one delivery. `mode` is the data mode the body claims (undefined when the body is not JSON): only that
 * mode's tokens may have signed it, so a live event signed with the test token fails.
 */
export function verifyDelivery(settings: SignatureSettings, headers: Headers, rawBody: Buffer, reserialized: () => Buffer, mode: Mode | undefined): VerifyResult {
  const { fault } = settings;
  const secrets =
    mode === undefined || fault === 'any-mode-token' ? [...settings.secrets.test, ...settings.secrets.live] : settings.secrets[mode];
  if (secrets.length === 0) {
    return { ok: false, reason: 'mismatch', message: `no signing token is configured for ${mode} mode, so no ${mode} event is accepted` };
  }
  return verifySignature(
    settings.scheme,
    fault === 'first-signature-only' ? withOneSignature(headers, 'first') : fault === 'last-signature-only' ? withOneSignature(headers, 'last') : headers,
    fault === 'reserialized-body' ? reserialized() : rawBody,
    {
      secrets,
      toleranceSec: fault === 'accept-stale' ? Number.POSITIVE_INFINITY : settings.toleranceSec,
      nowSec: Math.floor(Date.now() / 1000),
      layout: settings.layout,
    },
  );
}

const signatureEntry = /^v\d+[=,]/;

/**
 * The naive readings behind `first-signature-only` and `last-signature-only`: of each `…-signature` header keep the
 * timestamp and one signature entry (`v0=…` / `v1=…` inline, or one space-separated `v1,…`), drop the others.
 */
function withOneSignature(headers: Headers, which: 'first' | 'last'): Headers {
  const result: Headers = { ...headers };
  for (const [name, value] of Object.entries(headers)) {
    if (!name.endsWith('-signature') || typeof value !== 'string') continue;
    const spaced = value.trim().split(/\s+/);
    if (spaced.every((entry) => /^v\d+,/.test(entry))) {
      result[name] = which === 'first' ? spaced[0] : spaced.at(-1);
      continue;
    }
    const entries = value.split(',').map((entry) => entry.trim());
    const kept = which === 'first' ? entries.findIndex((entry) => signatureEntry.test(entry)) : entries.findLastIndex((entry) => signatureEntry.test(entry));
    result[name] = entries.filter((entry, index) => !signatureEntry.test(entry) || index === kept).join(',');
  }
  return result;
}

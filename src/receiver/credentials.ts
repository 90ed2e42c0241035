// How the receiver checks who is calling: HTTP Basic credentials, or Bearer tokens granted by its own token endpoint.
import { createHash, timingSafeEqual } from 'node:crypto';

export type ReceiverAuth =
  | { kind: 'none' }
  | { kind: 'basic'; username: string; password: string }
  | { kind: 'oauth'; clientId: string; clientSecret: string; username?: string; password?: string; tokenTtlSec?: number };

export type AuthCheck = { ok: true } | { ok: false; challenge: string; message: string };

/** What the oauth kind needs of the token endpoint (oauth.ts) to check a delivery's Bearer token. */
export interface BearerTokens {
  /** True when `token` was granted here and has not expired. */
  isValid(token: string): boolean;
}

/** Checks the Authorization header of a webhook delivery against the configured scheme. */
export function checkAuthorization(auth: ReceiverAuth, authorization: string | undefined, tokenEndpoint: BearerTokens | undefined): AuthCheck {
  switch (auth.kind) {
    case 'none':
      return { ok: true };
    case 'basic': {
      const challenge = 'Basic realm="drhook", charset="UTF-8"';
      const given = basicCredentials(authorization);
      if (!given) return { ok: false, challenge, message: 'Basic credentials required' };
      return sameSecret(given.user, auth.username) && sameSecret(given.password, auth.password)
        ? { ok: true }
        : { ok: false, challenge, message: 'wrong username or password' };
    }
    case 'oauth': {
      const token = /^Bearer\s+(\S+)$/i.exec(authorization ?? '')?.[1];
      if (token === undefined) return { ok: false, challenge: 'Bearer realm="drhook"', message: 'Bearer token required' };
      return tokenEndpoint?.isValid(token)
        ? { ok: true }
        : { ok: false, challenge: 'Bearer realm="drhook", error="invalid_token"', message: 'unknown or expired Bearer token' };
    }
  }
}

/** The user and password of an `Authorization: Basic …` header, undefined when there is none or it is garbled. */
export function basicCredentials(authorization: string | undefined): { user: string; password: string } | undefined {
  const encoded = /^Basic\s+(\S+)$/i.exec(authorization ?? '')?.[1];
  if (encoded === undefined) return undefined;
  const decoded = Buffer.from(encoded, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  return colon < 0 ? undefined : { user: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}

/** Compares a received credential with the expected one in constant time (digests make the lengths equal). */
export function sameSecret(received: string, expected: string): boolean {
  const digest = (text: string) => createHash('sha256').update(text, 'utf8').digest();
  return timingSafeEqual(digest(received), digest(expected));
}

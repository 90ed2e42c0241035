// The receiver's OAuth 2.0 token endpoint: grants Bearer tokens (client credentials or password grant) and checks them.
import { randomBytes } from 'node:crypto';
import { basicCredentials, sameSecret, type BearerTokens, type ReceiverAuth } from './credentials.js';

export type OAuthSettings = Extract<ReceiverAuth, { kind: 'oauth' }>;

/** An answer of the token endpoint, as RFC 6749 §5 shapes it; a client that failed to authenticate gets a challenge. */
export type TokenAnswer =
  | { status: 200; body: { access_token: string; token_type: 'Bearer'; expires_in: number } }
  | { status: 400; body: TokenError }
  | { status: 401; body: TokenError; challenge: string };

type TokenError = {
  error: 'invalid_request' | 'invalid_client' | 'invalid_grant' | 'unsupported_grant_type';
  error_description: string;
};

export interface TokenEndpoint extends BearerTokens {
  /** Answers one token request: the form-encoded body and the request's Authorization header. */
  answer(contentType: string | undefined, body: Buffer, authorization: string | undefined): TokenAnswer;
}

const DEFAULT_TTL_SEC = 3600;

export function createTokenEndpoint(settings: OAuthSettings, now: () => number = Date.now): TokenEndpoint {
  const ttlSec = settings.tokenTtlSec ?? DEFAULT_TTL_SEC;
  const expiries = new Map<string, number>();
  const passwordGrant = settings.username !== undefined && settings.password !== undefined;
  const grants = passwordGrant ? 'client_credentials or password' : 'client_credentials';

  function grant(): TokenAnswer {
    const nowMs = now();
    for (const [token, expiresAt] of expiries) if (expiresAt <= nowMs) expiries.delete(token);
    const token = randomBytes(32).toString('base64url');
    expiries.set(token, nowMs + ttlSec * 1000);
    return { status: 200, body: { access_token: token, token_type: 'Bearer', expires_in: ttlSec } };
  }

  return {
    answer(contentType, body, authorization) {
      if (!contentType?.toLowerCase().startsWith('application/x-www-form-urlencoded')) {
        return failure('invalid_request', 'the token request must be application/x-www-form-urlencoded');
      }
      const form = new URLSearchParams(body.toString('utf8'));
      const client = clientCredentials(form, authorization);
      if (!client || !sameClientValue(client.id, settings.clientId) || !sameClientValue(client.secret, settings.clientSecret)) {
        return { status: 401, body: { error: 'invalid_client', error_description: 'unknown client or wrong client secret' }, challenge: 'Basic realm="drhook oauth"' };
      }
      const grantType = form.get('grant_type');
      if (grantType === 'client_credentials') return grant();
      if (grantType === 'password' && passwordGrant) {
        const username = form.get('username') ?? '';
        const password = form.get('password') ?? '';
        return sameSecret(username, settings.username ?? '') && sameSecret(password, settings.password ?? '')
          ? grant()
          : failure('invalid_grant', 'wrong username or password');
      }
      if (grantType === null) return failure('invalid_request', `grant_type is missing: use ${grants}`);
      return failure('unsupported_grant_type', `grant_type must be ${grants}`);
    },
    isValid(token) {
      const expiresAt = expiries.get(token);
      return expiresAt !== undefined && expiresAt > now();
    },
  };
}

/** The client's id and secret, from HTTP Basic (preferred by RFC 6749 §2.3.1) or from the form. */
function clientCredentials(form: URLSearchParams, authorization: string | undefined): { id: string; secret: string } | undefined {
  const basic = basicCredentials(authorization);
  if (basic) return { id: basic.user, secret: basic.password };
  const id = form.get('client_id');
  const secret = form.get('client_secret');
  return id === null || secret === null ? undefined : { id, secret };
}

/** RFC 6749 §2.3.1 form-encodes the id and secret inside the Basic header; many clients do not, so either form matches. */
function sameClientValue(received: string, expected: string): boolean {
  return sameSecret(received, expected) || sameSecret(formDecoded(received), expected);
}

function formDecoded(text: string): string {
  try {
    return decodeURIComponent(text.replace(/\+/g, ' '));
  } catch {
    return text;
  }
}

function failure(error: TokenError['error'], description: string): TokenAnswer {
  return { status: 400, body: { error, error_description: description } };
}

// How drhook authenticates its deliveries, as Digital River does: none, HTTP Basic, or OAuth with a cached Bearer token.
import { authSecrets, basicCredentials, type AuthConfig } from './auth-config.js';
import { createDeliveryEngine } from './delivery.js';
import { UsageError } from '../base/errors.js';
import { createRedactor, maskIssuedTokens } from './redact.js';

export type { AuthConfig } from './auth-config.js';

export interface AuthProvider {
  readonly config: AuthConfig;
  /** The headers to add to a delivery; for OAuth this may fetch (or refresh) the token, given up when `signal` aborts. */
  headers(signal?: AbortSignal): Promise<Record<string, string>>;
  /** Every secret value, fetched tokens included, for the redactor. */
  secrets(): string[];
}

export interface AuthOptions {
  /** Deadline of a token request, as for deliveries. Default 3000. */
  deadlineMs?: number;
  ca?: Buffer;
  insecure?: boolean;
}

export function createAuth(config: AuthConfig, options: AuthOptions = {}): AuthProvider {
  switch (config.kind) {
    case 'none':
      return { config, headers: async () => ({}), secrets: () => [] };
    case 'basic':
      return {
        config,
        headers: async () => ({ Authorization: `Basic ${basicCredentials(config)}` }),
        secrets: () => authSecrets(config),
      };
    case 'oauth':
      return createOAuth(config, options);
  }
}

type OAuthConfig = Extract<AuthConfig, { kind: 'oauth' }>;

/** What an Authorization header can carry after `Bearer `: visible ASCII, no spaces (RFC 6750's b64token, leniently). */
const bearerToken = /^[\x21-\x7E]+$/;

/** Refresh at most this long before expiry. */
const MAX_REFRESH_MARGIN_MS = 30_000;
/** A short-lived token is refreshed at least this long before expiry (up to a quarter of its life): a busy machine may hold a request that long. */
const MIN_REFRESH_MARGIN_MS = 1_000;

/** How long before expiry a token is refreshed: a tenth of its lifetime, at least a second (or a quarter of a shorter life), at most 30 s. */
function refreshMargin(lifetimeMs: number): number {
  return Math.min(MAX_REFRESH_MARGIN_MS, Math.max(lifetimeMs / 10, Math.min(MIN_REFRESH_MARGIN_MS, lifetimeMs / 4)));
}

function createOAuth(config: OAuthConfig, options: AuthOptions): AuthProvider {
  const fetched: string[] = [];
  let current: { token: string; refreshAt: number } | undefined;
  let pending: Promise<string> | undefined;

  const token = async (signal: AbortSignal | undefined): Promise<string> => {
    if (current && performance.now() < current.refreshAt) return current.token;
    // Concurrent deliveries share one token request.
    pending ??= requestToken(config, options, signal)
      .then((issued) => {
        fetched.push(issued.token);
        current = issued;
        return issued.token;
      })
      .finally(() => {
        pending = undefined;
      });
    return pending;
  };

  return {
    config,
    headers: async (signal) => ({ Authorization: `Bearer ${await token(signal)}` }),
    secrets: () => [...authSecrets(config), ...fetched],
  };
}

/**
 * Obtains a token as an OAuth 2.0 client (RFC 6749 §4.3, §4.4): a form POST with grant_type, and the client
 * credentials in the body (client_id, client_secret), plus username and password for the password grant.
 */
async function requestToken(config: OAuthConfig, options: AuthOptions, signal: AbortSignal | undefined): Promise<{ token: string; refreshAt: number }> {
  const form = new URLSearchParams({ grant_type: config.grant, client_id: config.clientId, client_secret: config.clientSecret });
  if (config.grant === 'password') {
    form.set('username', config.username ?? '');
    form.set('password', config.password ?? '');
  }
  if (config.scope) form.set('scope', config.scope);

  const deadlineMs = options.deadlineMs ?? 3000;
  const engine = createDeliveryEngine({ concurrency: 1, deadlineMs, ca: options.ca, insecure: options.insecure });
  const startedAt = performance.now();
  const outcome = await engine
    .deliver({
      url: config.tokenUrl,
      headers: { 'Content-Type': 'application/x-www-form-urlencoded', Accept: 'application/json' },
      body: Buffer.from(form.toString(), 'utf8'),
    }, { signal })
    .finally(() => engine.close());

  const endpoint = `OAuth token endpoint ${config.tokenUrl}`;
  if (outcome.kind === 'error' && outcome.cause === 'aborted') throw new UsageError(`${endpoint}: the token request was interrupted`);
  if (outcome.kind === 'error') throw new UsageError(`${endpoint} failed: ${outcome.message}`);
  if (outcome.kind === 'timeout') throw new UsageError(`${endpoint} gave no complete response within ${deadlineMs} ms`);

  // Redacted before it is cut to one line; the tokens in the answer are masked whatever they are.
  const redact = createRedactor(authSecrets(config));
  const body = outcome.body.truncated ? redact.cut(outcome.body.text, 'end') : redact(outcome.body.text);
  const excerpt = oneLine(maskIssuedTokens(body));
  if (outcome.status < 200 || outcome.status >= 300) {
    throw new UsageError(`${endpoint} answered ${outcome.status}, not 2xx: ${excerpt || '(empty body)'}`);
  }
  const answer = parseJson(outcome.body.text);
  const accessToken = answer?.['access_token'];
  if (typeof accessToken !== 'string' || accessToken === '') {
    throw new UsageError(`${endpoint} answered ${outcome.status} without an access_token: ${excerpt || '(empty body)'}`);
  }
  // Anything else cannot be sent in an Authorization header: a setup error, never a failed delivery.
  if (!bearerToken.test(accessToken)) {
    throw new UsageError(`${endpoint} answered ${outcome.status} with an access_token that is not a Bearer token (visible ASCII, no spaces): fix the token endpoint`);
  }
  const lifetimeMs = Number(answer?.['expires_in']) * 1000;
  // Without a usable expires_in the token is kept for the whole run.
  const refreshAt = Number.isFinite(lifetimeMs) && lifetimeMs > 0
    ? startedAt + lifetimeMs - refreshMargin(lifetimeMs)
    : Number.POSITIVE_INFINITY;
  return { token: accessToken, refreshAt };
}

function parseJson(text: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

function oneLine(text: string, max = 200): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max)}…` : flat;
}

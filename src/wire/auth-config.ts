// What a webhook's authentication is configured with, and the secrets it holds: no HTTP client, so settings can read it.

export type AuthConfig =
  | { kind: 'none' }
  | { kind: 'basic'; username: string; password: string }
  | {
      kind: 'oauth';
      tokenUrl: string;
      clientId: string;
      clientSecret: string;
      grant: 'client_credentials' | 'password';
      username?: string;
      password?: string;
      scope?: string;
    };

/** What follows `Basic ` in the Authorization header: base64 of `user:password`. */
export function basicCredentials(config: Extract<AuthConfig, { kind: 'basic' }>): string {
  return Buffer.from(`${config.username}:${config.password}`, 'utf8').toString('base64');
}

/**
 * The secrets the configuration holds, for the redactor: a password, a client secret, and Basic's whole credential
 * (the base64 of `user:password` is not the base64 of the password followed by more: it must be masked as a whole).
 * Tokens fetched at run time are added by the provider's `secrets()`.
 */
export function authSecrets(config: AuthConfig): string[] {
  switch (config.kind) {
    case 'none':
      return [];
    case 'basic':
      return [config.password, basicCredentials(config)];
    case 'oauth':
      return [config.clientSecret, ...(config.password ? [config.password] : [])];
  }
}

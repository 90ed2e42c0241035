// Command-line options shared by send, contract and load, parsed and validated once: bad values are usage errors.
import { readFileSync } from 'node:fs';
import { Option, type Command } from 'commander';
import type { AuthConfig } from './auth.js';
import { DEFAULT_CONCURRENCY, DEFAULT_DEADLINE_MS, type DeliveryEngineOptions } from './delivery.js';
import { UsageError } from './errors.js';
import type { Mode } from './event.js';
import { schemeNames, type SchemeName, type SignatureLayout } from './signing.js';

/** A valid http:// or https:// URL, returned as given. */
export function parseUrl(value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new UsageError(`invalid URL '${value}': use http:// or https://`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new UsageError(`invalid URL '${value}': use http:// or https://, not ${url.protocol}//`);
  }
  return value;
}

export interface Range {
  min: number;
  max: number;
}

/** A parser for a whole number within a range, for `Option.argParser`. */
export function parseInteger(name: string, { min, max }: Range): (value: string) => number {
  return (value) => {
    const number = /^-?\d+$/.test(value.trim()) ? Number(value) : Number.NaN;
    if (!Number.isSafeInteger(number) || number < min || number > max) {
      throw new UsageError(`${name} must be a whole number from ${min} to ${max}, got '${value}'`);
    }
    return number;
  };
}

const DURATION = /^(\d+(?:\.\d+)?)\s*(ms|s)?$/;

/** A parser for a duration in milliseconds written as 3000, 500ms or 3s (or 1.5s). */
export function parseDurationMs(name: string, { min, max }: Range = { min: 1, max: 3_600_000 }): (value: string) => number {
  return (value) => {
    const match = DURATION.exec(value.trim());
    const ms = match ? Math.round(Number(match[1]) * (match[2] === 's' ? 1000 : 1)) : Number.NaN;
    if (!Number.isFinite(ms) || ms < min || ms > max) {
      throw new UsageError(`${name} must be a duration from ${min} ms to ${max} ms such as 3000, 500ms or 3s, got '${value}'`);
    }
    return ms;
  };
}

export function parseMode(value: string): Mode {
  if (value === 'test' || value === 'live') return value;
  throw new UsageError(`invalid mode '${value}': use test or live`);
}

// ---- authentication -------------------------------------------------------------------------------------------

export interface AuthFlags {
  auth: AuthConfig['kind'];
  username?: string;
  password?: string;
  tokenUrl?: string;
  clientId?: string;
  clientSecret?: string;
  grant: 'client_credentials' | 'password';
  scope?: string;
}

export function addAuthOptions(command: Command): Command {
  return command
    .addOption(new Option('--auth <kind>', 'how deliveries authenticate, as configured on the webhook').choices(['none', 'basic', 'oauth']).default('none'))
    .addOption(new Option('--username <name>', 'basic: the username; oauth password grant: the resource owner'))
    .addOption(new Option('--password <password>', 'basic / oauth password grant: the password (or env DRHOOK_PASSWORD)'))
    .addOption(new Option('--token-url <url>', 'oauth: the token endpoint drhook obtains its Bearer token from').argParser(parseUrl))
    .addOption(new Option('--client-id <id>', 'oauth: the client ID'))
    .addOption(new Option('--client-secret <secret>', 'oauth: the client secret (or env DRHOOK_CLIENT_SECRET)'))
    .addOption(new Option('--grant <grant>', 'oauth: the grant type').choices(['client_credentials', 'password']).default('client_credentials'))
    .addOption(new Option('--scope <scope>', 'oauth: the scope to request, if the token endpoint wants one'));
}

/** The auth configuration the flags describe, secrets taken from flags first, then DRHOOK_PASSWORD / DRHOOK_CLIENT_SECRET. */
export function authConfigFrom(flags: AuthFlags, env: NodeJS.ProcessEnv = process.env): AuthConfig {
  const password = flags.password ?? nonEmpty(env.DRHOOK_PASSWORD);
  const clientSecret = flags.clientSecret ?? nonEmpty(env.DRHOOK_CLIENT_SECRET);
  const given = (names: Array<keyof AuthFlags>) => names.filter((name) => flags[name] !== undefined).map(flagName);

  switch (flags.auth) {
    case 'none': {
      const stray = given(['username', 'password', 'tokenUrl', 'clientId', 'clientSecret', 'scope']);
      if (stray.length > 0) throw new UsageError(`${stray.join(', ')} given but --auth is none: add --auth basic or --auth oauth`);
      return { kind: 'none' };
    }
    case 'basic': {
      const stray = given(['tokenUrl', 'clientId', 'clientSecret', 'scope']);
      if (stray.length > 0) throw new UsageError(`${stray.join(', ')}: only used with --auth oauth`);
      return { kind: 'basic', ...basicCredentials(flags.username, password) };
    }
    case 'oauth': {
      if (!flags.tokenUrl) throw new UsageError('--auth oauth needs --token-url');
      if (!flags.clientId) throw new UsageError('--auth oauth needs --client-id');
      if (!clientSecret) throw new UsageError('--auth oauth needs a client secret: --client-secret or DRHOOK_CLIENT_SECRET');
      const config: AuthConfig = { kind: 'oauth', tokenUrl: flags.tokenUrl, clientId: flags.clientId, clientSecret, grant: flags.grant };
      if (flags.scope) config.scope = flags.scope;
      if (flags.grant === 'password') {
        if (!flags.username) throw new UsageError('--grant password needs --username');
        if (!password) throw new UsageError('--grant password needs a password: --password or DRHOOK_PASSWORD');
        config.username = flags.username;
        config.password = password;
      } else {
        const stray = given(['username', 'password']);
        if (stray.length > 0) throw new UsageError(`${stray.join(', ')}: only used with --grant password`);
      }
      return config;
    }
  }
}

/** The HTTP Basic credentials from --username and the password, or the usage error that says what is wrong with them. */
export function basicCredentials(username: string | undefined, password: string | undefined): { username: string; password: string } {
  if (!username) throw new UsageError('--auth basic needs --username');
  if (username.includes(':')) throw new UsageError('--username must not contain ":" with --auth basic (HTTP Basic cannot carry it)');
  if (!password) throw new UsageError('--auth basic needs a password: --password or DRHOOK_PASSWORD');
  return { username, password };
}

/** An option's property name as typed on the command line: `clientId` → `--client-id`. */
export function flagName(name: string): string {
  return `--${name.replace(/[A-Z]/g, (letter) => `-${letter.toLowerCase()}`)}`;
}

/** An environment value, with an empty one counted as not set. */
export function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value === '' ? undefined : value;
}

// ---- delivery and signature -----------------------------------------------------------------------------------

export interface DeliveryFlags {
  timeoutMs: number;
  /** Absent when the command left the option out: the engine default applies. */
  concurrency?: number;
  scheme: SchemeName;
  signatureEncoding: SignatureLayout['encoding'];
  signatureSeparator: SignatureLayout['separator'];
  caFile?: string;
  insecure?: boolean;
}

export interface DeliverySettings {
  engine: DeliveryEngineOptions & { deadlineMs: number };
  scheme: SchemeName;
  layout: SignatureLayout;
}

/** Adds the signature scheme and layout options (--scheme, --signature-encoding, --signature-separator). */
export function addSignatureOptions(command: Command): Command {
  return command
    .addOption(new Option('--scheme <scheme>', 'signature scheme').choices(schemeNames).default('digitalriver'))
    .addOption(new Option('--signature-encoding <encoding>', 'encoding of the signature digest (digitalriver scheme)').choices(['hex', 'base64']).default('hex'))
    .addOption(new Option('--signature-separator <separator>', "between the signature header's parts (digitalriver scheme): ',' or ', '").choices([',', ', ']).default(','));
}

/** Adds the delivery and signature options; a command sending one event at a time leaves out --concurrency. */
export function addDeliveryOptions(command: Command, { concurrency = true }: { concurrency?: boolean } = {}): Command {
  command.addOption(
    new Option('--timeout-ms <duration>', 'deadline of one delivery, request start to end of body: 3000, 3s, 500ms')
      .argParser(parseDurationMs('--timeout-ms'))
      .default(DEFAULT_DEADLINE_MS),
  );
  if (concurrency) {
    command.addOption(
      new Option('--concurrency <n>', 'deliveries in flight at once').argParser(parseInteger('--concurrency', { min: 1, max: 1024 })).default(DEFAULT_CONCURRENCY),
    );
  }
  return addSignatureOptions(command)
    .addOption(new Option('--ca-file <path>', 'extra certificate authority (PEM) for an https receiver with a private CA'))
    .addOption(new Option('--insecure', 'accept any TLS certificate (self-signed staging receivers)'));
}

export function deliverySettingsFrom(flags: DeliveryFlags): DeliverySettings {
  const engine: DeliverySettings['engine'] = { deadlineMs: flags.timeoutMs, insecure: flags.insecure === true };
  if (flags.concurrency !== undefined) engine.concurrency = flags.concurrency;
  if (flags.caFile !== undefined) engine.ca = readCa(flags.caFile);
  return { engine, scheme: flags.scheme, layout: { encoding: flags.signatureEncoding, separator: flags.signatureSeparator } };
}

function readCa(file: string): Buffer {
  try {
    return readFileSync(file);
  } catch (error) {
    throw new UsageError(`cannot read --ca-file ${file}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
  }
}

/** How an https receiver's certificate is checked, as reports and the console say it. */
export function describeTls(tls: { ca?: Buffer; insecure: boolean }): string {
  if (tls.insecure) return 'INSECURE: certificates are not verified (--insecure)';
  return tls.ca ? 'certificates verified against the system CAs and --ca-file' : 'certificates verified against the system CAs';
}

/** The console's flag for an --insecure run, on stderr so --json output stays clean. */
export function warnIfInsecure(insecure: boolean | undefined, stream: NodeJS.WritableStream = process.stderr): void {
  if (insecure) stream.write('drhook: warning: --insecure: TLS certificates are not verified; use --ca-file for a private CA\n');
}

/** Repeatable options that also take comma-separated lists. */
export const list = (value: string, previous: string[] | undefined): string[] => [
  ...(previous ?? []),
  ...value.split(',').map((item) => item.trim()).filter((item) => item !== ''),
];

/** Repeatable options, one value each. */
export const repeat = (value: string, previous: string[] | undefined): string[] => [...(previous ?? []), value];

const headerName = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

/** `--header 'Name: value'` values as a header map; anything else is a usage error. */
export function parseHeaders(values: readonly string[]): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const value of values) {
    const colon = value.indexOf(':');
    const name = colon < 0 ? '' : value.slice(0, colon).trim();
    if (!headerName.test(name) || /[\r\n]/.test(value)) throw new UsageError(`--header '${value}' is not 'Name: value' (a header name, a colon, a value on one line)`);
    headers[name] = value.slice(colon + 1).trim();
  }
  return headers;
}

// Command-line options shared by send, contract and load, parsed and validated once: bad values are usage errors.
import { readFileSync } from 'node:fs';
import { Option, type Command } from 'commander';
import type { AuthConfig } from '../wire/auth.js';
import { DEFAULT_CONCURRENCY, DEFAULT_DEADLINE_MS, type DeliveryEngineOptions } from '../wire/delivery.js';
import { printable, UsageError } from '../base/errors.js';
import type { Mode } from '../events/event.js';
import { httpUrlProblem } from '../wire/http-url.js';
import { resolveSecret } from '../wire/secrets.js';
import { schemeNames, type SchemeName, type SignatureLayout } from '../wire/signing.js';

/** A valid http:// or https:// URL, returned as given. */
export function parseUrl(value: string, flag?: string): string {
  const at = flag === undefined ? '' : `${flag}: `;
  const problem = httpUrlProblem(value);
  if (problem !== undefined) throw new UsageError(`${at}invalid URL '${value}': ${problem}`);
  const url = new URL(value);
  // The URL is printed and is never sent with its userinfo, so credentials in it would leak and not work.
  if (url.username !== '' || url.password !== '') {
    throw new UsageError(`${at}the URL holds credentials: put credentials in --auth basic --username … (password from DRHOOK_PASSWORD)`);
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

/** --timeout-ms: a duration, no longer than Digital River waits (DEFAULT_DEADLINE_MS), so a verdict is never more lenient than Digital River. */
export function parseDeadlineMs(value: string): number {
  const ms = parseDurationMs('--timeout-ms')(value);
  if (ms > DEFAULT_DEADLINE_MS) {
    throw new UsageError(
      `--timeout-ms ${value} is over ${DEFAULT_DEADLINE_MS} ms: Digital River counts an answer after ${DEFAULT_DEADLINE_MS} ms as a failure; a longer deadline would pass deliveries it fails`,
    );
  }
  return ms;
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
  passwordFile?: string;
  tokenUrl?: string;
  clientId?: string;
  clientSecret?: string;
  clientSecretFile?: string;
  grant: 'client_credentials' | 'password';
  scope?: string;
}

export function addAuthOptions(command: Command): Command {
  return command
    .addOption(new Option('--auth <kind>', 'how deliveries authenticate, as configured on the webhook').choices(['none', 'basic', 'oauth']).default('none'))
    .addOption(new Option('--username <name>', 'basic: the username; oauth password grant: the resource owner'))
    .addOption(new Option('--password <password>', 'basic / oauth password grant: the password (or --password-file, env DRHOOK_PASSWORD)'))
    .addOption(new Option('--password-file <path>', 'file holding the password (keeps it off the command line)'))
    .addOption(new Option('--token-url <url>', 'oauth: the token endpoint drhook obtains its Bearer token from').argParser((value) => parseUrl(value, '--token-url')))
    .addOption(new Option('--client-id <id>', 'oauth: the client ID'))
    .addOption(new Option('--client-secret <secret>', 'oauth: the client secret (or --client-secret-file, env DRHOOK_CLIENT_SECRET)'))
    .addOption(new Option('--client-secret-file <path>', 'oauth: file holding the client secret'))
    .addOption(new Option('--grant <grant>', 'oauth: the grant type').choices(['client_credentials', 'password']).default('client_credentials'))
    .addOption(new Option('--scope <scope>', 'oauth: the scope to request, if the token endpoint wants one'));
}

export const passwordSources = { flag: '--password', fileFlag: '--password-file', envName: 'DRHOOK_PASSWORD' };
export const clientSecretSources = { flag: '--client-secret', fileFlag: '--client-secret-file', envName: 'DRHOOK_CLIENT_SECRET' };

/** The auth configuration the flags describe, secrets taken from flags first, then files, then DRHOOK_PASSWORD / DRHOOK_CLIENT_SECRET. */
export function authConfigFrom(flags: AuthFlags, env: NodeJS.ProcessEnv = process.env): AuthConfig {
  const given = (names: Array<keyof AuthFlags>) => names.filter((name) => flags[name] !== undefined).map(flagName);
  // Read only where the kind of auth uses them, so an unrelated DRHOOK_* variable is never judged.
  const password = () => resolveSecret(passwordSources, flags.password, flags.passwordFile, env);

  switch (flags.auth) {
    case 'none': {
      const stray = given(['username', 'password', 'passwordFile', 'tokenUrl', 'clientId', 'clientSecret', 'clientSecretFile', 'scope']);
      if (stray.length > 0) throw new UsageError(`${stray.join(', ')} given but --auth is none: add --auth basic or --auth oauth`);
      return { kind: 'none' };
    }
    case 'basic': {
      const stray = given(['tokenUrl', 'clientId', 'clientSecret', 'clientSecretFile', 'scope']);
      if (stray.length > 0) throw new UsageError(`${stray.join(', ')}: only used with --auth oauth`);
      return { kind: 'basic', ...basicCredentials(flags.username, password()) };
    }
    case 'oauth': {
      if (!flags.tokenUrl) throw new UsageError('--auth oauth needs --token-url');
      if (!flags.clientId) throw new UsageError('--auth oauth needs --client-id');
      const clientSecret = resolveSecret(clientSecretSources, flags.clientSecret, flags.clientSecretFile, env);
      if (!clientSecret) throw new UsageError('--auth oauth needs a client secret: --client-secret, --client-secret-file or DRHOOK_CLIENT_SECRET');
      const config: AuthConfig = { kind: 'oauth', tokenUrl: flags.tokenUrl, clientId: flags.clientId, clientSecret, grant: flags.grant };
      if (flags.scope) config.scope = flags.scope;
      if (flags.grant === 'password') {
        if (!flags.username) throw new UsageError('--grant password needs --username');
        const ownerPassword = password();
        if (!ownerPassword) throw new UsageError('--grant password needs a password: --password, --password-file or DRHOOK_PASSWORD');
        config.username = flags.username;
        config.password = ownerPassword;
      } else {
        const stray = given(['username', 'password', 'passwordFile']);
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
  if (!password) throw new UsageError('--auth basic needs a password: --password, --password-file or DRHOOK_PASSWORD');
  return { username, password };
}

/** An option's property name as typed on the command line: `clientId` → `--client-id`. */
export function flagName(name: string): string {
  return `--${name.replace(/[A-Z]/g, (letter) => `-${letter.toLowerCase()}`)}`;
}

// ---- delivery and signature -----------------------------------------------------------------------------------

export interface DeliveryFlags {
  timeoutMs: number;
  /** Absent when the command left the option out: the engine default applies. */
  concurrency?: number;
  scheme: SchemeName;
  signatureEncoding: SignatureLayout['encoding'];
  signatureSeparator: SignatureLayout['separator'];
  ca?: string;
  /** The older name of --ca. */
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
    new Option('--timeout-ms <duration>', 'deadline of one delivery, request start to end of body, at most 3000 (Digital River\'s): 3000, 3s, 500ms')
      .argParser(parseDeadlineMs)
      .default(DEFAULT_DEADLINE_MS),
  );
  if (concurrency) {
    command.addOption(
      new Option('--concurrency <n>', 'deliveries in flight at once').argParser(parseInteger('--concurrency', { min: 1, max: 1024 })).default(DEFAULT_CONCURRENCY),
    );
  }
  return addSignatureOptions(command)
    .addOption(new Option('--ca <file>', 'extra certificate authority (PEM) for an https receiver with a private CA'))
    .addOption(new Option('--ca-file <file>').hideHelp())
    .addOption(new Option('--insecure', 'accept any TLS certificate (self-signed staging receivers)'));
}

export function deliverySettingsFrom(flags: DeliveryFlags): DeliverySettings {
  const engine: DeliverySettings['engine'] = { deadlineMs: flags.timeoutMs, insecure: flags.insecure === true };
  if (flags.concurrency !== undefined) engine.concurrency = flags.concurrency;
  if (flags.ca !== undefined) engine.ca = readCa('--ca', flags.ca);
  else if (flags.caFile !== undefined) engine.ca = readCa('--ca-file', flags.caFile);
  return { engine, scheme: flags.scheme, layout: { encoding: flags.signatureEncoding, separator: flags.signatureSeparator } };
}

/** The CA file's bytes, which must hold a PEM certificate. */
function readCa(flag: string, file: string): Buffer {
  let pem: Buffer;
  try {
    pem = readFileSync(file);
  } catch (error) {
    throw new UsageError(`cannot read ${flag} ${file}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
  }
  if (!pem.includes('-----BEGIN CERTIFICATE-----')) {
    throw new UsageError(`${flag} ${file} holds no PEM certificate (-----BEGIN CERTIFICATE-----): give the CA certificate in PEM form`);
  }
  return pem;
}

/** How an https receiver's certificate is checked, as reports and the console say it. */
export function describeTls(tls: { ca?: Buffer; insecure: boolean }): string {
  if (tls.insecure) return 'INSECURE: certificates are not verified (--insecure)';
  return tls.ca ? 'certificates verified against the system CAs and --ca' : 'certificates verified against the system CAs';
}

/** The console's flag for an --insecure run, on stderr so --json output stays clean. */
export function warnIfInsecure(insecure: boolean | undefined, stream: NodeJS.WritableStream = process.stderr): void {
  if (insecure) stream.write('drhook: warning: --insecure: TLS certificates are not verified; use --ca for a private CA\n');
}

/** Repeatable options that also take comma-separated lists. */
export const list = (value: string, previous: string[] | undefined): string[] => [
  ...(previous ?? []),
  ...value.split(',').map((item) => item.trim()).filter((item) => item !== ''),
];

/** Repeatable options, one value each. */
export const repeat = (value: string, previous: string[] | undefined): string[] => [...(previous ?? []), value];

const headerName = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
/** Header names whose values are treated as secrets (masked in reports and messages, never repeated in reproduce commands). */
export const secretHeaderName = /key|token|secret|passw|auth|cookie|credential/i;
/** What no header line may hold (RFC 9110 §5.5): control characters other than tab; CR and LF would end it. */
const CONTROL = /[\x00-\x08\x0a-\x1f\x7f]/;

/** `--header 'Name: value'` values as a header map; anything else is a usage error. */
export function parseHeaders(values: readonly string[]): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const value of values) {
    const colon = value.indexOf(':');
    const name = colon < 0 ? '' : value.slice(0, colon).trim();
    const control = CONTROL.exec(value)?.[0];
    if (control !== undefined) {
      const what = control === '\r' || control === '\n'
        ? 'a line break (CR or LF): a header is one line; give each header its own --header'
        : `a control character (${printable(control)}): a header holds no control character but tab`;
      const shown = secretHeaderName.test(name) ? `${name}: [redacted]` : value;
      throw new UsageError(`--header '${printable(shown)}' holds ${what}`);
    }
    if (!headerName.test(name)) throw new UsageError(`--header '${value}' is not 'Name: value' (a header name, a colon, a value on one line)`);
    headers[name] = value.slice(colon + 1).trim();
  }
  return headers;
}

// Command-line options shared by send, contract and load: commander's definitions, and the flags turned into the
// library's shared options. What the values must be is checked one layer down (scenario/settings.ts), for CLI and library alike.
import { checkApiVersion, currentApiVersion } from '../events/envelope.js';
import { readFileSync } from 'node:fs';
import { Option, type Command } from 'commander';
import type { AuthConfig } from '../wire/auth.js';
import { DEFAULT_CONCURRENCY, DEFAULT_DEADLINE_MS } from '../wire/limits.js';
import { parseDuration } from '../base/duration.js';
import { UsageError } from '../base/errors.js';
import type { Mode } from '../events/event.js';
import { newSeed } from '../base/random.js';
import {
  basicCredentials,
  checkCa,
  checkDeadlineMs,
  checkHeader,
  checkSharedSettings,
  resolveSignature,
  parseUrl,
  type SharedOptions,
  type SharedSettings,
} from '../scenario/settings.js';
import { resolveSecret, type ModeSecrets, type SecretFlags } from '../wire/secrets.js';
import { defaultReportDir } from './run-dir.js';
import { schemeNames, signatureForms, type SchemeName, type SignatureForm, type SignatureLayout } from '../wire/signing.js';

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

/** A parser for a duration in milliseconds written as 3000, 500ms or 3s (or 1.5s): no minutes or hours here. */
export function parseDurationMs(name: string, { min, max }: Range = { min: 1, max: 3_600_000 }): (value: string) => number {
  return (value) => {
    const ms = Math.round(parseDuration(value, 'ms', ['ms', 's']));
    if (!Number.isFinite(ms) || ms < min || ms > max) {
      throw new UsageError(`${name} must be a duration from ${min} ms to ${max} ms such as 3000, 500ms or 3s, got '${value}'`);
    }
    return ms;
  };
}

/** A parser for a time in seconds written as 30 (seconds), 30s, 500ms, 2m, 1h or 1.5s. */
export function parseSeconds(name: string, zeroAllowed = false): (value: string) => number {
  return (value) => {
    const seconds = parseDuration(value, 's');
    if (!Number.isFinite(seconds) || seconds < 0 || (!zeroAllowed && seconds === 0)) {
      throw new UsageError(`${name} must be a time such as 30, 30s, 2m or 500ms${zeroAllowed ? '' : ' (more than 0)'}, got '${value}'`);
    }
    return seconds;
  };
}

/** --timeout-ms: a duration, no longer than Digital River waits, checked by the rule every run's settings follow. */
export function parseDeadlineMs(value: string): number {
  return checkDeadlineMs(parseDurationMs('--timeout-ms')(value), value);
}

export function parseMode(value: string): Mode {
  if (value === 'test' || value === 'live') return value;
  throw new UsageError(`invalid mode '${value}': use test or live`);
}

// ---- signing tokens -------------------------------------------------------------------------------------------

const collect = (value: string, previous: string[] | undefined): string[] => [...(previous ?? []), value];

/** Adds --secret/--live-secret (repeatable, newest first) and --secret-file/--live-secret-file to a command. */
export function addSecretOptions(command: Command): Command {
  return command
    .option('--secret <token>', 'test-mode signing token; repeat for a rotation, newest first (or DRHOOK_TEST_SECRET)', collect)
    .option('--live-secret <token>', 'live-mode signing token; repeat for a rotation, newest first (or DRHOOK_LIVE_SECRET)', collect)
    .option('--secret-file <path>', 'file with test-mode signing tokens, one a line, newest first (keeps them off the command line)')
    .option('--live-secret-file <path>', 'file with live-mode signing tokens, one a line, newest first');
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
  signatureLayout: SignatureForm;
  signatureEncoding: SignatureLayout['encoding'];
  signatureSeparator: SignatureLayout['separator'];
  ca?: string;
  /** The older name of --ca. */
  caFile?: string;
  insecure?: boolean;
}

/** Adds the signature scheme and layout options (--scheme, --signature-layout, --signature-encoding, --signature-separator). */
export function addSignatureOptions(command: Command): Command {
  return command
    .addOption(new Option('--scheme <scheme>', 'signature scheme').choices(schemeNames).default('digitalriver'))
    .addOption(
      new Option('--signature-layout <layout>', "signature header (digitalriver scheme): v0 't=<unix>,v0=<sig>', or connector '<unix>, <base64 sig>' as Digital River's connector verifies")
        .choices(signatureForms)
        .default('v0'),
    )
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

type SignatureFlags = Pick<DeliveryFlags, 'scheme' | 'signatureLayout' | 'signatureEncoding' | 'signatureSeparator'>;

/**
 * The scheme and layout the flags give, for a command without a scenario: commander's defaults stand in for the
 * scenario's, and an encoding or separator typed beside --signature-layout connector must agree with it.
 */
export function signatureFromFlags(flags: SignatureFlags, command: Command): SharedSettings['signature'] {
  const given = <K extends keyof SignatureFlags>(key: K): SignatureFlags[K] | undefined => (command.getOptionValueSource(key) === 'default' ? undefined : flags[key]);
  const defaults = { scheme: flags.scheme, layout: flags.signatureLayout, encoding: flags.signatureEncoding, separator: flags.signatureSeparator };
  const explicit = { signatureEncoding: given('signatureEncoding'), signatureSeparator: given('signatureSeparator') };
  return resolveSignature({ scheme: flags.scheme, signatureLayout: flags.signatureLayout, ...definedOnly(explicit) }, defaults);
}

function definedOnly<T extends object>(value: T): { [K in keyof T]?: Exclude<T[K], undefined> } {
  return Object.fromEntries(Object.entries(value).filter(([, item]) => item !== undefined)) as { [K in keyof T]?: Exclude<T[K], undefined> };
}

/** The CA --ca (or its older name --ca-file) names, read. */
function caFrom(flags: DeliveryFlags): Buffer | undefined {
  if (flags.ca !== undefined) return readCa('--ca', flags.ca);
  if (flags.caFile !== undefined) return readCa('--ca-file', flags.caFile);
  return undefined;
}

/** The CA file's bytes, which must hold a PEM certificate. */
function readCa(flag: string, file: string): Buffer {
  let pem: Buffer;
  try {
    pem = readFileSync(file);
  } catch (error) {
    throw new UsageError(`cannot read ${flag} ${file}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
  }
  return checkCa(pem, `${flag} ${file}`);
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

/** `--header 'Name: value'` values as a header map; anything else is a usage error. */
export function parseHeaders(values: readonly string[]): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const line of values) {
    const colon = line.indexOf(':');
    const name = colon < 0 ? '' : line.slice(0, colon).trim();
    const value = line.slice(colon + 1).trim();
    checkHeader(name, value, line);
    headers[name] = value;
  }
  return headers;
}

// ---- the options every run shares -----------------------------------------------------------------------------

/** The flags addReportOptions defines. */
export interface ReportFlags {
  reportDir: string;
  json?: boolean;
  progress: boolean;
}

/** Adds where a run's reports go and how the console shows the run (--report-dir, --json, --no-progress). */
export function addReportOptions(command: Command): Command {
  return command
    .option('--report-dir <dir>', 'where the run directory with the reports (report.json, junit.xml, summary.md, report.html) goes', defaultReportDir)
    .option('--json', 'print report.json to stdout instead of the table')
    .option('--no-progress', 'no progress bar');
}

/** The flags behind SharedOptions: signing tokens, auth, delivery and signature, and (where the command has them) the rest. */
export interface SharedFlags extends AuthFlags, DeliveryFlags, SecretFlags {
  scenario?: string;
  header?: string[];
  seed?: number;
  digitalriverVersion?: string;
}

/** --digitalriver-version: the API version the webhook is set to, carried by every event of the run. */
export function apiVersionOption(fallback: string): Option {
  return new Option('--digitalriver-version <date>', `the API version the webhook is set to: every event's digitalriverVersion (default: ${fallback})`)
    .argParser((value: string) => checkApiVersion(value.trim(), '--digitalriver-version'));
}

const authFlagNames: ReadonlyArray<keyof AuthFlags> = ['auth', 'username', 'password', 'passwordFile', 'tokenUrl', 'clientId', 'clientSecret', 'clientSecretFile', 'grant', 'scope'];

/**
 * The library's shared options from the flags, for resolveSharedSettings and the commands' resolvers built on it.
 * Options left at commander's defaults are left out, so the scenario decides. `secrets` are the signing tokens as the
 * command reads them (resolveSecrets, with or without the environment), since which it uses is its own rule.
 */
export function sharedOptionsFrom(flags: SharedFlags, command: Command, env: NodeJS.ProcessEnv, secrets: ModeSecrets): SharedOptions {
  const given = <K extends keyof SharedFlags>(key: K): SharedFlags[K] | undefined => (command.getOptionValueSource(key) === 'default' ? undefined : flags[key]);
  const ca = caFrom(flags);
  const options: SharedOptions = { secrets, ...(ca ? { ca } : {}), insecure: flags.insecure === true };
  const set = <K extends keyof SharedOptions>(key: K, value: SharedOptions[K] | undefined) => {
    if (value !== undefined) options[key] = value;
  };
  if (authFlagNames.some((key) => given(key) !== undefined)) options.auth = authConfigFrom(flags, env);
  set('scenario', flags.scenario);
  set('scheme', given('scheme'));
  set('signatureLayout', given('signatureLayout'));
  set('signatureEncoding', given('signatureEncoding'));
  set('signatureSeparator', given('signatureSeparator'));
  set('deadlineMs', given('timeoutMs'));
  set('seed', flags.seed);
  set('digitalriverVersion', flags.digitalriverVersion);
  if (flags.header) options.headers = parseHeaders(flags.header);
  return options;
}

/**
 * For a command without a scenario (send): the shared settings the flags give, commander's defaults included, checked
 * by the rules resolveSharedSettings applies. Loading a scenario only for its defaults would cost send more than its
 * delivery does.
 */
export function sharedSettingsFromFlags(url: string, flags: SharedFlags, command: Command, env: NodeJS.ProcessEnv): Omit<SharedSettings, 'scenario'> {
  const ca = caFrom(flags);
  const settings: Omit<SharedSettings, 'scenario'> = {
    url,
    signature: signatureFromFlags(flags, command),
    auth: authConfigFrom(flags, env),
    headers: flags.header ? parseHeaders(flags.header) : {},
    tls: { ...(ca ? { ca } : {}), insecure: flags.insecure === true },
    deadlineMs: flags.timeoutMs,
    seed: flags.seed ?? newSeed(),
    digitalriverVersion: flags.digitalriverVersion ?? currentApiVersion,
  };
  checkSharedSettings(settings);
  return settings;
}

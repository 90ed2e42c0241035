// The settings every run shares (target, signing, auth, TLS, headers, scenario, deadline, seed), resolved and checked once for contract, load and send.
import { authSecrets, type AuthConfig } from '../wire/auth-config.js';
import { DEFAULT_DEADLINE_MS } from '../wire/limits.js';
import { printable, UsageError } from '../base/errors.js';
import { isSeed, maxSeed, newSeed } from '../base/random.js';
import { checkApiVersion } from '../events/envelope.js';
import { httpUrlProblem } from '../wire/http-url.js';
import { checkSecret, type ModeSecrets } from '../wire/secrets.js';
import { connectorLayout, schemeNames, signatureForms, type SchemeName, type SignatureForm, type SignatureLayout } from '../wire/signing.js';
import { loadScenario, type Scenario, type ScenarioAuth } from './scenario.js';

/** What a caller may set for any run; everything left out comes from the scenario (the bundled default without one). */
export interface SharedOptions {
  /** A scenario file; reproduce commands name it. */
  scenario?: string;
  /** Signing tokens per mode, newest first. Which modes need one is the command's rule. */
  secrets?: ModeSecrets;
  auth?: AuthConfig;
  scheme?: SchemeName;
  /** The header's grammar (digitalriver scheme): `v0` (`t=…,v0=…`) or `connector` (`<unix>, <base64>`). */
  signatureLayout?: SignatureForm;
  signatureEncoding?: SignatureLayout['encoding'];
  signatureSeparator?: SignatureLayout['separator'];
  /** At most DEFAULT_DEADLINE_MS (3000), as long as Digital River waits. */
  deadlineMs?: number;
  /** Added to (and overriding) the scenario's headers; never Authorization, which comes from auth. */
  headers?: Record<string, string>;
  /** Extra certificate authority (PEM) for an https receiver. */
  ca?: Buffer;
  /** Accept any certificate: flagged in the console and the reports. */
  insecure?: boolean;
  seed?: number;
  /** The API version the webhook is set to (every event's digitalriverVersion). Default: the scenario's. */
  digitalriverVersion?: string;
}

/** https: certificates are verified (with an extra CA if given) unless insecure. */
export interface TlsSettings {
  ca?: Buffer;
  insecure: boolean;
}

/** The settings every run has, checked: contract and load settings extend them with their own. */
export interface SharedSettings {
  url: string;
  scenario: { name: string; file: string };
  signature: { scheme: SchemeName; layout: SignatureLayout };
  auth: AuthConfig;
  /** Extra request headers (never Authorization: that comes from auth). */
  headers: Record<string, string>;
  tls: TlsSettings;
  /** A delivery not answered within this fails; at most DEFAULT_DEADLINE_MS (3000), as long as Digital River waits. */
  deadlineMs: number;
  /** Seed of the generated events: the same seed makes the same events. */
  seed: number;
  /** The API version the webhook is set to: the digitalriverVersion of every generated event of the run. */
  digitalriverVersion: string;
}

/**
 * The one resolver of the shared settings: the scenario, overridden by `options`, every value checked as the CLI
 * checks its flags (a problem is a UsageError naming it). Signing tokens are checked for length in both modes; which
 * modes need one is left to the command. The scenario is returned too, for the command's own settings.
 */
export function resolveSharedSettings(
  url: string,
  options: SharedOptions = {},
  env: NodeJS.ProcessEnv = process.env,
): { shared: SharedSettings; secrets: ModeSecrets; scenario: Scenario } {
  const target = parseUrl(url);
  const scenario = loadScenario(options.scenario);
  const secrets: ModeSecrets = { test: [...(options.secrets?.test ?? [])], live: [...(options.secrets?.live ?? [])] };
  checkTokens(secrets);
  for (const [name, value] of Object.entries(options.headers ?? {})) checkHeader(name, value);
  const shared: SharedSettings = {
    url: target,
    scenario: { name: scenario.name, file: scenario.file },
    signature: resolveSignature(options, scenario.signature),
    auth: options.auth ?? authFromScenario(scenario.auth, env),
    headers: mergeHeaders(scenario.headers, options.headers ?? {}),
    tls: { ...(options.ca ? { ca: options.ca } : {}), insecure: options.insecure === true },
    deadlineMs: options.deadlineMs ?? scenario.deadlineMs,
    seed: options.seed ?? newSeed(),
    digitalriverVersion: options.digitalriverVersion ?? scenario.digitalriverVersion,
  };
  checkSharedSettings(shared);
  return { shared, secrets, scenario };
}

/** Every shared value, whoever built the settings (runs check again what a caller may have built by hand). */
export function checkSharedSettings(settings: Omit<SharedSettings, 'scenario'>): void {
  parseUrl(settings.url);
  checkSignature(settings.signature);
  checkAuth(settings.auth);
  checkNoCredentialHeader(settings.headers);
  if (settings.tls.ca !== undefined) checkCa(settings.tls.ca, '--ca');
  checkDeadlineMs(settings.deadlineMs);
  if (!isSeed(settings.seed)) throw new UsageError(`--seed must be a whole number from 0 to ${maxSeed}, got ${settings.seed}`);
  checkApiVersion(settings.digitalriverVersion);
}

// ---- target -----------------------------------------------------------------------------------------------------

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

// ---- deadline ---------------------------------------------------------------------------------------------------

/**
 * A delivery's deadline, no longer than Digital River waits (DEFAULT_DEADLINE_MS), so a verdict is never more lenient
 * than Digital River. `given` is the value as written (`5s` on the command line).
 */
export function checkDeadlineMs(ms: number, given: string = String(ms)): number {
  if (!Number.isSafeInteger(ms) || ms < 1) throw new UsageError(`--timeout-ms must be a whole number from 1 to ${DEFAULT_DEADLINE_MS}, got ${given}`);
  if (ms > DEFAULT_DEADLINE_MS) {
    throw new UsageError(
      `--timeout-ms ${given} is over ${DEFAULT_DEADLINE_MS} ms: Digital River counts an answer after ${DEFAULT_DEADLINE_MS} ms as a failure; a longer deadline would pass deliveries it fails`,
    );
  }
  return ms;
}

// ---- signing ----------------------------------------------------------------------------------------------------

/** Every token given, in either mode, is long enough to keep out of the output (the rule the CLI applies to its sources). */
export function checkTokens(secrets: ModeSecrets): void {
  for (const mode of ['test', 'live'] as const) for (const token of secrets[mode]) checkSecret(`the ${mode}-mode signing token`, token);
}

/**
 * The scheme and layout: flags over the scenario. The connector layout fixes base64 and ", ", so an encoding or
 * separator given beside it that says otherwise is a mistake, not something to ignore.
 */
export function resolveSignature(
  options: Pick<SharedOptions, 'scheme' | 'signatureLayout' | 'signatureEncoding' | 'signatureSeparator'>,
  scenario: Scenario['signature'],
): SharedSettings['signature'] {
  const scheme = options.scheme ?? scenario.scheme;
  const form = options.signatureLayout ?? scenario.layout;
  if (form !== 'connector') {
    return { scheme, layout: { form, encoding: options.signatureEncoding ?? scenario.encoding, separator: options.signatureSeparator ?? scenario.separator } };
  }
  if (scheme !== 'digitalriver') throw new UsageError(`--signature-layout connector applies to the digitalriver scheme only, not ${scheme}`);
  const given = [
    ['--signature-encoding', options.signatureEncoding, connectorLayout.encoding],
    ['--signature-separator', options.signatureSeparator, connectorLayout.separator],
  ] as const;
  for (const [flag, value, fixed] of given) {
    if (value !== undefined && value !== fixed) throw new UsageError(`${flag} '${value}' contradicts the connector signature layout, which is always '${fixed}': leave ${flag} out`);
  }
  return { scheme, layout: connectorLayout };
}

const encodings: ReadonlyArray<SignatureLayout['encoding']> = ['hex', 'base64'];
const separators: ReadonlyArray<SignatureLayout['separator']> = [',', ', '];

function checkSignature({ scheme, layout }: SharedSettings['signature']): void {
  const oneOf = (flag: string, value: string, allowed: readonly string[]) => {
    if (!allowed.includes(value)) throw new UsageError(`${flag} must be one of ${allowed.map((item) => `'${item}'`).join(', ')}, got '${printable(String(value))}'`);
  };
  oneOf('--scheme', scheme, schemeNames);
  oneOf('--signature-layout', layout.form, signatureForms);
  if (layout.form === 'connector' && scheme !== 'digitalriver') throw new UsageError(`--signature-layout connector applies to the digitalriver scheme only, not ${scheme}`);
  oneOf('--signature-encoding', layout.encoding, encodings);
  oneOf('--signature-separator', layout.separator, separators);
}

// ---- auth -------------------------------------------------------------------------------------------------------

/** The scenario names environment variables for its secrets: each must be set now. */
export function authFromScenario(auth: ScenarioAuth, env: NodeJS.ProcessEnv): AuthConfig {
  const secret = (key: string, name: string): string => {
    const value = env[name];
    if (value === undefined || value === '') throw new UsageError(`the scenario's auth.${key} names the environment variable ${name}, which is not set`);
    return checkSecret(`${name} (the scenario's auth.${key})`, value);
  };
  switch (auth.kind) {
    case 'none':
      return { kind: 'none' };
    case 'basic':
      return { kind: 'basic', username: auth.username, password: secret('passwordEnv', auth.passwordEnv) };
    case 'oauth': {
      const config: AuthConfig = { kind: 'oauth', tokenUrl: parseUrl(auth.tokenUrl), clientId: auth.clientId, clientSecret: secret('clientSecretEnv', auth.clientSecretEnv), grant: auth.grant };
      if (auth.scope !== undefined) config.scope = auth.scope;
      if (auth.grant === 'password') {
        if (auth.username === undefined || auth.passwordEnv === undefined) throw new UsageError("the scenario's oauth grant password needs auth.username and auth.passwordEnv");
        config.username = auth.username;
        config.password = secret('passwordEnv', auth.passwordEnv);
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

/** A caller's auth gets the checks the CLI's flags get: usable credentials, secrets long enough to keep out of the output. */
function checkAuth(auth: AuthConfig): void {
  switch (auth.kind) {
    case 'none':
      return;
    case 'basic':
      basicCredentials(auth.username, auth.password);
      checkSecret('the basic auth password', auth.password);
      return;
    case 'oauth':
      parseUrl(auth.tokenUrl, '--token-url');
      if (!auth.clientId) throw new UsageError('--auth oauth needs --client-id');
      checkSecret('the OAuth client secret', auth.clientSecret);
      if (auth.password !== undefined) checkSecret('the OAuth password', auth.password);
      return;
  }
}

/** How the settings authenticate, as reports and the console say it (never a secret). */
export function describeAuth(auth: AuthConfig): string {
  switch (auth.kind) {
    case 'none':
      return 'none';
    case 'basic':
      return `basic as ${auth.username}`;
    case 'oauth':
      return `oauth ${auth.grant} as client ${auth.clientId}, token from ${auth.tokenUrl}`;
  }
}

// ---- headers ----------------------------------------------------------------------------------------------------

const headerName = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
/** Header names whose values are treated as secrets (masked in reports and messages, never repeated in reproduce commands). */
export const secretHeaderName = /key|token|secret|passw|auth|cookie|credential/i;
/** What no header line may hold (RFC 9110 §5.5): control characters other than tab; CR and LF would end it. */
const CONTROL = /[\x00-\x08\x0a-\x1f\x7f]/;

/** One extra header: a token for a name, no control character but tab. `line` is how it was written (`--header` value). */
export function checkHeader(name: string, value: string, line = `${name}: ${value}`): void {
  const control = CONTROL.exec(line)?.[0];
  if (control !== undefined) {
    const what = control === '\r' || control === '\n'
      ? 'a line break (CR or LF): a header is one line; give each header its own --header'
      : `a control character (${printable(control)}): a header holds no control character but tab`;
    const shown = secretHeaderName.test(name) ? `${name}: [redacted]` : line;
    throw new UsageError(`--header '${printable(shown)}' holds ${what}`);
  }
  if (!headerName.test(name)) throw new UsageError(`--header '${line}' is not 'Name: value' (a header name, a colon, a value on one line)`);
}

function checkNoCredentialHeader(headers: Record<string, string>): void {
  if (Object.keys(headers).some((name) => name.toLowerCase() === 'authorization')) {
    throw new UsageError('credentials do not go in --header: use --auth basic or --auth oauth');
  }
}

/** Later sources win; names compare case-insensitively so no header is sent twice. */
export function mergeHeaders(...sources: Array<Record<string, string>>): Record<string, string> {
  const merged = new Map<string, [string, string]>();
  for (const source of sources) for (const [name, value] of Object.entries(source)) merged.set(name.toLowerCase(), [name, value]);
  return Object.fromEntries(merged.values());
}

/** The headers as reports record them: secret-looking values masked. */
export function reportedHeaders(headers: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).map(([name, value]) => [name, secretHeaderName.test(name) ? '[redacted]' : value]));
}

/** Every secret the settings hold besides signing tokens (passwords, client secrets, secret-looking headers), for redactors. */
export function sharedSecrets(settings: Pick<SharedSettings, 'auth' | 'headers'>): string[] {
  const headerSecrets = Object.entries(settings.headers).filter(([name]) => secretHeaderName.test(name)).map(([, value]) => value);
  return [...authSecrets(settings.auth), ...headerSecrets];
}

// ---- TLS --------------------------------------------------------------------------------------------------------

/** `pem`, which must hold a PEM certificate; `source` names where it came from (`--ca ca.pem`). */
export function checkCa(pem: Buffer, source: string): Buffer {
  if (!pem.includes('-----BEGIN CERTIFICATE-----')) {
    throw new UsageError(`${source} holds no PEM certificate (-----BEGIN CERTIFICATE-----): give the CA certificate in PEM form`);
  }
  return pem;
}

/** How an https receiver's certificate is checked, as reports and the console say it. */
export function describeTls(tls: TlsSettings): string {
  if (tls.insecure) return 'INSECURE: certificates are not verified (--insecure)';
  return tls.ca ? 'certificates verified against the system CAs and --ca' : 'certificates verified against the system CAs';
}

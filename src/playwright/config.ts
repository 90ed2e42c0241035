// How the Playwright fixtures and suites are configured: options and environment turned into contract settings.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { AuthConfig } from '../wire/auth.js';
import { resolveSettings, type ContractOptions, type ContractSettings } from '../contract/settings.js';
import { UsageError } from '../base/errors.js';
import { scenariosDir } from '../base/paths.js';
import { resolveSecrets, type ModeSecrets } from '../wire/secrets.js';
import type { SchemeName, SignatureLayout } from '../wire/signing.js';

/** Signing tokens per data mode, newest first; one token may be given as a string. */
export interface WebhookSecrets {
  test?: string | readonly string[];
  live?: string | readonly string[];
}

/** What the `webhook` fixture needs; every field but the URL has a default. */
export interface WebhookConfig {
  /** The receiver endpoint. */
  url: string | undefined;
  secrets: WebhookSecrets;
  /** How deliveries authenticate; default: the scenario's (none in the bundled one). */
  auth: AuthConfig | undefined;
  /** Default: the scenario's (3000). */
  deadlineMs: number | undefined;
  /** Signature age the receiver accepts; `stale-signature` signs one older. Default: the scenario's (300). */
  toleranceSec: number | undefined;
  scheme: SchemeName | undefined;
  signatureLayout: Partial<SignatureLayout> | undefined;
  /** Extra request headers. */
  headers: Record<string, string> | undefined;
  /** A scenario file or bundled scenario name, for the defaults above. */
  scenario: string | URL | undefined;
}

/** The tokens DRHOOK_TEST_SECRET and DRHOOK_LIVE_SECRET give, as the CLI reads them. */
export function secretsFromEnv(env: NodeJS.ProcessEnv = process.env): ModeSecrets {
  return resolveSecrets({}, env);
}

function toModeSecrets(secrets: WebhookSecrets): ModeSecrets {
  const list = (value: string | readonly string[] | undefined): string[] => (value === undefined ? [] : typeof value === 'string' ? [value] : [...value]);
  return { test: list(secrets.test), live: list(secrets.live) };
}

/** A scenario given as a file path, a file URL, or the name of a bundled scenario (`default`, `orders-only`…). */
export function scenarioPath(scenario: string | URL | undefined): string | undefined {
  if (scenario === undefined) return undefined;
  if (scenario instanceof URL) return fileURLToPath(scenario);
  const bundled = path.join(scenariosDir, `${scenario}.yaml`);
  return /^[\w-]+$/.test(scenario) && existsSync(bundled) ? bundled : scenario;
}

/** The URL to deliver to; a missing one is a setup error saying where to set it. */
export function requireUrl(url: string | undefined): string {
  if (url === undefined || url === '') {
    throw new UsageError('no receiver URL: set webhookUrl in the `use` section of playwright.config.ts, or the DRHOOK_URL environment variable');
  }
  return url;
}

/**
 * Contract settings for the fixture's config, checked as `drhook contract` checks its flags. The mode follows the
 * tokens given (live when only a live token is), so a run that signs only live events is not refused. Without any
 * token the fixture sends unsigned events, and a fault that needs one says so when it is asked for.
 */
export function fixtureSettings(config: WebhookConfig, seed: number): ContractSettings {
  const secrets = toModeSecrets(config.secrets);
  const unsigned = secrets.test.length === 0 && secrets.live.length === 0;
  const options: ContractOptions = { secrets, unsigned, seed, mode: secrets.test.length === 0 && secrets.live.length > 0 ? 'live' : 'test' };
  const file = scenarioPath(config.scenario);
  if (file !== undefined) options.scenario = file;
  if (config.auth !== undefined) options.auth = config.auth;
  if (config.deadlineMs !== undefined) options.deadlineMs = config.deadlineMs;
  if (config.toleranceSec !== undefined) options.toleranceSec = config.toleranceSec;
  if (config.scheme !== undefined) options.scheme = config.scheme;
  if (config.signatureLayout?.form !== undefined) options.signatureLayout = config.signatureLayout.form;
  if (config.signatureLayout?.encoding !== undefined) options.signatureEncoding = config.signatureLayout.encoding;
  if (config.signatureLayout?.separator !== undefined) options.signatureSeparator = config.signatureLayout.separator;
  if (config.headers !== undefined) options.headers = config.headers;
  return resolveSettings(requireUrl(config.url), options);
}

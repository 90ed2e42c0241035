// Secrets from flags, secret files or the environment: signing tokens per data mode, passwords, client secrets.
import { readFileSync } from 'node:fs';
import { UsageError } from '../base/errors.js';
import type { Mode } from '../events/event.js';

/** Active tokens per mode, newest first (several during a rotation). */
export interface ModeSecrets {
  test: string[];
  live: string[];
}

/** Where signing tokens were given on the command line (the CLI's --secret, --live-secret, --secret-file, --live-secret-file). */
export interface SecretFlags {
  secret?: string[];
  liveSecret?: string[];
  secretFile?: string;
  liveSecretFile?: string;
}

const sources: Record<Mode, SecretSources> = {
  test: { flag: '--secret', fileFlag: '--secret-file', envName: 'DRHOOK_TEST_SECRET' },
  live: { flag: '--live-secret', fileFlag: '--live-secret-file', envName: 'DRHOOK_LIVE_SECRET' },
};

/** Per mode the first source that is given wins: flags, then the token file, then the environment variable. */
export function resolveSecrets(flags: SecretFlags, env: NodeJS.ProcessEnv = process.env): ModeSecrets {
  return {
    test: resolveSecretList(sources.test, flags.secret, flags.secretFile, env),
    live: resolveSecretList(sources.live, flags.liveSecret, flags.liveSecretFile, env),
  };
}

/** Where one kind of secret can come from: a flag, a file flag, an environment variable. */
export interface SecretSources {
  flag: string;
  fileFlag: string;
  envName: string;
}

/**
 * Shorter user-given secrets are refused: drhook could not mask so short a value in its output without masking
 * ordinary text too, and Digital River's tokens are far longer.
 */
const MIN_SECRET_CHARS = 8;

/** The secrets from the first source given (flag values, then the file, then the environment), each checked for length. */
function resolveSecretList(names: SecretSources, flagValues: readonly string[] | undefined, file: string | undefined, env: NodeJS.ProcessEnv): string[] {
  const { flag, fileFlag, envName } = names;
  const [source, values] =
    flagValues !== undefined && flagValues.length > 0
      ? [flag, flagValues.map((value) => value.trim())]
      : file !== undefined
        ? [`${fileFlag} ${file}`, readSecretFile(fileFlag, file)]
        : [envName, [env[envName]?.trim() ?? ''].filter((value) => value !== '')];
  if (values.some((value) => value === '')) throw new UsageError(`${flag} was given an empty value`);
  return values.map((value) => checkSecret(source, value));
}

/** `value`, unless it is too short to keep out of the output: then a UsageError naming where it came from, `source`. */
export function checkSecret(source: string, value: string): string {
  if (value.length >= MIN_SECRET_CHARS) return value;
  throw new UsageError(
    `${source}: a secret shorter than ${MIN_SECRET_CHARS} characters is refused: drhook cannot keep so short a value out of its output without masking ordinary text (Digital River's tokens are long)`,
  );
}

/** One secret (a password, a client secret) from its flag, file or environment variable, or undefined when none is given. */
export function resolveSecret(names: SecretSources, flagValue: string | undefined, file: string | undefined, env: NodeJS.ProcessEnv): string | undefined {
  const values = resolveSecretList(names, flagValue === undefined ? undefined : [flagValue], file, env);
  if (values.length > 1) throw new UsageError(`${names.fileFlag} ${file} holds ${values.length} lines: give one secret`);
  return values[0];
}

/** One secret a line; blank lines and lines starting with `#` are skipped. */
function readSecretFile(fileFlag: string, file: string): string[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'unreadable';
    throw new UsageError(`cannot read ${fileFlag} ${file}: ${code}`);
  }
  const values = text
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'));
  if (values.length === 0) throw new UsageError(`${fileFlag} ${file} holds no secret (one a line expected)`);
  return values;
}

/** Flags whose value is a secret, for masking error messages about the command line itself. */
const secretFlags = ['--secret', '--live-secret', '--password', '--client-secret'];
const envSecrets = ['DRHOOK_TEST_SECRET', 'DRHOOK_LIVE_SECRET', 'DRHOOK_PASSWORD', 'DRHOOK_CLIENT_SECRET'];

/**
 * Every secret on a command line (`--secret S`, `--secret=S`) and in the DRHOOK_* environment that drhook would accept.
 * Shorter ones are refused before use by a message that never quotes them; masking them would garble that message.
 */
export function commandLineSecrets(argv: readonly string[], env: NodeJS.ProcessEnv): string[] {
  const found = envSecrets.map((name) => env[name]?.trim() ?? '');
  argv.forEach((arg, index) => {
    const [name = '', ...value] = arg.split('=');
    if (!secretFlags.includes(name)) return;
    found.push(value.length > 0 ? value.join('=') : (argv[index + 1] ?? ''));
  });
  return found.filter((secret) => secret.trim().length >= MIN_SECRET_CHARS);
}

export function secretsFor(secrets: ModeSecrets, mode: Mode): string[] {
  return secrets[mode];
}

/** The tokens for `mode`, or a UsageError saying how to provide one (and `otherwise`, another way out, if given). */
export function requireSecretsFor(secrets: ModeSecrets, mode: Mode, otherwise = ''): string[] {
  const tokens = secretsFor(secrets, mode);
  if (tokens.length > 0) return tokens;
  throw new MissingTokensError([mode], otherwise);
}

/**
 * No signing token for `modes`: the message says where the command line takes them from (and `otherwise`, another way
 * out); a caller whose tokens come from elsewhere words it its own way from `modes`.
 */
export class MissingTokensError extends UsageError {
  constructor(
    readonly modes: readonly Mode[],
    otherwise = '',
  ) {
    super(`${missingTokensText(modes, (mode) => {
      const { flag, envName, fileFlag } = sources[mode];
      return [`pass ${flag}`, `set ${envName}`, `use ${fileFlag}`];
    })}${otherwise}`);
  }
}

/** "no signing token for test mode: pass …, set … or use …", naming each mode's ways in (`ways`) when several lack one. */
export function missingTokensText(modes: readonly Mode[], ways: (mode: Mode) => readonly string[]): string {
  const either = (items: readonly string[]) => (items.length < 2 ? items.join('') : `${items.slice(0, -1).join(', ')} or ${items.at(-1)}`);
  if (modes.length === 1) return `no signing token for ${modes[0]} mode: ${either(ways(modes[0]!))}`;
  return `no signing token for ${modes.map((mode) => `${mode} mode (${either(ways(mode))})`).join(' nor for ')}`;
}

// Signing tokens per data mode (test, live) from flags, token files or the environment, and the options that set them.
import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { UsageError } from './errors.js';
import type { Mode } from './event.js';

/** Active tokens per mode, newest first (several during a rotation). */
export interface ModeSecrets {
  test: string[];
  live: string[];
}

/** The option values `addSecretOptions` defines, as commander reports them. */
export interface SecretFlags {
  secret?: string[];
  liveSecret?: string[];
  secretFile?: string;
  liveSecretFile?: string;
}

interface ModeSources {
  flag: string;
  fileFlag: string;
  envName: string;
}

const sources: Record<Mode, ModeSources> = {
  test: { flag: '--secret', fileFlag: '--secret-file', envName: 'DRHOOK_TEST_SECRET' },
  live: { flag: '--live-secret', fileFlag: '--live-secret-file', envName: 'DRHOOK_LIVE_SECRET' },
};

const collect = (value: string, previous: string[] | undefined): string[] => [...(previous ?? []), value];

/** Adds --secret/--live-secret (repeatable, newest first) and --secret-file/--live-secret-file to a command. */
export function addSecretOptions(command: Command): Command {
  return command
    .option('--secret <token>', 'test-mode signing token; repeat for a rotation, newest first (or DRHOOK_TEST_SECRET)', collect)
    .option('--live-secret <token>', 'live-mode signing token; repeat for a rotation, newest first (or DRHOOK_LIVE_SECRET)', collect)
    .option('--secret-file <path>', 'file with test-mode signing tokens, one a line, newest first (keeps them off the command line)')
    .option('--live-secret-file <path>', 'file with live-mode signing tokens, one a line, newest first');
}

/** Per mode the first source that is given wins: flags, then the token file, then the environment variable. */
export function resolveSecrets(flags: SecretFlags, env: NodeJS.ProcessEnv = process.env): ModeSecrets {
  return {
    test: resolveMode('test', flags.secret, flags.secretFile, env),
    live: resolveMode('live', flags.liveSecret, flags.liveSecretFile, env),
  };
}

function resolveMode(mode: Mode, flagValues: string[] | undefined, file: string | undefined, env: NodeJS.ProcessEnv): string[] {
  const { flag, fileFlag, envName } = sources[mode];
  if (flagValues !== undefined && flagValues.length > 0) {
    if (flagValues.some((token) => token.trim() === '')) throw new UsageError(`${flag} was given an empty token`);
    return flagValues.map((token) => token.trim());
  }
  if (file !== undefined) return readTokenFile(fileFlag, file);
  const fromEnv = env[envName]?.trim();
  return fromEnv ? [fromEnv] : [];
}

/** One token a line; blank lines and lines starting with `#` are skipped. */
function readTokenFile(fileFlag: string, file: string): string[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'unreadable';
    throw new UsageError(`cannot read ${fileFlag} ${file}: ${code}`);
  }
  const tokens = text
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'));
  if (tokens.length === 0) throw new UsageError(`${fileFlag} ${file} holds no token (one token a line expected)`);
  return tokens;
}

export function secretsFor(secrets: ModeSecrets, mode: Mode): string[] {
  return secrets[mode];
}

/** The tokens for `mode`, or a UsageError saying how to provide one. */
export function requireSecretsFor(secrets: ModeSecrets, mode: Mode): string[] {
  const tokens = secretsFor(secrets, mode);
  if (tokens.length > 0) return tokens;
  const { flag, fileFlag, envName } = sources[mode];
  throw new UsageError(`no signing token for ${mode} mode: pass ${flag}, set ${envName} or use ${fileFlag}`);
}

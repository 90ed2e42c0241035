// The `drhook sign` command: prints the signature headers for a raw body, so users can test their own verifiers.
import { readFile } from 'node:fs/promises';
import { Command, Option } from 'commander';
import { UsageError } from '../base/errors.js';
import type { Mode } from '../events/event.js';
import { requireSecretsFor, resolveSecrets, type SecretFlags } from '../wire/secrets.js';
import { addSecretOptions, addSignatureOptions, signatureFromFlags } from './options.js';
import { signatureHeaders, type SchemeName, type SignatureForm, type SignatureLayout } from '../wire/signing.js';

interface SignOptions extends SecretFlags {
  mode: Mode;
  scheme: SchemeName;
  timestamp?: string;
  id?: string;
  signatureLayout: SignatureForm;
  signatureEncoding: SignatureLayout['encoding'];
  signatureSeparator: SignatureLayout['separator'];
  body?: string;
  json?: boolean;
}

const bodyHint = 'pipe the raw body on stdin (drhook sign < event.json) or pass --body <file>';

export function register(program: Command): void {
  const command = program
    .command('sign')
    .description('Print the signature header(s) Digital River (or Stripe, Standard Webhooks) would send with a raw body.')
    .addOption(new Option('--mode <mode>', 'data mode whose tokens sign').choices(['test', 'live']).default('test'))
    .option('--timestamp <unix>', 'signing time in unix seconds (default: now)')
    .option('--id <id>', "message id for standard-webhooks (default: the body's \"id\" field)")
    .option('--body <file>', 'read the raw body from this file instead of stdin')
    .option('--json', 'print the headers as one JSON object');
  addSignatureOptions(addSecretOptions(command)).action(async (options: SignOptions) => {
    const secrets = requireSecretsFor(resolveSecrets(options), options.mode);
    const body = await readBody(options.body);
    const headers = signatureHeaders(
      options.scheme,
      { body, secrets, timestamp: parseTimestamp(options.timestamp), eventId: eventIdFor(options, body) },
      signatureFromFlags(options, command).layout,
    );
    process.stdout.write(
      options.json
        ? `${JSON.stringify(headers, null, 2)}\n`
        : Object.entries(headers).map(([name, value]) => `${name}: ${value}\n`).join(''),
    );
  });
}

async function readBody(file: string | undefined): Promise<Buffer> {
  if (file !== undefined) {
    try {
      return nonEmpty(await readFile(file), `body file ${file} is empty`);
    } catch (error) {
      if (error instanceof UsageError) throw error;
      throw new UsageError(`cannot read body file ${file}: ${(error as NodeJS.ErrnoException).code ?? 'unreadable'}`);
    }
  }
  if (process.stdin.isTTY) throw new UsageError(`no body to sign: ${bodyHint}`);
  const chunks: Buffer[] = [];
  try {
    for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  } catch (error) {
    throw new UsageError(`cannot read the body from stdin: ${(error as Error).message}`);
  }
  return nonEmpty(Buffer.concat(chunks), `the body on stdin is empty: ${bodyHint}`);
}

function nonEmpty(body: Buffer, message: string): Buffer {
  if (body.length === 0) throw new UsageError(message);
  return body;
}

function parseTimestamp(value: string | undefined): number {
  if (value === undefined) return Math.floor(Date.now() / 1000);
  const timestamp = Number(value);
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(timestamp)) throw new UsageError(`--timestamp must be unix seconds, got "${value}"`);
  return timestamp;
}

/** Only standard-webhooks signs an id: --id, else the body's own "id". */
function eventIdFor(options: SignOptions, body: Buffer): string {
  if (options.id === '') throw new UsageError('--id must not be empty');
  if (options.id !== undefined || options.scheme !== 'standard-webhooks') return options.id ?? '';
  const id = jsonId(body);
  if (id === undefined) throw new UsageError('standard-webhooks signs a message id: pass --id (the body has no string "id" field)');
  return id;
}

function jsonId(body: Buffer): string | undefined {
  try {
    const parsed: unknown = JSON.parse(body.toString('utf8'));
    if (typeof parsed === 'object' && parsed !== null && 'id' in parsed && typeof parsed.id === 'string' && parsed.id !== '') return parsed.id;
  } catch {
    // Not JSON: the id must come from --id.
  }
  return undefined;
}

// The `drhook serve` command: runs the reference receiver, correct or with one fault, until SIGINT or SIGTERM.
import { Option, type Command } from 'commander';
import { UsageError } from '../base/errors.js';
import { checkKnownOrderIds } from '../contract/settings.js';
import { addSecretOptions, addSignatureOptions, clientSecretSources, flagName, list, parseInteger, passwordSources, signatureFromFlags } from './options.js';
import { basicCredentials } from '../scenario/settings.js';
import { loadScenario } from '../scenario/scenario.js';
import { resolveSecret, resolveSecrets, type SecretFlags } from '../wire/secrets.js';
import type { SchemeName, SignatureForm, SignatureLayout } from '../wire/signing.js';
import { closestMatch } from '../base/did-you-mean.js';
import { describeFaults, faultNames, faults, isFaultName, redirectStatuses, type FaultName, type RedirectStatus } from '../receiver/faults.js';
import { startReceiver, type ReceiverAuth, type ReceiverOptions, type ReceiverStats } from '../receiver/server.js';

interface ServeFlags extends SecretFlags {
  port: number;
  host: string;
  scheme: SchemeName;
  signatureLayout: SignatureForm;
  signatureEncoding: SignatureLayout['encoding'];
  signatureSeparator: SignatureLayout['separator'];
  tolerance: number;
  auth: ReceiverAuth['kind'];
  username?: string;
  password?: string;
  passwordFile?: string;
  clientId?: string;
  clientSecret?: string;
  clientSecretFile?: string;
  tokenTtl?: number;
  fault?: string;
  redirectStatus?: `${RedirectStatus}`;
  listFaults?: boolean;
  scenario?: string;
  knownOrderId?: string[];
  quiet?: boolean;
}

export function register(program: Command): void {
  const command = program
    .command('serve')
    .description('Run the reference webhook receiver: correct, or with --fault misbehaving one way so a contract check fails')
    .addOption(new Option('--port <n>', 'port to listen on (0: any free port)').argParser(parseInteger('--port', { min: 0, max: 65535 })).default(0))
    .option('--host <host>', 'address to listen on', '127.0.0.1');
  addSignatureOptions(addSecretOptions(command))
    .addOption(new Option('--tolerance <sec>', 'largest accepted age of a signature timestamp, in seconds').argParser(parseInteger('--tolerance', { min: 1, max: 86_400 })).default(300))
    .addOption(new Option('--auth <kind>', 'credentials deliveries must carry').choices(['none', 'basic', 'oauth']).default('none'))
    .option('--username <name>', 'basic: the username; oauth: enables the password grant with this resource owner')
    .option('--password <password>', 'basic / oauth password grant: the password (or --password-file, env DRHOOK_PASSWORD)')
    .option('--password-file <path>', 'file holding the password (keeps it off the command line)')
    .option('--client-id <id>', 'oauth: the client ID the token endpoint accepts')
    .option('--client-secret <secret>', 'oauth: the client secret (or --client-secret-file, env DRHOOK_CLIENT_SECRET)')
    .option('--client-secret-file <path>', 'oauth: file holding the client secret')
    .addOption(new Option('--token-ttl <sec>', 'oauth: lifetime of granted tokens (expires_in)').argParser(parseInteger('--token-ttl', { min: 1, max: 86_400 })))
    .option('--fault <name>', 'misbehave in this one way (see --list-faults)')
    .addOption(new Option('--redirect-status <status>', 'with --fault redirect: the status to answer (default 308)').choices(redirectStatuses.map(String)))
    .option('--list-faults', 'list the faults, the check each breaks, and exit')
    .option('--scenario <file>', "also answer 400 when a field the scenario's requires names is missing or null, and know its knownIds.order")
    .option('--known-order-id <ids>', "orders it knows from the start, comma-separated or repeated (default: the scenario's knownIds.order); with --fault unknown-resource-404 the others get 404", list)
    .option('--quiet', 'no line per request')
    .action(async (flags: ServeFlags) => {
      if (flags.listFaults) {
        process.stdout.write(`${describeFaults()}\n`);
        return;
      }
      await serve(flags, command);
    });
}

async function serve(flags: ServeFlags, command: Command): Promise<void> {
  const { layout } = signatureFromFlags(flags, command);
  const options: ReceiverOptions = {
    port: flags.port,
    host: flags.host,
    secrets: resolveSecrets(flags),
    scheme: flags.scheme,
    layout,
    toleranceSec: flags.tolerance,
    auth: authFrom(flags),
    ...faultFrom(flags),
    ...scenarioFrom(flags),
    log: flags.quiet ? undefined : (line) => process.stdout.write(`${line}\n`),
  };
  const receiver = await startReceiver(options).catch((error: unknown) => {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE') throw new UsageError(`${flags.host}:${flags.port} is already in use: choose another --port (0 picks a free one)`);
    if (code === 'EADDRNOTAVAIL' || code === 'ENOTFOUND' || code === 'EACCES') throw new UsageError(`cannot listen on ${flags.host}:${flags.port}: ${code}`);
    throw error;
  });
  const token = receiver.tokenUrl ? `, OAuth tokens at ${receiver.tokenUrl}` : '';
  process.stdout.write(`drhook receiver at ${receiver.url}${token} (${describeSetup(options)})\n`);

  const signal = await new Promise<NodeJS.Signals>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  await receiver.close();
  process.stderr.write(`drhook receiver stopped (${signal}): ${describeStats(receiver.stats())}\n`);
}

function authFrom(flags: ServeFlags): ReceiverAuth {
  // Read only where the kind of auth uses them, as the senders do: the same sources, files and length rule.
  const password = flags.auth === 'none' ? undefined : resolveSecret(passwordSources, flags.password, flags.passwordFile, process.env);
  const clientSecret = flags.auth === 'oauth' ? resolveSecret(clientSecretSources, flags.clientSecret, flags.clientSecretFile, process.env) : undefined;
  const stray = (names: Array<keyof ServeFlags>) => names.filter((name) => flags[name] !== undefined).map(flagName);
  switch (flags.auth) {
    case 'none': {
      const given = stray(['username', 'password', 'passwordFile', 'clientId', 'clientSecret', 'clientSecretFile', 'tokenTtl']);
      if (given.length > 0) throw new UsageError(`${given.join(', ')} given but --auth is none: add --auth basic or --auth oauth`);
      return { kind: 'none' };
    }
    case 'basic': {
      const given = stray(['clientId', 'clientSecret', 'clientSecretFile', 'tokenTtl']);
      if (given.length > 0) throw new UsageError(`${given.join(', ')}: only used with --auth oauth`);
      return { kind: 'basic', ...basicCredentials(flags.username, password) };
    }
    case 'oauth': {
      if (!flags.clientId) throw new UsageError('--auth oauth needs --client-id');
      if (!clientSecret) throw new UsageError('--auth oauth needs a client secret: --client-secret, --client-secret-file or DRHOOK_CLIENT_SECRET');
      if ((flags.username === undefined) !== (password === undefined)) {
        throw new UsageError('the oauth password grant needs both --username and a password (--password, --password-file or DRHOOK_PASSWORD)');
      }
      return {
        kind: 'oauth',
        clientId: flags.clientId,
        clientSecret,
        ...(flags.username !== undefined && password !== undefined ? { username: flags.username, password } : {}),
        ...(flags.tokenTtl !== undefined ? { tokenTtlSec: flags.tokenTtl } : {}),
      };
    }
  }
}

/** What the receiver takes from a scenario: the fields its handlers depend on, and the orders it knows. */
function scenarioFrom(flags: ServeFlags): Pick<ReceiverOptions, 'requires' | 'knownOrderIds'> {
  const scenario = flags.scenario === undefined ? undefined : loadScenario(flags.scenario);
  const requires = scenario ? { requires: Object.fromEntries(scenario.events.map((event) => [event.type, event.requires])) } : {};
  const known = flags.knownOrderId === undefined ? scenario?.knownIds.order : checkKnownOrderIds(flags.knownOrderId);
  return { ...requires, ...(known !== undefined && known.length > 0 ? { knownOrderIds: known } : {}) };
}

function faultFrom(flags: ServeFlags): { fault?: FaultName; redirectStatus?: RedirectStatus } {
  if (flags.fault === undefined) {
    if (flags.redirectStatus !== undefined) throw new UsageError('--redirect-status is only used with --fault redirect');
    return {};
  }
  if (!isFaultName(flags.fault)) {
    const guess = closestMatch(flags.fault, faultNames);
    throw new UsageError(`unknown fault '${flags.fault}'${guess ? ` (did you mean '${guess}'?)` : ''}: drhook serve --list-faults lists them`);
  }
  if (flags.redirectStatus === undefined) return { fault: flags.fault };
  if (flags.fault !== 'redirect') throw new UsageError('--redirect-status is only used with --fault redirect');
  return { fault: flags.fault, redirectStatus: Number(flags.redirectStatus) as RedirectStatus };
}

/** The settings that decide verdicts, in a few words (token counts, never tokens). */
function describeSetup(options: ReceiverOptions): string {
  const { test, live } = options.secrets;
  const signatures = test.length + live.length === 0
    ? 'signatures not required'
    : `${options.scheme} signatures required (test: ${count(test.length, 'token')}, live: ${count(live.length, 'token')}; tolerance ${options.toleranceSec} s)`;
  const fault = options.fault ? faults.find((entry) => entry.name === options.fault) : undefined;
  const status = options.redirectStatus === undefined ? '' : ` (answering ${options.redirectStatus})`;
  const faultText = fault ? `; FAULT ${fault.name}: ${fault.description}${status}` : '; no fault';
  const requires = options.requires ? `; requires the scenario's fields of ${count(Object.keys(options.requires).length, 'event type')}` : '';
  const orders = `; knows ${count(options.knownOrderIds?.length ?? 0, 'order')} from the start`;
  return `${signatures}; auth ${options.auth?.kind ?? 'none'}${requires}${orders}${faultText}`;
}

function describeStats(stats: ReceiverStats): string {
  const rejected = Object.entries(stats.rejected).map(([reason, n]) => `${reason} ${n}`).join(', ');
  return [
    `${stats.received} received`,
    `${stats.acknowledged} acknowledged`,
    `${stats.processed} processed`,
    `${stats.duplicates} duplicates`,
    `${count(stats.distinctEventIds, 'distinct event id')}`,
    `${stats.signaturesVerified} signatures verified`,
    rejected ? `rejected: ${rejected}` : '0 rejected',
  ].join(', ');
}

function count(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}

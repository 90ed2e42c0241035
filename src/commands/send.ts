// The `drhook send` command: one generated (or captured) event, signed now, POSTed to a receiver and judged as Digital River would.
import { Argument, Option, type Command } from 'commander';
import { judgeAcknowledgement } from '../wire/ack.js';
import type { AuthConfig } from '../wire/auth-config.js';
import { randomUUID } from 'node:crypto';
import type { DrEvent, Mode } from '../events/event.js';
import { checkCapturedEvent, describeOrigin, parseEventDocuments, type Origin } from '../events/captured.js';
import { UsageError } from '../base/errors.js';
import { readInput } from './read-input.js';
import { currentApiVersion, generateEvent } from '../events/generate.js';
import { catchInterruptions } from './interrupt.js';
import { addAuthOptions, addDeliveryOptions, apiVersionOption, addSecretOptions, parseInteger, sharedSettingsFromFlags, warnIfInsecure, type SharedFlags } from './options.js';
import type { DeliveryOutcome } from '../wire/outcome.js';
import { maxSeed } from '../base/random.js';
import { createRedactor, redactHeaders, redactOutcome } from '../wire/redact.js';
import { redactStrings } from '../wire/redact-strings.js';
import { describeAuth, parseUrl } from '../scenario/settings.js';
import { requireSecretsFor, resolveSecrets } from '../wire/secrets.js';
import { describeLayout, signatureHeaders } from '../wire/signing.js';
import type { Verdict } from '../wire/verdict.js';

interface SendFlags extends SharedFlags {
  type?: string;
  body?: string;
  newId?: boolean;
  mode: Mode;
  expanded?: boolean;
  unsigned?: boolean;
  json?: boolean;
}

export function register(program: Command): void {
  const command = program
    .command('send')
    .description('Send one generated or captured event, signed now, to a receiver and judge the answer as Digital River does')
    .addArgument(new Argument('<url>', 'the receiver endpoint (http:// or https://)').argParser(parseUrl))
    .option('--type <type>', 'event type to generate, e.g. order.accepted (or --body)')
    .option('--body <file>', 'send this captured event (a JSON file, - for stdin) instead of a generated one: its bytes as they are, signed for the current time')
    .option('--new-id', 'with --body: give the event a new id (a receiver that skips ids it has seen reads it again)')
    .addOption(new Option('--mode <mode>', 'data mode: signs with that mode\'s token, sets liveMode').choices(['test', 'live']).default('test'))
    .addOption(new Option('--seed <n>', 'seed for a reproducible event').argParser(parseInteger('--seed', { min: 0, max: maxSeed })))
    .option('--expanded', 'the expanded payload form (order.accepted, order.cancelled, order.refunded, fulfillment.created)')
    .addOption(apiVersionOption(currentApiVersion))
    .option('--unsigned', 'send without a signature header (otherwise a signing token for the mode is required)')
    .option('--json', 'print one JSON object instead of text');
  addSecretOptions(command);
  addAuthOptions(command);
  addDeliveryOptions(command, { concurrency: false });
  command.action(async (url: string, flags: SendFlags) => {
    process.exitCode = await send(url, flags, command, process.env);
  });
}

/** Sends once and prints the result; returns the exit code (0 acknowledged, 1 not, 130/143 interrupted). Setup problems throw UsageError. */
async function send(url: string, flags: SendFlags, command: Command, env: NodeJS.ProcessEnv): Promise<number> {
  const given = (name: keyof SendFlags) => command.getOptionValueSource(name) !== undefined && command.getOptionValueSource(name) !== 'default';
  const captured = await eventToSend(flags, given);
  const mode: Mode = captured ? (captured.event.liveMode ? 'live' : 'test') : flags.mode;
  const tokens = flags.unsigned ? [] : requireSecretsFor(resolveSecrets(flags, env), mode, ', or pass --unsigned to send without a signature');
  // Checked by the rules contract and load follow.
  const { auth: authConfig, deadlineMs, tls, signature, seed, digitalriverVersion } = sharedSettingsFromFlags(url, flags, command, env);
  const { scheme, layout } = signature;
  const event = captured?.event ?? generateEvent(flags.type!, { seed, mode, expanded: flags.expanded === true, digitalriverVersion });
  // Serialized once: these exact bytes are signed and sent.
  const body = captured?.body ?? Buffer.from(JSON.stringify(event), 'utf8');

  warnIfInsecure(tls.insecure);
  // The HTTP client loads once the event is ready: a usage error costs no more than reading the options.
  const [{ createAuth }, { createDeliveryEngine, deliveryHeaders }] = await Promise.all([import('../wire/auth.js'), import('../wire/delivery.js')]);
  const auth = createAuth(authConfig, { deadlineMs, ...tls });
  // Ctrl-C or SIGTERM aborts the token request or the delivery at once: nothing to judge, exit 130/143.
  const interruption = catchInterruptions();
  const { signal } = interruption;
  const exchange = async (): Promise<{ headers: Record<string, string>; outcome: DeliveryOutcome }> => {
    const authHeaders = await auth.headers(signal);
    const signature =
      tokens.length > 0
        ? signatureHeaders(scheme, { body, secrets: tokens, timestamp: Math.floor(Date.now() / 1000), eventId: event.id }, layout)
        : {};
    const headers = deliveryHeaders({ ...signature, ...authHeaders });
    const engine = createDeliveryEngine({ deadlineMs, ...tls, concurrency: 1 });
    return { headers, outcome: await engine.deliver({ url, headers, body }, { signal }).finally(() => engine.close()) };
  };
  const sent = await exchange()
    .catch((error: unknown) => {
      if (interruption.exitCode() === undefined) throw error;
      return undefined;
    })
    .finally(() => interruption.release());
  const interrupted = interruption.exitCode();
  if (sent === undefined || interrupted !== undefined) {
    process.stderr.write('drhook: interrupted: the delivery was not completed\n');
    return interrupted ?? 130;
  }
  const { headers, outcome } = sent;
  const verdict = judgeAcknowledgement(outcome, deadlineMs);
  const redact = createRedactor([...tokens, ...auth.secrets()]);

  const report: SendReport = redactStrings<SendReport>({
    event: { type: event.type, id: event.id, mode, bytes: body.length, ...(flags.body !== undefined ? { capturedFrom: flags.body === '-' ? 'stdin' : flags.body } : {}) },
    url,
    signature: tokens.length > 0 ? { layout: describeLayout(scheme, layout), tokens: tokens.length } : null,
    auth: authConfig.kind,
    request: { headers: redactHeaders(headers) },
    // What the read limit left of a secret at the body's end is masked too.
    outcome: redactOutcome(outcome, redact),
    verdict,
  }, redact);
  // The data is redacted, then rendered: rendered text is never altered afterwards.
  const text = flags.json ? JSON.stringify(report, null, 2) : renderText(report, redact(describeAuth(authConfig)));
  process.stdout.write(`${text}\n`);
  return verdict.status === 'pass' ? 0 : 1;
}

/**
 * The captured event --body names, checked against the schemas, and the bytes to send: the input as it is (one JSON
 * event), or written anew when --new-id changes its id or it was an element of an array or a line of NDJSON.
 */
async function eventToSend(flags: SendFlags, given: (name: keyof SendFlags) => boolean): Promise<{ event: DrEvent; body: Buffer } | undefined> {
  if (flags.body === undefined) {
    if (flags.type === undefined) throw new UsageError('send needs --type <event type> to generate an event, or --body <file> to send a captured one');
    if (flags.newId) throw new UsageError('--new-id applies to a captured event: add --body <file>');
    return undefined;
  }
  const stray = (['type', 'seed', 'expanded', 'mode'] as const).filter(given);
  if (stray.length > 0) throw new UsageError(`${stray.map((name) => `--${name}`).join(', ')} cannot go with --body: the captured event is sent as it is (its liveMode decides the mode and the token)`);
  const source = flags.body === '-' ? 'stdin' : flags.body;
  const text = await readInput(flags.body, 'drhook send <url> --body - < event.json');
  const documents = parseEventDocuments(source, text);
  if (documents.length !== 1) throw new UsageError(`${source} holds ${documents.length} events; send takes one (drhook contract --events-from takes many)`);
  const [{ origin, event: parsed }] = documents as [{ origin: Origin; event: unknown }];
  const event = checkCapturedEvent(describeOrigin(origin), parsed);
  if (flags.newId) {
    const renamed = { ...event, id: randomUUID() };
    return { event: renamed, body: Buffer.from(JSON.stringify(renamed), 'utf8') };
  }
  return { event, body: origin.at === 'document' ? Buffer.from(text, 'utf8') : Buffer.from(JSON.stringify(event), 'utf8') };
}

interface SendReport {
  event: { type: string; id: string; mode: Mode; bytes: number; capturedFrom?: string };
  url: string;
  /** null: sent unsigned, as --unsigned asked. */
  signature: { layout: string; tokens: number } | null;
  auth: AuthConfig['kind'];
  request: { headers: Record<string, string> };
  outcome: DeliveryOutcome;
  verdict: Verdict;
}

const EXCERPT_CHARS = 200;

function renderText(report: SendReport, auth: string): string {
  const { event, outcome, verdict } = report;
  const lines: Array<[string, string]> = [
    ['event', `${event.type} ${event.id} (${event.mode} mode, ${event.bytes} bytes${event.capturedFrom !== undefined ? `, captured: ${event.capturedFrom}` : ''})`],
    [
      'signature',
      report.signature
        ? `${report.signature.layout} (${report.signature.tokens} ${report.signature.tokens === 1 ? 'token' : 'tokens'})`
        : 'unsigned (--unsigned)',
    ],
    ['auth', auth],
    ['POST', report.url],
    ...outcomeLines(outcome),
  ];
  const width = Math.max(...lines.map(([label]) => label.length));
  const rows = lines.map(([label, value]) => `  ${label.padEnd(width)}  ${value}`);
  return [...rows, `${verdict.status.toUpperCase()} ${verdict.reason}`].join('\n');
}

function outcomeLines(outcome: DeliveryOutcome): Array<[string, string]> {
  switch (outcome.kind) {
    case 'response': {
      const lines: Array<[string, string]> = [['status', `${outcome.status} in ${Math.round(outcome.durationMs)} ms`]];
      const location = outcome.headers['location'];
      if (location !== undefined) lines.push(['location', location]);
      lines.push(['body', excerpt(outcome.body.text, outcome.body.bytes)]);
      return lines;
    }
    case 'timeout': {
      const status = outcome.phase === 'interim' ? `none (only the interim ${outcome.status})` : (outcome.status ?? 'none');
      return [['status', `${status}, aborted at the deadline after ${Math.round(outcome.durationMs)} ms`]];
    }
    case 'error':
      return [['status', `none (${outcome.cause}${outcome.code ? `, ${outcome.code}` : ''})`]];
  }
}

/** `text` is redacted: the cut can split a mask, never a secret. */
function excerpt(text: string, bytes: number): string {
  if (bytes === 0) return '(empty)';
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > EXCERPT_CHARS ? `${flat.slice(0, EXCERPT_CHARS)}… (${bytes} bytes)` : flat;
}

// The `drhook send` command: one generated, signed event POSTed to a receiver and judged as Digital River would.
import { Argument, Option, type Command } from 'commander';
import { judgeAcknowledgement } from '../wire/ack.js';
import { createAuth, type AuthConfig } from '../wire/auth.js';
import { createDeliveryEngine, deliveryHeaders } from '../wire/delivery.js';
import type { Mode } from '../events/event.js';
import { generateEvent } from '../events/generate.js';
import { catchInterruptions } from './interrupt.js';
import { addAuthOptions, addDeliveryOptions, addSecretOptions, parseInteger, sharedSettingsFromFlags, warnIfInsecure, type SharedFlags } from './options.js';
import type { DeliveryOutcome } from '../wire/outcome.js';
import { maxSeed } from '../base/random.js';
import { createRedactor, redactHeaders, redactOutcome } from '../wire/redact.js';
import { redactStrings } from '../wire/redact-strings.js';
import { parseUrl } from '../scenario/settings.js';
import { requireSecretsFor, resolveSecrets } from '../wire/secrets.js';
import { describeLayout, signatureHeaders } from '../wire/signing.js';
import type { Verdict } from '../wire/verdict.js';

interface SendFlags extends SharedFlags {
  type: string;
  mode: Mode;
  expanded?: boolean;
  unsigned?: boolean;
  json?: boolean;
}

export function register(program: Command): void {
  const command = program
    .command('send')
    .description('Send one generated, signed event to a receiver and judge the answer as Digital River does')
    .addArgument(new Argument('<url>', 'the receiver endpoint (http:// or https://)').argParser(parseUrl))
    .requiredOption('--type <type>', 'event type, e.g. order.accepted')
    .addOption(new Option('--mode <mode>', 'data mode: signs with that mode\'s token, sets liveMode').choices(['test', 'live']).default('test'))
    .addOption(new Option('--seed <n>', 'seed for a reproducible event').argParser(parseInteger('--seed', { min: 0, max: maxSeed })))
    .option('--expanded', 'the expanded payload form (order.accepted, order.cancelled, order.refunded, fulfillment.created)')
    .option('--unsigned', 'send without a signature header (otherwise a signing token for the mode is required)')
    .option('--json', 'print one JSON object instead of text');
  addSecretOptions(command);
  addAuthOptions(command);
  addDeliveryOptions(command, { concurrency: false });
  command.action(async (url: string, flags: SendFlags) => {
    process.exitCode = await send(url, flags, process.env);
  });
}

/** Sends once and prints the result; returns the exit code (0 acknowledged, 1 not, 130/143 interrupted). Setup problems throw UsageError. */
async function send(url: string, flags: SendFlags, env: NodeJS.ProcessEnv): Promise<number> {
  const tokens = flags.unsigned ? [] : requireSecretsFor(resolveSecrets(flags, env), flags.mode, ', or pass --unsigned to send without a signature');
  // Checked by the rules contract and load follow.
  const { auth: authConfig, deadlineMs, tls, signature, seed } = sharedSettingsFromFlags(url, flags, env);
  const { scheme, layout } = signature;
  const event = generateEvent(flags.type, { seed, mode: flags.mode, expanded: flags.expanded === true });
  // Serialized once: these exact bytes are signed and sent.
  const body = Buffer.from(JSON.stringify(event), 'utf8');

  warnIfInsecure(tls.insecure);
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
    event: { type: event.type, id: event.id, mode: flags.mode, bytes: body.length },
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

interface SendReport {
  event: { type: string; id: string; mode: Mode; bytes: number };
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
    ['event', `${event.type} ${event.id} (${event.mode} mode, ${event.bytes} bytes)`],
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

function describeAuth(auth: AuthConfig): string {
  switch (auth.kind) {
    case 'none':
      return 'none';
    case 'basic':
      return `basic as ${auth.username}`;
    case 'oauth':
      return `oauth ${auth.grant} token from ${auth.tokenUrl}`;
  }
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

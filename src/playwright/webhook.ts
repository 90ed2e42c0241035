// The `webhook` fixture's client: generated events delivered signed, valid or broken the way one contract case breaks them.
import { createAuth, type AuthProvider } from '../wire/auth.js';
import { eventType } from '../catalog/events.js';
import { deliverCase } from '../contract/case.js';
import { checks as catalog, type CheckId } from '../catalog/checks.js';
import type { PlannedCase } from '../contract/family.js';
import { planContract } from '../contract/plan.js';
import { pointerSegments } from '../events/pointer.js';
import { rawJsonForms, type RawJsonForm } from '../wire/raw-json.js';
import { createSender, plainDelivery } from '../contract/request.js';
import type { RequestRecord } from '../contract/results.js';
import type { ContractSettings } from '../contract/settings.js';
import { createDeliveryEngine, type DeliveryEngine } from '../wire/delivery.js';
import { UsageError } from '../base/errors.js';
import type { DrEvent, Mode } from '../events/event.js';
import { generateEvent } from '../events/generate.js';
import type { DeliveryOutcome } from '../wire/outcome.js';
import { newSeed } from '../base/random.js';
import { fixtureSettings, scenarioPath, type WebhookConfig } from './config.js';
import { loadScenario } from '../scenario/scenario.js';

/** A fault of one contract case, applied to a generated event of the type sent. */
export type WebhookFault =
  | 'missing-signature'
  | 'invalid-signature'
  | 'tampered'
  | 'stale-signature'
  | 'wrong-mode-signature'
  | 'rotated-signature'
  | 'extra-fields'
  | 'no-credentials'
  | 'wrong-credentials'
  | 'large-order'
  | `raw-${RawJsonForm}`;

/**
 * A broken data.object, as malformed.400 sends it. `pointer` is a JSON pointer into data.object (`/currency`), or `''`
 * for data.object itself, which can be `missing`, `null`, an `array` or a `string`; a field can be `missing`, `null`, of
 * the `wrong-type`, `not-in-enum` (fields with an enum) or in a `bad-format` (fields with a format).
 */
export interface Malformation {
  pointer: string;
  fault: 'missing' | 'null' | 'wrong-type' | 'not-in-enum' | 'bad-format' | 'array' | 'string';
}

export interface SendOptions {
  /** The event's data mode, signed with that mode's token. Default: test (live when only a live token is configured). */
  mode?: Mode;
  fault?: WebhookFault;
  malform?: Malformation;
  /** The same seed sends the same event. Default: a new one each time. */
  seed?: number;
  /** The expanded payload form (order.accepted, order.cancelled, order.refunded, fulfillment.created). */
  expanded?: boolean;
}

/** One delivery and how it ended; secrets masked. */
export interface WebhookDelivery {
  /** The event sent, as data (a `raw-*` fault writes the same data as other JSON text). */
  event: DrEvent;
  /** What was done to the event, in words: `valid event`, `no signature header`, `data.object.currency: missing`. */
  fault: string;
  request: RequestRecord;
  outcome: DeliveryOutcome;
  /** The deadline the delivery ran under: a later answer is a timeout. */
  deadlineMs: number;
}

export interface Webhook {
  /** Delivers a generated event of `type` (or `event` itself, validly signed) and returns how it ended; never rejects on an HTTP failure. */
  send(type: string, options?: SendOptions): Promise<WebhookDelivery>;
  send(event: DrEvent): Promise<WebhookDelivery>;
  /** A generated event, to change and then `send`. */
  event(type: string, options?: Pick<SendOptions, 'mode' | 'seed' | 'expanded'>): DrEvent;
  /** Every delivery made so far, oldest first. */
  readonly deliveries: readonly WebhookDelivery[];
}

const faultCases: Readonly<Record<Exclude<WebhookFault, `raw-${string}`>, { checkId: CheckId; slug: string; mode?: Mode }>> = {
  'missing-signature': { checkId: 'signature.missing', slug: 'no-signature' },
  'invalid-signature': { checkId: 'signature.invalid', slug: 'unknown-token' },
  tampered: { checkId: 'signature.tampered', slug: 'body-changed' },
  'stale-signature': { checkId: 'signature.stale', slug: 'stale-timestamp' },
  'wrong-mode-signature': { checkId: 'signature.wrong-mode', slug: 'signed-with-test-token', mode: 'live' },
  'rotated-signature': { checkId: 'signature.rotation', slug: 'second-signature-current' },
  'extra-fields': { checkId: 'compat.extra-fields', slug: 'extra-fields' },
  'no-credentials': { checkId: 'auth.required', slug: 'no-credentials' },
  'wrong-credentials': { checkId: 'auth.required', slug: 'wrong-credentials' },
  'large-order': { checkId: 'payload.large', slug: 'large-order' },
};

/** The contract case that sends what was asked for: the valid event, a fault, or a malformation. */
function caseFor(options: SendOptions): { checkId: CheckId; slug: string; mode?: Mode; requires: string[]; asked: string } {
  if (options.fault !== undefined && options.malform !== undefined) throw new UsageError('webhook.send: give fault or malform, not both');
  if (options.malform !== undefined) {
    const { pointer, fault } = options.malform;
    if (pointer !== '' && !pointer.startsWith('/')) throw new UsageError(`webhook.send: malform.pointer must be a JSON pointer into data.object such as /currency, or '' for data.object itself; got '${pointer}'`);
    const field = pointer === '' ? 'data.object' : pointerSegments(pointer).join('.');
    return { checkId: 'malformed.400', slug: `${field}-${fault}`, requires: pointer === '' ? [] : [pointer], asked: `malform ${JSON.stringify(options.malform)}` };
  }
  const fault = options.fault;
  if (fault === undefined) return { checkId: 'ack.2xx', slug: 'valid-event', requires: [], asked: 'as a valid event' };
  if (fault.startsWith('raw-')) {
    const form = fault.slice('raw-'.length);
    if (!(rawJsonForms as readonly string[]).includes(form)) throw unknownFault(fault);
    return { checkId: 'signature.raw-body', slug: fault, requires: [], asked: `with fault ${fault}` };
  }
  const known = faultCases[fault as keyof typeof faultCases];
  if (known === undefined) throw unknownFault(fault);
  return { ...known, requires: [], asked: `with fault ${fault}` };
}

function unknownFault(fault: string): UsageError {
  return new UsageError(`webhook.send: unknown fault '${fault}'; faults: ${[...Object.keys(faultCases), ...rawJsonForms.map((form) => `raw-${form}`)].join(', ')}`);
}

/** What the case's check needs that the configuration lacks, in words; undefined when nothing is missing. */
function missingPrerequisite(settings: ContractSettings, checkId: CheckId, mode: Mode): string | undefined {
  const token = (m: Mode) => (settings.secrets[m].length > 0 ? undefined : `a ${m}-mode signing token (webhookSecrets.${m} or DRHOOK_${m.toUpperCase()}_SECRET)`);
  switch (catalog[checkId].needs) {
    case 'none':
      return undefined;
    case 'signing-token':
      return token(mode);
    case 'both-mode-tokens':
      return token('test') ?? token('live');
    case 'auth':
      return settings.auth.kind === 'none' ? 'authentication to get wrong (webhookAuth: basic or oauth)' : undefined;
  }
}

export interface WebhookClient extends Webhook {
  /** Ends the connections. */
  close(): Promise<void>;
}

export function createWebhook(config: WebhookConfig): WebhookClient {
  let base: { settings: ContractSettings; auth: AuthProvider; engine: DeliveryEngine } | undefined;
  const deliveries: WebhookDelivery[] = [];
  /** Settings, auth and engine are made at the first delivery: a test that never sends needs no URL. */
  const setup = () => {
    if (base === undefined) {
      const settings = fixtureSettings(config, 0);
      const tls = { ...(settings.tls.ca ? { ca: settings.tls.ca } : {}), insecure: settings.tls.insecure };
      base = {
        settings,
        auth: createAuth(settings.auth, { deadlineMs: settings.deadlineMs, ...tls }),
        engine: createDeliveryEngine({ deadlineMs: settings.deadlineMs, ...tls }),
      };
    }
    return base;
  };

  /** Delivers a planned case's (single) request and records it. */
  async function deliver(settings: ContractSettings, planned: Pick<PlannedCase, 'deliveries' | 'simultaneous' | 'fault'>): Promise<WebhookDelivery> {
    const { auth, engine } = setup();
    const sender = createSender(settings, auth);
    const delivered = await deliverCase(sender, engine, planned);
    const [first] = delivered ?? [];
    if (first === undefined) throw new Error('webhook.send: the delivery was interrupted');
    // Recorded redacted: every secret the sender knows, the fetched Bearer token included, is masked.
    const { request, outcome } = first;
    const delivery: WebhookDelivery = { event: planned.deliveries[0]!.event, fault: planned.fault, request, outcome, deadlineMs: settings.deadlineMs };
    deliveries.push(delivery);
    return delivery;
  }

  async function send(subject: string | DrEvent, options: SendOptions = {}): Promise<WebhookDelivery> {
    const { settings: configured } = setup();
    if (typeof subject !== 'string') {
      return deliver(configured, { deliveries: [plainDelivery(subject)], simultaneous: false, fault: 'the event as given' });
    }
    const type = eventType(subject).type;
    const wanted = caseFor(options);
    const mode = wanted.mode ?? options.mode ?? (configured.mode === 'live' ? 'live' : 'test');
    const missing = missingPrerequisite(configured, wanted.checkId, mode);
    if (missing !== undefined) throw new UsageError(`webhook.send(${type}) ${wanted.asked} needs ${missing}`);
    const settings: ContractSettings = {
      ...configured,
      events: [{ type, requires: wanted.requires, weight: 1, expanded: options.expanded === true }],
      checks: [wanted.checkId],
      mode,
      seed: options.seed ?? newSeed(),
      caseId: `${wanted.checkId}/${type}/${mode}/${wanted.slug}`,
    };
    let planned: PlannedCase | undefined;
    try {
      planned = planContract(settings).cases.find((candidate) => candidate.judges.length > 0);
    } catch (error) {
      if (!(error instanceof UsageError)) throw error;
    }
    if (planned === undefined) {
      const every = planContract({ ...settings, caseId: undefined });
      const available = every.cases.filter((c) => c.judges.length > 0).map((c) => c.slug);
      const skipped = every.checks.find((check) => check.status === 'skipped');
      const why = skipped?.status === 'skipped' ? `: ${skipped.reason}` : available.length > 0 ? `; for this type there is: ${available.join(', ')}` : '';
      throw new UsageError(`webhook.send(${type}) ${wanted.asked}: ${type} [${mode}] has no such case${why}`);
    }
    return deliver(settings, planned);
  }

  return {
    send: send as Webhook['send'],
    event(type, options = {}) {
      // The scenario's API version, as the events webhook.send makes carry (read without needing a URL).
      const digitalriverVersion = loadScenario(scenarioPath(config.scenario)).digitalriverVersion;
      return generateEvent(type, { seed: options.seed ?? newSeed(), mode: options.mode ?? 'test', expanded: options.expanded === true, digitalriverVersion });
    },
    get deliveries() {
      return deliveries;
    },
    async close() {
      await base?.engine.close();
    },
  };
}

// Turns a planned delivery into what goes on the wire at send time: signed afresh, with auth and scenario headers.
import type { AuthProvider } from '../wire/auth.js';
import { deliveryHeaders, type DeliveryRequest } from '../wire/delivery.js';
import type { DrEvent, Mode } from '../events/event.js';
import type { DeliveryOutcome } from '../wire/outcome.js';
import { createRedactor, redactHeaders, redactOutcome, type Redactor } from '../wire/redact.js';
import { createSigner, type Signer } from '../wire/signing.js';
import type { DeliveryRecord } from './results.js';
import { mergeHeaders } from '../scenario/settings.js';
import { settingsSecrets, type ContractSettings } from './settings.js';

/** How a delivery is signed; the signature is always computed when the delivery leaves, never at planning. */
export type Signing =
  | { kind: 'unsigned' }
  | {
      kind: 'signed';
      /** `mode`: every active token of the event's data mode (none configured: no signature header at all). */
      tokens: 'mode' | readonly string[];
      /** Seconds subtracted from the current time for the signed timestamp. */
      ageSec: number;
      /** Bytes signed instead of the body sent (a body changed after signing). */
      signedBody?: Buffer;
    };

/** `configured`: the run's auth; `none`: no Authorization header; `wrong`: the right scheme with a wrong credential. */
export type Credentials = 'configured' | 'none' | 'wrong';

export interface DeliverySpec {
  event: DrEvent;
  /** The exact bytes sent. */
  body: Buffer;
  signing: Signing;
  credentials: Credentials;
  /** In a simultaneous case: deliveries of a later wave leave once every delivery of the earlier ones is answered (default 0). */
  wave?: number;
}

const signedWithModeTokens: Signing = { kind: 'signed', tokens: 'mode', ageSec: 0 };

/** A valid delivery of `event`: its JSON text, signed with its mode's tokens, with the configured credentials. */
export function plainDelivery(event: DrEvent, body: string = JSON.stringify(event)): DeliverySpec {
  return { event, body: Buffer.from(body, 'utf8'), signing: signedWithModeTokens, credentials: 'configured' };
}

/**
 * plainDelivery whose body is written from the event when it is read (once, when it is sent), not kept: for cases that
 * come by the thousand, whose events share all but one field. The event must not change after it is planned.
 */
export function lazyDelivery(event: DrEvent): DeliverySpec {
  return {
    event,
    get body() {
      return Buffer.from(JSON.stringify(event), 'utf8');
    },
    signing: signedWithModeTokens,
    credentials: 'configured',
  };
}

function modeOf(event: DrEvent): Mode {
  return event.liveMode ? 'live' : 'test';
}

export interface Prepared {
  request: DeliveryRequest;
  /** The unix second signed (or that would have been), for ordering retries. */
  timestamp: number;
}

export interface Sender {
  /**
   * Builds the request now; `after` is a unix second the signed timestamp must be later than (a retry); `signal` ends a
   * token request (OAuth refresh) the credentials need.
   */
  prepare(spec: DeliverySpec, options?: { after?: number | undefined; signal?: AbortSignal | undefined }): Promise<Prepared>;
  /**
   * The delivery as judges and reports see it: credentials and every secret known now masked in the request (its
   * body cut to an excerpt after redaction) and in the receiver's answer, which may echo them.
   */
  record(request: DeliveryRequest, event: Pick<DrEvent, 'id' | 'type'>, outcome: DeliveryOutcome): DeliveryRecord;
  /** Every secret the run knows so far (tokens, passwords, client secrets, fetched bearer tokens, secret headers). */
  secrets(): string[];
}

/** Response and request bodies are kept in reports up to this many characters. */
export const BODY_EXCERPT_CHARS = 2048;

export function createSender(settings: ContractSettings, auth: AuthProvider): Sender {
  const { scheme, layout } = settings.signature;
  const known = settingsSecrets(settings);
  const secrets = () => [...known, ...auth.secrets()];
  /** Signers by their token list: a signer prepares its keys once. */
  const signers = new Map<string, Signer>();
  /** The redactor of the secrets known when it was made (a fetched Bearer token adds one). */
  let redactor: { secrets: readonly string[]; redact: Redactor } | undefined;
  const redactorNow = () => {
    const current = secrets();
    if (!redactor || redactor.secrets.length !== current.length || redactor.secrets.some((secret, i) => secret !== current[i])) {
      redactor = { secrets: current, redact: createRedactor(current) };
    }
    return redactor.redact;
  };

  const credentialHeaders = async (credentials: Credentials, signal: AbortSignal | undefined): Promise<Record<string, string>> => {
    if (credentials === 'none') return {};
    if (credentials === 'configured') return auth.headers(signal);
    const config = auth.config;
    if (config.kind === 'basic') {
      return { Authorization: `Basic ${Buffer.from(`${config.username}:wrong-password-${settings.seed}`, 'utf8').toString('base64')}` };
    }
    return { Authorization: `Bearer drhook-wrong-token-${settings.seed}` };
  };

  return {
    async prepare(spec, { after, signal } = {}) {
      let timestamp = nowSec() - (spec.signing.kind === 'signed' ? spec.signing.ageSec : 0);
      if (after !== undefined && timestamp <= after) {
        await sleep((after + 1) * 1000 - Date.now() + 5);
        timestamp = Math.max(after + 1, nowSec());
      }
      // Read once: a lazy body is written anew on every read.
      const body = spec.body;
      const signatureHeaders = signatureFor(spec, body, timestamp);
      const credentials = await credentialHeaders(spec.credentials, signal);
      const headers = deliveryHeaders(mergeHeaders(settings.headers, credentials, signatureHeaders));
      return { request: { url: settings.url, headers, body }, timestamp };
    },
    record(request, event, outcome) {
      const redact = redactorNow();
      const headers = Object.fromEntries(Object.entries(redactHeaders(request.headers)).map(([name, value]) => [name, redact(value)]));
      // Redacted before it is cut to the excerpt; the bytes read for it may end inside a secret.
      const read = request.body.subarray(0, BODY_EXCERPT_CHARS * 4);
      const body = read.length < request.body.length ? redact.cut(read.toString('utf8'), 'end') : redact(read.toString('utf8'));
      return {
        request: { url: request.url, method: 'POST', headers, bodyExcerpt: body.slice(0, BODY_EXCERPT_CHARS), bodyBytes: request.body.length, eventId: event.id, eventType: event.type },
        outcome: redactOutcome(outcome, redact),
      };
    },
    secrets,
  };

  function signatureFor(spec: DeliverySpec, body: Buffer, timestamp: number): Record<string, string> {
    if (spec.signing.kind === 'unsigned' || settings.unsigned) return {};
    const tokens = spec.signing.tokens === 'mode' ? settings.secrets[modeOf(spec.event)] : spec.signing.tokens;
    if (tokens.length === 0) return {};
    const list = JSON.stringify(tokens);
    let signer = signers.get(list);
    if (!signer) {
      signer = createSigner(scheme, tokens, layout);
      signers.set(list, signer);
    }
    return signer(spec.signing.signedBody ?? body, timestamp, spec.event.id);
  }
}

function nowSec(): number {
  return Math.floor(Date.now() / 1000);
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));
}

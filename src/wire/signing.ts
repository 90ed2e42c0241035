// Webhook signatures (Digital River, Stripe, Standard Webhooks) from one table of scheme definitions: sign and verify.
import { createHmac, timingSafeEqual } from 'node:crypto';
import { UsageError } from '../base/errors.js';

export type SchemeName = 'digitalriver' | 'stripe' | 'standard-webhooks';
export const schemeNames: readonly SchemeName[] = ['digitalriver', 'stripe', 'standard-webhooks'];

/**
 * How the signature header is written. Only `digitalriver` honours it (its grammar is not public in full, receivers
 * differ); `stripe` always uses hex and ",", `standard-webhooks` always uses base64 entries separated by a space.
 * `form` is the header's grammar: `v0` writes `t=<unix>,v0=<sig>`, `connector` writes `<unix>, <sig>` (what the
 * webhook receiver of Digital River's own Salesforce connector verifies), which fixes base64 and ", ".
 */
export interface SignatureLayout {
  form: SignatureForm;
  encoding: 'hex' | 'base64';
  separator: ',' | ', ';
}

export type SignatureForm = 'v0' | 'connector';
export const signatureForms: readonly SignatureForm[] = ['v0', 'connector'];
/** What the connector form fixes whatever else is asked for. */
export const connectorLayout: SignatureLayout = { form: 'connector', encoding: 'base64', separator: ', ' };

export interface SignInput {
  /** The exact bytes sent; a string is converted to UTF-8 once. */
  body: Buffer | string;
  /** Active tokens, newest first: one signature each. */
  secrets: readonly string[];
  /** Unix seconds. */
  timestamp: number;
  eventId: string;
}

/** Signs one delivery: the headers to send with exactly these body bytes. */
export type Signer = (body: Buffer, timestamp: number, eventId: string) => Record<string, string>;

export type VerifyResult =
  | { ok: true; matchedSecretIndex: number }
  | { ok: false; reason: 'missing' | 'malformed' | 'stale' | 'mismatch'; message: string };

export interface VerifyOptions {
  secrets: readonly string[];
  /** Largest accepted distance between the signed timestamp and `nowSec`, in either direction. */
  toleranceSec: number;
  nowSec: number;
  layout?: Partial<SignatureLayout>;
}

/** Where the timestamp and the signatures travel. */
type Grammar =
  /** One header: `t=<unix><sep><tag>=<sig><sep><tag>=<sig>…`. */
  | { kind: 'inline'; header: string }
  /** Separate id and timestamp headers; the signature header lists `<tag>,<sig>` entries separated by spaces. */
  | { kind: 'separate'; idHeader: string; timestampHeader: string; signatureHeader: string };

interface SchemeDefinition {
  grammar: Grammar;
  /** Version tag in front of each signature. */
  tag: string;
  /** Layout parts the scheme fixes whatever the caller asks for. */
  fixed: Partial<SignatureLayout>;
  /** The HMAC key for one secret; throws a UsageError (naming the position, never the value) for an unusable one. */
  key(secret: string, index: number): Buffer;
  /** The signed payload is this text followed by the raw body bytes. */
  signedPrefix(timestamp: string, eventId: string): string;
  /** The signed payload, for reports. */
  payloadLabel: string;
}

const utf8Key = (secret: string): Buffer => Buffer.from(secret, 'utf8');
const timestampFirst = (timestamp: string): string => timestamp + '.';

const schemes: Record<SchemeName, SchemeDefinition> = {
  digitalriver: {
    grammar: { kind: 'inline', header: 'DigitalRiver-Signature' },
    tag: 'v0',
    fixed: {},
    key: utf8Key,
    signedPrefix: timestampFirst,
    payloadLabel: 't.body',
  },
  stripe: {
    grammar: { kind: 'inline', header: 'Stripe-Signature' },
    tag: 'v1',
    fixed: { encoding: 'hex', separator: ',' },
    key: utf8Key,
    signedPrefix: timestampFirst,
    payloadLabel: 't.body',
  },
  'standard-webhooks': {
    grammar: { kind: 'separate', idHeader: 'webhook-id', timestampHeader: 'webhook-timestamp', signatureHeader: 'webhook-signature' },
    tag: 'v1',
    fixed: { encoding: 'base64' },
    key: standardWebhooksKey,
    signedPrefix: (timestamp, eventId) => eventId + '.' + timestamp + '.',
    payloadLabel: 'id.t.body',
  },
};

const defaultLayout: SignatureLayout = { form: 'v0', encoding: 'hex', separator: ',' };

/** Standard Webhooks secrets are `whsec_<base64>`; the key is the decoded base64 part. */
function standardWebhooksKey(secret: string, index: number): Buffer {
  const encoded = secret.startsWith('whsec_') ? secret.slice('whsec_'.length) : secret;
  const key = Buffer.from(encoded, 'base64');
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(encoded) || encoded.length % 4 !== 0 || key.length === 0) {
    throw new UsageError(`standard-webhooks secrets must look like whsec_<base64>; secret #${index + 1} does not`);
  }
  return key;
}

function effectiveLayout(scheme: SchemeName, layout: Partial<SignatureLayout>): SignatureLayout {
  const definition = schemes[scheme];
  if (layout.form === 'connector') {
    if (scheme !== 'digitalriver') throw new UsageError(`the connector signature layout applies to the digitalriver scheme only, not ${scheme}`);
    return connectorLayout;
  }
  return { ...defaultLayout, ...layout, ...definition.fixed };
}

/** Between entries, between a tag and its value, and the tag itself (empty in the connector form: bare signatures). */
function entryFormat(definition: SchemeDefinition, layout: SignatureLayout): { joiner: string; pair: string; tag: string } {
  if (definition.grammar.kind === 'separate') return { joiner: ' ', pair: ',', tag: definition.tag };
  return layout.form === 'connector' ? { joiner: layout.separator, pair: '', tag: '' } : { joiner: layout.separator, pair: '=', tag: definition.tag };
}

/** Precomputes keys and header text once, so signing an event costs one HMAC per secret and a few concatenations. */
export function createSigner(scheme: SchemeName, secrets: readonly string[], layout: Partial<SignatureLayout> = {}): Signer {
  const definition = schemes[scheme];
  if (secrets.length === 0) throw new UsageError(`no signing token given for the ${scheme} scheme`);
  const keys = secrets.map((secret, index) => definition.key(secret, index));
  const used = effectiveLayout(scheme, layout);
  const { encoding } = used;
  const { grammar, signedPrefix } = definition;
  const { joiner, pair, tag } = entryFormat(definition, used);
  const firstEntry = grammar.kind === 'inline' ? joiner + tag + pair : tag + pair;
  const laterEntry = joiner + tag + pair;
  const timePrefix = used.form === 'connector' ? '' : 't=';
  return (body, timestamp, eventId) => {
    if (!Number.isSafeInteger(timestamp) || timestamp < 0) throw new RangeError(`timestamp must be whole unix seconds, got ${timestamp}`);
    const t = String(timestamp);
    const prefix = signedPrefix(t, eventId);
    let value = grammar.kind === 'inline' ? timePrefix + t : '';
    for (let i = 0; i < keys.length; i++) {
      value += (i === 0 ? firstEntry : laterEntry) + createHmac('sha256', keys[i]!).update(prefix).update(body).digest(encoding);
    }
    return grammar.kind === 'inline'
      ? { [grammar.header]: value }
      : { [grammar.idHeader]: eventId, [grammar.timestampHeader]: t, [grammar.signatureHeader]: value };
  };
}

/** The headers that sign `input.body` under `scheme`, one signature per secret. */
export function signatureHeaders(scheme: SchemeName, input: SignInput, layout: Partial<SignatureLayout> = {}): Record<string, string> {
  const body = typeof input.body === 'string' ? Buffer.from(input.body, 'utf8') : input.body;
  return createSigner(scheme, input.secrets, layout)(body, input.timestamp, input.eventId);
}

/** One line for reports, e.g. `digitalriver: t=<unix>,v0=<hex HMAC-SHA256 of "t.body">`. */
export function describeLayout(scheme: SchemeName, layout: Partial<SignatureLayout> = {}): string {
  const definition = schemes[scheme];
  const effective = effectiveLayout(scheme, layout);
  const { joiner, pair, tag } = entryFormat(definition, effective);
  const entry = `${tag}${pair}<${effective.encoding} HMAC-SHA256 of "${definition.payloadLabel}">`;
  const { grammar } = definition;
  const time = effective.form === 'connector' ? '<unix>' : 't=<unix>';
  return grammar.kind === 'inline'
    ? `${scheme}${effective.form === 'connector' ? ' (connector layout)' : ''}: ${grammar.header}: ${time}${joiner}${entry}`
    : `${scheme}: ${grammar.idHeader}: <id>, ${grammar.timestampHeader}: <unix>, ${grammar.signatureHeader}: ${entry}`;
}

type Headers = Record<string, string | string[] | undefined>;
type Parsed = { ok: true; timestamp: string; eventId: string; signatures: string[] } | Extract<VerifyResult, { ok: false }>;

function header(headers: Headers, name: string, joiner: string): string | undefined {
  const value = headers[name.toLowerCase()];
  return Array.isArray(value) ? value.join(joiner) : value;
}

function malformed(message: string): Parsed {
  return { ok: false, reason: 'malformed', message };
}

function parseSignatureHeaders(definition: SchemeDefinition, headers: Headers, form: SignatureForm): Parsed {
  const { grammar, tag } = definition;
  const signatureHeader = grammar.kind === 'inline' ? grammar.header : grammar.signatureHeader;
  const joiner = grammar.kind === 'inline' ? ',' : ' ';
  const value = header(headers, signatureHeader, joiner);
  if (value === undefined || value.trim() === '') return { ok: false, reason: 'missing', message: `no ${signatureHeader} header` };
  if (form === 'connector') return parseConnectorHeader(signatureHeader, value);
  const pair = grammar.kind === 'inline' ? '=' : ',';
  const signatures: string[] = [];
  let timestamp: string | undefined;
  let eventId = '';
  for (const raw of value.split(joiner)) {
    const entry = raw.trim();
    const at = entry.indexOf(pair);
    if (at < 0) continue;
    const key = entry.slice(0, at);
    if (key === tag) signatures.push(entry.slice(at + 1));
    else if (key === 't' && grammar.kind === 'inline') {
      if (timestamp !== undefined) return malformed(`${signatureHeader} carries more than one t=`);
      timestamp = entry.slice(at + 1);
    }
  }
  if (grammar.kind === 'separate') {
    timestamp = header(headers, grammar.timestampHeader, ',');
    if (timestamp === undefined) return malformed(`no ${grammar.timestampHeader} header`);
    const id = header(headers, grammar.idHeader, ',');
    if (id === undefined || id === '') return malformed(`no ${grammar.idHeader} header`);
    eventId = id;
  }
  if (timestamp === undefined) return malformed(`${signatureHeader} has no t=<unix seconds>`);
  if (!/^\d{1,15}$/.test(timestamp)) {
    const where = grammar.kind === 'inline' ? `${signatureHeader} t=` : grammar.timestampHeader;
    return malformed(`${where} "${timestamp.slice(0, 20)}" is not unix seconds`);
  }
  if (signatures.length === 0) return malformed(`${signatureHeader} has no ${tag}${pair}<signature> entry`);
  return { ok: true, timestamp, eventId, signatures };
}

/** `<unix>, <sig>, <sig>…`: the timestamp first, then bare signatures (either separator accepted). */
function parseConnectorHeader(name: string, value: string): Parsed {
  const [timestamp = '', ...signatures] = value.split(',').map((entry) => entry.trim());
  if (!/^\d{1,15}$/.test(timestamp)) return malformed(`${name} does not start with unix seconds ("${timestamp.slice(0, 20)}")`);
  const present = signatures.filter((signature) => signature !== '');
  if (present.length === 0) return malformed(`${name} has no signature after its timestamp`);
  return { ok: true, timestamp, eventId: '', signatures: present };
}

/**
 * Accepts when any signature in the headers matches any secret (constant-time comparison) and the timestamp lies
 * within `toleranceSec` of `nowSec` either way. Digital River headers may use either separator; the encoding is the
 * configured one. A mismatching signature is reported before a stale timestamp. Messages never contain secrets.
 */
export function verifySignature(scheme: SchemeName, headers: Headers, body: Buffer, options: VerifyOptions): VerifyResult {
  const definition = schemes[scheme];
  const { encoding, form } = effectiveLayout(scheme, options.layout ?? {});
  const parsed = parseSignatureHeaders(definition, headers, form);
  if (!parsed.ok) return parsed;
  const prefix = definition.signedPrefix(parsed.timestamp, parsed.eventId);
  const provided = parsed.signatures.map((signature) => Buffer.from(signature, 'utf8'));
  let matchedSecretIndex = -1;
  for (let index = 0; index < options.secrets.length && matchedSecretIndex < 0; index++) {
    const key = definition.key(options.secrets[index]!, index);
    const expected = Buffer.from(createHmac('sha256', key).update(prefix).update(body).digest(encoding), 'utf8');
    if (provided.some((candidate) => candidate.length === expected.length && timingSafeEqual(candidate, expected))) {
      matchedSecretIndex = index;
    }
  }
  if (matchedSecretIndex < 0) {
    const tokens = options.secrets.length === 1 ? 'the token' : `any of the ${options.secrets.length} tokens`;
    return {
      ok: false,
      reason: 'mismatch',
      message: `no ${form === 'connector' ? '' : `${definition.tag} `}signature (${encoding}) matches ${tokens} for this body and timestamp ${parsed.timestamp}`,
    };
  }
  const age = options.nowSec - Number(parsed.timestamp);
  if (Math.abs(age) > options.toleranceSec) {
    const distance = age > 0 ? `${age} s old` : `${-age} s in the future`;
    return { ok: false, reason: 'stale', message: `signature timestamp ${parsed.timestamp} is ${distance} (tolerance ${options.toleranceSec} s)` };
  }
  return { ok: true, matchedSecretIndex };
}

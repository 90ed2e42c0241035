// The per-request hot path: copy a pre-built request, write a fresh event id and the current time into their slots, sign those bytes with prepared keys.
import { withMicros } from '../events/envelope.js';
import { randomBytes, type BinaryToTextEncoding } from 'node:crypto';
import { deliveryHeaders } from '../wire/delivery.js';
import { uuidPrefix, type IdSpace } from './shard.js';
import { UsageError } from '../base/errors.js';
import { createSigner, type SchemeName, type SignatureLayout } from '../wire/signing.js';
import { hmac, PAD_BYTES, prepareKey, type PreparedKey } from './hmac.js';
import { CREATED_WIDTH, ID_WIDTH, type EventPool, type EventTemplate } from './pool.js';

export interface StampSetup {
  pool: EventPool;
  url: string;
  /** Sent with every request (auth and extra headers); Host, Content-Type, Content-Length and the signature are added. */
  headers: Record<string, string>;
  scheme: SchemeName;
  /** Active tokens, newest first: one signature each. */
  secrets: readonly string[];
  layout: SignatureLayout;
  /** A shard's ids: the test's shared prefix, the counter interleaved with the other shards'. Default: a random prefix, every counter value. */
  ids?: IdSpace;
}

export interface Stamper {
  /**
   * The complete bytes of the next request: a new event id, the current time, signed for exactly this body. They are
   * written into `into` when it is large enough (the caller guarantees no earlier write still reads it), else into a
   * new buffer: allocating a buffer of several KB per request costs more than the signature.
   */
  next(into?: Buffer): Buffer;
  /** The largest request `next` returns: a buffer this large always fits. */
  readonly maxRequestBytes: number;
  /** Rebuilds the request heads with new headers (a refreshed OAuth token). */
  setHeaders(headers: Record<string, string>): void;
  /** Requests stamped so far. */
  readonly stamped: number;
  /** Estimated time spent in `next` so far, in milliseconds (one call in 16 is timed, the first one not). */
  readonly busyMs: number;
}

/**
 * What each scheme signs: the key bytes of a secret and what precedes the body. signing.ts is the authority on both
 * and on the header layout; createStamper proves on a probe that this reproduces its signatures byte for byte.
 */
const signedPayloads: Record<SchemeName, { key(secret: string): Buffer; idFirst: boolean }> = {
  digitalriver: { key: (secret) => Buffer.from(secret, 'utf8'), idFirst: false },
  stripe: { key: (secret) => Buffer.from(secret, 'utf8'), idFirst: false },
  'standard-webhooks': { key: (secret) => Buffer.from(secret.startsWith('whsec_') ? secret.slice('whsec_'.length) : secret, 'base64'), idFirst: true },
};

/** Unix seconds with 10 digits (2001–2286): every signature header then has the same width. */
const probeSeconds = 1_700_000_000;
const TIME_WIDTH = 10;
/** Order ids written into stories: 8 digits (the first not 0), then 0336, as Digital River's. */
const ORDER_FIRST = 10_000_000;
const ORDER_SPAN = 90_000_000;
/** One call in this many is timed, the first one never: its one-off start-up costs would be counted sixteen times. */
const TIMED_EVERY = 16;

/** Where a per-request value goes in the request head: the time, the event id, or signature number `index`. */
type HeadSlot = { at: number; kind: 'time' } | { at: number; kind: 'id' } | { at: number; kind: 'signature'; index: number };

/** How the signature headers look, learned from signing.ts: names, probe values, and where each per-request value sits. */
interface SignatureLayoutFacts {
  headers: Array<{ name: string; value: string; slots: Array<Omit<HeadSlot, 'at'> & { offset: number }> }>;
  encoding: BinaryToTextEncoding;
}

interface RequestTemplate {
  head: Buffer;
  slots: HeadSlot[];
  /** PAD_BYTES reserved for the key pad, the signed prefix, then the body: what is hashed. */
  signed: Buffer;
  bodyStart: number;
  bodyLength: number;
  timeAt: number;
  idAt: number[];
  createdAt: number;
  /** A story's event: its story, and where the order id sits in `signed`. */
  story: number;
  orderIdAt: number[];
}

export function createStamper(setup: StampSetup): Stamper {
  const payload = signedPayloads[setup.scheme];
  const keys = setup.secrets.map((secret) => prepareKey(payload.key(secret)));
  const facts = learnSignatureLayout(setup, keys);
  const target = new URL(setup.url);
  const { templates: events, order } = setup.pool;

  let requests: RequestTemplate[] = [];
  let maxRequestBytes = 0;
  const build = (headers: Record<string, string>): void => {
    requests = events.map((event) => requestTemplate(target, headers, event, facts, payload.idFirst));
    maxRequestBytes = Math.max(...requests.map((request) => request.head.length + request.bodyLength));
  };
  build(setup.headers);

  // Ids share a random prefix per run and end in a counter: unique within the run, and across runs. A shard's prefix is
  // its test's, and its counter takes every Nth value from its own: unique across the shards.
  const idPrefix = setup.ids?.prefix ?? runIdPrefix();
  const idFirst = setup.ids?.index ?? 0;
  const idStep = setup.ids?.count ?? 1;
  const signatures: string[] = keys.map(() => '');
  let counter = 0;
  let cursor = 0;
  // Stories: every pass through the sending order is about new orders (numeric ids of this run, as Digital River's look).
  const storyCount = Math.max(0, ...events.map((event) => (event.story ?? -1) + 1));
  const orderBase = randomBytes(4).readUInt32BE(0) % ORDER_SPAN;
  let pass = 0;
  let lastMs = -1;
  let lastSecond = -1;
  let time = '';
  let created = '';
  /** Requests stamped within the current millisecond: the microsecond digits of createdTime, which keeps increasing. */
  let withinMs = 0;
  let busyMs = 0;

  const stamp = (into: Buffer | undefined): Buffer => {
    const template = requests[order[cursor]!]!;
    const storyPass = pass;
    if (++cursor === order.length) {
      cursor = 0;
      pass++;
    }
    const now = Date.now();
    if (now !== lastMs) {
      lastMs = now;
      withinMs = 0;
      created = new Date(now).toISOString();
      const second = Math.floor(now / 1000);
      if (second !== lastSecond) {
        lastSecond = second;
        time = String(second);
        if (time.length !== TIME_WIDTH) throw new Error(`unix time ${time} does not have ${TIME_WIDTH} digits`);
      }
    }
    const id = idPrefix + (idFirst + idStep * counter++).toString(16).padStart(12, '0');
    const { signed, head, slots } = template;
    for (const at of template.idAt) signed.write(id, at, ID_WIDTH, 'latin1');
    signed.write(withMicros(created, Math.min(999, withinMs++)), template.createdAt, CREATED_WIDTH, 'latin1');
    signed.write(time, template.timeAt, TIME_WIDTH, 'latin1');
    if (template.orderIdAt.length > 0) {
      const orderId = `${ORDER_FIRST + ((orderBase + storyPass * storyCount + template.story) % ORDER_SPAN)}0336`;
      for (const at of template.orderIdAt) signed.write(orderId, at, orderId.length, 'latin1');
    }
    for (let i = 0; i < keys.length; i++) signatures[i] = hmac(keys[i]!, signed, facts.encoding);

    const length = head.length + template.bodyLength;
    const bytes = into !== undefined && into.length >= length ? into.subarray(0, length) : Buffer.allocUnsafe(length);
    head.copy(bytes, 0);
    signed.copy(bytes, head.length, template.bodyStart);
    for (const slot of slots) {
      const value = slot.kind === 'time' ? time : slot.kind === 'id' ? id : signatures[slot.index]!;
      bytes.write(value, slot.at, value.length, 'latin1');
    }
    return bytes;
  };

  return {
    next(into) {
      if (counter % TIMED_EVERY !== TIMED_EVERY - 1) return stamp(into);
      const started = performance.now();
      const bytes = stamp(into);
      busyMs += (performance.now() - started) * TIMED_EVERY;
      return bytes;
    },
    setHeaders: build,
    get maxRequestBytes() {
      return maxRequestBytes;
    },
    get stamped() {
      return counter;
    },
    get busyMs() {
      return busyMs;
    },
  };
}

/**
 * Signs a probe with signing.ts and finds, in its headers, the signatures this module computes for the same probe
 * (which also tells their encoding), the time and the id: those become the slots of every request head. A signature
 * that is not found means the two disagree, and nothing is sent.
 */
function learnSignatureLayout(setup: StampSetup, keys: PreparedKey[]): SignatureLayoutFacts {
  const probeId = '0123abcd-0000-4000-8000-0123456789ab';
  const probeBody = Buffer.from('{"probe":true}');
  const expected = createSigner(setup.scheme, setup.secrets, setup.layout)(probeBody, probeSeconds, probeId);
  const prefix = `${signedPayloads[setup.scheme].idFirst ? `${probeId}.` : ''}${probeSeconds}.`;
  const message = Buffer.concat([Buffer.alloc(PAD_BYTES), Buffer.from(prefix, 'latin1'), probeBody]);
  const values = Object.values(expected).join('\n');
  const encoding = (['hex', 'base64'] as const).find((candidate) => keys.every((key) => values.includes(hmac(key, message, candidate))));
  if (encoding === undefined) throw new Error(`drhook load's signer does not reproduce the ${setup.scheme} signatures of signing.ts`);
  const digests = keys.map((key) => hmac(key, message, encoding));

  const headers = Object.entries(expected).map(([name, value]) => {
    const slots: SignatureLayoutFacts['headers'][number]['slots'] = [];
    const taken: Array<[number, number]> = [];
    const mark = (text: string, slot: (offset: number) => (typeof slots)[number]) => {
      for (let at = value.indexOf(text); at >= 0; at = value.indexOf(text, at + text.length)) {
        if (taken.some(([start, end]) => at < end && at + text.length > start)) continue;
        taken.push([at, at + text.length]);
        slots.push(slot(at));
      }
    };
    digests.forEach((digest, index) => mark(digest, (offset) => ({ kind: 'signature', index, offset })));
    mark(String(probeSeconds), (offset) => ({ kind: 'time', offset }));
    mark(probeId, (offset) => ({ kind: 'id', offset }));
    return { name, value, slots };
  });
  return { headers, encoding };
}

const token = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
/** Headers that frame the request: drhook writes them. */
const framing = /^(host|content-length|connection|transfer-encoding)$/i;

function requestTemplate(target: URL, headers: Record<string, string>, event: EventTemplate, facts: SignatureLayoutFacts, idFirst: boolean): RequestTemplate {
  const lines = [`POST ${target.pathname}${target.search} HTTP/1.1`, `Host: ${target.host}`, 'Connection: keep-alive', `Content-Length: ${event.body.length}`];
  for (const [name, value] of Object.entries(deliveryHeaders(headers))) {
    if (!token.test(name) || /[\r\n\0]/.test(value)) throw new UsageError(`header '${name}' cannot be sent: a header is a name and a value on one line`);
    if (framing.test(name)) throw new UsageError(`header '${name}' is set by drhook itself`);
    lines.push(`${name}: ${value}`);
  }
  let head = `${lines.join('\r\n')}\r\n`;
  const slots: HeadSlot[] = [];
  for (const header of facts.headers) {
    head += `${header.name}: `;
    const start = Buffer.byteLength(head, 'utf8');
    for (const { offset, ...slot } of header.slots) slots.push({ ...slot, at: start + offset } as HeadSlot);
    head += `${header.value}\r\n`;
  }
  head += '\r\n';

  const prefix = `${idFirst ? `${'#'.repeat(ID_WIDTH)}.` : ''}${'0'.repeat(TIME_WIDTH)}.`;
  const bodyStart = PAD_BYTES + prefix.length;
  const signed = Buffer.concat([Buffer.alloc(PAD_BYTES), Buffer.from(prefix, 'latin1'), event.body]);
  return {
    head: Buffer.from(head, 'utf8'),
    slots,
    signed,
    bodyStart,
    bodyLength: event.body.length,
    timeAt: PAD_BYTES + (idFirst ? ID_WIDTH + 1 : 0),
    idAt: [...(idFirst ? [PAD_BYTES] : []), bodyStart + event.idOffset],
    createdAt: bodyStart + event.createdOffset,
    story: event.story ?? 0,
    orderIdAt: (event.orderIdAt ?? []).map((offset) => bodyStart + offset),
  };
}

/** `xxxxxxxx-xxxx-4xxx-yxxx-`: the random part of a version-4 UUID, the last 12 hex digits being the counter. */
function runIdPrefix(): string {
  return uuidPrefix(randomBytes(10).toString('hex'));
}

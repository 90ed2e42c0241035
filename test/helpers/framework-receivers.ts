// Webhook receivers as teams write them on Express and Fastify: the signature verified on the raw body, 202 at once, 400 for a broken event.
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import express from 'express';
import Fastify, { type FastifyInstance } from 'fastify';

export interface FrameworkReceiver {
  url: string;
  close(): Promise<void>;
}

/** Signing tokens per data mode, as Digital River shows them on the webhook. */
export interface Tokens {
  test: string;
  live: string;
}

const TOLERANCE_SEC = 300;
/** The renewal types wrap {subscription, invoice}: their object's id is the subscription's. */
const renewals = new Set(['subscription.extended', 'subscription.payment_failed', 'subscription.reminder']);

/** `t=<unix>,v0=<hex>[,v0=…]`: any v0 made with the mode's token over "<t>.<raw body>", within the tolerance. */
export function signatureValid(header: string | string[] | undefined, raw: Buffer, token: string): boolean {
  if (typeof header !== 'string') return false;
  const parts = header.split(',').map((part) => part.trim().split('='));
  const t = parts.find(([key]) => key === 't')?.[1];
  if (t === undefined || !/^\d+$/.test(t) || Math.abs(Date.now() / 1000 - Number(t)) > TOLERANCE_SEC) return false;
  const expected = createHmac('sha256', token).update(`${t}.`).update(raw).digest();
  return parts.some(([key, value]) => key === 'v0' && value !== undefined && /^[0-9a-f]{64}$/.test(value) && timingSafeEqual(Buffer.from(value, 'hex'), expected));
}

type Json = Record<string, unknown>;
const isObject = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value);

/** The universal contract, checked by hand: data.object an object, its id (a renewal's subscription.id) a string. */
export function universalProblem(event: Json): string | undefined {
  const data = event.data;
  if (!isObject(data) || !isObject(data.object)) return 'data.object must be an object';
  const object = data.object;
  if (typeof event.type === 'string' && renewals.has(event.type)) {
    return isObject(object.subscription) && typeof object.subscription.id === 'string' ? undefined : 'data.object.subscription.id is required and must be a string';
  }
  return typeof object.id === 'string' ? undefined : 'data.object.id is required and must be a string';
}

/**
 * What a handler does with an event that passed the universal contract: nothing to report (the work is queued: 202),
 * an answer of its own (a validator's 400), `hang` (it never answers), or it throws (the framework's 500).
 */
export type Handler = (event: Json) => 'hang' | { status: number; body: unknown } | void;

/** A processed-event record: redeliveries are acknowledged again and not processed twice. */
function idempotency(): (id: unknown) => boolean {
  const seen = new Set<unknown>();
  return (id) => {
    if (seen.has(id)) return true;
    seen.add(id);
    return false;
  };
}

/** Express 5: express.raw keeps the bytes the signature covers; errors thrown by the handler become Express's 500. */
export async function startExpressReceiver(tokens: Tokens, handler: Handler = () => {}): Promise<FrameworkReceiver> {
  const app = express();
  const duplicate = idempotency();
  app.post('/webhooks/dr', express.raw({ type: '*/*', limit: '5mb' }), (req, res) => {
    const raw = req.body as Buffer;
    let event: unknown;
    try {
      event = JSON.parse(raw.toString('utf8'));
    } catch {
      return void res.status(400).json({ error: 'body is not JSON' });
    }
    if (!isObject(event)) return void res.status(400).json({ error: 'the body must be an event object' });
    const token = event.liveMode === true ? tokens.live : tokens.test;
    if (!signatureValid(req.headers['digitalriver-signature'], raw, token)) return void res.status(401).json({ error: 'invalid signature' });
    const problem = universalProblem(event);
    if (problem !== undefined) return void res.status(400).json({ error: problem });
    const handled = handler(event);
    if (handled === 'hang') return;
    if (handled !== undefined) return void res.status(handled.status).json(handled.body);
    if (duplicate(event.id)) return void res.status(200).json({ status: 'duplicate' });
    res.status(202).json({ status: 'accepted' });
  });
  const server = await new Promise<Server>((resolve) => {
    const listening = app.listen(0, '127.0.0.1', () => resolve(listening));
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/webhooks/dr`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** JSON Schema of the body a Fastify route validates: the universal contract, and `object` for the rest of data.object. */
export function bodySchema(object: Json = {}): Json {
  const objectWith = (required: string[], properties: Json): Json => ({ type: 'object', required, properties: { ...(object.properties as Json | undefined), ...properties } });
  return {
    type: 'object',
    required: ['type', 'data'],
    properties: { type: { type: 'string' }, data: { type: 'object', required: ['object'], properties: { object: { type: 'object' } } } },
    if: { properties: { type: { enum: [...renewals] } } },
    then: {
      properties: {
        data: { properties: { object: objectWith(['subscription'], { subscription: { type: 'object', required: ['id'], properties: { id: { type: 'string' } } } }) } },
      },
    },
    else: { properties: { data: { properties: { object: objectWith(['id'], { id: { type: 'string' } }) } } } },
  };
}

/**
 * Fastify 5 with its own schema validation of the body (answered as Fastify does: `body/data/object must have required
 * property 'id'`); the JSON parser keeps the raw bytes for the signature, checked before validation. Type coercion is
 * off, as receivers that must see a number as a number set it.
 */
export async function startFastifyReceiver(tokens: Tokens, options: { object?: Json; handler?: Handler } = {}): Promise<FrameworkReceiver> {
  const app: FastifyInstance = Fastify({ bodyLimit: 5 * 1024 * 1024, ajv: { customOptions: { coerceTypes: false } } });
  const raws = new WeakMap<object, Buffer>();
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (request, body, done) => {
    raws.set(request, body as Buffer);
    try {
      done(null, JSON.parse((body as Buffer).toString('utf8')));
    } catch {
      done(Object.assign(new Error('body is not JSON'), { statusCode: 400 }), undefined);
    }
  });
  const duplicate = idempotency();
  const handler = options.handler ?? (() => {});
  app.post(
    '/webhooks/dr',
    {
      schema: { body: bodySchema(options.object) },
      preValidation: async (request, reply) => {
        const event = request.body;
        const token = isObject(event) && event.liveMode === true ? tokens.live : tokens.test;
        if (!signatureValid(request.headers['digitalriver-signature'], raws.get(request) ?? Buffer.alloc(0), token)) {
          return reply.code(401).send({ error: 'invalid signature' });
        }
      },
    },
    async (request, reply) => {
      const event = request.body as Json;
      const handled = handler(event);
      if (handled === 'hang') return new Promise(() => {});
      if (handled !== undefined) return reply.code(handled.status).send(handled.body);
      if (duplicate(event.id)) return reply.code(200).send({ status: 'duplicate' });
      return reply.code(202).send({ status: 'accepted' });
    },
  );
  await app.listen({ port: 0, host: '127.0.0.1' });
  const { port } = app.server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/webhooks/dr`,
    close: async () => {
      app.server.closeAllConnections();
      await app.close();
    },
  };
}

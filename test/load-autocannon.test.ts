// autocannon's client internals that drhook load drives, checked on a real client against a real receiver: an autocannon upgrade that moves one fails here, naming it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import type { TLSSocket } from 'node:tls';
import autocannon from 'autocannon';
import { adopt, autocannonInternals, launch, missingInternals, type ClientDriver } from '../src/load/autocannon-client.js';
import { startServer } from './helpers/http.js';
import { tlsCert, tlsKey } from './helpers/tls-fixture.js';

/** Runs autocannon (one connection) against a local receiver; `inspect` sees the client at setup, once constructed, and at its first answer. */
async function withRealClient(inspect: { setup?(client: unknown): void; constructed?(client: unknown): void; answered?(client: unknown, status: number, bytes: unknown, ms: unknown, keepAlive: unknown): void }): Promise<void> {
  const server = await startServer((_req, res) => {
    res.writeHead(202, { 'content-type': 'text/plain' });
    res.end('ok');
  });
  try {
    await new Promise<void>((resolve, reject) => {
      let keepAlive: unknown;
      const instance = autocannon(
        {
          url: server.url,
          method: 'POST',
          connections: 1,
          amount: 1,
          duration: 10,
          sampleInt: 50,
          setupClient: (client) => {
            inspect.setup?.(client);
            queueMicrotask(() => inspect.constructed?.(client));
            (client as unknown as NodeJS.EventEmitter).on('headers', (info: { shouldKeepAlive?: unknown }) => (keepAlive = info.shouldKeepAlive));
            client.on('response', (status: number, bytes: unknown, ms: unknown) => {
              inspect.answered?.(client, status, bytes, ms, keepAlive);
              instance.stop();
            });
          },
        },
        (error) => (error ? reject(error) : resolve()),
      );
    });
  } finally {
    await server.close();
  }
}

test('every client internal drhook reads or replaces exists, with its type, on a real autocannon client', async () => {
  const found: Record<string, string[]> = {};
  let answered = false;
  await withRealClient({
    setup: (client) => (found['setup'] = missingInternals(client, 'setup')),
    constructed: (client) => (found['connected'] = missingInternals(client, 'connected')),
    answered: (client, status, bytes, ms, keepAlive) => {
      answered = true;
      // The events drhook listens to: the status line's keep-alive flag, then the status, bytes and time of the answer.
      assert.equal(status, 202, 'client "response" event: the status comes first');
      assert.equal(typeof bytes, 'number', 'client "response" event: the bytes read come second');
      assert.equal(typeof ms, 'number', 'client "response" event: the time since the request was written comes third');
      assert.equal(keepAlive, true, 'client "headers" event: shouldKeepAlive says whether the receiver keeps the connection');
      assert.deepEqual(missingInternals(client, 'connected'), [], 'internals still there once an answer was read');
    },
  });
  assert.deepEqual(found['setup'], [], `autocannon lacks what drhook drives at setupClient: ${found['setup']?.join(', ')}`);
  assert.deepEqual(found['connected'], [], `autocannon lacks what drhook drives once a client connected: ${found['connected']?.join(', ')}`);
  assert.ok(answered, 'the real client got its answer');
});

test('a client without one of the internals is refused before anything is sent, the member named', async () => {
  const removed = autocannonInternals.filter((internal) => internal.stage === 'setup' && !internal.member.includes('.')).map((internal) => internal.member);
  assert.ok(removed.includes('_resetConnection'));
  const thrown: Record<string, unknown> = {};
  await withRealClient({
    setup: (client) => {
      for (const member of removed) {
        const copy = Object.create(client as object) as Record<string, unknown>;
        copy[member] = undefined;
        try {
          adopt(copy, () => assert.fail('no driver for a client without its internals') as unknown as ClientDriver);
        } catch (error) {
          thrown[member] = error;
        }
      }
    },
  });
  for (const member of removed) {
    const error = thrown[member];
    assert.ok(error instanceof Error, `adopt refuses a client without ${member}`);
    assert.match(error.message, new RegExp(`client\\.${member} \\(\\w+\\)`), error.message);
  }
});

test('launch runs autocannon with drhook driving the client', async () => {
  const server = await startServer((_req, res) => {
    res.end('fine');
  });
  try {
    const statuses: number[] = [];
    await new Promise<void>((resolve, reject) => {
      const instance = launch(
        {
          connectTo: { url: server.url },
          connections: 1,
          durationSec: 10,
          timeoutSec: 3,
          sampleMs: 100,
          setupClient: (client) =>
            adopt(client, (driven) => {
              let sent = 0;
              return {
                start: () => {
                  driven.open();
                  driven.requestNext();
                },
                next: () => {
                  if (sent++ < 2) driven.write();
                  else driven.idle();
                },
                dropped: () => {},
                headers: () => {},
                response: (status) => {
                  statuses.push(status);
                  if (statuses.length === 2) instance.stop();
                },
                bad: (code) => reject(new Error(code)),
                cut: () => {},
                requestBytes: () => Buffer.from(`POST /drhook-${sent} HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\n{}`),
              };
            }),
        },
        (error) => (error ? reject(error) : resolve()),
      );
    });
    assert.deepEqual(statuses, [200, 200]);
    // The bytes are the driver's, each request's own (autocannon's request list is not used).
    assert.deepEqual(server.requests.map((request) => request.url), ['/drhook-1', '/drhook-2']);
  } finally {
    await server.close();
  }
});

test('autocannon connects with rejectUnauthorized: false whatever its tlsOptions say, so load applies the trust itself', async () => {
  // If an upgrade honours tlsOptions.rejectUnauthorized, this request is refused: load can then connect as contract
  // does (wire/tls-trust.ts connectOptions) instead of checking each connection in client-driver.ts.
  const server = https.createServer({ key: tlsKey, cert: tlsCert }, (_req, res) => res.end('ok'));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    const seen: Array<{ status: number; authorized: boolean; authorizationError: unknown }> = [];
    await new Promise<void>((resolve, reject) => {
      const instance = autocannon(
        {
          url: `https://127.0.0.1:${(server.address() as AddressInfo).port}/hook`,
          method: 'POST',
          connections: 1,
          amount: 1,
          duration: 10,
          tlsOptions: { rejectUnauthorized: true },
          setupClient: (client) => {
            client.on('response', (status: number) => {
              const socket = (client as unknown as { conn: TLSSocket }).conn;
              seen.push({ status, authorized: socket.authorized, authorizationError: socket.authorizationError });
              instance.stop();
            });
          },
        },
        (error) => (error ? reject(error) : resolve()),
      );
    });
    assert.deepEqual(seen, [{ status: 200, authorized: false, authorizationError: 'DEPTH_ZERO_SELF_SIGNED_CERT' }], 'a self-signed certificate, not trusted, and yet answered over');
  } finally {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
});

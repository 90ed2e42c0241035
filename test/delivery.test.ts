// The delivery engine against real local receivers: statuses, redirects, deadlines, hostile bodies, transport errors.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import https from 'node:https';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { createDeliveryEngine, USER_AGENT, type DeliveryEngine } from '../src/wire/delivery.js';
import { judgeAcknowledgement, sourceIpHint } from '../src/wire/ack.js';
import type { DeliveryOutcome } from '../src/wire/outcome.js';
import { startServer, type TestServer } from './helpers/http.js';
import { tlsCert, tlsKey } from './helpers/tls-fixture.js';

const body = Buffer.from(JSON.stringify({ id: 'evt-1', type: 'order.accepted' }));
const servers: Array<{ close(): Promise<void> }> = [];
const engine = createDeliveryEngine({ deadlineMs: 3000 });

after(async () => {
  await engine.close();
  await Promise.all(servers.map((server) => server.close()));
});

async function serve(handler: Parameters<typeof startServer>[0]): Promise<TestServer> {
  const server = await startServer(handler);
  servers.push(server);
  return server;
}

/** A raw TCP server (for receivers that do not speak proper HTTP); every socket is destroyed on close. */
async function rawServer(onSocket: (socket: net.Socket) => void): Promise<{ url: string; port: number; close(): Promise<void> }> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('error', () => {});
    socket.on('close', () => sockets.delete(socket));
    onSocket(socket);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const handle = {
    url: `http://127.0.0.1:${port}/hook`,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
  servers.push(handle);
  return handle;
}

function deliver(url: string, target: DeliveryEngine = engine): Promise<DeliveryOutcome> {
  return target.deliver({ url, headers: {}, body });
}

function expectKind<K extends DeliveryOutcome['kind']>(outcome: DeliveryOutcome, kind: K): Extract<DeliveryOutcome, { kind: K }> {
  assert.equal(outcome.kind, kind, `expected a ${kind} outcome, got ${JSON.stringify(outcome)}`);
  return outcome as Extract<DeliveryOutcome, { kind: K }>;
}

describe('statuses', () => {
  for (const status of [200, 202]) {
    it(`${status} is acknowledged`, async () => {
      const server = await serve((_req, res) => {
        res.writeHead(status, { 'content-type': 'application/json' }).end('{"received":true}');
      });
      const outcome = expectKind(await deliver(`${server.url}/hook?x=1`), 'response');
      assert.equal(outcome.status, status);
      assert.equal(outcome.body.text, '{"received":true}');
      assert.equal(outcome.body.truncated, false);
      assert.ok(outcome.headersMs <= outcome.durationMs);
      assert.equal(judgeAcknowledgement(outcome, 3000).status, 'pass');
      const [request] = server.requests;
      assert.equal(request?.method, 'POST');
      assert.equal(request?.url, '/hook?x=1');
      assert.deepEqual(request?.body, body);
      assert.equal(request?.headers['content-type'], 'application/json');
      assert.equal(request?.headers['user-agent'], USER_AGENT);
    });
  }

  for (const status of [400, 403, 500]) {
    it(`${status} is not acknowledged${status === 403 ? ', with the hint that a source-IP filter may refuse drhook' : ''}`, async () => {
      const server = await serve((_req, res) => {
        res.writeHead(status).end('nope');
      });
      const outcome = expectKind(await deliver(server.url), 'response');
      assert.equal(outcome.status, status);
      const hint = status === 403 ? `; ${sourceIpHint}` : '';
      assert.deepEqual(judgeAcknowledgement(outcome, 3000), { status: 'fail', reason: `answered ${status}, not 2xx${hint}` });
    });
  }

  it('keeps given Content-Type and User-Agent headers', async () => {
    const server = await serve((_req, res) => {
      res.writeHead(204).end();
    });
    await engine.deliver({ url: server.url, headers: { 'content-type': 'application/x-custom', 'User-Agent': 'tester' }, body });
    assert.equal(server.requests[0]?.headers['content-type'], 'application/x-custom');
    assert.equal(server.requests[0]?.headers['user-agent'], 'tester');
  });
});

describe('redirects are failures and never followed', () => {
  for (const status of [301, 302, 303, 307, 308]) {
    it(`${status}`, async () => {
      const target = await serve((_req, res) => {
        res.writeHead(200).end('ok');
      });
      const location = `${target.url}/moved`;
      const server = await serve((_req, res) => {
        res.writeHead(status, { location }).end();
      });
      const outcome = expectKind(await deliver(server.url), 'response');
      assert.equal(outcome.status, status);
      assert.equal(outcome.headers['location'], location);
      assert.equal(target.requests.length, 0, 'the redirect target must receive nothing');
      const verdict = judgeAcknowledgement(outcome, 3000);
      assert.equal(verdict.status, 'fail');
      assert.equal(
        verdict.reason,
        `redirected (${status}) to ${location}; Digital River treats a redirect as a failure and does not follow it`,
      );
    });
  }
});

describe('the deadline', { concurrency: true }, () => {
  const delayed = (ms: number) =>
    serve((_req, res) => {
      setTimeout(() => res.writeHead(200).end('late'), ms);
    });

  it('a complete answer after 2.5 s is acknowledged', async () => {
    const server = await delayed(2500);
    const outcome = expectKind(await deliver(server.url), 'response');
    assert.equal(outcome.status, 200);
    assert.ok(outcome.durationMs >= 2400, `measured ${outcome.durationMs} ms`);
    assert.equal(judgeAcknowledgement(outcome, 3000).status, 'pass');
  });

  it('an answer after 3.5 s is a timeout at the deadline', async () => {
    const server = await delayed(3500);
    const started = performance.now();
    const outcome = expectKind(await deliver(server.url), 'timeout');
    const waited = performance.now() - started;
    assert.equal(outcome.phase, 'headers');
    assert.equal(outcome.deadlineMs, 3000);
    assert.ok(outcome.durationMs >= 2900 && outcome.durationMs < 3400, `measured ${outcome.durationMs} ms`);
    assert.ok(waited < 3400, `the delivery must end at the deadline, not when the receiver answers (${waited} ms)`);
    const verdict = judgeAcknowledgement(outcome, 3000);
    assert.equal(verdict.status, 'fail');
    assert.match(verdict.reason, /^no complete response within 3000 ms \(connected, but no status line arrived\)$/);
  });

  it('a black hole (accepts, never answers) ends by the deadline', async () => {
    const server = await rawServer(() => {});
    const fast = createDeliveryEngine({ deadlineMs: 1000 });
    const started = performance.now();
    const outcome = expectKind(await deliver(server.url, fast), 'timeout');
    const waited = performance.now() - started;
    await fast.close();
    assert.ok(waited < 1000 + 250, `ended after ${waited} ms`);
    assert.equal(outcome.phase, 'headers');
  });

  it('a status line dripped a byte at a time ends by the deadline', async () => {
    const text = 'HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nX-Slow: ' + 'z'.repeat(1000);
    const server = await rawServer((socket) => {
      let at = 0;
      const timer = setInterval(() => (at < text.length ? socket.write(text[at++]!) : clearInterval(timer)), 50);
      socket.on('close', () => clearInterval(timer));
    });
    const fast = createDeliveryEngine({ deadlineMs: 1000 });
    const started = performance.now();
    const outcome = expectKind(await deliver(server.url, fast), 'timeout');
    const waited = performance.now() - started;
    await fast.close();
    assert.ok(waited < 1000 + 250, `ended after ${waited} ms`);
    assert.equal(outcome.phase, 'headers');
  });

  it('a body dripped slowly ends by the deadline, with the status it had', async () => {
    const server = await serve((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/plain' });
      const timer = setInterval(() => res.write('.'), 50);
      res.on('close', () => clearInterval(timer));
    });
    const fast = createDeliveryEngine({ deadlineMs: 1000 });
    const started = performance.now();
    const outcome = expectKind(await deliver(server.url, fast), 'timeout');
    const waited = performance.now() - started;
    await fast.close();
    assert.ok(waited < 1000 + 250, `ended after ${waited} ms`);
    assert.equal(outcome.phase, 'body');
    assert.equal(outcome.status, 200);
    assert.match(judgeAcknowledgement(outcome, 1000).reason, /^no complete response within 1000 ms \(aborted after the status line \(200\)/);
  });

  it('an endless fast body ends by the deadline', async () => {
    const chunk = Buffer.alloc(64 * 1024, 'a');
    const server = await serve((_req, res) => {
      res.writeHead(200);
      const pump = () => {
        while (!res.destroyed && res.write(chunk));
        if (!res.destroyed) res.once('drain', pump);
      };
      pump();
    });
    const fast = createDeliveryEngine({ deadlineMs: 1000 });
    const started = performance.now();
    const outcome = expectKind(await deliver(server.url, fast), 'timeout');
    const waited = performance.now() - started;
    await fast.close();
    assert.ok(waited < 1000 + 250, `ended after ${waited} ms`);
    assert.equal(outcome.phase, 'body');
  });
});

describe('bodies', () => {
  it('a 1 MB body is kept up to 64 KiB with its full size counted', async () => {
    const big = Buffer.alloc(1024 * 1024, 'b');
    const server = await serve((_req, res) => {
      res.writeHead(200).end(big);
    });
    const outcome = expectKind(await deliver(server.url), 'response');
    assert.equal(outcome.body.bytes, big.length);
    assert.equal(outcome.body.text.length, 64 * 1024);
    assert.equal(outcome.body.truncated, true);
    assert.equal(judgeAcknowledgement(outcome, 3000).status, 'pass');
  });
});

describe('transport errors are outcomes', () => {
  it('connection refused', async () => {
    const closed = await startServer(() => {});
    await closed.close();
    const outcome = expectKind(await deliver(closed.url), 'error');
    assert.equal(outcome.cause, 'connection-refused');
    assert.equal(outcome.code, 'ECONNREFUSED');
    assert.equal(outcome.message, `connection refused by 127.0.0.1:${closed.port}`);
    assert.equal(judgeAcknowledgement(outcome, 3000).reason, `not delivered: connection refused by 127.0.0.1:${closed.port}`);
  });

  it('an unresolvable host', async () => {
    const outcome = expectKind(await deliver('http://drhook-nonexistent.invalid/'), 'error');
    assert.equal(outcome.cause, 'dns');
    assert.match(outcome.message, /^the host name drhook-nonexistent\.invalid could not be resolved/);
  });

  it('a receiver that closes the connection without answering', async () => {
    const server = await rawServer((socket) => socket.once('data', () => socket.end()));
    const outcome = expectKind(await deliver(server.url), 'error');
    assert.equal(outcome.cause, 'socket-closed');
  });

  it('a receiver that answers garbage', async () => {
    const server = await rawServer((socket) => socket.once('data', () => socket.end('HELLO THERE\r\n\r\n')));
    const outcome = expectKind(await deliver(server.url), 'error');
    assert.equal(outcome.cause, 'protocol');
  });

  it('TLS to a plain HTTP receiver', async () => {
    const server = await serve((_req, res) => {
      res.writeHead(200).end();
    });
    const outcome = expectKind(await deliver(server.url.replace('http:', 'https:')), 'error');
    assert.equal(outcome.cause, 'tls');
  });

  it('an invalid URL', async () => {
    const outcome = expectKind(await deliver('ftp://example.com/'), 'error');
    assert.equal(outcome.cause, 'other');
    assert.match(outcome.message, /^invalid URL 'ftp:\/\/example\.com\/'/);
  });

  it('a port out of range is named as such', async () => {
    const outcome = expectKind(await deliver('http://127.0.0.1:99999/hook'), 'error');
    assert.equal(outcome.message, "invalid URL 'http://127.0.0.1:99999/hook': the port 99999 is out of range: use a port from 1 to 65535");
  });

  it('headers over 16 KiB are named as such, not as invalid HTTP', async () => {
    // One header of 20,000 bytes, and 20 of 1,000: both over the limit, the way undici counts (names and values).
    for (const headers of ['X-Big: ' + 'h'.repeat(20_000), Array.from({ length: 20 }, (_, i) => `X-Filler-${i}: ${'f'.repeat(1000)}`).join('\r\n')]) {
      const server = await rawServer((socket) => socket.once('data', () => socket.write(`HTTP/1.1 200 OK\r\n${headers}\r\nContent-Length: 2\r\n\r\nok`)));
      const outcome = expectKind(await deliver(server.url), 'error');
      assert.equal(outcome.cause, 'headers-too-large');
      assert.equal(outcome.message, `127.0.0.1:${server.port} sent headers larger than 16 KiB, drhook's limit (Node's); drhook read no further`);
      assert.equal(judgeAcknowledgement(outcome, 3000).reason, `not delivered: ${outcome.message}`);
    }
  });

  it('headers just under 16 KiB are read', async () => {
    const server = await rawServer((socket) => socket.once('data', () => socket.write(`HTTP/1.1 200 OK\r\nX-Big: ${'h'.repeat(15_000)}\r\nContent-Length: 2\r\n\r\nok`)));
    const outcome = expectKind(await deliver(server.url), 'response');
    assert.equal(outcome.headers['x-big']?.length, 15_000);
  });
});

describe('interim (1xx) answers', { concurrency: true }, () => {
  const interim = (first: string, then: (socket: net.Socket) => void) =>
    rawServer((socket) =>
      socket.once('data', () => {
        socket.write(first);
        then(socket);
      }),
    );

  for (const [name, first] of [
    ['102 Processing', 'HTTP/1.1 102 Processing\r\n\r\n'],
    ['103 Early Hints', 'HTTP/1.1 103 Early Hints\r\nLink: </a.css>; rel=preload\r\n\r\n'],
  ] as const) {
    it(`${name} then 202 is acknowledged: the final answer counts`, async () => {
      const server = await interim(first, (socket) => setTimeout(() => socket.write('HTTP/1.1 202 Accepted\r\nContent-Length: 2\r\n\r\nok'), 100));
      const outcome = expectKind(await deliver(server.url), 'response');
      assert.equal(outcome.status, 202);
      assert.equal(outcome.body.text, 'ok');
      assert.equal(judgeAcknowledgement(outcome, 3000).status, 'pass');
    });

    it(`${name} and no final status times out saying an interim answer came`, async () => {
      const server = await interim(first, () => {});
      const fast = createDeliveryEngine({ deadlineMs: 1000 });
      const started = performance.now();
      const outcome = expectKind(await deliver(server.url, fast), 'timeout');
      const waited = performance.now() - started;
      await fast.close();
      assert.ok(waited < 1000 + 250, `ended after ${waited} ms`);
      assert.deepEqual([outcome.phase, outcome.status], ['interim', Number(name.slice(0, 3))]);
      assert.equal(
        judgeAcknowledgement(outcome, 1000).reason,
        `no complete response within 1000 ms (the receiver sent ${name}, an interim answer, but no final status)`,
      );
    });
  }

  it('102 Processing repeated past the deadline still ends at the deadline', async () => {
    const server = await interim('HTTP/1.1 102 Processing\r\n\r\n', (socket) => {
      const timer = setInterval(() => socket.write('HTTP/1.1 102 Processing\r\n\r\n'), 200);
      socket.on('close', () => clearInterval(timer));
    });
    const fast = createDeliveryEngine({ deadlineMs: 1000 });
    const started = performance.now();
    const outcome = expectKind(await deliver(server.url, fast), 'timeout');
    const waited = performance.now() - started;
    await fast.close();
    assert.ok(waited >= 900 && waited < 1000 + 250, `ended after ${waited} ms`);
    assert.deepEqual([outcome.phase, outcome.status], ['interim', 102]);
  });

  it('102 Processing then a closed connection says so', async () => {
    const server = await interim('HTTP/1.1 102 Processing\r\n\r\n', (socket) => setTimeout(() => socket.end(), 100));
    const outcome = expectKind(await deliver(server.url), 'error');
    assert.equal(outcome.cause, 'socket-closed');
    assert.equal(outcome.status, undefined, 'no final status arrived');
    assert.match(outcome.message, new RegExp(`^127\\.0\\.0\\.1:${server.port} closed the connection after an interim 102 Processing before a complete response`));
  });
});

describe('https receivers', () => {
  let url = '';
  before(async () => {
    const server = https.createServer({ key: tlsKey, cert: tlsCert }, (_req, res) => {
      res.writeHead(200).end('secure');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `https://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
    servers.push({
      close: () =>
        new Promise<void>((resolve) => {
          server.closeAllConnections();
          server.close(() => resolve());
        }),
    });
  });

  it('an untrusted certificate is a TLS failure', async () => {
    const outcome = expectKind(await deliver(url), 'error');
    assert.equal(outcome.cause, 'tls');
    assert.equal(outcome.code, 'DEPTH_ZERO_SELF_SIGNED_CERT');
  });

  for (const [name, options] of [
    ['trusted through ca', { ca: Buffer.from(tlsCert) }],
    ['accepted with insecure', { insecure: true }],
  ] as const) {
    it(`a certificate ${name}`, async () => {
      const trusting = createDeliveryEngine(options);
      const outcome = expectKind(await deliver(url, trusting), 'response');
      await trusting.close();
      assert.equal(outcome.status, 200);
      assert.equal(outcome.body.text, 'secure');
    });
  }
});

describe('concurrency and aborting', () => {
  it('never has more deliveries in flight than the limit', async () => {
    let inFlight = 0;
    let most = 0;
    const server = await serve((_req, res) => {
      inFlight += 1;
      most = Math.max(most, inFlight);
      setTimeout(() => {
        inFlight -= 1;
        res.writeHead(200).end();
      }, 60);
    });
    const limited = createDeliveryEngine({ concurrency: 3 });
    const outcomes = await Promise.all(Array.from({ length: 15 }, () => deliver(server.url, limited)));
    await limited.close();
    assert.equal(server.requests.length, 15);
    assert.ok(outcomes.every((outcome) => outcome.kind === 'response' && outcome.status === 200));
    assert.equal(most, 3);
  });

  it('an external signal ends in-flight and queued deliveries as aborted', async () => {
    const server = await rawServer(() => {});
    const single = createDeliveryEngine({ concurrency: 1, deadlineMs: 3000 });
    const controller = new AbortController();
    const started = performance.now();
    const pending = [1, 2].map(() => single.deliver({ url: server.url, headers: {}, body }, { signal: controller.signal }));
    setTimeout(() => controller.abort(), 100);
    const outcomes = await Promise.all(pending);
    await single.close();
    assert.ok(performance.now() - started < 1000);
    for (const outcome of outcomes) assert.equal(expectKind(outcome, 'error').cause, 'aborted');
  });
});

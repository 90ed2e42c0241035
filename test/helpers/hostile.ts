// Hostile receivers on 127.0.0.1 for tests, each started by name: servers that stall, drip, reset, flood or lie.
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { tlsCert, tlsKey } from './tls-fixture.js';

export const hostileKinds = [
  /** Accepts the connection, reads the request, never answers. */
  'black-hole',
  /** Status line and headers at once, then one body byte a second, forever. */
  'slowloris',
  /** A 200 whose body is dripped so that it completes 4.5 s after the request: well after the longest deadline (3000 ms). */
  'drip-late',
  /** Status line, headers and part of the body, then a TCP reset. */
  'reset-mid-response',
  /** Closes the connection as soon as the request arrived, before any response. */
  'close-before-response',
  /** Closes each connection as soon as it is accepted, before a request arrives. */
  'close-on-accept',
  /** Resets each connection (TCP RST) as soon as it is accepted. */
  'reset-on-accept',
  /** A chunked 200 body that never ends. */
  'endless-body',
  /** A 500 with a 100 MB body, sent as fast as the socket takes it. */
  'body-100mb',
  /** A 200 preceded by 200 KB of headers. */
  'huge-headers',
  /** A status line that is not HTTP. */
  'garbage-status',
  /** An HTTP/1.0 200 whose body ends when the connection closes (no Content-Length). */
  'http10-close',
  /** 103 Early Hints, then 202 Accepted. */
  'informational',
  /** 100 Continue (the request did not ask for it), then 202 Accepted. */
  'unsolicited-continue',
  /** 102 Processing, then 202 Accepted. */
  'processing',
  /** 102 Processing every 300 ms, and never a final answer. */
  'processing-forever',
  /** 307 to itself. */
  'redirect-loop',
  /** 308 to another server on 127.0.0.1 (`elsewhere`), which must receive nothing. */
  'redirect-away',
  /** https with a self-signed certificate (tls-fixture.ts), answering 202. */
  'tls-self-signed',
  /** A port nobody listens on. */
  'nothing-listening',
  /** A host name in `.invalid`, which never resolves. */
  'unresolvable',
  /** A well-behaved receiver answering 202 at once. */
  'ok',
] as const;

export type HostileKind = (typeof hostileKinds)[number];

export interface HostileServer {
  kind: HostileKind;
  url: string;
  /** Connections accepted and complete requests read so far. */
  connections: number;
  requests: number;
  /** Connections open now on which a complete request was read (a black hole's requests still held). */
  readonly holding: number;
  /** The redirect target of `redirect-away`. */
  elsewhere?: HostileServer;
  close(): Promise<void>;
}

/** What a raw server does with each complete request on a socket. */
type Answer = (socket: net.Socket) => void;

const HUNDRED_MB = 100 * 1024 * 1024;
const CHUNK = Buffer.alloc(64 * 1024, 0x61);

/** Starts the receiver `kind`; close() ends every socket it holds. */
export async function startHostile(kind: HostileKind): Promise<HostileServer> {
  switch (kind) {
    case 'black-hole':
      return raw(kind, () => {});
    case 'slowloris':
      return raw(kind, (socket) => {
        socket.write('HTTP/1.1 200 OK\r\nContent-Length: 1000000\r\n\r\n');
        everySecond(socket, () => socket.write('x'));
      });
    case 'drip-late':
      return raw(kind, (socket) => {
        socket.write('HTTP/1.1 200 OK\r\nContent-Length: 18\r\n\r\n');
        let sent = 0;
        const timer = setInterval(() => {
          if (socket.destroyed) return clearInterval(timer);
          socket.write('x');
          if (++sent === 18) clearInterval(timer);
        }, 250);
      });
    case 'reset-mid-response':
      return raw(kind, (socket) => {
        socket.write('HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\npartial', () => setTimeout(() => socket.resetAndDestroy(), 20));
      });
    case 'close-before-response':
      return raw(kind, (socket) => socket.destroy());
    case 'close-on-accept':
      return raw(kind, () => {}, (socket) => socket.end());
    case 'reset-on-accept':
      return raw(kind, () => {}, (socket) => socket.resetAndDestroy());
    case 'endless-body':
      return raw(kind, (socket) => {
        socket.write('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n');
        const frame = Buffer.concat([Buffer.from(`${CHUNK.length.toString(16)}\r\n`), CHUNK, Buffer.from('\r\n')]);
        const pump = (): void => {
          while (!socket.destroyed && socket.write(frame));
          if (!socket.destroyed) socket.once('drain', pump);
        };
        pump();
      });
    case 'body-100mb':
      return raw(kind, (socket) => flood(socket, '500 Internal Server Error'));
    case 'huge-headers':
      return raw(kind, (socket) => {
        const headers = Array.from({ length: 200 }, (_, i) => `X-Filler-${i}: ${'f'.repeat(1000)}\r\n`).join('');
        socket.write(`HTTP/1.1 200 OK\r\n${headers}Content-Length: 2\r\n\r\nok`);
      });
    case 'garbage-status':
      return raw(kind, (socket) => socket.end('SPROCKET/9 banana\r\n\r\nnot http at all'));
    case 'http10-close':
      return raw(kind, (socket) => socket.end('HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\n\r\nreceived, connection closes'));
    case 'informational':
    case 'unsolicited-continue':
      return raw(kind, (socket) => {
        socket.write(kind === 'informational' ? 'HTTP/1.1 103 Early Hints\r\nLink: </style.css>; rel=preload\r\n\r\n' : 'HTTP/1.1 100 Continue\r\n\r\n');
        setTimeout(() => socket.destroyed || socket.write('HTTP/1.1 202 Accepted\r\nContent-Length: 8\r\n\r\naccepted'), 20);
      });
    case 'processing':
      return raw(kind, (socket) => {
        socket.write('HTTP/1.1 102 Processing\r\n\r\n');
        setTimeout(() => socket.destroyed || socket.write('HTTP/1.1 202 Accepted\r\nContent-Length: 8\r\n\r\naccepted'), 20);
      });
    case 'processing-forever':
      return raw(kind, (socket) => {
        const processing = (): unknown => socket.destroyed || socket.write('HTTP/1.1 102 Processing\r\n\r\n');
        processing();
        const timer = setInterval(processing, 300);
        socket.on('close', () => clearInterval(timer));
      });
    case 'redirect-loop':
      return httpServer(kind, (req, res, self) => res.writeHead(307, { location: `${self.url.replace(/\/hook$/, '')}${req.url ?? '/'}` }).end());
    case 'redirect-away': {
      const elsewhere = await startHostile('ok');
      const server = await httpServer(kind, (_req, res) => res.writeHead(308, { location: `${elsewhere.url}?stolen=1` }).end());
      const close = server.close;
      return Object.assign(server, { elsewhere, close: async () => void (await Promise.all([close(), elsewhere.close()])) });
    }
    case 'tls-self-signed':
      return httpServer(kind, (_req, res) => res.writeHead(202).end('accepted'), true);
    case 'nothing-listening': {
      const probe = net.createServer();
      await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
      const { port } = probe.address() as AddressInfo;
      await new Promise<void>((resolve) => probe.close(() => resolve()));
      return { kind, url: `http://127.0.0.1:${port}/hook`, connections: 0, requests: 0, holding: 0, close: async () => {} };
    }
    case 'unresolvable':
      return { kind, url: 'http://drhook-receiver.invalid/hook', connections: 0, requests: 0, holding: 0, close: async () => {} };
    case 'ok':
      return httpServer(kind, (_req, res) => res.writeHead(202).end('accepted'));
  }
}

/** A receiver answering every request with `status` and a 100 MB body (the memory test's 2xx flood). */
export function startFlood(status: '200 OK' | '500 Internal Server Error'): Promise<HostileServer> {
  return raw('body-100mb', (socket) => flood(socket, status));
}

/** Answers `status` with a 100 MB body, sent as fast as the socket takes it. */
function flood(socket: net.Socket, status: string): void {
  socket.write(`HTTP/1.1 ${status}\r\nContent-Length: ${HUNDRED_MB}\r\n\r\n`);
  let left = HUNDRED_MB;
  const pump = (): void => {
    while (left > 0 && !socket.destroyed) {
      const part = left >= CHUNK.length ? CHUNK : CHUNK.subarray(0, left);
      left -= part.length;
      if (!socket.write(part)) return void socket.once('drain', pump);
    }
  };
  pump();
}

function everySecond(socket: net.Socket, tick: () => void): void {
  const timer = setInterval(() => (socket.destroyed ? clearInterval(timer) : tick()), 1000);
  socket.on('close', () => clearInterval(timer));
}

/**
 * A TCP server that splits each connection's bytes into requests (headers + Content-Length body) and answers each;
 * `accept` acts on each connection first.
 */
async function raw(kind: HostileKind, answer: Answer, accept?: (socket: net.Socket) => void): Promise<HostileServer> {
  const sockets = new Set<net.Socket>();
  const holding = new Set<net.Socket>();
  const handle: HostileServer = {
    kind,
    url: '',
    connections: 0,
    requests: 0,
    get holding() {
      return holding.size;
    },
    close: async () => {},
  };
  const server = net.createServer((socket) => {
    handle.connections += 1;
    sockets.add(socket);
    socket.on('error', () => {});
    socket.on('close', () => {
      sockets.delete(socket);
      holding.delete(socket);
    });
    accept?.(socket);
    let buffered = Buffer.alloc(0);
    socket.on('data', (chunk: Buffer) => {
      buffered = Buffer.concat([buffered, chunk]);
      for (;;) {
        const end = buffered.indexOf('\r\n\r\n');
        if (end < 0) return;
        const length = Number(/\r\ncontent-length:\s*(\d+)/i.exec(buffered.subarray(0, end).toString('latin1'))?.[1] ?? 0);
        if (buffered.length < end + 4 + length) return;
        buffered = buffered.subarray(end + 4 + length);
        handle.requests += 1;
        if (!socket.destroyed) holding.add(socket);
        answer(socket);
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  handle.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
  handle.close = () =>
    new Promise<void>((resolve) => {
      for (const socket of sockets) socket.destroy();
      server.close(() => resolve());
    });
  return handle;
}

/** An http (or https, with the fixture certificate) server counting the requests it receives. */
async function httpServer(
  kind: HostileKind,
  respond: (req: http.IncomingMessage, res: http.ServerResponse, self: HostileServer) => void,
  secure = false,
): Promise<HostileServer> {
  const holding = new Set<net.Socket>();
  const handle: HostileServer = {
    kind,
    url: '',
    connections: 0,
    requests: 0,
    get holding() {
      return holding.size;
    },
    close: async () => {},
  };
  const onRequest = (req: http.IncomingMessage, res: http.ServerResponse): void => {
    req.resume();
    req.on('end', () => {
      handle.requests += 1;
      const { socket } = req;
      if (!socket.destroyed && !holding.has(socket)) {
        holding.add(socket);
        socket.once('close', () => holding.delete(socket));
      }
      respond(req, res, handle);
    });
  };
  const server = secure ? https.createServer({ key: tlsKey, cert: tlsCert }, onRequest) : http.createServer(onRequest);
  server.on('connection', () => (handle.connections += 1));
  server.on('tlsClientError', () => {});
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  handle.url = `${secure ? 'https' : 'http'}://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
  handle.close = () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return handle;
}

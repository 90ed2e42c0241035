// How fast drhook load sends unique signed events, against the ceiling of plain autocannon posting one static body to the same receiver.
import { fork, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import http from 'node:http';
import net, { type AddressInfo } from 'node:net';
import { loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import { buildPool } from '../src/load/pool.js';
import { runLoad } from '../src/load/run.js';
import { resolveLoadSettings } from '../src/load/settings.js';
import { createStamper, type Stamper } from '../src/load/stamp.js';
import { createSigner } from '../src/wire/signing.js';

// Usage: node dist/bench/load.bench.js [--connections 50] [--duration 10] [--rounds 5] [--receiver http|net]
// The receiver runs in a child process, so it and the load generator do not share an event loop: `http` (default) is
// a node:http server, `net` a raw TCP server that finds each request's end by its Content-Length and answers 202; it
// costs a fraction of node:http per request, so the load generator, not the receiver, sets the ceiling. Each round runs,
// with the same connections and duration: the ceiling (plain autocannon, one static body), drhook load, and for scale
// the naive way (autocannon's setupRequest serializing and signing each event). Besides requests per second, each
// side's CPU time per request is measured: on a shared machine throughput swings with whatever else runs, the CPU cost
// per request much less.

if (process.argv[2] === 'receiver') {
  const server = process.argv[3] === 'net' ? rawReceiver() : httpReceiver();
  server.listen(0, '127.0.0.1', () => process.send?.({ port: (server.address() as AddressInfo).port }));
  process.on('message', () => process.send?.({ cpu: process.cpuUsage() }));
} else {
  await main();
}

function httpReceiver(): http.Server {
  const server = http.createServer((req, res) => {
    req.on('data', () => {});
    req.on('end', () => res.writeHead(202, { 'Content-Length': '0' }).end());
  });
  server.keepAliveTimeout = 60_000;
  return server;
}

/** Answers 202 to each request on a keep-alive connection, reading no more of it than its header end and Content-Length. */
function rawReceiver(): net.Server {
  const answer = Buffer.from('HTTP/1.1 202 Accepted\r\nContent-Length: 0\r\n\r\n');
  const headerEnd = Buffer.from('\r\n\r\n');
  const lengthHeader = /\r\ncontent-length: *(\d+)/i;
  return net.createServer((socket) => {
    let pending: Buffer = Buffer.alloc(0);
    /** Body bytes still to skip of the request being read. */
    let body = 0;
    socket.on('data', (chunk: Buffer) => {
      pending = pending.length === 0 ? chunk : Buffer.concat([pending, chunk]);
      let at = 0;
      for (;;) {
        if (body > 0) {
          const skipped = Math.min(body, pending.length - at);
          body -= skipped;
          at += skipped;
          if (body > 0) break;
          socket.write(answer);
        }
        const end = pending.indexOf(headerEnd, at);
        if (end < 0) break;
        body = Number(lengthHeader.exec(pending.toString('latin1', at, end + 2))?.[1] ?? 0);
        at = end + headerEnd.length;
        if (body === 0) socket.write(answer);
      }
      pending = pending.subarray(at);
    });
    socket.on('error', () => {});
  });
}

interface Sample {
  rate: number;
  /** Load generator (this process) CPU microseconds per request. */
  generatorUs: number;
  /** Receiver (child process) CPU microseconds per request. */
  receiverUs: number;
}

function argument(name: string, fallback: string): string {
  const at = process.argv.indexOf(`--${name}`);
  return at >= 0 ? (process.argv[at + 1] ?? fallback) : fallback;
}

function option(name: string, fallback: number): number {
  return Number(argument(name, String(fallback)));
}

async function main(): Promise<void> {
  const connections = option('connections', 50);
  const duration = option('duration', 10);
  const rounds = option('rounds', 5);
  const receiverKind = argument('receiver', 'http') === 'net' ? 'net' : 'http';
  const token = 'tok_bench_2c4e6a';
  const options = { secrets: { test: [token], live: [] }, seed: 1, durationSec: duration, connections };
  const settings = resolveLoadSettings('http://127.0.0.1:1/hook', options);

  console.log(`# drhook load benchmark: ${receiverKind} receiver, ${connections} connections, ${duration} s per run, ${rounds} rounds, node ${process.version}\n`);
  const pool = buildPool(settings.events, { mode: 'test', seed: settings.seed, size: settings.poolSize });
  const sizes = pool.templates.map((t) => t.body.length);
  const stamper = createStamper({ pool, url: settings.url, headers: {}, scheme: 'digitalriver', secrets: [token], layout: settings.signature.layout });
  // Bodies as sent: the sending order repeats the heavier-weighted types more often.
  const sentMean = mean([...pool.order].map((index) => sizes[index]!));
  console.log(`pool: ${sizes.length} events of ${settings.events.length} types (the default scenario), bodies ${Math.min(...sizes)}–${Math.max(...sizes)} bytes, ${Math.round(sentMean)} on average as sent`);
  microBenchmark(stamper);

  const receiver = fork(fileURLToPath(import.meta.url), ['receiver', receiverKind], { stdio: 'inherit' });
  try {
    const { port } = await reply<{ port: number }>(receiver);
    const url = `http://127.0.0.1:${port}/hook`;
    // The ceiling posts one body of the average size drhook sends, with the same headers (and one fixed signature).
    const body = pool.templates.reduce((best, t) => (Math.abs(t.body.length - sentMean) < Math.abs(best.body.length - sentMean) ? t : best)).body;
    const headers = { 'Content-Type': 'application/json', 'User-Agent': 'drhook', 'DigitalRiver-Signature': `t=1700000000,v0=${'0'.repeat(64)}` };

    const ceiling: Sample[] = [];
    const drhook: Sample[] = [];
    const naive: Sample[] = [];
    const events = pool.templates.map((t) => JSON.parse(t.body.toString('utf8')) as Record<string, unknown>);
    const sign = createSigner('digitalriver', [token], settings.signature.layout);
    let next = 0;
    const runCeiling = () =>
      measured(receiver, async () => {
        const result = await autocannon({ url, method: 'POST', headers, body, connections, duration });
        return { requests: result.requests.total, seconds: result.duration };
      });
    const runDrhook = () =>
      measured(receiver, async () => {
        const report = await runLoad(resolveLoadSettings(url, options));
        const step = report.steps[0]!;
        if (step.outcomes.failures > 0) throw new Error(`drhook saw ${step.outcomes.failures} failures`);
        // The step's own CPU share: building the pool before the clock starts is not part of the cost per request.
        return { requests: step.outcomes.judged, seconds: step.durationSec, cpuUs: step.diagnostics.cpuShare * step.durationSec * 1e6 };
      });
    for (let round = 1; round <= rounds; round++) {
      // Alternating the order (ceiling first, then drhook first) evens out drift in what else the machine runs.
      if (round % 2 === 1) {
        ceiling.push(await runCeiling());
        drhook.push(await runDrhook());
      } else {
        drhook.push(await runDrhook());
        ceiling.push(await runCeiling());
      }
      naive.push(
        await measured(receiver, async () => {
          const setupRequest = (request: autocannon.Request): autocannon.Request => {
            const event = { ...events[next++ % events.length], id: randomUUID(), createdTime: new Date().toISOString() };
            const bytes = Buffer.from(JSON.stringify(event), 'utf8');
            const signature = sign(bytes, Math.floor(Date.now() / 1000), event.id);
            return { ...request, method: 'POST', body: bytes, headers: { 'Content-Type': 'application/json', 'User-Agent': 'drhook', ...signature } };
          };
          const result = await autocannon({ url, connections, duration, requests: [{ setupRequest }] });
          return { requests: result.requests.total, seconds: result.duration };
        }),
      );
      console.log(
        `round ${round} (load average ${loadavg()[0]!.toFixed(2)}): ceiling ${describe(ceiling.at(-1)!)} · drhook ${describe(drhook.at(-1)!)} · ` +
          `drhook/ceiling ${pct(drhook.at(-1)!.rate / ceiling.at(-1)!.rate)} · naive ${describe(naive.at(-1)!)}`,
      );
    }
    const rate = (samples: Sample[]) => median(samples.map((s) => s.rate));
    const cost = (samples: Sample[]) => median(samples.map((s) => s.generatorUs));
    const ratios = drhook.map((sample, i) => sample.rate / ceiling[i]!.rate);
    console.log(
      `\nmedian ceiling ${Math.round(rate(ceiling))} req/s · median drhook ${Math.round(rate(drhook))} req/s · ` +
        `drhook/ceiling: ratio of medians ${pct(rate(drhook) / rate(ceiling))}, median of the rounds' ratios ${pct(median(ratios))}`,
    );
    console.log(`median naive setupRequest ${Math.round(rate(naive))} req/s · naive/ceiling ${pct(rate(naive) / rate(ceiling))}`);
    console.log(
      `load generator CPU per request: ceiling ${cost(ceiling).toFixed(1)} µs · drhook ${cost(drhook).toFixed(1)} µs ` +
        `naive ${cost(naive).toFixed(1)} µs (a generator-bound drhook reaches ${pct(cost(ceiling) / cost(drhook))} of the ceiling) · ` +
        `receiver ${median(ceiling.map((s) => s.receiverUs)).toFixed(1)} µs`,
    );
  } finally {
    receiver.kill();
  }
}

/** Runs `work` and divides both processes' CPU time by the requests it completed. */
async function measured(receiver: ChildProcess, work: () => Promise<{ requests: number; seconds: number; cpuUs?: number }>): Promise<Sample> {
  const receiverBefore = (await reply<{ cpu: NodeJS.CpuUsage }>(receiver, true)).cpu;
  const before = process.cpuUsage();
  const { requests, seconds, cpuUs } = await work();
  const own = process.cpuUsage(before);
  const generatorUs = cpuUs ?? own.user + own.system;
  const receiverAfter = (await reply<{ cpu: NodeJS.CpuUsage }>(receiver, true)).cpu;
  const receiverUs = receiverAfter.user + receiverAfter.system - receiverBefore.user - receiverBefore.system;
  return { rate: requests / seconds, generatorUs: generatorUs / requests, receiverUs: receiverUs / requests };
}

function reply<T>(child: ChildProcess, ask = false): Promise<T> {
  const answer = new Promise<T>((resolve) => child.once('message', (message) => resolve(message as T)));
  if (ask) child.send('cpu');
  return answer;
}

/** The per-event cost of stamping and signing on its own, without a network: into a fresh buffer, and into a reused one as the engine does. */
function microBenchmark(stamper: Stamper): void {
  const own = Buffer.allocUnsafe(stamper.maxRequestBytes);
  const time = (into: Buffer | undefined) => {
    const n = 100_000;
    for (let i = 0; i < 10_000; i++) stamper.next(into);
    const runs: number[] = [];
    for (let run = 0; run < 7; run++) {
      const started = performance.now();
      for (let i = 0; i < n; i++) stamper.next(into);
      runs.push(((performance.now() - started) * 1000) / n);
    }
    return `median ${median(runs).toFixed(2)} µs (best ${Math.min(...runs).toFixed(2)})`;
  };
  console.log(`stamp + sign per event: reused buffer ${time(own)} · fresh buffer ${time(undefined)}\n`);
}

function describe(sample: Sample): string {
  return `${Math.round(sample.rate)} req/s (CPU/request: generator ${sample.generatorUs.toFixed(1)} µs, receiver ${sample.receiverUs.toFixed(1)} µs)`;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

function mean(values: number[]): number {
  return values.reduce((a, b) => a + b, 0) / values.length;
}

function pct(share: number): string {
  return `${(share * 100).toFixed(1)} %`;
}

// The throughput of N drhook load shards on this machine: N processes in closed loop against one receiver, started together with --start-at and merged with drhook merge.
import { fork, spawn } from 'node:child_process';
import http from 'node:http';
import { mkdtemp, rm } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { LoadReport } from '../src/load/report.js';

// Usage: node dist/bench/shard.bench.js [--shards 1,2,3] [--duration 5] [--connections 50] [--rounds 2]
// The receiver (node:http, 202, keep-alive) runs in its own process. For each N, N `drhook load --shard K/N` processes
// run closed loop (each connection sends again as soon as it is answered) for the same duration from one --start-at,
// then `drhook merge` adds them up: the merged sent per second is the N shards' throughput together.

const cli = fileURLToPath(new URL('../src/cli.js', import.meta.url));

if (process.argv[2] === 'receiver') {
  const server = http.createServer((req, res) => {
    req.on('data', () => {});
    req.on('end', () => res.writeHead(202, { 'Content-Length': '0' }).end());
  });
  server.keepAliveTimeout = 60_000;
  server.listen(0, '127.0.0.1', () => process.send?.({ port: (server.address() as AddressInfo).port }));
} else {
  await main();
}

function flag(name: string, fallback: string): string {
  const at = process.argv.indexOf(`--${name}`);
  return at >= 0 ? process.argv[at + 1]! : fallback;
}

async function main(): Promise<void> {
  const counts = flag('shards', '1,2,3').split(',').map(Number);
  const duration = flag('duration', '5');
  const connections = flag('connections', '50');
  const rounds = Number(flag('rounds', '2'));
  const receiver = fork(fileURLToPath(import.meta.url), ['receiver']);
  const port = await new Promise<number>((resolve) => receiver.once('message', (message: { port: number }) => resolve(message.port)));
  const work = await mkdtemp(path.join(tmpdir(), 'drhook-shard-bench-'));
  console.log(`node ${process.version}, ${duration} s closed loop, ${connections} connections per shard, load average before: ${loadavg().map((x) => x.toFixed(1)).join(' ')}`);
  console.log('| shards | round | merged sent/s | per shard sent/s | p99 ms | shards CPU share (each) | late start ms (max) |');
  console.log('| ---: | ---: | ---: | --- | ---: | --- | ---: |');
  try {
    for (let round = 1; round <= rounds; round++) {
      for (const n of counts) {
        const dir = path.join(work, `n${n}-r${round}`);
        // Far enough ahead for N processes to start (and build their events) on a busy machine.
        const startAt = new Date(Date.now() + 3000 + 1500 * n).toISOString();
        await Promise.all(
          Array.from({ length: n }, (_, i) =>
            run(['load', `http://127.0.0.1:${port}/hook`, '--secret', 'bench_token_1234', '--duration', duration, '--connections', connections, '--shard', `${i + 1}/${n}`, '--start-at', startAt, '--no-progress', '--json', '--report-dir', path.join(dir, `s${i + 1}`)]),
          ),
        );
        const merged = JSON.parse(await run(['merge', dir, '--json', '--report-dir', path.join(dir, 'merged')])) as LoadReport;
        const [step] = merged.steps;
        const shards = merged.merge!.merged;
        const each = shards.map((shard) => Math.round(shard.steps[0]!.sent / step!.durationSec)).join(' · ');
        const cpu = shards.map((shard) => shard.steps[0]!.diagnostics.cpuShare.toFixed(2)).join(' · ');
        const late = Math.max(...shards.map((shard) => shard.lateStartMs));
        console.log(`| ${n} | ${round} | ${Math.round(step!.sent / step!.durationSec)} | ${each} | ${step!.latencyMs?.p99 ?? '-'} | ${cpu} | ${late} |`);
      }
    }
  } finally {
    receiver.kill();
    await rm(work, { recursive: true, force: true });
  }
  console.log(`load average after: ${loadavg().map((x) => x.toFixed(1)).join(' ')}`);
}

/** Runs the CLI; its stdout. drhook load exits 0, 1 or 3 with a verdict: all are measurements here. */
function run(args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [cli, ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.on('close', (code) => (code === 2 || code === null ? reject(new Error(`drhook ${args[0]} exited ${code}`)) : resolve(out)));
  });
}


// drhook load --capacity against a CPU-bound receiver (one request at a time, a few ms of CPU each): the capacity found and who the search blamed.
import { fork } from 'node:child_process';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { runLoad } from '../src/load/run.js';
import { resolveLoadSettings } from '../src/load/settings.js';

// Usage: node dist/bench/capacity.bench.js [--cpu-ms 5] [--max-rate 1000] [--rounds 3] [--connections 50]
// The receiver runs in a child process and spends --cpu-ms of CPU on each request, one at a time: its capacity is at
// most 1000 / cpu-ms a second, less when the machine is busy (the load average is printed). Each round is a
// capacity search from 10/s; it must end at the receiver (a bad step whose rate threshold or failures the receiver
// broke), never at drhook's connections.

if (process.argv[2] === 'receiver') {
  const cpuMs = Number(process.argv[3]);
  const server = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      const start = process.cpuUsage();
      // Busy for cpuMs of this process's own CPU time, not wall time: a busy machine slows it down as it would a real one.
      while ((process.cpuUsage(start).user + process.cpuUsage(start).system) / 1000 < cpuMs);
      res.writeHead(202).end();
    });
  });
  server.listen(0, '127.0.0.1', () => process.send?.({ port: (server.address() as AddressInfo).port }));
} else {
  await main();
}

async function main(): Promise<void> {
  const argument = (name: string, fallback: number): number => {
    const at = process.argv.indexOf(`--${name}`);
    return at > 0 ? Number(process.argv[at + 1]) : fallback;
  };
  const cpuMs = argument('cpu-ms', 5);
  const maxRate = argument('max-rate', 1000);
  const rounds = argument('rounds', 3);
  const connections = argument('connections', 50);
  console.log(`# capacity search against a receiver of ${cpuMs} ms CPU per request, one at a time (at most ${Math.round(1000 / cpuMs)}/s), ${connections} connections, up to ${maxRate}/s, node ${process.version}\n`);
  const receiver = fork(fileURLToPath(import.meta.url), ['receiver', String(cpuMs)], { stdio: 'inherit' });
  try {
    const { port } = await new Promise<{ port: number }>((resolve) => receiver.once('message', (message) => resolve(message as { port: number })));
    for (let round = 1; round <= rounds; round++) {
      const settings = resolveLoadSettings(`http://127.0.0.1:${port}/hook`, {
        events: ['order.accepted'],
        secrets: { test: ['tok_capacity_bench_4d1e'], live: [] },
        capacity: true,
        maxRate,
        stepSec: 3,
        timeLimitSec: 90,
        connections,
        poolSize: 4,
      });
      const report = await runLoad(settings);
      const capacity = report.capacity!;
      const causes = report.steps.map((step) => `${step.pace.kind === 'open' ? step.pace.rate : '?'}/s ${step.shortfall?.cause ?? step.status}`).join(', ');
      console.log(`round ${round}: capacity ${capacity.capacity ?? 'none'}/s, ended ${capacity.ended}, verdict ${report.verdict.status}; load average ${loadavg()[0]!.toFixed(1)}`);
      console.log(`  steps: ${causes}`);
    }
  } finally {
    receiver.kill();
  }
}

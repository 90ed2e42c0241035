// Benchmark: the default contract run through drhook vs the same signed deliveries sent by a plain undici loop, in one run; optionally against a receiver answering after --delay-ms.
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { Agent, request } from 'undici';
import { startReceiver } from '../src/receiver/server.js';
import { latencyData } from '../src/report/contract/latency.js';
import { createAuth } from '../src/wire/auth.js';
import { planContract } from '../src/contract/plan.js';
import { createSender } from '../src/contract/request.js';
import { runContract } from '../src/contract/run.js';
import { resolveSettings, type ContractSettings, type RunMode } from '../src/contract/settings.js';
import type { DeliveryRequest } from '../src/wire/delivery.js';

const secrets = { test: ['bench-test-token'], live: ['bench-live-token'] };

function flag(name: string): string | undefined {
  const at = process.argv.indexOf(`--${name}`);
  return at >= 0 ? process.argv[at + 1] : undefined;
}

/**
 * The child: the reference receiver (signatures verified, every event validated); with a delay, behind a front that
 * holds each request that long before passing it on, so every answer comes after it. Prints its URL.
 */
async function serveReceiver(delayMs: number): Promise<void> {
  const receiver = await startReceiver({ secrets });
  let url = receiver.url;
  if (delayMs > 0) {
    const agent = new http.Agent({ keepAlive: true, maxSockets: 256 });
    const front = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () =>
        setTimeout(() => {
          const { host: _host, connection: _connection, ...headers } = req.headers;
          const onward = http.request(receiver.url, { method: req.method, headers, agent }, (answer) => {
            const body: Buffer[] = [];
            answer.on('data', (chunk: Buffer) => body.push(chunk));
            answer.on('end', () => res.writeHead(answer.statusCode ?? 502, { 'content-type': answer.headers['content-type'] ?? 'text/plain' }).end(Buffer.concat(body)));
          });
          onward.on('error', () => res.writeHead(502).end());
          onward.end(Buffer.concat(chunks));
        }, delayMs),
      );
    });
    await new Promise<void>((resolve) => front.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(front.address() as AddressInfo).port}${new URL(receiver.url).pathname}`;
  }
  process.stdout.write(`${url}\n`);
  process.on('SIGTERM', () => process.exit(0));
}

/** The reference receiver in its own process (this file, as `receiver`), so it does not share an event loop with the sender measured. */
async function startReceiverProcess(delayMs: number): Promise<{ url: string; child: ChildProcess }> {
  const child = spawn(process.execPath, [fileURLToPath(import.meta.url), 'receiver', String(delayMs)], { stdio: ['ignore', 'pipe', 'inherit'] });
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const match = /http:\/\/127\.0\.0\.1:\d+\/\S+/.exec(out);
      if (match) resolve(match[0]);
    });
    child.once('exit', () => reject(new Error(`receiver exited before listening: ${out}`)));
  });
  return { url, child };
}

/** CPU milliseconds (user + system) of a process: this one, or the receiver's from /proc where there is one. */
function cpuMs(pid?: number): number | undefined {
  if (pid === undefined) {
    const { user, system } = process.cpuUsage();
    return (user + system) / 1000;
  }
  try {
    // Fields 14 and 15 of /proc/<pid>/stat: utime and stime in clock ticks (100 a second on Linux).
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').replace(/^.*\) /, '').split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
  } catch {
    return undefined;
  }
}

interface Sample {
  ms: number;
  /** CPU milliseconds of this process and of the receiver during the measurement. */
  cpu: number;
  receiverCpu: number | undefined;
}

async function measure(receiver: number | undefined, work: () => Promise<void>): Promise<Sample> {
  const cpu = cpuMs()!;
  const receiverCpu = cpuMs(receiver);
  const started = performance.now();
  await work();
  const ms = performance.now() - started;
  const receiverAfter = cpuMs(receiver);
  return { ms, cpu: cpuMs()! - cpu, receiverCpu: receiverCpu === undefined || receiverAfter === undefined ? undefined : receiverAfter - receiverCpu };
}

/** drhook: plan, generate, sign at send time, deliver, judge and assemble the report. */
async function timeDrhook(settings: ContractSettings, receiver?: number): Promise<Sample & { cases: number; deliveries: number }> {
  let cases = 0;
  let deliveries = 0;
  const sample = await measure(receiver, async () => {
    const report = await runContract(settings);
    if (report.gate.status !== 'pass') {
      // Against a correct receiver: on a machine too busy to answer within the deadline, say so and what failed.
      const failed = report.checks.flatMap((check) => check.cases.filter((record) => record.verdict.status === 'fail'));
      const shown = failed.slice(0, 5).map((record) => `  ${record.id}: ${record.verdict.reason}`);
      process.stdout.write(`the suite did not pass against the reference receiver: ${report.gate.summary}\n${shown.join('\n')}\n`);
    }
    cases = report.checks.reduce((sum, check) => sum + check.cases.length, 0);
    // Each delivery once, however many checks judged it.
    const sent = latencyData(report);
    deliveries = sent.types.reduce((sum, entry) => sum + entry.deliveries, sent.untyped);
  });
  return { ...sample, cases, deliveries };
}

/** The baseline: the same requests, built and signed beforehand (untimed), posted by a plain undici loop. */
async function timeBaseline(settings: ContractSettings, receiver?: number): Promise<Sample & { requests: number }> {
  const sender = createSender(settings, createAuth(settings.auth));
  const plan = planContract(settings);
  const prepared: DeliveryRequest[] = [];
  for (const planned of plan.cases) for (const spec of planned.deliveries) prepared.push((await sender.prepare(spec)).request);
  const agent = new Agent({ connections: settings.concurrency });
  let next = 0;
  const sample = await measure(receiver, async () => {
    await Promise.all(
      Array.from({ length: settings.concurrency }, async () => {
        while (next < prepared.length) {
          const { url, headers, body } = prepared[next++]!;
          const response = await request(url, { method: 'POST', headers, body, dispatcher: agent });
          await response.body.arrayBuffer();
        }
      }),
    );
  });
  await agent.close();
  return { ...sample, requests: prepared.length };
}

const median = (values: number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

async function main(): Promise<void> {
  const delayMs = Number(flag('delay-ms') ?? 0);
  const rounds = Number(flag('rounds') ?? process.env.BENCH_ROUNDS ?? (delayMs > 0 ? 1 : 5));
  /** Without --mode, the scenario's (the bundled default: test), as `drhook contract <url>` runs. */
  const mode = flag('mode') as RunMode | undefined;
  const options = (seed: number) => ({ secrets, seed, ...(mode ? { mode } : {}) });
  const { url, child } = await startReceiverProcess(delayMs);
  try {
    const settings = resolveSettings(url, options(1));
    // Warm-up (JIT, schema compilation on both sides, connections): the whole suite against a fast receiver; the valid
    // events of every type, one per check of ack, against a slow one.
    await timeDrhook(delayMs > 0 ? resolveSettings(url, { ...options(1), only: ['ack'] }) : settings);
    const drhook: Sample[] = [];
    const baseline: Sample[] = [];
    const ratios: number[] = [];
    const shape = { cases: 0, deliveries: 0, requests: 0 };
    for (let round = 0; round < rounds; round++) {
      // Fresh seeds each round so the receiver sees new event ids (it deduplicates), alternating the order.
      const roundSettings = resolveSettings(url, options(100 + round));
      const measureDrhook = async () => {
        const result = await timeDrhook(roundSettings, child.pid);
        drhook.push(result);
        shape.cases = result.cases;
        shape.deliveries = result.deliveries;
      };
      const measureBaseline = async () => {
        const result = await timeBaseline(resolveSettings(url, options(1000 + round)), child.pid);
        baseline.push(result);
        shape.requests = result.requests;
      };
      if (round % 2 === 0) {
        await measureDrhook();
        await measureBaseline();
      } else {
        await measureBaseline();
        await measureDrhook();
      }
      ratios.push(drhook.at(-1)!.ms / baseline.at(-1)!.ms);
    }
    const drhookMs = median(drhook.map((sample) => sample.ms));
    const baselineMs = median(baseline.map((sample) => sample.ms));
    const cpu = (samples: Sample[]) => {
      const receiver = samples.every((sample) => sample.receiverCpu !== undefined) ? `, receiver ${median(samples.map((sample) => sample.receiverCpu!)).toFixed(0)} ms` : '';
      return `CPU: this process ${median(samples.map((sample) => sample.cpu)).toFixed(0)} ms${receiver}`;
    };
    const lines = [
      `default suite (mode ${settings.mode}), reference receiver in its own process${delayMs > 0 ? ` answering after ${delayMs} ms` : ''}, concurrency ${settings.concurrency}, ${rounds} round${rounds === 1 ? '' : 's'} (median)`,
      `drhook contract:     ${drhookMs.toFixed(0)} ms for ${shape.cases} cases (${shape.deliveries} deliveries) = ${((shape.cases / drhookMs) * 1000).toFixed(0)} cases/s; ${cpu(drhook)}`,
      `plain undici loop:   ${baselineMs.toFixed(0)} ms for ${shape.requests} requests = ${((shape.requests / baselineMs) * 1000).toFixed(0)} requests/s; ${cpu(baseline)}`,
      `ratio drhook/baseline: ${(drhookMs / baselineMs).toFixed(2)}× (target ≤ 1.5×); per round: ${ratios.map((ratio) => ratio.toFixed(2)).join(' ')} (median ${median(ratios).toFixed(2)}×)`,
    ];
    process.stdout.write(`${lines.join('\n')}\n`);
  } finally {
    child.kill('SIGTERM');
  }
}

if (process.argv[2] === 'receiver') await serveReceiver(Number(process.argv[3]));
else await main();

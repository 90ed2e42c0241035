// Benchmark: the default contract suite through drhook vs the same requests sent by a plain undici loop, one run.
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Agent, request } from 'undici';
import { createAuth } from '../src/wire/auth.js';
import { planContract } from '../src/contract/plan.js';
import { createSender } from '../src/contract/request.js';
import { runContract } from '../src/contract/run.js';
import { resolveSettings, type ContractSettings } from '../src/contract/settings.js';
import type { DeliveryRequest } from '../src/wire/delivery.js';

const rounds = Number(process.env.BENCH_ROUNDS ?? 5);
const secrets = { test: ['bench-test-token'], live: ['bench-live-token'] };
const cli = fileURLToPath(new URL('../src/cli.js', import.meta.url));

/** The reference receiver in its own process, so it does not share an event loop with the sender being measured. */
async function startReceiverProcess(): Promise<{ url: string; child: ChildProcess }> {
  const child = spawn(process.execPath, [cli, 'serve', '--quiet', '--secret', secrets.test[0]!, '--live-secret', secrets.live[0]!], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
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
async function timeDrhook(settings: ContractSettings, receiver?: number): Promise<Sample & { cases: number }> {
  let cases = 0;
  const sample = await measure(receiver, async () => {
    const report = await runContract(settings);
    if (report.gate.status !== 'pass') throw new Error(`the suite did not pass against the reference receiver: ${report.gate.summary}`);
    cases = report.checks.reduce((sum, check) => sum + check.cases.length, 0);
  });
  return { ...sample, cases };
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

const { url, child } = await startReceiverProcess();
try {
  const settings = resolveSettings(url, { secrets, mode: 'both', seed: 1 });
  await timeDrhook(settings); // warm-up: JIT, schema compilation on both sides, connections
  const drhook: Sample[] = [];
  const baseline: Sample[] = [];
  const ratios: number[] = [];
  const shape = { cases: 0, requests: 0 };
  for (let round = 0; round < rounds; round++) {
    // Fresh seeds each round so the receiver sees new event ids (it deduplicates), alternating the order.
    const roundSettings = resolveSettings(url, { secrets, mode: 'both', seed: 100 + round });
    const measureDrhook = async () => {
      const result = await timeDrhook(roundSettings, child.pid);
      drhook.push(result);
      shape.cases = result.cases;
    };
    const measureBaseline = async () => {
      const result = await timeBaseline(resolveSettings(url, { secrets, mode: 'both', seed: 1000 + round }), child.pid);
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
    `default suite, reference receiver in its own process, concurrency ${settings.concurrency}, ${rounds} rounds (median)`,
    `drhook contract:     ${drhookMs.toFixed(0)} ms for ${shape.cases} cases (≈${shape.requests} requests) = ${((shape.cases / drhookMs) * 1000).toFixed(0)} cases/s; ${cpu(drhook)}`,
    `plain undici loop:   ${baselineMs.toFixed(0)} ms for ${shape.requests} requests = ${((shape.requests / baselineMs) * 1000).toFixed(0)} requests/s; ${cpu(baseline)}`,
    `ratio drhook/baseline: ${(drhookMs / baselineMs).toFixed(2)}× (target ≤ 1.5×); per round: ${ratios.map((ratio) => ratio.toFixed(2)).join(' ')} (median ${median(ratios).toFixed(2)}×)`,
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
} finally {
  child.kill('SIGTERM');
}

// Benchmark: the default contract suite through drhook vs the same requests sent by a plain undici loop, one run.
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { Agent, request } from 'undici';
import { createAuth } from '../src/auth.js';
import { planContract } from '../src/contract/plan.js';
import { createSender } from '../src/contract/request.js';
import { runContract } from '../src/contract/run.js';
import { resolveSettings, type ContractSettings } from '../src/contract/settings.js';
import type { DeliveryRequest } from '../src/delivery.js';

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

/** drhook: plan, generate, sign at send time, deliver, judge and assemble the report. */
async function timeDrhook(settings: ContractSettings): Promise<{ ms: number; cases: number }> {
  const started = performance.now();
  const report = await runContract(settings);
  const ms = performance.now() - started;
  if (report.gate.status !== 'pass') throw new Error(`the suite did not pass against the reference receiver: ${report.gate.summary}`);
  const cases = report.checks.reduce((sum, check) => sum + check.cases.length, 0);
  return { ms, cases };
}

/** The baseline: the same requests, built and signed beforehand (untimed), posted by a plain undici loop. */
async function timeBaseline(settings: ContractSettings): Promise<{ ms: number; requests: number }> {
  const sender = createSender(settings, createAuth(settings.auth));
  const plan = planContract(settings);
  const prepared: DeliveryRequest[] = [];
  for (const planned of plan.cases) for (const spec of planned.deliveries) prepared.push((await sender.prepare(spec)).request);
  const agent = new Agent({ connections: settings.concurrency });
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: settings.concurrency }, async () => {
      while (next < prepared.length) {
        const { url, headers, body } = prepared[next++]!;
        const response = await request(url, { method: 'POST', headers, body, dispatcher: agent });
        await response.body.arrayBuffer();
      }
    }),
  );
  const ms = performance.now() - started;
  await agent.close();
  return { ms, requests: prepared.length };
}

const median = (values: number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

const { url, child } = await startReceiverProcess();
try {
  const settings = resolveSettings(url, { secrets, mode: 'both', seed: 1 });
  await timeDrhook(settings); // warm-up: JIT, schema compilation on both sides, connections
  const drhook: number[] = [];
  const baseline: number[] = [];
  let shape = { cases: 0, requests: 0 };
  for (let round = 0; round < rounds; round++) {
    // Fresh seeds each round so the receiver sees new event ids (it deduplicates), alternating the order.
    const roundSettings = resolveSettings(url, { secrets, mode: 'both', seed: 100 + round });
    const measureDrhook = async () => {
      const result = await timeDrhook(roundSettings);
      drhook.push(result.ms);
      shape.cases = result.cases;
    };
    const measureBaseline = async () => {
      const result = await timeBaseline(resolveSettings(url, { secrets, mode: 'both', seed: 1000 + round }));
      baseline.push(result.ms);
      shape.requests = result.requests;
    };
    if (round % 2 === 0) {
      await measureDrhook();
      await measureBaseline();
    } else {
      await measureBaseline();
      await measureDrhook();
    }
  }
  const drhookMs = median(drhook);
  const baselineMs = median(baseline);
  const lines = [
    `default suite, reference receiver in its own process, concurrency ${settings.concurrency}, ${rounds} rounds (median)`,
    `drhook contract:     ${drhookMs.toFixed(0)} ms for ${shape.cases} cases (≈${shape.requests} requests) = ${((shape.cases / drhookMs) * 1000).toFixed(0)} cases/s`,
    `plain undici loop:   ${baselineMs.toFixed(0)} ms for ${shape.requests} requests = ${((shape.requests / baselineMs) * 1000).toFixed(0)} requests/s`,
    `ratio drhook/baseline: ${(drhookMs / baselineMs).toFixed(2)}× (target ≤ 1.5×)`,
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
} finally {
  child.kill('SIGTERM');
}

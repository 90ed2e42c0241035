// Run as a child process: deliveries against the given receivers until stdin ends (or one load run against each at once), then prints the peak RSS as JSON.
import { createDeliveryEngine } from '../../src/wire/delivery.js';
import { runLoad } from '../../src/load/run.js';
import { resolveLoadSettings } from '../../src/load/settings.js';

const [mode = 'deliver', countText = '24', deadlineText = '500', ...urls] = process.argv.slice(2);
const count = Number(countText);
const deadlineMs = Number(deadlineText);
const outcomes: Record<string, number> = {};
const tally = (key: string): void => void (outcomes[key] = (outcomes[key] ?? 0) + 1);

if (mode === 'deliver') {
  // Eight lanes deliver to the receivers in turn, each at least `count` times, and on until the parent ends stdin
  // (when its receivers have sent enough): the volume, not the number of deliveries, is what the parent waits for.
  const concurrency = 8;
  const engine = createDeliveryEngine({ deadlineMs, concurrency });
  const body = Buffer.from(JSON.stringify({ id: 'evt', type: 'order.accepted' }));
  let stopped = false;
  process.stdin.on('end', () => (stopped = true)).resume();
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      for (let index = next++; index < count || !stopped; index = next++) {
        const outcome = await engine.deliver({ url: urls[index % urls.length]!, headers: {}, body });
        tally(outcome.kind === 'response' ? `response:${outcome.status}` : outcome.kind === 'timeout' ? `timeout:${outcome.phase}` : `error:${outcome.cause}`);
      }
    }),
  );
  await engine.close();
} else {
  // One load run against each receiver, all at once.
  await Promise.all(
    urls.map(async (url) => {
      const settings = resolveLoadSettings(url, { events: ['order.accepted'], count, connections: 8, deadlineMs, poolSize: 2, seed: 1, secrets: { test: ['tok_memory'], live: [] } }, {});
      const report = await runLoad(settings);
      tally(`sent:${report.totals.sent}`);
    }),
  );
}
process.stdout.write(`${JSON.stringify({ maxRssMB: Math.round(process.resourceUsage().maxRSS / 1024), outcomes })}\n`);

// Run as a child process: many deliveries (or one load run) against the given receivers, then prints the peak RSS as JSON.
import { createDeliveryEngine } from '../../src/wire/delivery.js';
import { runLoad } from '../../src/load/run.js';
import { resolveLoadSettings } from '../../src/load/settings.js';

const [mode = 'deliver', countText = '200', deadlineText = '500', ...urls] = process.argv.slice(2);
const count = Number(countText);
const deadlineMs = Number(deadlineText);
const outcomes: Record<string, number> = {};
const tally = (key: string): void => void (outcomes[key] = (outcomes[key] ?? 0) + 1);

if (mode === 'deliver') {
  const engine = createDeliveryEngine({ deadlineMs, concurrency: 8 });
  const body = Buffer.from(JSON.stringify({ id: 'evt', type: 'order.accepted' }));
  await Promise.all(
    Array.from({ length: count }, async (_, index) => {
      const outcome = await engine.deliver({ url: urls[index % urls.length]!, headers: {}, body });
      tally(outcome.kind === 'response' ? `response:${outcome.status}` : outcome.kind === 'timeout' ? `timeout:${outcome.phase}` : `error:${outcome.cause}`);
    }),
  );
  await engine.close();
} else {
  for (const url of urls) {
    const settings = resolveLoadSettings(url, { events: ['order.accepted'], count, connections: 8, deadlineMs, poolSize: 2, seed: 1, secrets: { test: ['tok_memory'], live: [] } }, {});
    const report = await runLoad(settings);
    tally(`sent:${report.totals.sent}`);
  }
}
process.stdout.write(`${JSON.stringify({ maxRssMB: Math.round(process.resourceUsage().maxRSS / 1024), outcomes })}\n`);

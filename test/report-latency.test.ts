// The contract report's latency per event type: every delivery the receiver got counted once, under its own type; older reports still render.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { schemasDir } from '../src/base/paths.js';
import { runContract } from '../src/contract/run.js';
import type { ContractReport } from '../src/contract/results.js';
import { resolveSettings } from '../src/contract/settings.js';
import { renderContractHtml } from '../src/report/contract/html.js';
import { latencyData } from '../src/report/contract/latency.js';
import { startServer } from './helpers/http.js';

/** refund.complete is answered after this long, every other type at once. */
const slowMs = 150;

test('each delivery once, by its type (a burst\'s too), its latency as the receiver made it; a report without recorded types renders, the burst left out', async () => {
  const server = await startServer((_req, res, body) => {
    let type: unknown;
    try {
      type = (JSON.parse(body.toString('utf8')) as { type?: unknown }).type;
    } catch {
      type = undefined;
    }
    setTimeout(() => res.writeHead(202).end(), type === 'refund.complete' ? slowMs : 0);
  });
  let report: ContractReport;
  try {
    const settings = resolveSettings(`${server.url}/hook`, {
      secrets: { test: ['tok_latency_4b8e2d'], live: [] },
      events: ['order.accepted', 'refund.complete'],
      mode: 'test',
      only: ['ack', 'idempotency', 'concurrency'],
      burst: 6,
      seed: 5,
    });
    report = await runContract(settings);
  } finally {
    await server.close();
  }
  // What the receiver got, by the type in the body: idempotency sends one event twice, the burst both types in turn.
  const received = new Map<string, number>();
  for (const request of server.requests) {
    const type = (JSON.parse(request.body.toString('utf8')) as { type: string }).type;
    received.set(type, (received.get(type) ?? 0) + 1);
  }
  assert.deepEqual([...received.keys()].sort(), ['order.accepted', 'refund.complete']);

  const data = latencyData(report);
  assert.equal(data.deadlineMs, 3000);
  assert.equal(data.untyped, 0);
  assert.deepEqual(data.types.map((entry) => [entry.type, entry.deliveries]), [['order.accepted', received.get('order.accepted')], ['refund.complete', received.get('refund.complete')]]);
  const drawn = Object.values(data.points).reduce((sum, points) => sum + points.length, 0);
  assert.equal(drawn, server.requests.length, 'one point per delivery the receiver got');
  assert.equal(data.points.timeout.length + data.points.error.length + data.points.other.length, 0, 'every delivery was answered 202');
  const slow = data.types[1]!;
  assert.ok(slow.p50 >= slowMs && slow.max >= slowMs, `refund.complete answered after ${slowMs} ms: p50 ${slow.p50}, max ${slow.max}`);
  assert.ok(slow.max < data.deadlineMs);
  for (const point of data.points.acknowledged) if (Math.round(point.y) === 1) assert.ok(point.x >= slowMs, `a refund.complete delivery at ${point.x} ms`);
  for (const point of data.points.acknowledged) assert.ok(Math.abs(point.y - Math.round(point.y)) <= 0.3 + 1e-9, 'a point stays in its strip');

  // A report written before each delivery's type was recorded: the schema still takes it, the burst's deliveries are
  // not guessed at, the other deliveries keep their case's type.
  const older = JSON.parse(JSON.stringify(report)) as ContractReport;
  for (const check of older.checks) for (const record of check.cases) for (const delivery of record.deliveries) delete delivery.request.eventType;
  const ajv = new Ajv2020({ allErrors: true, strict: true });
  addFormats.default(ajv);
  const validate = ajv.compile(JSON.parse(await readFile(path.join(schemasDir, 'report.schema.json'), 'utf8')) as object);
  assert.ok(validate(JSON.parse(JSON.stringify(report))), JSON.stringify(validate.errors));
  assert.ok(validate(older), JSON.stringify(validate.errors));
  const olderData = latencyData(older);
  assert.equal(olderData.untyped, 6);
  assert.equal(olderData.types.reduce((sum, entry) => sum + entry.deliveries, 0), server.requests.length - 6);
  const html = renderContractHtml(older);
  assert.ok(html.includes('<canvas id="chart-type-latency"'));
  assert.ok(html.includes('6 deliveries of cases that send several event types at once are left out'));
  assert.equal((html.match(/<tr data-type=/g) ?? []).length, 2);
});

// Shards add up exactly: a stream of samples split into N recorders and merged equals the whole stream's histograms bit for bit; the segments of a step cover its slots once each.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRecorder, encodeHistogram, halvesFrom, mergeEncoded, summarize, type Measurement } from '../src/load/stats.js';
import { parseSegment, parseStartAt, segmentPace, segmentShare } from '../src/load/shard.js';
import { UsageError } from '../src/base/errors.js';

/** A deterministic stream of deliveries: when each fell due, its latency and how it ended, at a fixed rate over 4 s. */
function stream(count: number): Array<{ dueSec: number; latencyMs: number; serviceMs: number; status: number; timedOut: boolean }> {
  let seed = 12345;
  const random = (): number => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
  return Array.from({ length: count }, (_, k) => {
    // A long tail: most fast, some slow, a few timed out, latency rising in the second half like a backlog.
    const base = 5 + random() * 40 + (random() < 0.05 ? 800 * random() : 0) + (k / count) * 30;
    return { dueSec: (k / count) * 4, latencyMs: base, serviceMs: base * 0.8, status: random() < 0.03 ? 503 : 202, timedOut: random() < 0.01 };
  });
}

/** Feeds deliveries into an encoding recorder on a fake clock: each is judged at its due time plus its latency. */
function record(samples: ReturnType<typeof stream>): Measurement {
  let clock = 0;
  const recorder = createRecorder(3000, { windowSec: 4, connections: 50, encode: true, now: () => clock });
  const ordered = [...samples].sort((a, b) => a.dueSec * 1000 + a.latencyMs - (b.dueSec * 1000 + b.latencyMs));
  for (const each of ordered) {
    clock = each.dueSec * 1000 + each.latencyMs;
    recorder.sent();
    if (each.timedOut) recorder.timedOut(each.dueSec, { serviceMs: 3000, inFlight: 3 });
    else recorder.answered(each.status, each.latencyMs, each.serviceMs, each.dueSec, 2);
  }
  clock = 4500;
  return recorder.finish(0);
}

test('N shard histograms merged equal the whole stream bit for bit: latency, service time, the halves and every second', () => {
  const all = stream(5000);
  const whole = record(all);
  for (const n of [2, 3, 7]) {
    // Round-robin, as the shards take the slots.
    const shards = Array.from({ length: n }, (_, s) => record(all.filter((_, k) => k % n === s)));
    const latency = mergeEncoded(shards.map((shard) => encodeHistogram(shard.histogram)));
    assert.deepEqual(encodeHistogram(latency), encodeHistogram(whole.histogram), `${n} shards: the latency histogram`);
    assert.deepEqual(summarize(latency), summarize(whole.histogram));
    assert.equal(latency.totalCount, all.length);
    const service = mergeEncoded(shards.map((shard) => encodeHistogram(shard.serviceHistogram!)));
    assert.deepEqual(encodeHistogram(service), encodeHistogram(whole.serviceHistogram!), `${n} shards: the service histogram`);

    const part = (name: 'early' | 'late' | 'third' | 'fourth') => mergeEncoded(shards.map((shard) => shard.encoded!.halves![name]));
    const halves = halvesFrom(2, { early: part('early'), late: part('late'), third: part('third'), fourth: part('fourth') });
    assert.deepEqual(halves, whole.halves, `${n} shards: the halves`);
    for (const name of ['early', 'late', 'third', 'fourth'] as const) assert.deepEqual(encodeHistogram(part(name)), whole.encoded!.halves![name]);

    assert.equal(whole.encoded!.seconds.length, whole.series.length);
    whole.series.forEach((sample, second) => {
      const merged = mergeEncoded(shards.map((shard) => shard.encoded!.seconds[second]));
      assert.deepEqual(encodeHistogram(merged), whole.encoded!.seconds[second], `${n} shards: second ${second}`);
      assert.equal(
        shards.reduce((sum, shard) => sum + (shard.series[second]?.completed ?? 0), 0),
        sample.completed,
      );
    });
    assert.equal(shards.reduce((sum, shard) => sum + shard.outcomes.timeouts, 0), whole.outcomes.timeouts);
    assert.equal(shards.reduce((sum, shard) => sum + shard.encoded!.bands!.light.count, 0), whole.encoded!.bands!.light.count);
  }
  // Not a check that cannot fail: half the stream is not the whole.
  const half = record(all.filter((_, k) => k % 2 === 0));
  assert.notDeepEqual(encodeHistogram(half.histogram), encodeHistogram(whole.histogram));
});

test("the shards' slots of a step are the whole step's, each once, at the whole step's times", () => {
  for (const [rate, slots] of [[50, 100], [30, 61], [7, 3], [100_000, 1_000_003]] as const) {
    for (const count of [1, 2, 3, 8]) {
      const times: number[] = [];
      for (let index = 1; index <= count; index++) {
        const own = segmentShare(slots, { index, count });
        const pace = segmentPace(rate, { index, count });
        if (slots < 1000) for (let i = 0; i < own; i++) times.push(pace.offsetMs + (i * 1000) / pace.rate);
        else times.length += own;
      }
      assert.equal(times.length, slots, `${slots} slots in ${count} shards`);
      if (slots < 1000) {
        const sorted = times.sort((a, b) => a - b);
        sorted.forEach((time, k) => assert.ok(Math.abs(time - (k * 1000) / rate) < 1e-6, `slot ${k} at ${time} ms, not ${(k * 1000) / rate}`));
      }
    }
  }
});

test('--shard and --start-at: bad values are usage errors that say what is expected', () => {
  assert.deepEqual(parseSegment('2/3'), { index: 2, count: 3 });
  for (const bad of ['0/3', '4/3', '3', '1/0', 'a/b', '1/1001']) assert.throws(() => parseSegment(bad), (error: unknown) => error instanceof UsageError && /--shard must be K\/N/.test(error.message));
  assert.equal(parseStartAt('2026-05-01T12:00:00Z').toISOString(), '2026-05-01T12:00:00.000Z');
  assert.equal(parseStartAt('2026-05-01T14:00:00.5+02:00').toISOString(), '2026-05-01T12:00:00.500Z');
  for (const bad of ['2026-05-01 12:00', '2026-05-01T12:00:00', 'tomorrow', '2026-13-01T12:00:00Z']) assert.throws(() => parseStartAt(bad), /--start-at must be an ISO 8601 time with its zone/);
});

// Benchmark: generating and validating events of the default suite's types, against json-schema-faker alone on the same types, one run.
import { generateSync } from 'json-schema-faker';
import { resolveSettings } from '../src/contract/settings.js';
import { generateEvent } from '../src/events/generate.js';
import { objectSchemaBundle } from '../src/events/schemas.js';

// Usage: node dist/bench/generate.bench.js  (BENCH_ROUNDS=7, BENCH_EVENTS=400 per side and round)
// Each round times, alternating which goes first, the same number of events of the default suite's event types in turn:
//   drhook:   generateEvent (json-schema-faker, dressing, lifecycle, validation), a new seed per event;
//   faker:    json-schema-faker alone on each type's raw bundle (every field, nothing dressed or checked): what making up
//             an object of the type costs the library drhook generates with;
//   parse:    JSON.parse of one generated event's text per type: a floor for building objects of that size at all.
// On a machine shared with other work absolute times swing; the ratios of one round much less, so medians of ratios
// are reported.

const rounds = Number(process.env.BENCH_ROUNDS ?? 7);
const perSide = Number(process.env.BENCH_EVENTS ?? 400);
const types = resolveSettings('http://127.0.0.1:9/bench', { unsigned: true }).events.map((event) => event.type);
const now = new Date('2024-05-01T12:00:00Z');
const fakerOptions = { optionalsProbability: 0.1, maxDepth: 12, useExamplesValue: true, maxDefaultItems: 2, minDateTime: '2020-01-01T00:00:00Z', maxDateTime: '2020-12-31T00:00:00Z' };
const bundles = types.map((type) => objectSchemaBundle(type));
const texts = types.map((type) => JSON.stringify(generateEvent(type, { seed: 1, now })));

let seed = 0;
const sides = {
  drhook: () => generateEvent(types[seed % types.length]!, { seed: seed++, now }),
  faker: () => generateSync(bundles[seed % types.length]!, { ...fakerOptions, seed: seed++ }),
  parse: () => JSON.parse(texts[seed++ % types.length]!) as unknown,
};
type Side = keyof typeof sides;

/** Microseconds per event over `perSide` events. */
function time(side: Side): number {
  const make = sides[side];
  const started = performance.now();
  for (let i = 0; i < perSide; i++) make();
  return ((performance.now() - started) * 1000) / perSide;
}

const median = (values: number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

for (const side of Object.keys(sides) as Side[]) time(side); // warm-up: JIT, schema compilation
const samples: Record<Side, number[]> = { drhook: [], faker: [], parse: [] };
const overFaker: number[] = [];
const overParse: number[] = [];
for (let round = 0; round < rounds; round++) {
  const order: Side[] = round % 2 === 0 ? ['drhook', 'faker', 'parse'] : ['parse', 'faker', 'drhook'];
  const us = {} as Record<Side, number>;
  for (const side of order) us[side] = time(side);
  for (const side of order) samples[side].push(us[side]);
  overFaker.push(us.drhook / us.faker);
  overParse.push(us.drhook / us.parse);
}
const bytes = texts.reduce((sum, text) => sum + text.length, 0) / texts.length;
const line = (side: Side, what: string) => {
  const us = median(samples[side]);
  return `${what.padEnd(44)} ${us.toFixed(0).padStart(6)} µs/event = ${(1e6 / us).toFixed(0).padStart(7)} events/s`;
};
process.stdout.write(
  [
    `${types.length} event types of the default suite in turn (${types.join(', ')}), ${bytes.toFixed(0)} bytes on average; ${rounds} rounds of ${perSide} events (median)`,
    line('drhook', 'drhook generateEvent (dressed, validated):'),
    line('faker', 'json-schema-faker alone, raw bundle:'),
    line('parse', 'JSON.parse of a generated event:'),
    `ratio drhook / json-schema-faker alone: ${median(overFaker).toFixed(2)}×`,
    `ratio drhook / JSON.parse:              ${median(overParse).toFixed(1)}×`,
  ].join('\n') + '\n',
);

// The `drhook generate` command: realistic, seeded Digital River events as NDJSON on stdout.
import { Option, type Command } from 'commander';
import { UsageError } from '../base/errors.js';
import { eventType } from '../catalog/events.js';
import type { DrEvent, Mode } from '../events/event.js';
import { currentApiVersion, eventSeed, eventSequence, maxItemCount, newSeed } from '../events/generate.js';
import { generateStory, storyKinds, storyTypes, type StoryKind } from '../events/story.js';
import { apiVersionOption, parseInteger, parseMode } from './options.js';
import { isDateTime } from '../events/schemas.js';

interface GenerateFlags {
  count: number;
  story?: string;
  seed?: number;
  mode: Mode;
  expanded?: boolean;
  now?: Date;
  items?: number;
  digitalriverVersion?: string;
}

export function register(program: Command): void {
  program
    .command('generate')
    .description('Print realistic Digital River events of the given types as NDJSON (one compact JSON event per line).')
    .argument('[types...]', 'event types, e.g. order.accepted refund.complete (drhook events lists them); with --story, only these steps of it')
    .addOption(new Option('--count <n>', 'events per type (all of the first type, then the next); with --story, stories').argParser(parseInteger('--count', { min: 1, max: 1_000_000 })).default(1))
    .addOption(new Option('--story <kind>', `one order's lifecycle in Digital River's order, every event about the same order, items and money (${storyKinds.join(', ')})`))
    .addOption(new Option('--seed <n>', 'seed for reproducible events (default: a random seed, printed to stderr)').argParser(parseInteger('--seed', { min: 0, max: Number.MAX_SAFE_INTEGER })))
    .addOption(new Option('--mode <mode>', 'data mode: test or live (sets liveMode)').argParser(parseMode).default('test'))
    .option('--expanded', 'the expanded form: items[].productDetails with physical and metadata (order.accepted, order.cancelled, order.refunded, fulfillment.created)')
    .addOption(new Option('--now <iso>', "the events' createdTime, e.g. 2024-05-01T12:00:00Z (default: the current time)").argParser(parseNow))
    .addOption(apiVersionOption(currentApiVersion))
    .addOption(new Option('--items <n>', 'exact number of line items of orders, fulfillments, invoices, subscriptions…').argParser(parseInteger('--items', { min: 1, max: maxItemCount })))
    .addHelpText(
      'after',
      [
        '',
        'Byte-identical output needs the same --seed AND the same --now (createdTime and every time inside',
        'the events derive from it), plus the same types, --count, --mode, --expanded, --items and drhook version.',
        'Without --seed, the seed used is written to stderr as "seed: N" so the run can be repeated.',
        '',
        'Example: drhook generate order.accepted refund.complete --count 100 --seed 42 --now 2024-05-01T12:00:00Z',
        '',
        'With --story order, the events of one order from authorization to refund, in the order Digital River sends',
        `them (${storyTypes('order').join(', ')}); --now is then the last one's createdTime, the others earlier.`,
        'Example: drhook generate --story order --seed 42',
      ].join('\n'),
    )
    .action(async (types: string[], flags: GenerateFlags) => {
      const seed = flags.seed ?? newSeed();
      if (flags.story !== undefined) return printStories(flags.story, types, seed, flags);
      if (types.length === 0) throw new UsageError('name at least one event type (drhook events lists them), or a story with --story order');
      const events = eventSequence(types, flags.count, {
        seed,
        mode: flags.mode,
        expanded: flags.expanded === true,
        ...(flags.now ? { now: flags.now } : {}),
        ...(flags.items !== undefined ? { itemCount: flags.items } : {}),
        ...(flags.digitalriverVersion ? { digitalriverVersion: flags.digitalriverVersion } : {}),
      });
      // Unknown types and unusable options surface before the seed is announced or anything is printed.
      const first = events.next();
      if (flags.seed === undefined) process.stderr.write(`seed: ${seed}\n`);
      await writeLines(first.done ? [] : [first.value], events);
    });
}

/** `--count` stories of `kind` (only the steps `types` names, when it names some), one event per line in story order. */
async function printStories(kind: string, types: string[], seed: number, flags: GenerateFlags): Promise<void> {
  if (!(storyKinds as readonly string[]).includes(kind)) throw new UsageError(`--story must be one of ${storyKinds.join(', ')}, got '${kind}'`);
  const storyKind = kind as StoryKind;
  const steps = types.length > 0 ? types : [...storyTypes(storyKind)];
  const expanded = flags.expanded === true ? steps.filter((type) => eventType(type).expandedSchema !== undefined) : [];
  const options = {
    mode: flags.mode,
    types: steps,
    expanded,
    ...(flags.now ? { now: flags.now } : {}),
    ...(flags.items !== undefined ? { itemCount: flags.items } : {}),
    ...(flags.digitalriverVersion ? { digitalriverVersion: flags.digitalriverVersion } : {}),
  };
  function* events(): Generator<DrEvent> {
    for (let index = 0; index < flags.count; index++) yield* generateStory(storyKind, { ...options, seed: eventSeed(seed, index) }).events;
  }
  const sequence = events();
  const first = sequence.next();
  if (flags.seed === undefined) process.stderr.write(`seed: ${seed}\n`);
  await writeLines(first.done ? [] : [first.value], sequence);
}

function parseNow(value: string): Date {
  if (!isDateTime(value.trim())) {
    throw new UsageError(`--now must be an ISO 8601 date-time such as 2024-05-01T12:00:00Z, got '${value}'`);
  }
  return new Date(value.trim());
}

/** Writes one JSON line per event, waiting when stdout is full; stops quietly if the reader goes away (| head). */
async function writeLines(head: readonly unknown[], rest: Iterator<unknown>): Promise<void> {
  const out = process.stdout;
  let closed = false;
  let failure: Error | undefined;
  out.on('error', (error: NodeJS.ErrnoException) => {
    closed = true;
    if (error.code !== 'EPIPE') failure = error;
  });
  const batch: string[] = head.map((event) => JSON.stringify(event));
  for (let next = rest.next(); !closed; next = rest.next()) {
    if (!next.done) batch.push(JSON.stringify(next.value));
    if (batch.length < 64 && !next.done) continue;
    if (batch.length > 0 && !out.write(`${batch.join('\n')}\n`)) await drained(out);
    batch.length = 0;
    if (next.done) break;
  }
  if (failure) throw failure;
}

function drained(stream: NodeJS.WriteStream): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      stream.off('drain', done);
      stream.off('close', done);
      resolve();
    };
    stream.on('drain', done);
    stream.on('close', done);
  });
}

// The `drhook generate` command: realistic, seeded Digital River events as NDJSON on stdout.
import { Option, type Command } from 'commander';
import { UsageError } from '../base/errors.js';
import type { Mode } from '../events/event.js';
import { eventSequence, maxItemCount, newSeed } from '../events/generate.js';
import { parseInteger, parseMode } from './options.js';
import { isDateTime } from '../events/schemas.js';

interface GenerateFlags {
  count: number;
  seed?: number;
  mode: Mode;
  expanded?: boolean;
  now?: Date;
  items?: number;
}

export function register(program: Command): void {
  program
    .command('generate')
    .description('Print realistic Digital River events of the given types as NDJSON (one compact JSON event per line).')
    .argument('<types...>', 'event types, e.g. order.accepted refund.complete (drhook events lists them)')
    .addOption(new Option('--count <n>', 'events per type (all of the first type, then the next)').argParser(parseInteger('--count', { min: 1, max: 1_000_000 })).default(1))
    .addOption(new Option('--seed <n>', 'seed for reproducible events (default: a random seed, printed to stderr)').argParser(parseInteger('--seed', { min: 0, max: Number.MAX_SAFE_INTEGER })))
    .addOption(new Option('--mode <mode>', 'data mode: test or live (sets liveMode)').argParser(parseMode).default('test'))
    .option('--expanded', 'the expanded form: items[].productDetails with physical and metadata (order.accepted, order.cancelled, order.refunded, fulfillment.created)')
    .addOption(new Option('--now <iso>', "the events' createdTime, e.g. 2024-05-01T12:00:00Z (default: the current time)").argParser(parseNow))
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
      ].join('\n'),
    )
    .action(async (types: string[], flags: GenerateFlags) => {
      const seed = flags.seed ?? newSeed();
      const events = eventSequence(types, flags.count, {
        seed,
        mode: flags.mode,
        expanded: flags.expanded === true,
        ...(flags.now ? { now: flags.now } : {}),
        ...(flags.items !== undefined ? { itemCount: flags.items } : {}),
      });
      // Unknown types and unusable options surface before the seed is announced or anything is printed.
      const first = events.next();
      if (flags.seed === undefined) process.stderr.write(`seed: ${seed}\n`);
      await writeLines(first.done ? [] : [first.value], events);
    });
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

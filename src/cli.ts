#!/usr/bin/env node
// The `drhook` command line: registers each command and turns every failure into a message and an exit code.
import { Command, CommanderError } from 'commander';
import { printable, UsageError } from './base/errors.js';
import { version } from './base/paths.js';
import { createRedactor } from './wire/redact.js';
import { commandLineSecrets } from './wire/secrets.js';

// A reader that stops early (`drhook contract --help | head`) closes the pipe: output is then dropped, never a crash,
// and a run goes on to write its reports and exit with its verdict.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code !== 'EPIPE' && error.code !== 'ERR_STREAM_DESTROYED') throw error;
});

// Every error line passes through this: a message may quote the command line or a failure that saw a secret.
const redact = createRedactor(commandLineSecrets(process.argv, process.env));

const commanderUnknownOption = (Command.prototype as unknown as { unknownOption(this: Command, flag: string): void }).unknownOption;

/**
 * Commands whose unknown-option error judges the option's name alone: `--timout-ms=3000` gets the same "did you mean
 * --timeout-ms?" as `--timout-ms 3000`, and what follows `=` is never quoted (it may be a secret under a misspelt name).
 */
class DrhookCommand extends Command {
  override createCommand(name?: string): Command {
    return new DrhookCommand(name);
  }

  /** Commander's hook (not in its type declarations), called by its parser with the argument as typed. */
  unknownOption(flag: string): void {
    commanderUnknownOption.call(this, flag.startsWith('--') ? flag.replace(/=[\s\S]*$/, '') : flag);
  }
}

const program = new DrhookCommand('drhook')
  .description('Signed Digital River webhook events, a contract gate and load tests for your webhook receiver.')
  .version(version)
  .exitOverride()
  .showSuggestionAfterError(true)
  // One line, as every usage error: `drhook: unknown option '--timout-ms' (did you mean --timeout-ms?)`.
  .configureOutput({ outputError: (message, write) => write(`drhook: ${printable(redact(oneLine(message)))}\n`) });

/**
 * The commands, in the order help lists them, each loaded when asked for: a run loads its own command's code only (a
 * `send` never loads the load engine); help and unknown names load them all.
 */
const commands: Record<string, () => Promise<{ register(program: Command): void }>> = {
  events: () => import('./commands/events.js'),
  generate: () => import('./commands/generate.js'),
  validate: () => import('./commands/validate.js'),
  sign: () => import('./commands/sign.js'),
  send: () => import('./commands/send.js'),
  serve: () => import('./commands/serve.js'),
  contract: () => import('./commands/contract.js'),
  load: () => import('./commands/load.js'),
  report: () => import('./commands/report.js'),
  merge: () => import('./commands/merge.js'),
};
// The only options before a command are --help and --version, so the first word that is not an option names it.
const named = process.argv.slice(2).find((word) => !word.startsWith('-'));
const wanted = named !== undefined && Object.hasOwn(commands, named) ? [named] : Object.keys(commands);
for (const name of wanted) (await commands[name]!()).register(program);

try {
  await program.parseAsync(process.argv);
} catch (error) {
  process.exitCode = exitCodeFor(error);
}

function oneLine(message: string): string {
  return message
    .replace(/^error: /, '')
    .replace(/\n\(Did you mean (.+)\?\)/, ' (did you mean $1?)')
    .trim()
    .replace(/\s*\n\s*/g, ' ');
}

function exitCodeFor(error: unknown): number {
  if (error instanceof CommanderError) {
    // Help and version are successful exits; every other parse failure is a usage error.
    return error.code === 'commander.helpDisplayed' || error.code === 'commander.version' || error.code === 'commander.help'
      ? 0
      : 2;
  }
  if (error instanceof UsageError) {
    process.stderr.write(`drhook: ${printable(redact(error.message))}\n`);
    return error.exitCode;
  }
  const message = error instanceof Error ? error.message : String(error);
  process.stderr.write(`drhook: unexpected failure: ${printable(redact(message))}\n`);
  if (process.env.DRHOOK_DEBUG && error instanceof Error) process.stderr.write(`${redact(error.stack ?? '')}\n`);
  return 70;
}

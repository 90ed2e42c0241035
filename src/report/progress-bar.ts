// The progress bar runs draw on stderr: none off a TTY, cleared when done, and Ctrl-C left to the command.
import cliProgress from 'cli-progress';

/** A bar on `stream` drawn with `format` (cli-progress placeholders), or undefined when `stream` is not a TTY. */
export function createBar(stream: NodeJS.WriteStream, format: string, barsize: number): cliProgress.SingleBar | undefined {
  if (!stream.isTTY) return undefined;
  return new cliProgress.SingleBar({
    stream,
    format,
    barsize,
    clearOnComplete: true,
    hideCursor: null,
    // The command decides what Ctrl-C does (write the partial report); the bar must not take over SIGINT.
    gracefulExit: false,
  });
}

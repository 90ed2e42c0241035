// Reads a file a command names, or stdin for "-": its text, or a usage error that says what went wrong.
import { readFile } from 'node:fs/promises';
import { UsageError } from '../base/errors.js';

/** The text of `file` (stdin for `-`), without a byte order mark; `example` shows how to pipe input in. */
export async function readInput(file: string, example: string): Promise<string> {
  try {
    if (file !== '-') return (await readFile(file, 'utf8')).replace(/^\uFEFF/, '');
    if (process.stdin.isTTY) throw new UsageError(`nothing on stdin: pipe it in (${example})`);
    const chunks: Buffer[] = [];
    for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks).toString('utf8').replace(/^\uFEFF/, '');
  } catch (error) {
    if (error instanceof UsageError) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    const reason = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'it is a directory' : code === 'EACCES' ? 'permission denied' : (code ?? (error as Error).message);
    throw new UsageError(`cannot read ${file === '-' ? 'stdin' : file}: ${reason}`);
  }
}

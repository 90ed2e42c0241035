// `drhook serve` as a child process: started on 127.0.0.1 with a free port, stopped with SIGINT, with what it printed.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export interface ServeOutput {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface ServeProcess {
  /** The webhook endpoint it announced. */
  url: string;
  /** Sends SIGINT and resolves once it exited (idempotent). */
  stop(): Promise<ServeOutput>;
}

const cliPath = fileURLToPath(new URL('../../src/cli.js', import.meta.url));

/** Starts `drhook serve --port 0 …args` and resolves when it has announced its URL; rejects if it does not within `startMs`. */
export function startServeCli(args: readonly string[], env: Record<string, string>, startMs = 15_000): Promise<ServeProcess> {
  const child = spawn(process.execPath, [cliPath, 'serve', '--port', '0', '--host', '127.0.0.1', ...args], {
    env: { ...process.env, NO_COLOR: '1', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<ServeOutput>((resolve) => child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr })));
  let stopping: Promise<ServeOutput> | undefined;
  const stop = (): Promise<ServeOutput> => {
    stopping ??= (child.exitCode === null && child.signalCode === null && child.kill('SIGINT'), exited);
    return stopping;
  };
  return new Promise<ServeProcess>((resolve, reject) => {
    const timer = setTimeout(() => {
      void stop();
      reject(new Error(`drhook serve announced no URL within ${startMs} ms: ${stdout}${stderr}`));
    }, startMs);
    const onData = (): void => {
      const url = /^drhook receiver at (http:\/\/127\.0\.0\.1:\d+\/\S+)/m.exec(stdout)?.[1];
      if (url === undefined) return;
      clearTimeout(timer);
      child.stdout.off('data', onData);
      resolve({ url, stop });
    };
    child.stdout.on('data', onData);
    void exited.then((output) => {
      clearTimeout(timer);
      reject(new Error(`drhook serve exited before announcing its URL (code ${output.code}): ${output.stderr}`));
    });
  });
}

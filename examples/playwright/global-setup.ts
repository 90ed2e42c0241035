// Starts a receiver for the example: drhook's reference receiver (`drhook serve`), unless DRHOOK_URL names your own.
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

/** In your own project this is `npx drhook serve`; here it is the repository's build. */
const cli = fileURLToPath(new URL('../../dist/src/cli.js', import.meta.url));

export default async function globalSetup(): Promise<(() => Promise<void>) | undefined> {
  if (process.env.DRHOOK_URL) return undefined;
  // The tokens come from the environment (playwright.config.ts sets them), never from the command line.
  const receiver = spawn(process.execPath, [cli, 'serve', '--port', '0', '--quiet'], { stdio: ['ignore', 'pipe', 'inherit'] });
  const firstLine = await new Promise<string>((resolve, reject) => {
    receiver.once('error', reject);
    receiver.once('exit', (code) => reject(new Error(`drhook serve exited with ${code}`)));
    createInterface({ input: receiver.stdout }).once('line', resolve);
  });
  const url = /https?:\/\/\S+/.exec(firstLine)?.[0];
  if (url === undefined) throw new Error(`drhook serve did not say where it listens: ${firstLine}`);
  process.env.DRHOOK_URL = url;
  return async () => {
    receiver.removeAllListeners('exit');
    const exited = new Promise((resolve) => receiver.once('exit', resolve));
    receiver.kill('SIGTERM');
    await exited;
  };
}

#!/usr/bin/env node
// Finds the Chromium the browser tests drive (DRHOOK_CHROMIUM, CHROMIUM_PATH, or the system's); without one, names the install command.
import { accessSync, constants } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const installCommand = 'apt-get update && apt-get install -y chromium';

const systemPaths = ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome', '/usr/bin/google-chrome-stable', '/snap/bin/chromium'];

/** The flags a headless Chromium needs in containers and CI, with nothing fetched from the network. */
export const chromiumArgs = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'];

function executable(file) {
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/**
 * The Chromium executable: the one an environment variable names (which must exist), else the first system one.
 * @returns {{ path: string } | { error: string }}
 */
export function findChromium(env = process.env) {
  for (const name of ['DRHOOK_CHROMIUM', 'CHROMIUM_PATH']) {
    const given = env[name];
    if (given) return executable(given) ? { path: given } : { error: `${name}=${given} is not an executable Chromium; install one with: ${installCommand}` };
  }
  const found = systemPaths.find(executable);
  return found ? { path: found } : { error: `no Chromium found for the browser tests; install it with: ${installCommand} (or set DRHOOK_CHROMIUM)` };
}

// `node scripts/chromium.mjs` prints the executable, or the one line saying how to get one and exits 1.
if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const chromium = findChromium();
  if ('path' in chromium) process.stdout.write(`${chromium.path}\n`);
  else {
    process.stderr.write(`drhook: ${chromium.error}\n`);
    process.exitCode = 1;
  }
}

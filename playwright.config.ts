// Playwright runs the browser tests of report.html (test/browser) in the system's headless Chromium; it downloads nothing.
import { defineConfig } from '@playwright/test';
import { chromiumArgs, findChromium } from './scripts/chromium.mjs';

const chromium = findChromium();
if ('error' in chromium) {
  process.stderr.write(`drhook: ${chromium.error}\n`);
  process.exit(1);
}

export default defineConfig({
  testDir: 'test/browser',
  testMatch: '*.spec.ts',
  outputDir: 'test-results',
  reporter: 'list',
  workers: 2,
  retries: 0,
  forbidOnly: Boolean(process.env.CI),
  timeout: 60_000,
  use: {
    browserName: 'chromium',
    headless: true,
    viewport: { width: 1280, height: 900 },
    launchOptions: { executablePath: chromium.path, args: chromiumArgs },
  },
});

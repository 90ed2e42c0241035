// The example's Playwright configuration: where the receiver is, and the signing tokens it verifies.
import { defineConfig } from '@playwright/test';
import type { WebhookOptions } from 'drhook/playwright';

// The tokens your receiver verifies signatures with. The example's own receiver is started with these; against your
// receiver, export DRHOOK_TEST_SECRET and DRHOOK_LIVE_SECRET (and DRHOOK_URL) instead.
process.env.DRHOOK_TEST_SECRET ??= 'example-test-token-4f7d1c';
process.env.DRHOOK_LIVE_SECRET ??= 'example-live-token-9a2e6b';

export default defineConfig<WebhookOptions>({
  testDir: './tests',
  // Starts drhook's reference receiver unless DRHOOK_URL names one, and sets DRHOOK_URL for the tests.
  globalSetup: './global-setup.ts',
  reporter: 'list',
  workers: 2,
  retries: process.env.CI ? 1 : 0,
  use: {
    // Read when each worker starts, after the global setup; the fixture would fall back to DRHOOK_URL anyway.
    webhookUrl: process.env.DRHOOK_URL,
    webhookDeadlineMs: 3000,
  },
});

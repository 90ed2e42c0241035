// Playwright's `test` extended with the webhook options, the `webhook` fixture and the per-worker state of contract suites.
import { test as base } from '@playwright/test';
import type { AuthConfig } from '../wire/auth.js';
import type { SchemeName, SignatureLayout } from '../wire/signing.js';
import { secretsFromEnv, type WebhookSecrets } from './config.js';
import type { SuiteRuntimes } from './runtime.js';
import { createWebhook, type Webhook } from './webhook.js';

/** Set them in `use` of playwright.config.ts (per project, or with test.use). */
export interface WebhookOptions {
  /** The receiver endpoint. Default: the DRHOOK_URL environment variable. */
  webhookUrl: string | undefined;
  /** Signing tokens per data mode, newest first. Default: DRHOOK_TEST_SECRET and DRHOOK_LIVE_SECRET. */
  webhookSecrets: WebhookSecrets;
  /** How deliveries authenticate: `{ kind: 'basic', username, password }` or `{ kind: 'oauth', … }`. Default: the scenario's. */
  webhookAuth: AuthConfig | undefined;
  /** A complete answer later than this is a timeout. Default: the scenario's, 3000. */
  webhookDeadlineMs: number | undefined;
  /** Signature age the receiver accepts; `stale-signature` signs one older. Default: the scenario's, 300. */
  webhookToleranceSec: number | undefined;
  /** `digitalriver`, `stripe` or `standard-webhooks`. Default: the scenario's, digitalriver. */
  webhookScheme: SchemeName | undefined;
  /** How the digitalriver signature header is written. Default: the scenario's. */
  webhookSignatureLayout: Partial<SignatureLayout> | undefined;
  /** Extra request headers (credentials go in webhookAuth). */
  webhookHeaders: Record<string, string> | undefined;
  /** A scenario file or bundled scenario name for the defaults above. */
  webhookScenario: string | undefined;
}

export interface WebhookFixtures {
  webhook: Webhook;
}

export interface WebhookWorkerFixtures {
  /** The contract suites' per-worker state (see defineContractSuite). */
  drhookContractRuntimes: SuiteRuntimes;
}

export const test = base.extend<WebhookOptions & WebhookFixtures, WebhookWorkerFixtures>({
  webhookUrl: [process.env.DRHOOK_URL || undefined, { option: true }],
  webhookSecrets: [secretsFromEnv(), { option: true }],
  webhookAuth: [undefined, { option: true }],
  webhookDeadlineMs: [undefined, { option: true }],
  webhookToleranceSec: [undefined, { option: true }],
  webhookScheme: [undefined, { option: true }],
  webhookSignatureLayout: [undefined, { option: true }],
  webhookHeaders: [undefined, { option: true }],
  webhookScenario: [undefined, { option: true }],
  webhook: async (
    { webhookUrl, webhookSecrets, webhookAuth, webhookDeadlineMs, webhookToleranceSec, webhookScheme, webhookSignatureLayout, webhookHeaders, webhookScenario },
    use,
    testInfo,
  ) => {
    const client = createWebhook({
      url: webhookUrl,
      secrets: webhookSecrets,
      auth: webhookAuth,
      deadlineMs: webhookDeadlineMs,
      toleranceSec: webhookToleranceSec,
      scheme: webhookScheme,
      signatureLayout: webhookSignatureLayout,
      headers: webhookHeaders,
      scenario: webhookScenario,
    });
    try {
      await use(client);
    } finally {
      await client.close();
    }
    // What was sent and what came back, for the report of a test that did not end as expected.
    if (testInfo.status !== testInfo.expectedStatus && client.deliveries.length > 0) {
      await testInfo.attach('webhook-deliveries.json', { body: JSON.stringify(client.deliveries, null, 2), contentType: 'application/json' });
    }
  },
  drhookContractRuntimes: [
    async ({}, use) => {
      const runtimes: SuiteRuntimes = new Map();
      await use(runtimes);
      await Promise.all([...runtimes.values()].map((runtime) => runtime.close()));
    },
    { scope: 'worker' },
  ],
});

// drhook for Playwright Test: `import { test, expect, defineContractSuite } from 'drhook/playwright'`.
import { expect as base } from '@playwright/test';
import { webhookMatchers } from './playwright/matchers.js';

export { test, type WebhookFixtures, type WebhookOptions } from './playwright/fixtures.js';
export { defineContractSuite, type ContractSuiteOptions } from './playwright/suite.js';
export type { WebhookSecrets } from './playwright/config.js';
export type { Judged } from './playwright/matchers.js';
export type { Malformation, SendOptions, Webhook, WebhookDelivery, WebhookFault } from './playwright/webhook.js';

/** Playwright's expect with `toBeAcknowledged()` and `toBeRejectedWith(status, body?)` for what `webhook.send` returns. */
export const expect = base.extend(webhookMatchers);

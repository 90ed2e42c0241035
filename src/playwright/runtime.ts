// What a contract suite keeps in a Playwright worker per receiver: auth, engine, and each case's deliveries once made.
import { createAuth, type AuthProvider } from '../wire/auth.js';
import { deliverCase, judgeCase } from '../contract/case.js';
import type { PlannedCase } from '../contract/family.js';
import { createSender } from '../contract/request.js';
import type { CaseRecord, DeliveryRecord } from '../contract/results.js';
import type { ContractSettings } from '../contract/settings.js';
import { createDeliveryEngine, type DeliveryEngine } from '../wire/delivery.js';
import { createRedactor } from '../wire/redact.js';
import { redactStrings } from '../wire/redact-strings.js';

export interface SuiteRuntime {
  /** The suite's settings with the receiver's URL. */
  readonly settings: ContractSettings;
  /**
   * Delivers `planned` and, for a rejection case, its `control` first (each planned case, by seed and key, once per
   * worker, so the cases of one type and mode share their control as in `drhook contract`), then judges it. Records
   * are redacted.
   */
  run(settings: ContractSettings, planned: PlannedCase, control: PlannedCase | undefined): Promise<CaseRecord[]>;
  close(): Promise<void>;
}

/** Runtimes of the suites in a worker, by suite and receiver URL; closed when the worker ends. */
export type SuiteRuntimes = Map<string, SuiteRuntime>;

/** `settings` gives what every check of the suite shares: the receiver, auth, TLS, concurrency and deadline. */
export function createSuiteRuntime(settings: ContractSettings): SuiteRuntime {
  const tls = { ...(settings.tls.ca ? { ca: settings.tls.ca } : {}), insecure: settings.tls.insecure };
  const auth: AuthProvider = createAuth(settings.auth, { deadlineMs: settings.deadlineMs, ...tls });
  const engine: DeliveryEngine = createDeliveryEngine({ concurrency: settings.concurrency, deadlineMs: settings.deadlineMs, ...tls });
  const delivered = new Map<string, Promise<DeliveryRecord[]>>();

  const deliver = (caseSettings: ContractSettings, planned: PlannedCase): Promise<DeliveryRecord[]> => {
    const key = `${caseSettings.seed} ${planned.key}`;
    let deliveries = delivered.get(key);
    if (deliveries === undefined) {
      deliveries = (async () => {
        const sender = createSender(caseSettings, auth);
        // A burst is measured on an engine of its own size, as the runner does.
        if (!planned.simultaneous) return (await deliverCase(sender, engine, planned)) ?? interrupted();
        const burst = createDeliveryEngine({ concurrency: planned.deliveries.length, deadlineMs: caseSettings.deadlineMs, ...tls });
        try {
          return (await deliverCase(sender, burst, planned)) ?? interrupted();
        } finally {
          await burst.close();
        }
      })();
      delivered.set(key, deliveries);
    }
    return deliveries;
  };

  return {
    settings,
    async run(caseSettings, planned, control) {
      const controlOutcome = control === undefined ? undefined : (await deliver(caseSettings, control))[0]?.outcome;
      const records = judgeCase(caseSettings, planned, await deliver(caseSettings, planned), controlOutcome);
      return redactStrings(records, createRedactor(createSender(caseSettings, auth).secrets()));
    },
    async close() {
      await engine.close();
    },
  };
}

function interrupted(): never {
  throw new Error('the delivery was interrupted before the receiver answered');
}

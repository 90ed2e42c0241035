// drhook as a library: generate, sign, deliver and judge Digital River webhook events from your own code.
export type { DrEvent, Mode } from './event.js';
export type { DeliveryOutcome, BodyExcerpt, ErrorCause } from './outcome.js';
export type { Verdict, VerdictStatus } from './verdict.js';
export { eventTypes, eventType, categories, type EventTypeInfo } from './catalog.js';
export { validateEvent, objectSchemaBundle, fieldSchema, type Violation } from './schemas.js';
export { generateEvent, generateEvents, newSeed, type GenerateOptions } from './generate.js';
export {
  signatureHeaders,
  createSigner,
  verifySignature,
  describeLayout,
  schemeNames,
  type SchemeName,
  type SignatureLayout,
  type VerifyResult,
} from './signing.js';
export { resolveSecrets, type ModeSecrets } from './secrets.js';
export { createRedactor } from './redact.js';
export { createDeliveryEngine, type DeliveryEngine, type DeliveryRequest } from './delivery.js';
export { createAuth, type AuthConfig, type AuthProvider } from './auth.js';
export { judgeAcknowledgement } from './ack.js';
export { loadScenario, parseScenario, type Scenario } from './scenario.js';
export { checkIds, checks, type CheckId } from './contract/catalog.js';
export { resolveSettings, type ContractOptions, type ContractSettings } from './contract/settings.js';
export { runContract } from './contract/run.js';
export type { ContractReport, CheckResult, CaseRecord } from './contract/results.js';
export { startReceiver, type ReceiverOptions, type RunningReceiver } from './receiver/server.js';
export { faultNames, type FaultName } from './receiver/faults.js';
export { resolveLoadSettings, type LoadOptions, type LoadSettings } from './load/settings.js';
export { runLoad } from './load/run.js';
export type { LoadReport } from './load/report.js';

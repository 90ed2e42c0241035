// drhook as a library: generate, sign, deliver and judge Digital River webhook events from your own code.
export type { DrEvent, Mode } from './events/event.js';
export type { DeliveryOutcome, BodyExcerpt, ErrorCause } from './wire/outcome.js';
export type { Verdict, VerdictStatus } from './wire/verdict.js';
export { eventTypes, eventType, categories, type EventTypeInfo } from './catalog/events.js';
export { validateEvent, objectSchemaBundle, fieldSchema, type Violation } from './events/schemas.js';
export { generateEvent, generateEvents, newSeed, type GenerateOptions } from './events/generate.js';
export {
  stories,
  generateStory,
  storySteps,
  storyTypes,
  storyKinds,
  type Story,
  type StoryKind,
  type StoryOptions,
  type StoriesOptions,
  type StoryStep,
  type StoryWeights,
} from './events/story.js';
export {
  signatureHeaders,
  createSigner,
  verifySignature,
  describeLayout,
  schemeNames,
  signatureForms,
  connectorLayout,
  type SignatureForm,
  type SchemeName,
  type SignatureLayout,
  type VerifyResult,
} from './wire/signing.js';
export { resolveSecrets, type ModeSecrets } from './wire/secrets.js';
export { createRedactor } from './wire/redact.js';
export { createDeliveryEngine, type DeliveryEngine, type DeliveryRequest } from './wire/delivery.js';
export { createAuth, type AuthConfig, type AuthProvider } from './wire/auth.js';
export { judgeAcknowledgement } from './wire/ack.js';
export { loadScenario, parseScenario, type Scenario } from './scenario/scenario.js';
export { checkIds, checks, type CheckId } from './catalog/checks.js';
export { resolveSettings, type ContractOptions, type ContractSettings, type MutationDepth } from './contract/settings.js';
export { runContract, type RunOptions, type RunPlan } from './contract/run.js';
export type { ContractReport, CheckResult, CaseRecord, DiscoveredContract, DiscoveredType, BaselineComparison, BaselineCase } from './contract/results.js';
export { baselineOf, compareWithBaseline, failureKey, parseBaseline, withBaseline, type ContractBaseline, type BaselineFailure } from './contract/baseline.js';
export { validEvents, mutations, type ProbeOptions, type ValidProbe, type MutatedProbe, type ProbeMutation } from './contract/probes.js';
export { mutationKinds, type MutationKind } from './events/mutations.js';
export { startReceiver, type ReceiverOptions, type RunningReceiver } from './receiver/server.js';
export { faultNames, type FaultName } from './receiver/faults.js';
export { resolveLoadSettings, type LoadOptions, type LoadSettings } from './load/settings.js';
export { runLoad } from './load/run.js';
export { mergeShards, type ShardInput } from './load/merge.js';
export type { LoadReport } from './load/report.js';

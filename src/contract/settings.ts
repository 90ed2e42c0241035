// The effective settings of a contract run: the scenario file, overridden by whatever the flags (or the caller) give.
import type { AuthConfig } from '../wire/auth.js';
import { eventType } from '../catalog/events.js';
import { closestMatch } from '../base/did-you-mean.js';
import { UsageError } from '../base/errors.js';
import type { DrEvent, Mode } from '../events/event.js';
import { checkCapturedEvent } from '../events/captured.js';
import { defaultRequires, type KnownIds, type MutationDepth, type Scenario } from '../scenario/scenario.js';
import {
  checkSharedSettings,
  checkTokens,
  describeAuth,
  describeTls,
  reportedHeaders,
  resolveSharedSettings,
  secretHeaderName,
  sharedSecrets,
  type SharedOptions,
  type SharedSettings,
} from '../scenario/settings.js';
import { MissingTokensError, type ModeSecrets } from '../wire/secrets.js';
import { describeLayout } from '../wire/signing.js';
import { checkIds, checks as catalog, isCheckId, type CheckId } from '../catalog/checks.js';

export type RunMode = 'test' | 'live' | 'both';

export type { MutationDepth };

/** The budget when neither the scenario nor --mutations sets one. */
export const DEFAULT_MUTATION_BUDGET = 6000;

export interface EventSetting {
  type: string;
  /** JSON pointers into data.object of the fields the receiver depends on. */
  requires: readonly string[];
  /** Share of this type in load tests. */
  weight: number;
  expanded: boolean;
}

export interface CheckPolicy {
  /** A failing case fails the gate (else it is a warning). */
  required: boolean;
  /** For checks about a rejection: the statuses that pass. */
  allowedStatuses?: readonly number[];
}

/** The shared settings (target, signing layout, auth, headers, TLS, deadline, seed) and the contract's own. */
export interface ContractSettings extends SharedSettings {
  events: EventSetting[];
  /** The checks to run, in catalog order. */
  checks: CheckId[];
  policies: Record<CheckId, CheckPolicy>;
  /** Resources the receiver knows: the events of every check but environment.unknown-resource are about them. */
  knownIds: Readonly<KnownIds>;
  /** Run only this case (`<check>/<event type>/<mode>/<fault>`). */
  caseId?: string;
  mode: RunMode;
  /** The signing tokens per mode: every mode the run sends has one unless the run is unsigned (then none has). */
  secrets: ModeSecrets;
  /** Asked for explicitly: every event goes without a signature and no signature check runs. */
  unsigned: boolean;
  toleranceSec: number;
  burst: number;
  concurrency: number;
  mutations: MutationDepth;
  /**
   * Captured events by type (--events-from): the valid events of their types, from which the cases of every check but
   * environment.unknown-resource and payload.large are made instead of generated events. Only the run's types; empty
   * without captures.
   */
  captured: Readonly<Record<string, readonly DrEvent[]>>;
  /** The files the captured events came from, as given. */
  capturedFrom: readonly string[];
  /** Flags every reproduce command repeats: the scenario file and the overrides of it that are not secrets. */
  reproduceFlags: string[];
}

/** What a caller may override; everything left out comes from the scenario (the bundled default without one). */
export interface ContractOptions extends SharedOptions {
  events?: readonly string[];
  /** Check ids, or a family such as `signature` for all of its checks. */
  only?: readonly string[];
  skip?: readonly string[];
  caseId?: string;
  /** Replaces the scenario's knownIds.order. */
  knownOrderIds?: readonly string[];
  mode?: RunMode;
  /** Send every event without a signature, for a receiver that does not verify them: no signature check runs. */
  unsigned?: boolean;
  toleranceSec?: number;
  burst?: number;
  concurrency?: number;
  mutations?: MutationDepth;
  /** Captured events to use as the valid events of their types, and the files they came from (for reproduce commands). */
  eventsFrom?: { files: readonly string[]; events: readonly DrEvent[] };
}

/** Header names whose values are treated as secrets (masked in reports and messages, never repeated in reproduce commands). */
export { secretHeaderName };

/**
 * Checks every value before anything is sent: a problem is a UsageError naming it. The shared settings (and the
 * tokens' length) are resolved by resolveSharedSettings, as for load; the contract adds its checks, events, mode and
 * signing rule (a token for every mode sent, unless unsigned).
 */
export function resolveSettings(url: string, options: ContractOptions = {}, env: NodeJS.ProcessEnv = process.env): ContractSettings {
  const { shared, secrets, scenario } = resolveSharedSettings(url, options, env);
  const number = (name: string, value: number | undefined, fallback: number, min: number, max: number): number => {
    const chosen = value ?? fallback;
    if (!Number.isSafeInteger(chosen) || chosen < min || chosen > max) throw new UsageError(`${name} must be a whole number from ${min} to ${max}, got ${chosen}`);
    return chosen;
  };
  const toleranceSec = number('--tolerance', options.toleranceSec, scenario.toleranceSec, 1, 86_400);
  const burst = number('--burst', options.burst, scenario.burst, 1, 1024);
  const concurrency = number('--concurrency', options.concurrency, scenario.concurrency, 1, 1024);

  const captured = groupCaptured(options.eventsFrom?.events ?? []);
  const settings: ContractSettings = {
    ...shared,
    events: resolveEvents(scenario, options.events ?? (options.eventsFrom ? Object.keys(captured) : undefined)),
    checks: selectChecks(scenario, options.only, options.skip),
    policies: resolvePolicies(scenario),
    knownIds: { order: options.knownOrderIds === undefined ? scenario.knownIds.order : checkKnownOrderIds(options.knownOrderIds) },
    mode: options.mode ?? scenario.mode,
    secrets,
    unsigned: options.unsigned === true,
    toleranceSec,
    burst,
    concurrency,
    mutations: checkMutations(options.mutations ?? scenario.mutations ?? { kind: 'budget', cases: DEFAULT_MUTATION_BUDGET }),
    captured,
    capturedFrom: [...(options.eventsFrom?.files ?? [])],
    reproduceFlags: [],
  };
  // Captured types the run does not test are left out: a reproduce command names only its case's types.
  settings.captured = Object.fromEntries(Object.entries(captured).filter(([type]) => settings.events.some((event) => event.type === type)));
  checkSigning(settings);
  if (options.caseId !== undefined) settings.caseId = options.caseId;
  settings.reproduceFlags = reproduceFlags(settings, scenario, options);
  return settings;
}

/** Captured events by type, each checked against the schemas (a caller may pass events no file held). */
function groupCaptured(events: readonly DrEvent[]): Record<string, DrEvent[]> {
  const byType: Record<string, DrEvent[]> = {};
  events.forEach((event, index) => {
    const checked = checkCapturedEvent(`--events-from event #${index + 1}`, event);
    (byType[checked.type] ??= []).push(checked);
  });
  return byType;
}

/** A budget is a whole number of cases (0: only the fields the base events hold). */
function checkMutations(depth: MutationDepth): MutationDepth {
  if (depth.kind === 'budget' && !(Number.isSafeInteger(depth.cases) && depth.cases >= 0)) {
    throw new UsageError(`--mutations must be all or a whole number of cases, got ${depth.cases}`);
  }
  return depth;
}

/** What a run depends on, whoever built the settings: the shared checks, the tokens' length and the signing rule. */
export function checkContractSettings(settings: ContractSettings): void {
  checkSharedSettings(settings);
  checkTokens(settings.secrets);
  checkSigning(settings);
}

/** The data modes whose events a run sends signed. */
export function runModes(mode: RunMode): Mode[] {
  return mode === 'both' ? ['test', 'live'] : [mode];
}

/**
 * A signed run has a token for every mode it sends; an unsigned one, asked for explicitly, has none. Without tokens
 * the signature checks could not run, and a gate passed without them would pass a receiver that accepts forgeries.
 */
export function checkSigning({ mode, secrets, unsigned }: Pick<ContractSettings, 'mode' | 'secrets' | 'unsigned'>): void {
  const given = (['test', 'live'] as const).filter((m) => secrets[m].length > 0);
  if (unsigned) {
    if (given.length > 0) throw new UsageError(`--unsigned and a ${given[0]}-mode signing token were both given: drop the token to send unsigned, or --unsigned to sign`);
    return;
  }
  const missing = runModes(mode).filter((m) => secrets[m].length === 0);
  if (missing.length === 0) return;
  if (given.length === 0) throw new MissingTokensError(missing, ', or pass --unsigned to run without signature checks (for a receiver that does not verify signatures)');
  const source = missing[0] === 'test' ? '--secret or DRHOOK_TEST_SECRET' : '--live-secret or DRHOOK_LIVE_SECRET';
  throw new UsageError(`the run sends ${missing[0]} events but only a ${given[0]}-mode signing token is given: add the ${missing[0]}-mode token (${source}) or change --mode`);
}

/** `--known-order-id` values: any non-empty single-line string (Digital River's order ids are 12 digits), each once. */
export function checkKnownOrderIds(ids: readonly string[]): string[] {
  if (ids.length === 0) throw new UsageError('--known-order-id lists no order id');
  for (const id of ids) if (!/^[^\r\n]+$/.test(id)) throw new UsageError(`--known-order-id: '${id}' is not an order id (a non-empty single line, such as 240450000336)`);
  return [...new Set(ids)];
}

function resolveEvents(scenario: Scenario, types: readonly string[] | undefined): EventSetting[] {
  if (types === undefined) return scenario.events.map(({ type, requires, weight, expanded }) => ({ type, requires, weight, expanded }));
  if (types.length === 0) throw new UsageError('--events lists no event type');
  return [...new Set(types)].map((type) => {
    eventType(type);
    const listed = scenario.events.find((event) => event.type === type);
    if (listed) return { type, requires: listed.requires, weight: listed.weight, expanded: listed.expanded };
    return { type, requires: defaultRequires(type), weight: 1, expanded: false };
  });
}

/** `--only`/`--skip` values: a check id, or a family (the part before the dot) for every check in it. */
export function parseCheckList(flag: string, values: readonly string[]): CheckId[] {
  return values.flatMap((raw) => {
    const value = raw.trim();
    if (isCheckId(value)) return [value];
    const family = checkIds.filter((id) => id.startsWith(`${value}.`));
    if (family.length > 0) return family;
    const guess = checkIds.find((id) => id.slice(id.indexOf('.') + 1) === value) ?? closestMatch(value, checkIds);
    throw new UsageError(`${flag}: unknown check '${value}'${guess ? ` (did you mean ${guess}?)` : ''}; checks: ${checkIds.join(', ')}`);
  });
}

function selectChecks(scenario: Scenario, only: readonly string[] | undefined, skip: readonly string[] | undefined): CheckId[] {
  const wanted = new Set(only === undefined ? checkIds.filter((id) => scenario.checks[id]?.run !== false) : parseCheckList('--only', only));
  for (const id of parseCheckList('--skip', skip ?? [])) wanted.delete(id);
  if (wanted.size === 0) throw new UsageError('no check left to run: --only and --skip (or the scenario) leave none');
  return checkIds.filter((id) => wanted.has(id));
}

function resolvePolicies(scenario: Scenario): Record<CheckId, CheckPolicy> {
  const entries = checkIds.map((id): [CheckId, CheckPolicy] => {
    const setting = scenario.checks[id];
    const allowed = setting?.allowedStatuses ?? catalog[id].defaultAllowedStatuses;
    return [id, { required: setting?.required ?? catalog[id].required, ...(allowed ? { allowedStatuses: allowed } : {}) }];
  });
  return Object.fromEntries(entries) as Record<CheckId, CheckPolicy>;
}

function reproduceFlags(settings: ContractSettings, scenario: Scenario, options: ContractOptions): string[] {
  const flags: string[] = [];
  if (options.scenario !== undefined) flags.push('--scenario', options.scenario);
  if (settings.deadlineMs !== scenario.deadlineMs) flags.push('--timeout-ms', String(settings.deadlineMs));
  if (settings.toleranceSec !== scenario.toleranceSec) flags.push('--tolerance', String(settings.toleranceSec));
  if (settings.burst !== scenario.burst) flags.push('--burst', String(settings.burst));
  if (settings.signature.scheme !== scenario.signature.scheme) flags.push('--scheme', settings.signature.scheme);
  const { layout } = settings.signature;
  if (layout.form !== scenario.signature.layout) flags.push('--signature-layout', layout.form);
  // The connector layout fixes the encoding and the separator.
  if (layout.form !== 'connector') {
    if (layout.encoding !== scenario.signature.encoding) flags.push('--signature-encoding', layout.encoding);
    if (layout.separator !== scenario.signature.separator) flags.push('--signature-separator', layout.separator);
  }
  for (const [name, value] of Object.entries(options.headers ?? {})) if (!secretHeaderName.test(name)) flags.push('--header', `${name}: ${value}`);
  if (options.knownOrderIds !== undefined) flags.push('--known-order-id', settings.knownIds.order.join(','));
  if (options.auth !== undefined) flags.push(...authFlags(options.auth));
  if (settings.mutations.kind === 'all' && scenario.mutations?.kind !== 'all') flags.push('--mutations', 'all');
  if (settings.tls.insecure) flags.push('--insecure');
  if (settings.unsigned) flags.push('--unsigned');
  for (const file of settings.capturedFrom) flags.push('--events-from', file);
  return flags;
}

/** The non-secret auth flags; passwords and client secrets come from DRHOOK_PASSWORD and DRHOOK_CLIENT_SECRET. */
function authFlags(auth: AuthConfig): string[] {
  switch (auth.kind) {
    case 'none':
      return [];
    case 'basic':
      return ['--auth', 'basic', '--username', auth.username];
    case 'oauth':
      return [
        '--auth', 'oauth', '--token-url', auth.tokenUrl, '--client-id', auth.clientId, '--grant', auth.grant,
        ...(auth.username !== undefined ? ['--username', auth.username] : []),
        ...(auth.scope !== undefined ? ['--scope', auth.scope] : []),
      ];
  }
}

/** Every secret the settings hold (signing tokens, passwords, client secrets, secret-looking headers), for redactors. */
export function settingsSecrets(settings: ContractSettings): string[] {
  return [...settings.secrets.test, ...settings.secrets.live, ...sharedSecrets(settings)].filter((secret) => secret !== '');
}

/** The settings as report.json records them: what ran and how, never a secret (tokens are counted, not shown). */
export function settingsForReport(settings: ContractSettings): Record<string, unknown> {
  return {
    scenario: settings.scenario.name,
    scenarioFile: settings.scenario.file,
    events: settings.events.map((event) => event.type),
    eventSettings: Object.fromEntries(settings.events.map(({ type, requires, weight, expanded }) => [type, { requires, weight, expanded }])),
    checks: settings.checks,
    policies: Object.fromEntries(checkIds.map((id) => [id, { run: settings.checks.includes(id), ...settings.policies[id] }])),
    knownIds: settings.knownIds,
    ...(settings.caseId !== undefined ? { case: settings.caseId } : {}),
    mode: settings.mode,
    seed: settings.seed,
    mutations: settings.mutations.kind === 'all' ? 'all' : settings.mutations.cases,
    ...(settings.capturedFrom.length > 0
      ? { eventsFrom: { files: settings.capturedFrom, types: Object.fromEntries(Object.entries(settings.captured).map(([type, events]) => [type, events.length])) } }
      : {}),
    deadlineMs: settings.deadlineMs,
    toleranceSec: settings.toleranceSec,
    burst: settings.burst,
    concurrency: settings.concurrency,
    insecure: settings.tls.insecure,
    ...(new URL(settings.url).protocol === 'https:' ? { tls: describeTls(settings.tls) } : {}),
    signature: describeLayout(settings.signature.scheme, settings.signature.layout),
    signingTokens: { test: settings.secrets.test.length, live: settings.secrets.live.length },
    auth: describeAuth(settings.auth),
    headers: reportedHeaders(settings.headers),
    reproduce: 'reproduce commands carry no secret: signing tokens come from DRHOOK_TEST_SECRET / DRHOOK_LIVE_SECRET (or --secret-file), passwords and client secrets from DRHOOK_PASSWORD / DRHOOK_CLIENT_SECRET or the scenario\'s environment variables',
  };
}

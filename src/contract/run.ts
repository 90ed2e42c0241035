// Runs a contract: plans the cases, delivers them signed at send time through one engine, judges them, builds the report.
import { setMaxListeners } from 'node:events';
import { createAuth } from '../wire/auth.js';
import { createDeliveryEngine, type DeliveryEngine } from '../wire/delivery.js';
import type { DeliveryOutcome } from '../wire/outcome.js';
import { version } from '../base/paths.js';
import { createRedactor } from '../wire/redact.js';
import { redactStrings } from '../wire/redact-strings.js';
import { makeRunId } from '../base/run-id.js';
import { UsageError } from '../base/errors.js';
import { createSigner } from '../wire/signing.js';
import { createBreaker, describeUnreachable, type Unreachable } from './breaker.js';
import { createPace } from './pace.js';
import { checks as catalog, type CheckId } from '../catalog/checks.js';
import { deliverCase, judgeCase, unsentCase } from './case.js';
import { discoverContract } from './discovered.js';
import type { CaseOutline } from './family.js';
import { controlKey, outlineContract, type ContractPlan } from './plan.js';
import { createSender } from './request.js';
import type { CaseCounts, CaseRecord, CheckResult, Completion, ContractReport, MutationCoverage } from './results.js';
import { checkContractSettings, settingsForReport, type ContractSettings } from './settings.js';
import { adviseSubscriptions } from './subscriptions.js';

/** What a run is about to send, known before the first delivery. */
export interface RunPlan {
  /** Case records planned: one per case and check judging it (a case that turns out not to apply to its type drops out). */
  cases: number;
  /** Which fields malformed.robust breaks and how deep, when it runs. */
  coverage?: MutationCoverage;
}

export interface RunOptions {
  /** Aborting ends the deliveries in flight; the report then holds the cases that finished and says `complete: false`. */
  signal?: AbortSignal;
  /** Once the cases are planned, before any delivery: how many there are (their events are made later). */
  onPlan?: (plan: RunPlan) => void;
  /**
   * Once planning is done, before the first onCase: how many case records the run will judge. Events are made while
   * earlier cases are on their way, so deliveries may have been sent already.
   */
  onStart?: (cases: number) => void;
  /** Each case record as soon as it is judged (the ones judged before onStart right after it). */
  onCase?: (record: CaseRecord) => void;
  runId?: string;
}

/**
 * Checks the setup (a signing token for every mode sent unless `unsigned`, tokens usable, OAuth token obtainable, a case
 * to run; problems are UsageErrors), then runs the cases `concurrency` at a time on one engine: first, per event type
 * and mode, the valid event and the rejection cases (judged against it once it is answered), then the rest, and each
 * burst last, alone, on an engine of its size. The cases' events are made in the order they are sent, one case at a
 * time between network events, so making them overlaps with waiting for the receiver; a case that cannot be made ends
 * the run with its error. When none of the first max(concurrency, 8) deliveries got any HTTP answer and some of them
 * should have been refused at once, the run stops sending and every case not yet judged fails, saying so. When the
 * events of one type that need processing time out again and again (pace.ts), the rest of them are not sent and fail,
 * saying so; its rejection cases, sent first, keep their own verdicts.
 * The report is redacted with every secret the run knew, fetched Bearer tokens included.
 */
export async function runContract(settings: ContractSettings, options: RunOptions = {}): Promise<ContractReport> {
  const startedAt = new Date();
  // One signal for every delivery in flight (a burst holds hundreds), following the caller's.
  const interruption = new AbortController();
  setMaxListeners(0, interruption.signal);
  if (options.signal?.aborted) interruption.abort();
  options.signal?.addEventListener('abort', () => interruption.abort(), { once: true });
  const signal = interruption.signal;
  checkContractSettings(settings);
  const { scheme, layout } = settings.signature;
  for (const tokens of [settings.secrets.test, settings.secrets.live]) if (tokens.length > 0) createSigner(scheme, tokens, layout);
  const tls = { ...(settings.tls.ca ? { ca: settings.tls.ca } : {}), insecure: settings.tls.insecure };
  const auth = createAuth(settings.auth, { deadlineMs: settings.deadlineMs, ...tls });
  if (settings.auth.kind !== 'none') await auth.headers(signal);
  const outline = outlineContract(settings);
  // Building drops cases, never adds judges: with none planned there is nothing to build.
  if (outline.cases.every((planned) => planned.judges.length === 0)) throw nothingToRun(outline.finish());
  options.onPlan?.({ cases: outline.cases.reduce((sum, planned) => sum + planned.judges.length, 0), ...(outline.coverage ? { coverage: outline.coverage } : {}) });

  const sender = createSender(settings, auth);
  const breaker = createBreaker(Math.max(settings.concurrency, BREAKER_MIN_DELIVERIES), () => interruption.abort());
  const pace = createPace(settings.deadlineMs);
  const records: Array<CaseRecord[] | undefined> = outline.cases.map(() => undefined);
  /** Records judged before planning is done, held until onStart. */
  let early: CaseRecord[] | undefined = [];
  const record = (index: number, judged: CaseRecord[]): void => {
    records[index] = judged;
    if (early) early.push(...judged);
    else judged.forEach((done) => options.onCase?.(done));
  };
  /** The outcome of each valid event sent as a control, by event type and mode: rejection cases sent before it wait for it. */
  const controls = new Map<string, ControlOutcome>();
  const controlOf = (key: string): ControlOutcome => {
    let control = controls.get(key);
    if (control === undefined) controls.set(key, (control = controlOutcome()));
    return control;
  };
  /** Case records not sent because their event type's processed events kept timing out. */
  const tooSlow = { cases: 0, types: new Set<string>() };
  /** Rejection cases delivered, waiting for their control to be judged. */
  const judging: Array<Promise<void>> = [];
  const run = (engine: DeliveryEngine) => async (index: number) => {
    const planned = outline.cases[index]!.build();
    if (planned === undefined) return;
    const refusedAtOnce = planned.control !== undefined;
    const stopped = refusedAtOnce ? undefined : pace.stopped(planned.eventType);
    if (stopped !== undefined) {
      const unsent = unsentCase(settings, planned, stopped);
      tooSlow.cases += unsent.length;
      if (unsent.length > 0) tooSlow.types.add(planned.eventType);
      return record(index, unsent);
    }
    const delivered = await deliverCase(sender, breaker.watch(engine, refusedAtOnce ? 'refused-at-once' : 'processed'), planned, signal);
    if (delivered === undefined) return;
    const control = controlOf(controlKey(planned));
    if (refusedAtOnce) {
      judging.push(control.known.then((outcome) => record(index, judgeCase(settings, planned, delivered, outcome))));
      return;
    }
    pace.note(planned.eventType, delivered.map((delivery) => delivery.outcome), planned.provides);
    if (planned.provides) control.settle(delivered[0]!.outcome);
    record(index, judgeCase(settings, planned, delivered, control.value));
  };

  // First, per event type and mode, its valid event, then the cases a correct receiver refuses at once (judged against
  // the valid event once it is answered): the breaker's first deliveries, so a receiver only slow to process events is
  // not taken for one that answers nothing. Then the rest; a burst is measured alone, so nothing else competes with it.
  const indexes = (test: (planned: CaseOutline) => boolean) => outline.cases.flatMap((planned, index) => (test(planned) ? [index] : []));
  const firstCases = byControl(outline.cases, indexes((planned) => !planned.simultaneous && (planned.provides || planned.control !== undefined)));
  const otherCases = indexes((planned) => !planned.simultaneous && !planned.provides && planned.control === undefined);
  const bursts = indexes((planned) => planned.simultaneous);

  const planning = (async (): Promise<ContractPlan> => {
    for (const index of [...firstCases, ...otherCases, ...bursts]) {
      outline.cases[index]!.build();
      await nextTurn();
    }
    const plan = outline.finish();
    const total = judgedCount(plan);
    if (total === 0) throw nothingToRun(plan);
    options.onStart?.(total);
    const held = early ?? [];
    early = undefined;
    held.forEach((done) => options.onCase?.(done));
    return plan;
  })().catch((error: unknown) => {
    interruption.abort();
    throw error;
  });
  const sending = (async () => {
    const engine = createDeliveryEngine({ concurrency: settings.concurrency, deadlineMs: settings.deadlineMs, ...tls });
    try {
      await inPool(firstCases, settings.concurrency, run(engine), signal);
      await inPool(otherCases, settings.concurrency, run(engine), signal);
    } finally {
      await engine.close();
    }
    for (const index of bursts) {
      const planned = outline.cases[index]!.build();
      if (planned === undefined || signal.aborted) continue;
      const burstEngine = createDeliveryEngine({ concurrency: planned.deliveries.length, deadlineMs: settings.deadlineMs, ...tls });
      try {
        await run(burstEngine)(index);
      } finally {
        await burstEngine.close();
      }
    }
  })().finally(() => {
    // A control never answered (not sent, interrupted): its rejection cases are judged without it.
    for (const control of controls.values()) control.settle(undefined);
  });
  const [planned, sent] = await Promise.allSettled([planning, sending]);
  if (planned.status === 'rejected') throw planned.reason;
  if (sent.status === 'rejected') throw sent.reason;
  await Promise.all(judging);
  const plan = planned.value;
  const total = judgedCount(plan);

  const unreachable = breaker.tripped;
  const sentCount = records.reduce((sum, done) => sum + (done?.length ?? 0), 0) - tooSlow.cases;
  if (unreachable) {
    const reason = `not sent: ${describeUnreachable(unreachable)}, so drhook stopped sending`;
    outline.cases.forEach((outlined, index) => {
      const unsent = records[index] === undefined ? outlined.build() : undefined;
      if (unsent === undefined) return;
      record(index, unsentCase(settings, unsent, reason));
    });
  }
  const finished = records.flatMap((done) => done ?? []);
  const completion: Completion = unreachable ? { complete: false, stoppedBy: 'unreachable' }
    : signal.aborted || finished.length < total ? { complete: false, stoppedBy: 'interrupted' }
    : { complete: true, stoppedBy: null };
  const checks = plan.checks.flatMap((planned): CheckResult[] => {
    const base = { id: planned.id, rule: catalog[planned.id].rule, required: settings.policies[planned.id].required };
    if (planned.status === 'skipped') {
      return finished.length === total ? [{ ...base, status: 'skipped', skippedReason: planned.reason, counts: { pass: 0, fail: 0, warn: 0 }, cases: [] }] : [];
    }
    const cases = finished.filter((record) => record.checkId === planned.id);
    if (cases.length === 0) return [];
    const counts = countCases(cases);
    return [{ ...base, status: counts.fail > 0 ? 'fail' : counts.warn > 0 ? 'warn' : 'pass', counts, cases }];
  });

  const report: ContractReport = {
    tool: 'drhook',
    version,
    kind: 'contract',
    runId: options.runId ?? makeRunId('contract', startedAt),
    startedAt: startedAt.toISOString(),
    finishedAt: new Date().toISOString(),
    ...completion,
    target: settings.url,
    settings: settingsForReport(settings),
    gate: gate(checks, completion.complete, sentCount, total, unreachable, settings.unsigned, { cases: tooSlow.cases, types: [...tooSlow.types] }),
    checks,
    subscriptions: adviseSubscriptions(settings.events.map((event) => event.type), checks, completion, settings.deadlineMs),
    ...(plan.coverage ? { discoveredContract: discoverContract(plan.coverage, finished, settings.policies['malformed.400'].allowedStatuses ?? [400]) } : {}),
  };
  return redactStrings(report, createRedactor(sender.secrets()));
}

/** The breaker watches at least this many deliveries (more with a higher concurrency) before it can trip. */
const BREAKER_MIN_DELIVERIES = 8;

/** The answer to a control, once known: `value` from then on, and `known` resolved with it. */
interface ControlOutcome {
  readonly value: DeliveryOutcome | undefined;
  readonly known: Promise<DeliveryOutcome | undefined>;
  /** Records the answer (undefined: none came); later calls change nothing. */
  settle(outcome: DeliveryOutcome | undefined): void;
}

function controlOutcome(): ControlOutcome {
  let resolve!: (outcome: DeliveryOutcome | undefined) => void;
  const known = new Promise<DeliveryOutcome | undefined>((done) => (resolve = done));
  let value: DeliveryOutcome | undefined;
  let settled = false;
  return {
    get value() {
      return value;
    },
    known,
    settle(outcome) {
      if (settled) return;
      settled = true;
      value = outcome;
      resolve(outcome);
    },
  };
}

/** `indexes` grouped by event type and mode, in the order the groups first appear, each group's valid event first. */
function byControl(cases: readonly CaseOutline[], indexes: readonly number[]): number[] {
  const groups = new Map<string, { valid: number[]; refused: number[] }>();
  for (const index of indexes) {
    const key = controlKey(cases[index]!);
    let group = groups.get(key);
    if (group === undefined) groups.set(key, (group = { valid: [], refused: [] }));
    (cases[index]!.provides ? group.valid : group.refused).push(index);
  }
  return [...groups.values()].flatMap((group) => [...group.valid, ...group.refused]);
}

/** The case records a plan judges. */
function judgedCount(plan: ContractPlan): number {
  return plan.cases.reduce((sum, planned) => sum + planned.judges.length, 0);
}

function nothingToRun(plan: ContractPlan): UsageError {
  const reasons = plan.checks.map((check) => `${check.id}: ${check.status === 'skipped' ? check.reason : 'no case'}`);
  return new UsageError(`no selected check can run (${reasons.join('; ')})`);
}

/** Resolves after the network events that are due: what lets deliveries go on while events are made. */
function nextTurn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/** Runs `work` over `items`, at most `limit` at once, starting nothing new once `signal` aborts. */
async function inPool<T>(items: readonly T[], limit: number, work: (item: T) => Promise<void>, signal: AbortSignal): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length && !signal.aborted) await work(items[next++]!);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

function countCases(cases: readonly CaseRecord[]): CaseCounts {
  const counts: CaseCounts = { pass: 0, fail: 0, warn: 0 };
  for (const record of cases) counts[record.verdict.status]++;
  return counts;
}

/**
 * `finished`: the cases judged on an answer (or its absence); `unreachable`: why the rest were not sent, if so;
 * `unsigned`: the events went without a signature, so the gate says nothing about signature verification; `tooSlow`: the
 * cases not sent because the processed events of their types kept timing out.
 */
function gate(
  checks: readonly CheckResult[],
  complete: boolean,
  finished: number,
  total: number,
  unreachable: Unreachable | undefined,
  unsigned: boolean,
  tooSlow: { cases: number; types: readonly string[] },
): ContractReport['gate'] {
  const ran = checks.filter((check) => check.status !== 'skipped');
  const failedRequired = ran.filter((check) => check.status === 'fail').map((check) => check.id);
  const warnings = ran.filter((check) => check.status === 'warn').map((check) => check.id);
  const required = ran.filter((check) => check.required).length;
  const skipped = checks.length - ran.length;
  const list = (ids: readonly CheckId[]) => ids.join(', ');
  const notes = [
    ...(warnings.length > 0 ? [`${warnings.length} advisory ${warnings.length === 1 ? 'check warns' : 'checks warn'} (${list(warnings)})`] : []),
    ...(skipped > 0 ? [`${skipped} skipped`] : []),
    ...(unsigned ? ['no signature check ran (--unsigned)'] : []),
    ...(tooSlow.cases > 0 ? [`${tooSlow.cases} ${tooSlow.cases === 1 ? 'case' : 'cases'} not sent, as the events of ${tooSlow.types.join(', ')} kept timing out`] : []),
  ];
  const tail = notes.length > 0 ? `; ${notes.join('; ')}` : '';
  const verdict = (status: 'pass' | 'fail', summary: string): ContractReport['gate'] => ({ status, summary, failedRequired, warnings, unsigned });
  if (unreachable) return verdict('fail', `Stopped sending: ${describeUnreachable(unreachable)}; ${total - finished} of ${total} cases were not sent and fail.`);
  if (!complete) {
    const failedSoFar = failedRequired.length > 0 ? `; failed so far: ${list(failedRequired)}` : '';
    return verdict('fail', `Interrupted after ${finished} of ${total} cases: a partial run cannot pass the gate${failedSoFar}.`);
  }
  if (failedRequired.length > 0) return verdict('fail', `${failedRequired.length} of ${required} required checks failed (${list(failedRequired)})${tail}.`);
  const passed = required === 0 ? 'No required check ran' : `All ${required} required ${required === 1 ? 'check' : 'checks'} passed`;
  return verdict('pass', `${passed}${tail}.`);
}

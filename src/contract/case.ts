// One planned case, delivered and judged exactly as `drhook contract` does it: shared by the runner and the Playwright suites.
import type { DeliveryEngine } from '../wire/delivery.js';
import type { DeliveryOutcome } from '../wire/outcome.js';
import type { Verdict } from '../wire/verdict.js';
import type { CheckId } from '../catalog/checks.js';
import { besideControl, withControl } from './judges.js';
import type { PlannedCase } from './family.js';
import { caseId } from './plan.js';
import { BODY_EXCERPT_CHARS, type Sender } from './request.js';
import type { CaseRecord, DeliveryRecord } from './results.js';
import type { ContractSettings } from './settings.js';

const interrupted = (outcome: DeliveryOutcome): boolean => outcome.kind === 'error' && outcome.cause === 'aborted';

/**
 * Delivers a case's requests, each signed just before it leaves: all at once for a burst, else one after another,
 * each later one signed in a later second (as a retry is). Undefined when `signal` aborted meanwhile.
 */
export async function deliverCase(
  sender: Sender,
  engine: DeliveryEngine,
  planned: Pick<PlannedCase, 'deliveries' | 'simultaneous'>,
  signal?: AbortSignal,
): Promise<DeliveryRecord[] | undefined> {
  try {
    return await deliverAll(sender, engine, planned, signal);
  } catch (error) {
    // A token refresh the abort cut short: the case is unfinished, not a setup error.
    if (signal?.aborted) return undefined;
    throw error;
  }
}

async function deliverAll(
  sender: Sender,
  engine: DeliveryEngine,
  planned: Pick<PlannedCase, 'deliveries' | 'simultaneous'>,
  signal: AbortSignal | undefined,
): Promise<DeliveryRecord[] | undefined> {
  const deliveries: DeliveryRecord[] = [];
  const options = signal ? { signal } : {};
  if (planned.simultaneous) {
    // Wave by wave, each wave's deliveries all at once; records keep the planned order.
    const waves = [...new Set(planned.deliveries.map((spec) => spec.wave ?? 0))].sort((a, b) => a - b);
    const recorded: DeliveryRecord[] = [];
    for (const wave of waves) {
      if (signal?.aborted) return undefined;
      const indexes = planned.deliveries.flatMap((spec, i) => ((spec.wave ?? 0) === wave ? [i] : []));
      const prepared = await Promise.all(indexes.map((i) => sender.prepare(planned.deliveries[i]!, { signal })));
      const outcomes = await Promise.all(prepared.map(({ request }) => engine.deliver(request, options)));
      prepared.forEach(({ request }, n) => (recorded[indexes[n]!] = sender.record(request, planned.deliveries[indexes[n]!]!.event, outcomes[n]!)));
    }
    deliveries.push(...recorded);
  } else {
    let after: number | undefined;
    for (const spec of planned.deliveries) {
      if (signal?.aborted) return undefined;
      const { request, timestamp } = await sender.prepare(spec, { after, signal });
      after = timestamp;
      deliveries.push(sender.record(request, spec.event, await engine.deliver(request, options)));
    }
  }
  return signal?.aborted || deliveries.some((delivery) => interrupted(delivery.outcome)) ? undefined : deliveries;
}

/**
 * One record per check judging the case. A rejection case is judged against `control`, the answer to the valid event
 * of its type and mode, and so is a failed acceptance case (a failure the valid event shares is not the check's own);
 * an advisory check's failure is a warning.
 */
export function judgeCase(settings: ContractSettings, planned: PlannedCase, delivered: DeliveryRecord[], control: DeliveryOutcome | undefined): CaseRecord[] {
  const outcomes = delivered.map((delivery) => delivery.outcome);
  // Judged on the whole body read (redacted when recorded); recorded with an excerpt of it, so hundreds of records stay small.
  const recorded = delivered.map((delivery) => ({ request: delivery.request, outcome: excerpt(delivery.outcome) }));
  return planned.judges.map(({ checkId, judge }) => {
    const verdict =
      planned.control !== undefined ? withControl(judge(outcomes), outcomes[0], control, planned.control)
      : planned.provides ? judge(outcomes)
      : besideControl(judge(outcomes), control, settings.deadlineMs);
    // A run breaks thousands of fields one at a time: a passing one keeps its answer, not a copy of the body sent
    // (the same valid event but for that field; its reproduce command sends it again).
    const kept = planned.mutation !== undefined && verdict.status === 'pass' ? recorded.map(withoutBody) : recorded;
    return caseRecord(settings, planned, checkId, kept, verdict);
  });
}

function withoutBody({ request: { bodyExcerpt: _body, ...request }, outcome }: DeliveryRecord): DeliveryRecord {
  return { request, outcome };
}

/** The records of a case that was never sent: each of its checks fails (or warns, if advisory) for `reason`. */
export function unsentCase(settings: ContractSettings, planned: PlannedCase, reason: string): CaseRecord[] {
  return planned.judges.map(({ checkId }) => caseRecord(settings, planned, checkId, [], { status: 'fail', reason }));
}

function caseRecord(settings: ContractSettings, planned: PlannedCase, checkId: CheckId, deliveries: DeliveryRecord[], verdict: Verdict): CaseRecord {
  return {
    id: caseId(checkId, planned),
    checkId,
    eventType: planned.eventType,
    mode: planned.mode,
    fault: planned.fault,
    ...(planned.mutation ? { mutation: planned.mutation } : {}),
    deliveries,
    verdict: asPolicy(verdict, settings.policies[checkId].required),
    reproduce: reproduceCommand(settings, planned, checkId),
  };
}

/**
 * The outcome with its body cut to an excerpt; `bytes` still counts every byte sent, `truncated` says some are left out.
 * The body was redacted when the delivery was recorded: this cut can split a mask, never a secret.
 */
function excerpt(outcome: DeliveryOutcome): DeliveryOutcome {
  if (outcome.kind !== 'response' || outcome.body.text.length <= BODY_EXCERPT_CHARS) return outcome;
  const text = outcome.body.text.slice(0, BODY_EXCERPT_CHARS);
  return { ...outcome, body: { text, bytes: outcome.body.bytes, truncated: true } };
}

/** An advisory check does not fail: its failures are warnings. */
function asPolicy(verdict: Verdict, required: boolean): Verdict {
  return verdict.status === 'fail' && !required ? { status: 'warn', reason: verdict.reason } : verdict;
}

/** A command that runs exactly this case again; secrets come from the environment, never the command line. */
function reproduceCommand(settings: ContractSettings, planned: PlannedCase, checkId: CheckId): string {
  const args = [
    'drhook', 'contract', settings.url, ...settings.reproduceFlags,
    '--only', checkId, '--events', planned.events.join(','), '--mode', planned.mode, '--seed', String(settings.seed), '--case', caseId(checkId, planned),
  ];
  return args.map(shellQuote).join(' ');
}

function shellQuote(arg: string): string {
  return /^[\w@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`;
}

// What `drhook contract` sends, as iterators: the valid events of a scenario and their malformed and mutated variants, made by the run's own plan.
import type { DrEvent, Mode } from '../events/event.js';
import { mutationKinds, type MutationKind } from '../events/mutations.js';
import type { CheckId } from '../catalog/checks.js';
import { copyJson } from '../events/schemas.js';
import { caseId, outlineContract } from './plan.js';
import { resolveSettings, type ContractOptions, type RunMode } from './settings.js';

/** Which events: those of a scenario (the bundled default without one), made from a seed as a contract run with that seed makes them. */
export interface ProbeOptions {
  /** A scenario file (YAML or JSON); without one, the bundled default scenario. */
  scenario?: string;
  /** The seed of a contract run: the same seed gives the same events as that run sends. Default 1. */
  seed?: number;
  /** Event types instead of the scenario's. */
  events?: readonly string[];
  /** The data mode (default: the scenario's; with both, the valid events come in both modes, the variants in test mode as the run sends them). */
  mode?: RunMode;
  /** For mutations(): at most this many malformed.robust cases, as --mutations does, or 'all' (default: the scenario's, else 6000). */
  mutations?: number | 'all';
}

/** A valid event of a subscribed type, as ack.2xx sends it. */
export interface ValidProbe {
  event: DrEvent;
  eventType: string;
  mode: Mode;
  /** The case id in a contract report: `ack.2xx/<type>/<mode>/valid-event`. */
  caseId: string;
}

/** How a variant breaks its event: a change of one field's value (a mutation kind), or data.object of another shape. */
export type ProbeMutation = MutationKind | 'array' | 'string';

/**
 * A valid event with one thing broken: a field of data.object (malformed.robust, and malformed.400 for the fields the
 * scenario requires) or data.object itself (malformed.400).
 */
export interface MutatedProbe {
  /** The event as sent: the envelope of a valid event, its data.object broken (so not always a valid DrEvent). */
  event: DrEvent;
  eventType: string;
  mode: Mode;
  /** The check that sends it. */
  checkId: Extract<CheckId, 'malformed.400' | 'malformed.robust'>;
  /** The field broken, as a path: `data.object.items[0].amount`, or `data.object`. */
  field: string;
  /** The JSON pointer of the field within data.object (`/items/0/amount`); empty for data.object itself. */
  pointer: string;
  mutation: ProbeMutation;
  /** In words: `data.object.items[0].amount: negative (sent -1)`. */
  fault: string;
  /**
   * What the contract wants of the receiver: `accept` (a 2xx: an unknown key must be ignored), `reject` (a 400: a
   * field the scenario requires, or data.object, is broken), or `either` (a 2xx, or a 4xx naming the field): never a crash.
   */
  expect: 'accept' | 'reject' | 'either';
  /** The case id in a contract report, for --case. */
  caseId: string;
}

/** The settings of a run that would send these events: nothing is sent, so no URL, token or credential is needed. */
function probeSettings(options: ProbeOptions, only: readonly CheckId[]) {
  const contract: ContractOptions = { unsigned: true, only, seed: options.seed ?? 1 };
  if (options.scenario !== undefined) contract.scenario = options.scenario;
  if (options.events !== undefined) contract.events = options.events;
  if (options.mode !== undefined) contract.mode = options.mode;
  if (options.mutations !== undefined) contract.mutations = options.mutations === 'all' ? { kind: 'all' } : { kind: 'budget', cases: options.mutations };
  return resolveSettings('http://127.0.0.1/', contract, {});
}

/** The valid events of a scenario, one per subscribed type and mode, exactly as a contract run with the same seed sends them. */
export function* validEvents(options: ProbeOptions = {}): Generator<ValidProbe> {
  for (const outlined of outlineContract(probeSettings(options, ['ack.2xx'])).cases) {
    const planned = outlined.build();
    if (planned === undefined || !planned.provides) continue;
    for (const delivery of planned.deliveries) yield { event: copyJson(delivery.event), eventType: planned.eventType, mode: planned.mode, caseId: caseId('ack.2xx', planned) };
  }
}

/**
 * The malformed and mutated variants of a scenario's valid events, exactly as a contract run with the same seed sends
 * them: malformed.400's (data.object broken, and the fields the scenario requires), then malformed.robust's (every
 * other field, each way it can be broken), each made when it is reached.
 */
export function* mutations(options: ProbeOptions = {}): Generator<MutatedProbe> {
  for (const outlined of outlineContract(probeSettings(options, ['malformed.400', 'malformed.robust'])).cases) {
    const checkId = outlined.judges.find((judged) => judged.checkId === 'malformed.400' || judged.checkId === 'malformed.robust')?.checkId;
    if (checkId !== 'malformed.400' && checkId !== 'malformed.robust') continue;
    const planned = outlined.build();
    if (planned === undefined) continue;
    const [delivery] = planned.deliveries;
    if (delivery === undefined) continue;
    const field = planned.fault.slice(0, planned.fault.indexOf(': '));
    const mutation = planned.mutation?.kind ?? kindOf(planned.slug);
    yield {
      // A copy of its own: the run shares the unbroken parts between cases, frozen; a worker may change what it is given.
      event: copyJson(delivery.event),
      eventType: planned.eventType,
      mode: planned.mode,
      checkId,
      field,
      pointer: planned.mutation?.pointer ?? pointerOf(field),
      mutation,
      fault: planned.fault,
      expect: checkId === 'malformed.400' ? 'reject' : mutation === 'unknown-key' ? 'accept' : 'either',
      caseId: caseId(checkId, planned),
    };
  }
}

/** The kind a malformed.400 slug (`data.object-array`, `id-wrong-type`) ends with. */
function kindOf(slug: string): ProbeMutation {
  const kinds: readonly ProbeMutation[] = [...mutationKinds, 'array', 'string'];
  return [...kinds].sort((a, b) => b.length - a.length).find((kind) => slug.endsWith(`-${kind}`))!;
}

/** `data.object.items[0].amount` → `/items/0/amount`. */
function pointerOf(field: string): string {
  const path = field.replace(/^data\.object\.?/, '');
  return path === '' ? '' : `/${path.replace(/\[(\d+)\]/g, '.$1').split('.').map((segment) => segment.replace(/~/g, '~0').replace(/\//g, '~1')).join('/')}`;
}

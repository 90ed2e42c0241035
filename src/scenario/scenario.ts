// Scenarios: the events a receiver subscribes to and how drhook tests it, read from YAML or JSON and checked to the key.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Ajv2020, type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js';
import { eventType, eventTypes, isEventType, unknownTypeMessage, type EventTypeInfo } from '../catalog/events.js';
import { checks as checkDefinitions, checkIds, type CheckId } from '../catalog/checks.js';
import { closestMatch } from '../base/did-you-mean.js';
import { parseDuration } from '../base/duration.js';
import { UsageError } from '../base/errors.js';
import { scenariosDir, schemasDir } from '../base/paths.js';
import { fieldSchema } from '../events/schemas.js';
import { connectorLayout, type SchemeName, type SignatureForm } from '../wire/signing.js';
import { formatKeyPath, parseYaml, type Anchor, type KeyPath, type YamlSource } from './yaml-source.js';

export interface ScenarioEvent {
  type: string;
  /** Share of this type in load tests, relative to the other types. */
  weight: number;
  /** JSON pointers into data.object of the fields the receiver depends on. */
  requires: string[];
  /** Send the expanded form of the type (only types with an expanded schema). */
  expanded: boolean;
}

export interface CheckSetting {
  run?: boolean;
  required?: boolean;
  allowedStatuses?: number[];
}

export interface KnownIds {
  /** Order ids, for the order-referencing fields of events (data.object.id of order.*, orderId of charges, refunds…). */
  order: string[];
}

export type ScenarioAuth =
  | { kind: 'none' }
  | { kind: 'basic'; username: string; passwordEnv: string }
  | {
      kind: 'oauth';
      tokenUrl: string;
      clientId: string;
      clientSecretEnv: string;
      grant: 'client_credentials' | 'password';
      username?: string;
      passwordEnv?: string;
      scope?: string;
    };

export interface Scenario {
  name: string;
  description?: string;
  /** The path it was loaded from: as the user gave it, or the bundled default. */
  file: string;
  events: ScenarioEvent[];
  checks: Partial<Record<CheckId, CheckSetting>>;
  /** Resources the receiver knows: every check but environment.unknown-resource sends events about them. */
  knownIds: KnownIds;
  deadlineMs: number;
  toleranceSec: number;
  burst: number;
  concurrency: number;
  mode: 'test' | 'live' | 'both';
  /** The API version the webhook is set to: the digitalriverVersion of every event of a run. */
  digitalriverVersion: string;
  headers: Record<string, string>;
  /** Names environment variables for secrets; whether they are set is checked when a run starts. */
  auth: ScenarioAuth;
  signature: { scheme: SchemeName; layout: SignatureForm; encoding: 'hex' | 'base64'; separator: ',' | ', ' };
  load: { rate?: number; durationSec?: number; connections?: number };
  /** How many malformed.robust cases to send (unset: the default budget). */
  mutations?: MutationDepth;
}

/** How many malformed.robust cases a run sends: every mutation of every field, or at most a budget of cases. */
export type MutationDepth = { kind: 'all' } | { kind: 'budget'; cases: number };

export const defaultScenarioPath = path.join(scenariosDir, 'default.yaml');
const schemaPath = path.join(schemasDir, 'scenario.schema.json');

/** Reads and checks a scenario file; without a file, the bundled default. */
export function loadScenario(file: string = defaultScenarioPath): Scenario {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const reason = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'it is a directory' : code === 'EACCES' ? 'permission denied' : (code ?? String(error));
    throw new UsageError(`cannot read scenario ${file}: ${reason}`);
  }
  return parseScenario(text, file);
}

/** Checks a scenario's text (YAML or JSON): schema first, then event types, fields and settings that depend on each other. */
export function parseScenario(text: string, file: string): Scenario {
  const source = parseYaml(text, file);
  const data = expandShorthand(source.data);
  const validate = scenarioValidator();
  if (!validate(data)) throw firstSchemaProblem(source, data, validate.errors ?? []);
  return checkMeaning(source, data as ValidDocument);
}

/** The document once the schema accepted it and filled its defaults (`requires` has none there: it depends on the type). */
interface ValidDocument {
  name: string;
  description?: string;
  events: Array<Omit<ScenarioEvent, 'requires'> & { requires?: string[] }>;
  checks: Partial<Record<CheckId, CheckSetting>>;
  /** YAML reads an unquoted 240450000336 as a number. */
  knownIds: { order: Array<string | number> };
  deadlineMs: number;
  toleranceSec: number;
  burst: number;
  concurrency: number;
  mode: Scenario['mode'];
  digitalriverVersion: string;
  headers: Record<string, string>;
  auth: ScenarioAuth;
  signature: Scenario['signature'];
  load: { rate?: number; duration?: number | string; connections?: number };
  mutations?: 'all' | number;
}

/** `- order.accepted` means `- { type: order.accepted }`; errors about it still point at the string. */
function expandShorthand(data: unknown): unknown {
  if (typeof data !== 'object' || data === null || !('events' in data) || !Array.isArray(data.events)) return data;
  return { ...data, events: data.events.map((event: unknown) => (typeof event === 'string' ? { type: event } : event)) };
}

let validator: ValidateFunction | undefined;

function scenarioValidator(): ValidateFunction {
  if (!validator) {
    const schema = JSON.parse(readFileSync(schemaPath, 'utf8')) as Record<string, unknown>;
    // `x-error` annotates a pattern, `not` or `required` with the message to print when it fails.
    const ajv = new Ajv2020({ allErrors: true, verbose: true, useDefaults: true, strict: true, strictRequired: false, allowUnionTypes: true, keywords: ['x-error'] });
    validator = ajv.compile(schema);
  }
  return validator;
}

interface Problem {
  path: KeyPath;
  anchor: Anchor;
  message: string;
}

/**
 * The problem to report from ajv's errors: the first in the file, except that missing keys come last (a mistyped key
 * is also a missing one, and "unknown key (did you mean …)" says more).
 */
function firstSchemaProblem(source: YamlSource, data: unknown, errors: readonly ErrorObject[]): UsageError {
  const ranked = errors.flatMap((error) => {
    const problem = describe(error, data);
    return problem ? [{ problem, missing: error.keyword === 'required', offset: source.offset(problem.path, problem.anchor) }] : [];
  });
  ranked.sort((a, b) => Number(a.missing) - Number(b.missing) || a.offset - b.offset);
  const first = ranked[0]?.problem;
  if (!first) return new UsageError(`${source.file}: not a valid scenario`);
  return source.error(first.path, first.anchor, first.message);
}

const typeWords: Record<string, string> = {
  string: 'a string',
  number: 'a number',
  integer: 'a whole number',
  boolean: 'true or false',
  object: 'a mapping (key: value)',
  array: 'a list',
  null: 'empty',
};

function describe(error: ErrorObject, data: unknown): Problem | undefined {
  const at = keyPathOf(error.instancePath, data);
  const params = error.params as Record<string, unknown>;
  const parentSchema = (error.parentSchema ?? {}) as Record<string, unknown>;
  const customMessage = typeof parentSchema['x-error'] === 'string' ? parentSchema['x-error'] : undefined;
  switch (error.keyword) {
    case 'if':
    case 'propertyNames':
      return undefined; // wrappers: the error inside them says what is wrong
    case 'additionalProperties': {
      const key = String(params.additionalProperty);
      return { path: [...at, key], anchor: 'key', message: unknownKey(at, key, parentSchema) };
    }
    case 'required':
      return { path: [...at, String(params.missingProperty)], anchor: 'key', message: customMessage ?? 'is required' };
    case 'type': {
      if (at.length === 0) return { path: at, anchor: 'value', message: 'a scenario must be a mapping (key: value) with at least name and events' };
      const types = Array.isArray(params.type) ? params.type.map(String) : String(params.type).split(',');
      return { path: at, anchor: 'value', message: `must be ${types.map((type) => typeWords[type] ?? type).join(' or ')}` };
    }
    case 'enum':
      return { path: at, anchor: 'value', message: `must be one of ${(params.allowedValues as unknown[]).map(quoted).join(', ')}` };
    case 'minimum':
    case 'maximum':
    case 'exclusiveMinimum':
    case 'exclusiveMaximum':
      return { path: at, anchor: 'value', message: `must be ${String(params.comparison)} ${String(params.limit)}` };
    case 'minItems':
      return { path: at, anchor: 'value', message: `must list at least ${String(params.limit)} ${params.limit === 1 ? 'entry' : 'entries'}` };
    case 'minLength':
      return { path: at, anchor: 'value', message: params.limit === 1 ? 'must not be empty' : `must be at least ${String(params.limit)} characters` };
    case 'maxLength':
      return { path: at, anchor: 'value', message: `must be at most ${String(params.limit)} characters` };
    case 'uniqueItems': {
      const [later, earlier] = [Number(params.i), Number(params.j)].sort((a, b) => b - a) as [number, number];
      return { path: [...at, later], anchor: 'value', message: `repeats ${formatKeyPath([...at, earlier])}` };
    }
    case 'pattern':
      return error.propertyName === undefined
        ? { path: at, anchor: 'value', message: customMessage ?? `must match ${String(params.pattern)}` }
        : { path: [...at, error.propertyName], anchor: 'key', message: customMessage ?? `must match ${String(params.pattern)}` };
    case 'not':
      return { path: at, anchor: 'key', message: customMessage ?? 'is not allowed here' };
    default:
      return { path: at, anchor: 'value', message: error.message ?? 'is invalid' };
  }
}

/** ajv's instance path as keys and indexes: a part is an index when the data there is a list. */
function keyPathOf(pointer: string, data: unknown): KeyPath {
  if (pointer === '') return [];
  const parts: Array<string | number> = [];
  let current = data;
  for (const raw of pointer.slice(1).split('/')) {
    const part = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    const index = Array.isArray(current) ? Number(part) : undefined;
    parts.push(index ?? part);
    current = index === undefined ? (current as Record<string, unknown> | undefined)?.[part] : (current as unknown[])[index];
  }
  return parts;
}

function unknownKey(at: KeyPath, key: string, parentSchema: Record<string, unknown>): string {
  const properties = (parentSchema.properties ?? {}) as Record<string, Record<string, unknown>>;
  // Keys the schema names only to forbid them (inline secrets) are never suggested.
  const allowed = Object.keys(properties).filter((name) => !('not' in properties[name]!));
  const what = formatKeyPath(at) === 'checks' ? 'unknown check id' : 'unknown key';
  const guess = closestMatch(key, allowed);
  return guess ? `${what} (did you mean ${guess}?)` : `${what}; expected one of ${allowed.join(', ')}`;
}

function quoted(value: unknown): string {
  return typeof value === 'string' && /^[\w.-]+$/.test(value) ? value : JSON.stringify(value);
}

/** What the schema cannot say: event types and fields exist, no type twice, settings that fit together. */
function checkMeaning(source: YamlSource, document: ValidDocument): Scenario {
  const events = document.events.map((event, index) => checkEvent(source, document, index, event));
  checkCheckSettings(source, document.checks);
  checkHeaders(source, document.headers);
  checkSignature(source, document.signature);
  const { duration, ...load } = document.load;
  const durationSec = duration === undefined ? undefined : seconds(duration);
  if (durationSec !== undefined && !(durationSec > 0 && durationSec <= maxDurationSec)) {
    throw source.error(['load', 'duration'], 'value', `must be more than 0 and at most ${maxDurationSec / 3600}h`);
  }
  return {
    name: document.name,
    ...(document.description === undefined ? {} : { description: document.description }),
    file: source.file,
    events,
    checks: document.checks,
    knownIds: { order: [...new Set(document.knownIds.order.map(String))] },
    deadlineMs: document.deadlineMs,
    toleranceSec: document.toleranceSec,
    burst: document.burst,
    concurrency: document.concurrency,
    mode: document.mode,
    digitalriverVersion: document.digitalriverVersion,
    headers: document.headers,
    auth: document.auth,
    signature: document.signature,
    load: durationSec === undefined ? load : { ...load, durationSec },
    ...(document.mutations === undefined ? {} : { mutations: document.mutations === 'all' ? { kind: 'all' as const } : { kind: 'budget' as const, cases: document.mutations } }),
  };
}

function checkEvent(source: YamlSource, document: ValidDocument, index: number, event: ValidDocument['events'][number]): ScenarioEvent {
  const at = ['events', index];
  const info = knownEventType(source, [...at, 'type'], event.type);
  const earlier = document.events.findIndex((other) => other.type === event.type);
  if (earlier < index) throw source.error([...at, 'type'], 'value', `${event.type} is already listed as ${formatKeyPath(['events', earlier])}`);
  if (event.expanded && !info.expandedSchema) {
    const expandable = eventTypes().filter((entry) => entry.expandedSchema).map((entry) => entry.type);
    throw source.error([...at, 'expanded'], 'value', `${event.type} has no expanded form (only ${expandable.join(', ')} have one)`);
  }
  const requires = event.requires ?? defaultRequires(event.type);
  requires.forEach((pointer, position) => {
    const problem = unknownField(event.type, pointer);
    if (problem) throw source.error([...at, 'requires', position], 'value', problem);
  });
  return { type: event.type, weight: event.weight, requires, expanded: event.expanded };
}

/**
 * The universal contract: what an event requires when the scenario does not say. `/id` when the type's data.object always
 * has one; `/subscription/id` for the renewal types, whose data.object wraps `{subscription, invoice}`; else nothing.
 */
export function defaultRequires(type: string): string[] {
  const requiredOf = (pointer: string): unknown[] => {
    const required = fieldSchema(type, pointer)?.required;
    return Array.isArray(required) ? required : [];
  };
  if (requiredOf('').includes('id')) return ['/id'];
  if (requiredOf('').includes('subscription') && requiredOf('/subscription').includes('id')) return ['/subscription/id'];
  return [];
}

function knownEventType(source: YamlSource, at: KeyPath, type: string): EventTypeInfo {
  if (!isEventType(type)) throw source.error(at, 'value', unknownTypeMessage(type));
  return eventType(type);
}

/** Why `pointer` names no field of the type's data.object, with the nearest field that exists; undefined when it does. */
function unknownField(type: string, pointer: string): string | undefined {
  if (fieldSchema(type, pointer)) return undefined;
  const parts = pointer.slice(1).split('/');
  // The longest prefix that exists: the first missing part is the mistake.
  let depth = parts.length - 1;
  while (depth > 0 && !fieldSchema(type, '/' + parts.slice(0, depth).join('/'))) depth--;
  const parent = depth === 0 ? '' : '/' + parts.slice(0, depth).join('/');
  const properties = Object.keys((fieldSchema(type, parent)?.properties ?? {}) as Record<string, unknown>).map(escapePointerPart);
  const problem = `${type} has no field ${parent}/${parts[depth]} in data.object`;
  const guess = closestMatch(parts[depth]!, properties);
  if (guess) return `${problem} (did you mean ${parent}/${guess}?)`;
  const owner = parent === '' ? 'data.object' : parent;
  if (properties.length === 0) return `${problem} (${owner} has no named fields)`;
  if (properties.length > listedFields) return `${problem} (no close match among the ${properties.length} fields of ${owner}; see schemas/${eventType(type).schema})`;
  return `${problem} (fields of ${owner}: ${properties.map((name) => `${parent}/${name}`).join(', ')})`;
}

/** Up to this many fields are listed when a pointer matches none of them. */
const listedFields = 12;

function escapePointerPart(name: string): string {
  return name.replace(/~/g, '~0').replace(/\//g, '~1');
}

const statusCheckIds = checkIds.filter((id) => checkDefinitions[id].defaultAllowedStatuses);

function checkCheckSettings(source: YamlSource, settings: ValidDocument['checks']): void {
  for (const id of checkIds) {
    const setting = settings[id];
    if (!setting) continue;
    const at = ['checks', id];
    if (setting.run === false && setting.required === true) {
      throw source.error([...at, 'required'], 'key', 'a required check must run: drop run: false or required: true');
    }
    if (setting.allowedStatuses === undefined) continue;
    if (!checkDefinitions[id].defaultAllowedStatuses) {
      throw source.error([...at, 'allowedStatuses'], 'key', `${id} is not judged by a status list; allowedStatuses applies to ${statusCheckIds.join(', ')}`);
    }
    const notRejection = setting.allowedStatuses.findIndex((status) => status < 400 || status > 499);
    if (notRejection >= 0) {
      throw source.error(
        [...at, 'allowedStatuses', notRejection],
        'value',
        `${setting.allowedStatuses[notRejection]} is not a 4xx: ${id} passes only when the receiver rejects the delivery (to skip the check, set run: false)`,
      );
    }
  }
}

function checkHeaders(source: YamlSource, headers: Record<string, string>): void {
  const credentials = Object.keys(headers).find((name) => name.toLowerCase() === 'authorization');
  if (credentials !== undefined) {
    throw source.error(['headers', credentials], 'key', 'credentials go in auth (kind basic or oauth, secrets named by environment variable), not in headers');
  }
}

function checkSignature(source: YamlSource, signature: Scenario['signature']): void {
  if (signature.layout === 'connector') {
    if (signature.scheme !== 'digitalriver') throw source.error(['signature', 'layout'], 'value', `connector applies to the digitalriver scheme only, not ${signature.scheme}`);
    for (const part of ['encoding', 'separator'] as const) {
      if (source.has(['signature', part]) && signature[part] !== connectorLayout[part]) {
        throw source.error(['signature', part], 'value', `contradicts layout connector, which is always '${connectorLayout[part]}': leave it out`);
      }
    }
    return;
  }
  if (signature.scheme === 'digitalriver') return;
  for (const part of ['layout', 'encoding', 'separator'] as const) {
    if (source.has(['signature', part])) {
      throw source.error(['signature', part], 'key', `applies to the digitalriver scheme only; ${signature.scheme} fixes its own header layout`);
    }
  }
}

const maxDurationSec = 86_400;

/** A duration the schema accepted (seconds, or a number with unit s, m or h) in seconds. */
function seconds(duration: number | string): number {
  return typeof duration === 'number' ? duration : parseDuration(duration, 's');
}

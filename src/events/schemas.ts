// The JSON Schemas in schemas/: validating events against them, and self-contained schemas for generating events.
import { isRecord } from '../base/is-record.js';
import fs from 'node:fs';
import path from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import type { ErrorObject, ValidateFunction } from 'ajv';
import ajvFormats from 'ajv-formats';
import { eventType, eventTypes, isEventType, unknownTypeMessage } from '../catalog/events.js';
import { schemasDir } from '../base/paths.js';

export interface Violation {
  /** JSON pointer from the event's root, e.g. `/data/object/items/0/amount`. */
  pointer: string;
  message: string;
}

type Schema = Record<string, unknown>;

const BASE = 'https://drhook.dev/schemas/';
const DRAFT = 'https://json-schema.org/draft/2020-12/schema';
const EVENT_SCHEMA = 'event.schema.json';

// ---------------------------------------------------------------------------------------------------------------
// Loading
// ---------------------------------------------------------------------------------------------------------------

let files: ReadonlyMap<string, Schema> | undefined;

/** The event schemas (envelope, shared parts, objects/), by path relative to schemas/. */
function schemaFiles(): ReadonlyMap<string, Schema> {
  if (!files) {
    const names = [
      EVENT_SCHEMA,
      'common.schema.json',
      ...fs.readdirSync(path.join(schemasDir, 'objects')).filter((f) => f.endsWith('.schema.json')).map((f) => `objects/${f}`),
    ];
    files = new Map(names.map((name) => [name, JSON.parse(fs.readFileSync(path.join(schemasDir, name), 'utf8')) as Schema]));
  }
  return files;
}

/** A schema file as loaded, shared: only read it (bundling builds new objects from it). */
function loadedSchema(file: string): Schema {
  const schema = schemaFiles().get(file);
  if (!schema) throw new Error(`schema ${file} is missing from ${schemasDir}`);
  return schema;
}

/** A deep copy of JSON data (objects, arrays, primitives): a tenth of what structuredClone costs for a schema. */
export function copyJson<T>(value: T): T {
  if (Array.isArray(value)) return value.map(copyJson) as T;
  if (typeof value !== 'object' || value === null) return value;
  const copy: Record<string, unknown> = {};
  for (const key in value) copy[key] = copyJson((value as Record<string, unknown>)[key]);
  return copy as T;
}

/** The envelope schema (schemas/event.schema.json). */
export function eventSchema(): Schema {
  return copyJson(loadedSchema(EVENT_SCHEMA));
}

// ---------------------------------------------------------------------------------------------------------------
// Validation
// ---------------------------------------------------------------------------------------------------------------

const dateTimePattern =
  /^(\d{4})-(\d{2})-(\d{2})[Tt]([01]\d|2[0-3]):([0-5]\d):([0-5]\d|60)(?:\.\d+)?(?:[Zz]|[+-](?:[01]\d|2[0-3]):?[0-5]\d)$/;

/**
 * ISO 8601 date-times as Digital River writes them: `Z`, `±HH:MM` or `±HHMM` offsets (real payloads carry
 * `2022-08-25T21:09:14.115+0000`), any number of fraction digits, a real calendar date.
 */
export function isDateTime(value: string): boolean {
  const match = dateTimePattern.exec(value);
  if (!match) return false;
  const year = Number(match[1]);
  const month = Number(match[2]);
  const day = Number(match[3]);
  return month >= 1 && month <= 12 && day >= 1 && day <= daysIn(year, month);
}

/** Days in a month, as Date.UTC counts them (which reads years 0–99 as 1900–1999). */
function daysIn(year: number, month: number): number {
  if (month !== 2) return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
  const y = year <= 99 ? 1900 + year : year;
  return (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0 ? 29 : 28;
}

let ajv: Ajv2020 | undefined;

function validator(file: string): ValidateFunction {
  if (!ajv) {
    // Without ajv's optimising pass, compiling a type's schema takes about half the time and validating about 5 % more:
    // a run compiles the schema of every type it generates before its first event goes out. The shipped schemas are
    // checked against their meta-schema by the test suite (schemas.test.ts), not again by every run.
    ajv = new Ajv2020({ allErrors: true, verbose: true, strictTypes: false, strictTuples: false, validateSchema: false, code: { optimize: false } });
    // ajv-formats is CommonJS: its plugin is the module's `default` under Node's ESM interop.
    ajvFormats.default(ajv);
    ajv.addFormat('date-time', { type: 'string', validate: isDateTime });
    // Addresses as people type them reach Digital River (internationalised ones too): only the shape is checked.
    ajv.addFormat('email', { type: 'string', validate: (value: string) => /^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(value) });
    for (const schema of schemaFiles().values()) ajv.addSchema(schema);
  }
  const validate = ajv.getSchema(BASE + file);
  if (!validate) throw new Error(`schema ${file} is missing from ${schemasDir}`);
  return validate;
}

/** Compiles every event and object schema now, so the first validation does not pay for it (a receiver's first delivery). */
export function compileSchemas(): void {
  validator(EVENT_SCHEMA);
  for (const entry of eventTypes()) {
    validator(entry.schema);
    if (entry.expandedSchema) validator(entry.expandedSchema);
  }
}

function schemaFor(type: string, expanded: boolean): string {
  const entry = eventType(type);
  return expanded && entry.expandedSchema ? entry.expandedSchema : entry.schema;
}

/**
 * Checks an event: the envelope, then data.object against the schema of its type (the expanded schema with
 * `expanded`, for the types that have one). An empty list means the event is valid.
 */
export function validateEvent(event: unknown, options: { expanded?: boolean } = {}): Violation[] {
  const envelope = validator(EVENT_SCHEMA);
  if (envelope(event)) return checkObject(event as Record<string, unknown>, options.expanded ?? false);
  const violations = toViolations(envelope.errors ?? [], '');
  return isRecord(event) ? dedupe([...violations, ...checkObject(event, options.expanded ?? false)]) : violations;
}

function checkObject(event: Record<string, unknown>, expanded: boolean): Violation[] {
  const { type, data } = event;
  if (typeof type !== 'string') return [];
  if (!isEventType(type)) return [{ pointer: '/type', message: unknownTypeMessage(type) }];
  if (!isRecord(data) || !isRecord(data.object)) return [];
  const validate = validator(schemaFor(type, expanded));
  return validate(data.object) ? [] : toViolations(validate.errors ?? [], '/data/object');
}

const formatNames: Record<string, string> = {
  'date-time': 'an ISO 8601 date-time (e.g. 2021-11-01T18:23:02Z)',
  uuid: 'a UUID',
  email: 'an email address',
  uri: 'an absolute URI',
};

/** Enum lists longer than this are described (e.g. "an ISO 4217 currency code") rather than listed. */
const longEnum = 12;

function escapeToken(token: string): string {
  return token.replace(/~/g, '~0').replace(/\//g, '~1');
}

function jsonType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (Number.isInteger(value)) return 'integer';
  return typeof value;
}

/** The offending value for a message, unless the field may hold a secret (payment client secrets, tokens). */
function shown(value: unknown, pointer: string): string {
  if (/secret|token|password|authorization/i.test(pointer.slice(pointer.lastIndexOf('/')))) return 'a value';
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

function describe(error: ErrorObject, pointer: string): string {
  const got = `got ${shown(error.data, pointer)}`;
  switch (error.keyword) {
    case 'required':
      return 'is required';
    case 'type':
      return `must be ${String(error.params.type).replace(',', ' or ')}, got ${jsonType(error.data)}`;
    case 'enum': {
      const allowed = error.params.allowedValues as unknown[];
      const description = (error.parentSchema as Schema | undefined)?.description;
      if (allowed.length > longEnum && typeof description === 'string') return `must be ${description}, ${got}`;
      return `must be one of ${allowed.map((v) => JSON.stringify(v)).join(', ')}; ${got}`;
    }
    case 'format':
      return `must be ${formatNames[error.params.format as string] ?? `in format "${error.params.format}"`}, ${got}`;
    case 'minimum':
      return `must be ${error.params.comparison} ${error.params.limit}, ${got}`;
    case 'maxLength':
      return `must be at most ${error.params.limit} characters long, got ${String(error.data).length}`;
    default:
      return `${error.message ?? 'is invalid'}`;
  }
}

function toViolations(errors: readonly ErrorObject[], prefix: string): Violation[] {
  // A value of the wrong type also fails its enum and format: the type error alone says what is wrong.
  const wrongType = new Set(errors.filter((e) => e.keyword === 'type').map((e) => e.instancePath));
  return dedupe(
    errors
      .filter((error) => error.keyword === 'type' || error.keyword === 'required' || !wrongType.has(error.instancePath))
      .map((error) => {
        const pointer =
          prefix + error.instancePath + (error.keyword === 'required' ? `/${escapeToken(String(error.params.missingProperty))}` : '');
        return { pointer, message: describe(error, pointer) };
      }),
  );
}

function dedupe(violations: Violation[]): Violation[] {
  const seen = new Set<string>();
  return violations.filter((v) => {
    const key = `${v.pointer}\u0000${v.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

// ---------------------------------------------------------------------------------------------------------------
// Bundles: one self-contained schema per type with every $ref inlined (the schemas have no cycles), for generators
// such as json-schema-faker, which neither follow references across files nor merge a $ref with sibling keywords.
// ---------------------------------------------------------------------------------------------------------------

/** Combines two schemas that both apply (a $ref and its siblings): properties and items merged, required joined. */
function mergeSchemas(base: Schema, overlay: Schema): Schema {
  const merged: Schema = { ...base };
  for (const [key, value] of Object.entries(overlay)) {
    const existing = merged[key];
    if (key === 'required' && Array.isArray(existing) && Array.isArray(value)) {
      merged.required = [...new Set([...(existing as string[]), ...(value as string[])])];
    } else if (key === 'properties' && isRecord(existing) && isRecord(value)) {
      const properties: Schema = { ...existing };
      for (const [name, sub] of Object.entries(value)) {
        const current = properties[name];
        properties[name] = isRecord(current) && isRecord(sub) ? mergeSchemas(current, sub) : sub;
      }
      merged.properties = properties;
    } else if (key === 'items' && isRecord(existing) && isRecord(value)) {
      merged.items = mergeSchemas(existing, value);
    } else if ((key !== 'title' && key !== 'description') || !(key in merged)) {
      merged[key] = value;
    }
  }
  return merged;
}

/** The schema at `node` in `file` with every $ref replaced by what it points to. */
function inline(node: unknown, file: string, trail: readonly string[]): unknown {
  if (Array.isArray(node)) return node.map((item) => inline(item, file, trail));
  if (!isRecord(node)) return node;
  const { $ref, ...rest } = node;
  const own: Schema = {};
  for (const [key, value] of Object.entries(rest)) {
    own[key] = key === 'properties' && isRecord(value)
      ? Object.fromEntries(Object.entries(value).map(([name, sub]) => [name, inline(sub, file, trail)]))
      : inline(value, file, trail);
  }
  if (typeof $ref !== 'string') return own;
  const [target = '', fragment = ''] = $ref.split('#');
  const targetFile = target === '' ? file : path.posix.join(path.posix.dirname(file), target);
  const key = `${targetFile}#${fragment}`;
  if (trail.includes(key)) throw new Error(`schemas/${file} refers to itself through ${key}`);
  const defName = /^\/\$defs\/([^/]+)$/.exec(fragment)?.[1];
  if (fragment !== '' && !defName) throw new Error(`unsupported $ref ${$ref} in schemas/${file}`);
  const { $schema: _draft, $id: _id, $defs, ...root } = loadedSchema(targetFile);
  const referenced = defName ? (isRecord($defs) ? $defs[defName] : undefined) : root;
  if (!isRecord(referenced)) throw new Error(`$ref ${$ref} in schemas/${file} points nowhere`);
  return mergeSchemas(inline(referenced, targetFile, [...trail, key]) as Schema, own);
}

const bundles = new Map<string, Schema>();

function bundleOf(rootFile: string): Schema {
  let bundle = bundles.get(rootFile);
  if (!bundle) {
    const { $schema: _draft, $id: _id, $defs: _defs, ...root } = loadedSchema(rootFile);
    const { title, description } = root;
    bundle = { $schema: DRAFT, ...(inline(root, rootFile, []) as Schema), title, description };
    bundles.set(rootFile, bundle);
  }
  return bundle;
}

/**
 * A self-contained schema for the data.object of `type` (no $ref anywhere): what a generator such as
 * json-schema-faker needs. A fresh copy on every call.
 */
export function objectSchemaBundle(type: string, options: { expanded?: boolean } = {}): Schema {
  return copyJson(bundleOf(schemaFor(type, options.expanded ?? false)));
}

/**
 * The schema of the field at `pointer` inside data.object (e.g. `/state` → `{type: 'string', enum: [...]}`,
 * `/items/0/amount`), self-contained like the bundle. Undefined when the schema does not describe that field.
 */
export function fieldSchema(type: string, pointer: string): Schema | undefined {
  let current: unknown = bundleOf(schemaFor(type, false));
  const tokens = pointer === '' ? [] : pointer.slice(1).split('/').map((t) => t.replace(/~1/g, '/').replace(/~0/g, '~'));
  for (const token of tokens) {
    if (!isRecord(current)) return undefined;
    const properties = current.properties;
    if (isRecord(properties) && Object.hasOwn(properties, token)) current = properties[token];
    else if (/^(\d+|-)$/.test(token) && current.items !== undefined) current = current.items;
    else return undefined;
  }
  if (!isRecord(current)) return undefined;
  const { $schema: _draft, title: _title, ...field } = current;
  return copyJson(field);
}

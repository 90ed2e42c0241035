// What the `strict-fields` fault objects to: keys of the envelope or data.object that the schemas do not declare.
import { isRecord } from '../base/is-record.js';
import { fieldSchema, eventSchema, type Violation } from '../events/schemas.js';

let envelopeKeys: { event: ReadonlySet<string>; data: ReadonlySet<string> } | undefined;

/** Undeclared keys at the top of the envelope, of `data`, and of `data.object`, as violations. */
export function unknownKeys(event: unknown): Violation[] {
  if (!isRecord(event)) return [];
  envelopeKeys ??= declaredKeys(eventSchema());
  const { data, type } = event;
  const objectSchema = typeof type === 'string' && isRecord(data) ? fieldSchema(type, '') : undefined;
  return [
    ...undeclared(event, envelopeKeys.event, ''),
    ...(isRecord(data) ? undeclared(data, envelopeKeys.data, '/data') : []),
    ...(isRecord(data) && isRecord(data.object) && objectSchema ? undeclared(data.object, new Set(Object.keys(objectSchema.properties ?? {})), '/data/object') : []),
  ];
}

function declaredKeys(schema: Record<string, unknown>): { event: ReadonlySet<string>; data: ReadonlySet<string> } {
  const properties = (schema.properties ?? {}) as Record<string, { properties?: Record<string, unknown> }>;
  return { event: new Set(Object.keys(properties)), data: new Set(Object.keys(properties.data?.properties ?? {})) };
}

function undeclared(value: Record<string, unknown>, declared: ReadonlySet<string>, at: string): Violation[] {
  return Object.keys(value)
    .filter((key) => !declared.has(key))
    .map((key) => ({ pointer: `${at}/${key.replace(/~/g, '~0').replace(/\//g, '~1')}`, message: `unknown field "${key}"` }));
}


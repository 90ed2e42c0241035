// The fields a handler depends on beyond what the schemas demand (a scenario's `requires`): present and not null.
import { isRecord } from '../base/is-record.js';
import { getPointer } from '../events/pointer.js';
import type { Violation } from '../events/schemas.js';

/** Per event type, JSON pointers into data.object. */
export type Requirements = Readonly<Record<string, readonly string[]>>;

/** The required fields of the event's type that are missing or null, leaving out those `found` already names. */
export function missingRequired(event: unknown, requirements: Requirements, found: readonly Violation[]): Violation[] {
  if (!isRecord(event) || typeof event.type !== 'string' || !isRecord(event.data) || !isRecord(event.data.object)) return [];
  const object = event.data.object;
  return (requirements[event.type] ?? []).flatMap((pointer): Violation[] => {
    const at = `/data/object${pointer}`;
    if (found.some((violation) => violation.pointer === at)) return [];
    const value = getPointer(object, pointer);
    if (value === undefined) return [{ pointer: at, message: 'is required' }];
    return value === null ? [{ pointer: at, message: 'must not be null' }] : [];
  });
}


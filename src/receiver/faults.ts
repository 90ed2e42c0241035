// The receiver's fault catalogue: one switch per misbehaviour, each named with the contract check it breaks.
import { checkIds, type CheckId } from '../catalog/checks.js';

export interface FaultSpec {
  name: string;
  /**
   * The contract checks that see this fault fail (or warn), as measured with the default scenario in both modes,
   * both modes' tokens and basic auth (as `npm run demo` runs it): a fault that answers every valid event wrongly
   * breaks every check that sends one.
   */
  breaks: readonly CheckId[];
  /** For a fault about unknown resources: what it breaks when drhook and the receiver are given the same known order ids. */
  breaksWithKnownIds?: readonly CheckId[];
  description: string;
}

/** The checks that send valid events and expect them acknowledged in time: what a receiver that answers them wrongly fails. */
const acknowledging = [
  'ack.2xx', 'malformed.robust', 'compat.extra-fields', 'signature.rotation', 'signature.raw-body', 'idempotency.redelivery', 'idempotency.concurrent', 'concurrency.burst', 'payload.large',
  'environment.unknown-resource',
] as const satisfies readonly CheckId[];

const catalogue = [
  { name: 'slow', breaks: [...acknowledging, 'ack.deadline', 'compat.unknown-type', 'ordering.out-of-order'], description: 'answers 2xx only after 3.5 s, beyond the 3000 ms deadline' },
  {
    name: 'redirect',
    breaks: [
      ...acknowledging, 'ack.no-redirect', 'malformed.400', 'malformed.message', 'signature.missing', 'signature.invalid', 'signature.tampered', 'signature.stale',
      'signature.wrong-mode', 'auth.required', 'ordering.out-of-order',
    ],
    description: 'answers every delivery with a redirect (308 unless --redirect-status says otherwise) to another URL',
  },
  { name: 'error-500', breaks: [...acknowledging, 'compat.unknown-type', 'ordering.out-of-order'], description: 'answers 500 to every event that passes the checks' },
  { name: 'malformed-500', breaks: ['malformed.400', 'malformed.message', 'malformed.robust'], description: 'crashes with 500 on a malformed data.object instead of answering 400' },
  { name: 'malformed-no-message', breaks: ['malformed.message', 'malformed.robust'], description: 'answers 400 "Bad Request" to a malformed data.object, naming no field' },
  {
    name: 'emoji-name-500',
    breaks: ['malformed.robust'],
    description: 'crashes with 500 when a name in data.object holds an emoji (beyond U+FFFF), as a handler writing to a 3-byte utf8 MySQL column does',
  },
  { name: 'strict-fields', breaks: ['compat.extra-fields'], description: 'rejects unknown keys in the envelope or in data.object with 400' },
  { name: 'unknown-type-500', breaks: ['compat.unknown-type'], description: 'answers 500 to event types it does not handle' },
  {
    name: 'skip-signature',
    breaks: ['signature.missing', 'signature.invalid', 'signature.tampered', 'signature.stale', 'signature.wrong-mode'],
    description: 'does not verify signatures at all',
  },
  { name: 'accept-stale', breaks: ['signature.stale'], description: 'verifies the signature but not the age of its timestamp' },
  { name: 'any-mode-token', breaks: ['signature.wrong-mode'], description: "accepts a signature made with either data mode's token" },
  { name: 'first-signature-only', breaks: ['signature.rotation'], description: 'checks only the first signature in the header, not every one' },
  { name: 'last-signature-only', breaks: ['signature.rotation'], description: 'checks only the last signature in the header, not every one' },
  { name: 'reserialized-body', breaks: ['signature.raw-body'], description: 'verifies the signature over JSON.stringify(JSON.parse(body)) instead of the raw bytes' },
  { name: 'reject-duplicates', breaks: ['idempotency.redelivery', 'idempotency.concurrent'], description: 'answers 409 to a redelivered event id' },
  { name: 'serial-processing', breaks: ['concurrency.burst'], description: 'processes each event (about 100 ms) before answering, one at a time' },
  { name: 'small-body-limit', breaks: ['payload.large'], description: 'answers 413 to bodies over 100 KB' },
  { name: 'skip-auth', breaks: ['auth.required'], description: 'does not check credentials' },
  {
    name: 'unknown-resource-404',
    breaks: acknowledging,
    breaksWithKnownIds: ['environment.unknown-resource'],
    description: 'answers 404 "order not found" to events about orders it does not know (neither --known-order-id nor created by an earlier event)',
  },
] as const satisfies readonly FaultSpec[];

export type FaultName = (typeof catalogue)[number]['name'];

export const faults: readonly FaultSpec[] = catalogue;
export const faultNames: readonly FaultName[] = catalogue.map((fault) => fault.name);

/** The statuses `redirect` may answer with. */
export const redirectStatuses = [301, 302, 303, 307, 308] as const;
export type RedirectStatus = (typeof redirectStatuses)[number];

export function isFaultName(value: string): value is FaultName {
  return (faultNames as readonly string[]).includes(value);
}

/** The catalogue as text: per fault its name and the checks it breaks, then what it does, indented. */
export function describeFaults(): string {
  const width = Math.max(...faults.map((fault) => fault.name.length)) + 2;
  const indent = ' '.repeat(width);
  const inCatalogOrder = (ids: readonly CheckId[]) => checkIds.filter((id) => ids.includes(id)).join(', ');
  return faults
    .map((fault) => {
      const known = fault.breaksWithKnownIds ? `\n${indent}with the same --known-order-id given to drhook contract and serve: breaks ${inCatalogOrder(fault.breaksWithKnownIds)}` : '';
      return `${fault.name.padEnd(width)}breaks ${inCatalogOrder(fault.breaks)}${known}\n${indent}${fault.description}`;
    })
    .join('\n');
}

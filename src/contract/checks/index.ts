// The check families: which one judges each check of the catalog (every one of them, or this does not compile), in plan order.
import { checkIds, type CheckId } from '../../catalog/checks.js';
import type { CheckFamily } from '../family.js';
import { ackFamily } from './ack.js';
import { authFamily } from './auth.js';
import { compatFamily } from './compat.js';
import { concurrencyFamily } from './concurrency.js';
import { environmentFamily } from './environment.js';
import { idempotencyFamily } from './idempotency.js';
import { malformedFamily } from './malformed.js';
import { orderingFamily } from './ordering.js';
import { payloadFamily } from './payload.js';
import { robustFamily } from './robust.js';
import { signatureFamily } from './signature.js';

/** A family with a judge for check `Id`. */
type Judging<Id extends CheckId> = CheckFamily<{ [K in Id]: unknown }>;

/** The family judging each check: a check added to the catalog without a family that makes its judge does not compile. */
export const familyOf: { readonly [Id in CheckId]: Judging<Id> } = {
  'ack.2xx': ackFamily,
  'ack.deadline': ackFamily,
  'ack.no-redirect': ackFamily,
  'malformed.400': malformedFamily,
  'malformed.message': malformedFamily,
  'malformed.robust': robustFamily,
  'compat.extra-fields': compatFamily,
  'compat.unknown-type': compatFamily,
  'signature.missing': signatureFamily,
  'signature.invalid': signatureFamily,
  'signature.tampered': signatureFamily,
  'signature.stale': signatureFamily,
  'signature.wrong-mode': signatureFamily,
  'signature.rotation': signatureFamily,
  'signature.raw-body': signatureFamily,
  'idempotency.redelivery': idempotencyFamily,
  'idempotency.concurrent': idempotencyFamily,
  'concurrency.burst': concurrencyFamily,
  'ordering.out-of-order': orderingFamily,
  'payload.large': payloadFamily,
  'auth.required': authFamily,
  'environment.unknown-resource': environmentFamily,
};

/** Every family once, in the catalog order of its first check: the order a plan lists their cases in. */
export const families: readonly CheckFamily[] = [...new Set<CheckFamily>(checkIds.map((id) => familyOf[id]))];

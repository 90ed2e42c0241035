// The contract checks: stable ids, the one-line rule each enforces, and when each one runs.
export const checkIds = [
  'ack.2xx',
  'ack.deadline',
  'ack.no-redirect',
  'malformed.400',
  'malformed.message',
  'malformed.robust',
  'compat.extra-fields',
  'compat.unknown-type',
  'signature.missing',
  'signature.invalid',
  'signature.tampered',
  'signature.stale',
  'signature.wrong-mode',
  'signature.rotation',
  'signature.raw-body',
  'idempotency.redelivery',
  'idempotency.concurrent',
  'concurrency.burst',
  'ordering.out-of-order',
  'payload.large',
  'auth.required',
  'environment.unknown-resource',
] as const;

export type CheckId = (typeof checkIds)[number];

/** What a check needs from the run's configuration before it can run at all. */
export type CheckPrerequisite = 'none' | 'signing-token' | 'both-mode-tokens' | 'auth';

export interface CheckDefinition {
  id: CheckId;
  /** The rule in one line, as printed in reports. */
  rule: string;
  /** Required checks fail the gate; advisory ones are reported as warnings. */
  required: boolean;
  /**
   * What a correct receiver answers: an acknowledgement for deliveries as Digital River makes them (anything else is
   * retried, and an endpoint that keeps failing is disabled), a rejection for what it never sends.
   */
  expects: 'acknowledgement' | 'rejection';
  needs: CheckPrerequisite;
  /** Statuses that pass, when the rule is about a status class (overridable per scenario). */
  defaultAllowedStatuses?: readonly number[];
}

const clientErrors = Array.from({ length: 100 }, (_, i) => 400 + i);

export const checks: Readonly<Record<CheckId, CheckDefinition>> = {
  'ack.2xx': { id: 'ack.2xx', rule: 'A valid signed event of each selected type is acknowledged with a 2xx (202 included).', required: true, expects: 'acknowledgement', needs: 'none' },
  'ack.deadline': { id: 'ack.deadline', rule: 'Each acknowledgement completes within the deadline (3000 ms by default).', required: true, expects: 'acknowledgement', needs: 'none' },
  'ack.no-redirect': { id: 'ack.no-redirect', rule: 'No delivery is answered with a redirect (3xx); Digital River never follows one.', required: true, expects: 'acknowledgement', needs: 'none' },
  'malformed.400': { id: 'malformed.400', rule: 'An event with a malformed data.object is answered with exactly 400, within the deadline.', required: true, expects: 'rejection', needs: 'none', defaultAllowedStatuses: [400] },
  'malformed.message': { id: 'malformed.message', rule: 'The 400 answer to a malformed data.object names the offending field (its key or JSON pointer).', required: true, expects: 'rejection', needs: 'none' },
  'malformed.robust': {
    id: 'malformed.robust',
    rule: 'Each field of data.object the contract does not demand, broken one way at a time in a valid signed event, gets a 2xx or a 4xx naming the field within the deadline: no 5xx, timeout, redirect or reset (an unknown key gets a 2xx).',
    required: true,
    expects: 'acknowledgement',
    needs: 'none',
  },
  'compat.extra-fields': { id: 'compat.extra-fields', rule: 'A valid event with unknown extra keys in the envelope and in data.object is acknowledged with a 2xx.', required: true, expects: 'acknowledgement', needs: 'none' },
  'compat.unknown-type': { id: 'compat.unknown-type', rule: 'A valid event of a type the receiver did not subscribe to gets no 5xx and no timeout.', required: false, expects: 'acknowledgement', needs: 'none' },
  'signature.missing': { id: 'signature.missing', rule: 'An event without a signature header is rejected with a 4xx.', required: true, expects: 'rejection', needs: 'signing-token', defaultAllowedStatuses: clientErrors },
  'signature.invalid': { id: 'signature.invalid', rule: 'An event with a wrong signature is rejected with a 4xx.', required: true, expects: 'rejection', needs: 'signing-token', defaultAllowedStatuses: clientErrors },
  'signature.tampered': { id: 'signature.tampered', rule: 'An event whose body was changed after signing is rejected with a 4xx.', required: true, expects: 'rejection', needs: 'signing-token', defaultAllowedStatuses: clientErrors },
  'signature.stale': { id: 'signature.stale', rule: 'An event signed with a timestamp older than the tolerance is rejected with a 4xx.', required: true, expects: 'rejection', needs: 'signing-token', defaultAllowedStatuses: clientErrors },
  'signature.wrong-mode': { id: 'signature.wrong-mode', rule: 'A live event signed with the test token is rejected with a 4xx.', required: true, expects: 'rejection', needs: 'both-mode-tokens', defaultAllowedStatuses: clientErrors },
  'signature.rotation': { id: 'signature.rotation', rule: 'An event carrying two signatures, only one made with the current token, is acknowledged with a 2xx.', required: true, expects: 'acknowledgement', needs: 'signing-token' },
  'signature.raw-body': { id: 'signature.raw-body', rule: 'Correctly signed bodies whose JSON text is not in canonical form are acknowledged (the signature is checked on the raw bytes).', required: true, expects: 'acknowledgement', needs: 'signing-token' },
  'idempotency.redelivery': { id: 'idempotency.redelivery', rule: 'The same event delivered twice, freshly signed each time, is acknowledged with a 2xx both times.', required: true, expects: 'acknowledgement', needs: 'none' },
  'idempotency.concurrent': {
    id: 'idempotency.concurrent',
    rule: 'The same event delivered twice, and five times, simultaneously (each copy freshly signed) is acknowledged with a 2xx every time: a retry can overlap a slow first attempt.',
    required: true,
    expects: 'acknowledgement',
    needs: 'none',
  },
  'concurrency.burst': { id: 'concurrency.burst', rule: 'A burst of simultaneous deliveries is acknowledged with 2xx, each within the deadline.', required: true, expects: 'acknowledgement', needs: 'none' },
  'ordering.out-of-order': {
    id: 'ordering.out-of-order',
    rule: "One order's events delivered out of order and concurrently (its later events before the order is accepted) get no 5xx, timeout or redirect: a 2xx, or another 4xx asking for a retry.",
    required: false,
    expects: 'acknowledgement',
    needs: 'none',
  },
  'payload.large': { id: 'payload.large', rule: 'An order with 250 or more items (about 400 KB) is acknowledged with a 2xx within the deadline.', required: true, expects: 'acknowledgement', needs: 'none' },
  'auth.required': { id: 'auth.required', rule: 'A delivery without credentials, or with wrong ones, is rejected with 401 or 403.', required: true, expects: 'rejection', needs: 'auth', defaultAllowedStatuses: [401, 403] },
  'environment.unknown-resource': { id: 'environment.unknown-resource', rule: 'Events about resources this receiver has never seen are acknowledged with a 2xx.', required: false, expects: 'acknowledgement', needs: 'none' },
};

export function isCheckId(value: string): value is CheckId {
  return (checkIds as readonly string[]).includes(value);
}

// signature.*: what a verifying receiver must reject (bad signatures, changed bodies) and accept (rotations, raw bodies).
import type { DrEvent, Mode } from '../../events/event.js';
import { expectAcknowledged, expectStatus, statusesText } from '../judges.js';
import { checkFamily, type CaseInput, type Judge, type PlanContext } from '../family.js';
import { rawJson, rawJsonForms, rawJsonFormText } from '../../wire/raw-json.js';
import { plainDelivery, type DeliverySpec } from '../request.js';
import type { CheckId } from '../../catalog/checks.js';

/** Keys of data.object (at any depth) whose text may carry any character: the raw-body cases write é, U+2028 and "/" there. */
const textKeys = new Set(['name', 'description', 'firstName', 'lastName', 'line1', 'line2', 'city', 'organization']);
const decoration = ' — café/crème\u2028';

/** Appends `decoration` to the first free-text field found breadth-first; false when the object has none. */
function decorateText(event: DrEvent): boolean {
  const queue: unknown[] = [event.data.object];
  while (queue.length > 0) {
    const value = queue.shift();
    if (typeof value !== 'object' || value === null) continue;
    const record = value as Record<string, unknown>;
    for (const [key, field] of Object.entries(record)) {
      if (textKeys.has(key) && typeof field === 'string') {
        record[key] = field + decoration;
        return true;
      }
    }
    queue.push(...Object.values(record));
  }
  return false;
}

/** The event with the last character of its id changed: what an attacker's edit after signing looks like. */
function tampered(event: DrEvent): DrEvent {
  const id = event.id;
  return { ...event, id: id.slice(0, -1) + (id.endsWith('0') ? '1' : '0') };
}

/** A token no one configured, shaped like a real one (`whsec_<base64>`, which every scheme accepts). */
function unknownToken(context: PlanContext, slug: string): string {
  return `whsec_${Buffer.from(context.random('signature', slug).hex(48), 'hex').toString('base64')}`;
}

type Rejected = Extract<CheckId, 'signature.missing' | 'signature.invalid' | 'signature.tampered' | 'signature.stale' | 'signature.wrong-mode'>;

/** The rejection `checkId` wants: a 4xx (or the scenario's statuses) for what `what` describes. */
function judgeRejection(checkId: Rejected) {
  return (context: PlanContext) => {
    const allowed = context.allowedStatuses(checkId);
    const { deadlineMs } = context.settings;
    return (what: string): Judge => ([outcome]) => expectStatus(outcome, allowed, deadlineMs, `${what} must be rejected with ${statusesText(allowed)}`);
  };
}

/** An acknowledgement, `advice` following a failure's reason. */
function judgeAcceptance(context: PlanContext) {
  const { deadlineMs } = context.settings;
  return (advice: string): Judge => ([outcome]) => expectAcknowledged(outcome, deadlineMs, advice);
}

export const signatureFamily = checkFamily({
  judges: {
    'signature.missing': judgeRejection('signature.missing'),
    'signature.invalid': judgeRejection('signature.invalid'),
    'signature.tampered': judgeRejection('signature.tampered'),
    'signature.stale': judgeRejection('signature.stale'),
    'signature.wrong-mode': judgeRejection('signature.wrong-mode'),
    'signature.rotation': judgeAcceptance,
    'signature.raw-body': judgeAcceptance,
  },
  plan(context, judges) {
    const { toleranceSec, secrets } = context.settings;
    const mode = context.mode;
    const ageSec = toleranceSec + 60;

    /** A case whose delivery must be rejected with a 4xx (or the scenario's statuses). */
    const rejected = (checkId: Rejected, eventType: string, caseMode: Mode, slug: string, what: string, build: (event: DrEvent) => { fault: string; delivery: DeliverySpec }) => {
      const at = { eventType, mode: caseMode, slug };
      return context.makeCase('signature', {
        ...at,
        control: caseMode === mode ? 'signatures' : 'the data mode of signatures',
        build: () => {
          const { fault, delivery } = build(context.event('signature', at));
          return { fault, deliveries: [delivery] };
        },
        judges: { [checkId]: judges[checkId](what) },
      });
    };
    const accepted = (checkId: 'signature.rotation' | 'signature.raw-body', at: Omit<CaseInput, 'judges'>, advice: string) =>
      context.makeCase('signature', { ...at, judges: { [checkId]: judges[checkId](advice) } });

    /** Two signatures, the current token's `current` (first or second), the other made with a token no one has any more. */
    const rotation = (type: string, current: 'first' | 'second') => {
      const at = { eventType: type, mode, slug: `${current}-signature-current` };
      return accepted(
        'signature.rotation',
        {
          ...at,
          build: () => {
            const old = unknownToken(context, 'rotation');
            const tokens = current === 'first' ? [secrets[mode][0]!, old] : [old, secrets[mode][0]!];
            return {
              fault: `two signatures: the current token's ${current}, an unknown (old) token's ${current === 'first' ? 'second' : 'first'}`,
              deliveries: [{ ...plainDelivery(context.event('signature', at)), signing: { kind: 'signed', tokens, ageSec: 0 } }],
            };
          },
        },
        `the header carried the current token's signature ${current}, next to an unknown (old) token's: accept the event when any signature matches, as during a token rotation`,
      );
    };

    const cases = context.events.flatMap(({ type }) => {
      return [
        rejected('signature.missing', type, mode, 'no-signature', 'an event without a signature header', (event) => ({
          fault: 'no signature header',
          delivery: { ...plainDelivery(event), signing: { kind: 'unsigned' } },
        })),
        rejected('signature.invalid', type, mode, 'unknown-token', 'an event signed with a token the receiver does not have', (event) => ({
          fault: 'signed with an unknown token',
          delivery: { ...plainDelivery(event), signing: { kind: 'signed', tokens: [unknownToken(context, 'invalid')], ageSec: 0 } },
        })),
        rejected('signature.tampered', type, mode, 'body-changed', 'an event whose body was changed after signing', (event) => ({
          fault: "body changed after signing (the event id's last character)",
          delivery: {
            ...plainDelivery(tampered(event)),
            signing: { kind: 'signed', tokens: 'mode', ageSec: 0, signedBody: Buffer.from(JSON.stringify(event), 'utf8') },
          },
        })),
        rejected('signature.stale', type, mode, 'stale-timestamp', `an event signed ${ageSec} s ago (tolerance ${toleranceSec} s)`, (event) => ({
          fault: `signed ${ageSec} s ago, beyond the ${toleranceSec} s tolerance`,
          delivery: { ...plainDelivery(event), signing: { kind: 'signed', tokens: 'mode', ageSec } },
        })),
        rejected('signature.wrong-mode', type, 'live', 'signed-with-test-token', 'a live event signed with the test token', (event) => ({
          fault: 'live event signed with the test token',
          delivery: { ...plainDelivery(event), signing: { kind: 'signed', tokens: secrets.test, ageSec: 0 } },
        })),
        rotation(type, 'second'),
        rotation(type, 'first'),
        ...rawJsonForms.map((form) => {
          const at = { eventType: type, mode, slug: `raw-${form}` };
          return accepted(
            'signature.raw-body',
            {
              ...at,
              build: () => {
                const event = context.event('signature', at);
                decorateText(event);
                const text = rawJson(event, form);
                // A form that changes nothing in this event would test nothing; reordered keys are a change (a receiver
                // that writes the JSON again, sorted or in its own field order, breaks on them).
                if (text === JSON.stringify(event)) return undefined;
                return { fault: `signed as sent, JSON text with ${rawJsonFormText[form]}`, deliveries: [plainDelivery(event, text)] };
              },
            },
            'the body was signed exactly as sent: verify the signature over the raw bytes, not over JSON parsed and written again',
          );
        }),
      ];
    });
    return { cases };
  },
});

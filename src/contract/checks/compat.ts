// compat.*: what a receiver must tolerate: keys it does not know, and event types it did not subscribe to.
import { eventTypes } from '../../catalog/events.js';
import type { DeliveryOutcome } from '../../wire/outcome.js';
import type { Verdict } from '../../wire/verdict.js';
import { answered, expectAcknowledged } from '../judges.js';
import { checkFamily, type Judge, type PlanContext } from '../family.js';
import { plainDelivery } from '../request.js';

/** The key added to the envelope and to data.object, as a later API version might add one. */
const extraKey = 'drhookFutureField';
const extraValue = { addedIn: 'a later API version', values: [1, 'two', null] };

function judgeExtraFields(context: PlanContext): Judge {
  const deadlineMs = context.settings.deadlineMs;
  return ([outcome]) =>
    expectAcknowledged(outcome, deadlineMs, 'the event carried keys the receiver does not know, which it must ignore: Digital River adds fields over time');
}

function judgeUnknownType([outcome]: readonly DeliveryOutcome[]): Verdict {
  if (outcome?.kind === 'response' && outcome.status < 500) return { status: 'pass', reason: `${answered(outcome)}: no 5xx, no timeout` };
  if (outcome === undefined) return { status: 'fail', reason: 'nothing was delivered' };
  return {
    status: 'fail',
    reason: `${answered(outcome)}; an event type the handler does not process should get a quick 2xx (or 4xx): errors and timeouts push the webhook toward being disabled, so deselect types you do not handle`,
  };
}

export const compatFamily = checkFamily({
  judges: {
    'compat.extra-fields': judgeExtraFields,
    'compat.unknown-type': () => judgeUnknownType,
  },
  plan(context, judges) {
    const mode = context.mode;
    const extraFields = context.events.map(({ type }) => {
      const at = { eventType: type, mode, slug: 'extra-fields' };
      return context.makeCase('compat', {
        ...at,
        build: () => {
          const event = context.event('compat', at);
          event[extraKey] = extraValue;
          const object = event.data.object;
          const inObject = typeof object === 'object' && object !== null && !Array.isArray(object);
          if (inObject) (object as Record<string, unknown>)[extraKey] = extraValue;
          const fault = `unknown key ${extraKey} added to the envelope${inObject ? ' and to data.object' : ''}`;
          return { fault, deliveries: [plainDelivery(event)] };
        },
        judges: { 'compat.extra-fields': judges['compat.extra-fields'] },
      });
    });

    // Two kinds of type the handler does not process: one of the catalog it did not subscribe to (a subscription wider
    // than the handler), and one no catalog lists yet (Digital River adds types), carrying a subscribed type's object.
    const subscribed = context.events.map((event) => event.type);
    const taken = new Set(subscribed);
    const others = eventTypes().filter((info) => !taken.has(info.type));
    const unsubscribed = others.length === 0 ? undefined : context.random('compat', 'unknown-type').pick(others).type;
    const model = subscribed[0]!;
    const future = `${model.split('.')[0]}.future_event_type`;
    const unknownTypes = [
      ...(unsubscribed === undefined ? [] : [{ type: unsubscribed, slug: 'unsubscribed-type', model: unsubscribed, fault: `valid event of ${unsubscribed}, a type the receiver does not subscribe to` }]),
      { type: future, slug: 'future-type', model, fault: `event of type ${future}, which no catalog lists yet (data.object of ${model})` },
    ];
    const unknown = unknownTypes.map(({ type, slug, model, fault }) => {
      const at = { eventType: type, mode, slug };
      return context.makeCase('compat', {
        ...at,
        events: subscribed,
        build: () => {
          const event = context.event('compat', { ...at, eventType: model });
          event.type = type;
          return { fault, deliveries: [plainDelivery(event)] };
        },
        judges: { 'compat.unknown-type': judges['compat.unknown-type'] },
      });
    });
    return { cases: [...extraFields, ...unknown] };
  },
});

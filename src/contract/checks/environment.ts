// environment.unknown-resource: events about resources this receiver never saw, as other environments' events are.
import { eventType } from '../../catalog/events.js';
import type { DrEvent } from '../../events/event.js';
import { orderIdOf } from '../../events/order-ref.js';
import { answered, isSuccess, knownIdsHint } from '../judges.js';
import { checkFamily, type Judge } from '../family.js';
import { plainDelivery } from '../request.js';

/** `order 204440120336`: what the event is about, by the ids a receiver would look up. */
function subject(event: DrEvent): string {
  const orderId = orderIdOf(event);
  if (orderId !== undefined) return `order ${orderId}`;
  const object = event.data.object;
  const id = typeof object === 'object' && object !== null ? (object as Record<string, unknown>).id : undefined;
  const { resource } = eventType(event.type);
  return typeof id === 'string' ? `${resource} ${id}` : `a ${resource} (its ids fresh)`;
}

/** What a case's event is about: known once the event is made, which is before it is judged. */
interface Subject {
  about: string;
  /** Said only of events about an order: known ids name orders, nothing else. */
  alsoOthers: string;
}

function judgeUnknownResource(seen: Readonly<Subject>): Judge {
  return ([outcome]) => {
    const { about, alsoOthers } = seen;
    if (outcome?.kind === 'response' && isSuccess(outcome.status)) return { status: 'pass', reason: `${answered(outcome)}${alsoOthers}` };
    const what = outcome === undefined ? 'nothing was delivered' : answered(outcome);
    return {
      status: 'fail',
      reason:
        `${what} to an event about ${about}, which it has never seen; when several environments (local, dev, staging) share one Digital River ` +
        `test account, each receives the others' events and such errors push the webhook toward being disabled: map one receiver environment to each Digital River environment${alsoOthers}`,
    };
  };
}

export const environmentFamily = checkFamily({
  judges: { 'environment.unknown-resource': () => judgeUnknownResource },
  plan(context, judges) {
    // Without known ids every other check sent unknown orders too: their verdicts may share this one's cause.
    const noKnownOrders =
      context.settings.knownIds.order.length === 0
        ? `; no known orders are configured (${knownIdsHint}), so the other checks' events were about unknown orders too`
        : '';
    const cases = context.events.map(({ type }) => {
      const at = { eventType: type, mode: context.mode, slug: 'never-seen-resource' };
      const seen: Subject = { about: 'resources', alsoOthers: '' };
      return context.makeCase('environment', {
        ...at,
        build: () => {
          const event = context.event('environment', at);
          seen.about = subject(event);
          seen.alsoOthers = orderIdOf(event) === undefined ? '' : noKnownOrders;
          return { fault: `about ${seen.about}, never sent to this receiver before`, deliveries: [plainDelivery(event)] };
        },
        judges: { 'environment.unknown-resource': judges['environment.unknown-resource'](seen) },
      });
    });
    return { cases };
  },
});

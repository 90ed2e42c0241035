// environment.unknown-resource: events about resources this receiver never saw, as other environments' events are.
import { eventType } from '../../catalog.js';
import type { DrEvent } from '../../event.js';
import { answered, isSuccess } from '../judges.js';
import type { CheckFamily } from '../plan.js';
import { plainDelivery } from '../request.js';

/** `order 204440120336`: what the event is about, by the ids a receiver would look up. */
function subject(event: DrEvent): string {
  const object = event.data.object;
  const record = typeof object === 'object' && object !== null ? (object as Record<string, unknown>) : {};
  if (typeof record.orderId === 'string') return `order ${record.orderId}`;
  if (typeof record.id === 'string') return `${eventType(event.type).resource} ${record.id}`;
  return 'resources';
}

export const environmentFamily: CheckFamily = {
  checks: ['environment.unknown-resource'],
  plan(context) {
    const cases = context.events.map(({ type }) => {
      const at = { eventType: type, mode: context.mode, slug: 'never-seen-resource' };
      let about = 'resources';
      return context.makeCase('environment', {
        ...at,
        build: () => {
          const event = context.event('environment', at);
          about = subject(event);
          return { fault: `about ${about}, never sent to this receiver before`, deliveries: [plainDelivery(event)] };
        },
        judges: {
          'environment.unknown-resource': ([outcome]) => {
            if (outcome?.kind === 'response' && isSuccess(outcome.status)) return { status: 'pass', reason: answered(outcome) };
            const what = outcome === undefined ? 'nothing was delivered' : answered(outcome);
            return {
              status: 'fail',
              reason:
                `${what} to an event about ${about}, which it has never seen; when several environments (local, dev, staging) share one Digital River ` +
                'test account, each receives the others\' events and such errors push the webhook toward being disabled: map one receiver environment to each Digital River environment',
            };
          },
        },
      });
    });
    return { cases };
  },
};

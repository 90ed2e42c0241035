// auth.required: deliveries without credentials, or with wrong ones, must be refused.
import { expectStatus, statusesText } from '../judges.js';
import type { CheckFamily } from '../plan.js';
import { plainDelivery, type Credentials } from '../request.js';

export const authFamily: CheckFamily = {
  checks: ['auth.required'],
  plan(context) {
    const { auth, deadlineMs } = context.settings;
    const allowed = context.allowedStatuses('auth.required');
    const wrong = auth.kind === 'basic' ? `the wrong password for ${auth.username}` : 'a Bearer token the token endpoint never granted';
    const variants: ReadonlyArray<{ credentials: Exclude<Credentials, 'configured'>; slug: string; fault: string; what: string }> = [
      { credentials: 'none', slug: 'no-credentials', fault: 'no Authorization header', what: 'a delivery without credentials' },
      { credentials: 'wrong', slug: 'wrong-credentials', fault: wrong, what: `a delivery with ${wrong}` },
    ];
    const cases = context.events.flatMap(({ type }) =>
      variants.map(({ credentials, slug, fault, what }) => {
        const at = { eventType: type, mode: context.mode, slug };
        return context.makeCase('auth', {
          ...at,
          control: 'credentials',
          build: () => ({ fault, deliveries: [{ ...plainDelivery(context.event('auth', at)), credentials }] }),
          judges: {
            'auth.required': ([outcome]) =>
              expectStatus(outcome, allowed, deadlineMs, `${what} must be refused with ${statusesText(allowed)}`),
          },
        });
      }),
    );
    return { cases };
  },
};

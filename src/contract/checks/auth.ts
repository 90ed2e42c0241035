// auth.required: deliveries without credentials, or with wrong ones, must be refused.
import { expectStatus, statusesText } from '../judges.js';
import { checkFamily, type Judge, type PlanContext } from '../family.js';
import { plainDelivery, type Credentials } from '../request.js';

/** A refusal of a delivery with no credentials or wrong ones, `what` saying which. */
function judgeRefusal(context: PlanContext) {
  const allowed = context.allowedStatuses('auth.required');
  const { deadlineMs } = context.settings;
  return (what: string): Judge => ([outcome]) => expectStatus(outcome, allowed, deadlineMs, `${what} must be refused with ${statusesText(allowed)}`);
}

export const authFamily = checkFamily({
  judges: { 'auth.required': judgeRefusal },
  plan(context, judges) {
    const { auth } = context.settings;
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
          judges: { 'auth.required': judges['auth.required'](what) },
        });
      }),
    );
    return { cases };
  },
});

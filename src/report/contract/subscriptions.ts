// What the reports say last about each event type: safe to subscribe, fix the handler first or deselect it, or not judged.
import type { ContractReport, Refusal, SubscriptionAdvice, TypeAdvice } from '../../contract/results.js';
import { escapeHtml } from '../html-page.js';
import { mdCode, mdText } from '../markdown.js';
import { oneLine, plural } from '../text.js';

export const subscriptionsTitle = 'Subscriptions';

/** The sentence every report puts above the per-type verdicts. */
export const subscriptionsIntro =
  'Subscribe the webhook only to the event types your application needs: in the Dashboard, deselect the others.';

const verdictText: Record<TypeAdvice['verdict'], string> = {
  subscribe: 'safe to subscribe',
  'fix-or-deselect': 'fix the handler first',
  'not-judged': 'not judged',
};

const verdictMark: Record<TypeAdvice['verdict'], string> = { subscribe: '✓', 'fix-or-deselect': '✗', 'not-judged': '?' };

/** A type's verdict in words, and what follows it: the checks, or why there is none. */
export function describeAdvice(advice: TypeAdvice): { verdict: string; detail: string; refusal?: string } {
  switch (advice.verdict) {
    case 'subscribe': {
      const warned = advice.warnings.length > 0 ? `; advisory warnings: ${advice.warnings.join(', ')}` : '';
      return { verdict: verdictText.subscribe, detail: `${plural(advice.passed.length, 'check')} passed${warned}` };
    }
    case 'fix-or-deselect':
      return {
        verdict: verdictText['fix-or-deselect'],
        detail: `failing: ${advice.failing.join(', ')}; or deselect it in the Dashboard if your application does not need it`,
        ...(advice.refusal ? { refusal: describeRefusal(advice.refusal) } : {}),
      };
    case 'not-judged':
      return { verdict: verdictText['not-judged'], detail: advice.reason };
  }
}

function describeRefusal({ kind, deliveries }: Refusal): string {
  const how = kind === 'fails' ? 'fails on' : 'rejects';
  const what = kind === 'fails' ? '5xx, timeouts or dropped connections' : 'redirects or 4xx';
  return `The receiver ${how} ${deliveries} ${deliveries === 1 ? 'delivery' : 'deliveries'} of it as Digital River makes them (${what}): Digital River retries each, and disables an endpoint that keeps failing them.`;
}

/** Failing checks that are about no single type: fixed whichever types are subscribed. */
function endpointLine(advice: SubscriptionAdvice): string | undefined {
  return advice.endpoint.length === 0 ? undefined : `Whatever types are subscribed: ${advice.endpoint.join(', ')} fails on the endpoint as a whole.`;
}

/** The console's lines: a title, the intro, one line per type (two when the receiver refuses it), the endpoint's failures. */
export function subscriptionsConsoleLines(advice: SubscriptionAdvice, paint: (verdict: TypeAdvice['verdict'], text: string) => string): string[] {
  const width = Math.max(0, ...advice.types.map((entry) => entry.type.length));
  const endpoint = endpointLine(advice);
  return [
    subscriptionsTitle,
    `  ${subscriptionsIntro}`,
    ...advice.types.flatMap((entry) => {
      const { verdict, detail, refusal } = describeAdvice(entry);
      const head = `  ${paint(entry.verdict, `${verdictMark[entry.verdict]} ${entry.type.padEnd(width)}  ${verdict}`)} (${oneLine(detail, 500)})`;
      return refusal === undefined ? [head] : [head, `      ${refusal}`];
    }),
    ...(endpoint === undefined ? [] : [`  ${endpoint}`]),
  ];
}

/** summary.md's last section: a table of the types. */
export function subscriptionsMarkdown(report: ContractReport): string[] {
  const advice = report.subscriptions;
  if (advice === undefined) return [];
  const endpoint = endpointLine(advice);
  return [
    `### ${subscriptionsTitle}`,
    '',
    subscriptionsIntro,
    '',
    '| Event type | Verdict | Details |',
    '| --- | --- | --- |',
    ...advice.types.map((entry) => {
      const { verdict, detail, refusal } = describeAdvice(entry);
      return `| ${mdCode(entry.type)} | ${verdictMark[entry.verdict]} ${verdict} | ${mdText(detail, 500)}${refusal === undefined ? '' : ` — ${mdText(refusal, 300)}`} |`;
    }),
    '',
    ...(endpoint === undefined ? [] : [`> ⚠️ ${mdText(endpoint, 500)}`, '']),
  ];
}

/** report.html's section: a table of the types, each row marked with its verdict. */
export function subscriptionsHtml(report: ContractReport): string {
  const advice = report.subscriptions;
  if (advice === undefined) return '';
  const endpoint = endpointLine(advice);
  const rows = advice.types.map((entry) => {
    const { verdict, detail, refusal } = describeAdvice(entry);
    const refused = refusal === undefined ? '' : `<p class="note refusal">${escapeHtml(refusal)}</p>`;
    return [
      `<tr class="advice ${entry.verdict}" data-type="${escapeHtml(entry.type)}" data-verdict="${entry.verdict}">`,
      `<th scope="row"><code>${escapeHtml(entry.type)}</code></th>`,
      `<td class="verdict">${verdictMark[entry.verdict]} ${escapeHtml(verdict)}</td>`,
      `<td class="detail">${escapeHtml(detail)}${refused}</td>`,
      '</tr>',
    ].join('');
  });
  return [
    '<section id="subscriptions-section">',
    `<h2>${subscriptionsTitle}</h2>`,
    `<p>${escapeHtml(subscriptionsIntro)}</p>`,
    '<div class="scroll"><table class="subscriptions" id="subscriptions">',
    '<thead><tr><th>Event type</th><th>Verdict</th><th>Details</th></tr></thead>',
    `<tbody>\n${rows.join('\n')}\n</tbody>`,
    '</table></div>',
    ...(endpoint === undefined ? [] : [`<p class="note endpoint">${escapeHtml(endpoint)}</p>`]),
    '</section>',
  ].join('\n');
}

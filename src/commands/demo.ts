// `npm run demo`: the contract gate against drhook's own reference receiver, once correct and once with a fault.
import path from 'node:path';
import { runContract } from '../contract/run.js';
import { resolveSettings, settingsSecrets } from '../contract/settings.js';
import type { ContractReport } from '../contract/results.js';
import { createRedactor } from '../wire/redact.js';
import { colorEnabled } from '../report/ansi.js';
import { redactStrings } from '../wire/redact-strings.js';
import { renderConsoleSummary } from '../report/contract/console.js';
import { createRunDirectory, defaultReportDir } from './run-dir.js';
import { writeReports } from '../report/report-files.js';
import { faults, type FaultName } from '../receiver/faults.js';
import { startReceiver } from '../receiver/server.js';

// Demo credentials, made up for this run: the receiver and drhook share them as a real integration would.
const secrets = { test: ['demo-test-token-7c1f'], live: ['demo-live-token-93ab'] };
const basic = { kind: 'basic' as const, username: 'digitalriver', password: 'demo-password-51e0' };
const demoFault: FaultName = 'skip-signature';

async function runAgainst(title: string, fault: FaultName | undefined): Promise<ContractReport> {
  const receiver = await startReceiver({ secrets, auth: basic, ...(fault ? { fault } : {}) });
  try {
    process.stdout.write(`\n━━ ${title}\n   drhook serve${fault ? ` --fault ${fault}` : ''} listening at ${receiver.url}\n\n`);
    const settings = resolveSettings(receiver.url, { secrets, auth: basic, mode: 'both' });
    const redact = createRedactor(settingsSecrets(settings));
    const { runId, dir } = await createRunDirectory(defaultReportDir, 'contract');
    const report = await runContract(settings, { runId });
    const paths = await writeReports(report, dir, redact);
    const short = (file: string) => path.relative(process.cwd(), file);
    const relative = { json: short(paths.json), junit: short(paths.junit), summary: short(paths.summary), html: short(paths.html) };
    process.stdout.write(renderConsoleSummary(redactStrings(report, redact), relative, { color: colorEnabled(process.stdout) }));
    return report;
  } finally {
    await receiver.close();
  }
}

const correct = await runAgainst('1/2  The default suite against the correct reference receiver', undefined);
const faulty = await runAgainst(`2/2  The same suite against a receiver with a fault: ${faults.find((fault) => fault.name === demoFault)?.description ?? demoFault}`, demoFault);

const expectedFailure = faulty.gate.failedRequired.length > 0;
process.stdout.write(
  [
    '',
    '━━ What the demo showed',
    `   correct receiver: gate ${correct.gate.status} — ${correct.gate.summary}`,
    `   faulty receiver:  gate ${faulty.gate.status} — failed: ${faulty.gate.failedRequired.join(', ') || 'nothing'}`,
    `   The reproduce commands above name the demo's receivers, which stopped with it: to replay a case, start one yourself`,
    `   (npx drhook serve --fault ${demoFault} --auth basic --username digitalriver, with signing tokens and a password of your own`,
    '   in DRHOOK_TEST_SECRET, DRHOOK_LIVE_SECRET and DRHOOK_PASSWORD) and run the command with npx against its URL.',
    '   Run it against your own receiver: npx drhook contract <url> (see README.md).',
    '',
  ].join('\n'),
);
// The demo succeeds when drhook told the two receivers apart: the correct one passes, the faulty one fails.
process.exitCode = correct.gate.status === 'pass' && expectedFailure ? 0 : 1;

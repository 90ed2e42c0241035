// defineContractSuite: a scenario's contract cases as Playwright tests, each delivered and judged as `drhook contract` does.
import type { TestInfo } from '@playwright/test';
import type { PlannedCase } from '../contract/family.js';
import { controlKey, planContract } from '../contract/plan.js';
import type { CaseRecord } from '../contract/results.js';
import { resolveSettings, type ContractOptions, type ContractSettings } from '../contract/settings.js';
import { UsageError } from '../base/errors.js';
import type { Mode } from '../events/event.js';
import { deriveSeed } from '../base/random.js';
import { MissingTokensError, missingTokensText } from '../wire/secrets.js';
import { requireUrl, scenarioPath, secretsFromEnv } from './config.js';
import { test } from './fixtures.js';
import { createSuiteRuntime } from './runtime.js';
import { cachedList, listChecks, listKey, type ListedCheck } from './suite-list.js';

export interface ContractSuiteOptions extends Omit<ContractOptions, 'scenario' | 'caseId' | 'secrets'> {
  /** The receiver endpoint. Default: the webhookUrl option (DRHOOK_URL). */
  url?: string;
  /**
   * Signing tokens per data mode, newest first; every mode the suite sends needs one, unless `unsigned`.
   * Default: DRHOOK_TEST_SECRET and DRHOOK_LIVE_SECRET.
   */
  secrets?: ContractOptions['secrets'];
  /**
   * Send every event unsigned, for a receiver that does not verify signatures: the signature checks are skipped tests
   * that say so, and tokens in the environment are not used.
   */
  unsigned?: boolean;
}

/**
 * The seed of a suite's events when none is given. It is fixed because Playwright lists the tests in every process
 * (the runner and each worker), and every one must list the same cases under the same titles.
 */
const defaultSuiteSeed = 1;

/** Stands in for the URL while listing: the cases do not depend on it, and the real one is known only in a test. */
const listingUrl = 'http://127.0.0.1/';

let suites = 0;

/**
 * Declares one `test.describe(<check id>)` per check of the scenario and in it one test per case,
 * `<event type> [<mode>] <fault>`: failing required cases fail their test (the message says why and how to reproduce
 * it), advisory ones pass with a `warning` annotation, checks that cannot run are skipped with the reason.
 * Signing tokens and auth come from `options` or the environment (as for `drhook contract`), because Playwright lists the
 * tests before any fixture exists; the URL comes from `options.url` or the webhookUrl option. A missing token or auth
 * secret is a setup error thrown while the tests are listed, so the run fails before anything is sent: a suite without
 * them never passes signature checks it did not run (`unsigned: true` runs without, and its skipped tests say so).
 * Each check's events come from a seed of their own, so every test sends its own events and stays right when run
 * alone, retried (a retry sends new events) or sharded.
 */
export function defineContractSuite(scenario?: string | URL, options: ContractSuiteOptions = {}): void {
  const { url, ...overrides } = options;
  const file = scenarioPath(scenario);
  const contractOptions: ContractOptions = {
    ...overrides,
    ...(file === undefined ? {} : { scenario: file }),
    secrets: overrides.secrets ?? (overrides.unsigned === true ? { test: [], live: [] } : secretsFromEnv()),
    seed: overrides.seed ?? defaultSuiteSeed,
  };
  const checks = cachedList(listKey(file, contractOptions), () => listChecks(suiteSettings(listingUrl, contractOptions)));
  const suite = `suite-${++suites}`;

  for (const check of checks) {
    test.describe(check.id, () => {
      if (check.skipped !== undefined) {
        const reason = check.skipped;
        test(`skipped: ${reason}`, () => test.skip(true, reason));
        return;
      }
      for (const listed of check.cases) {
        test(listed.title, async ({ webhookUrl, drhookContractRuntimes }, testInfo) => {
          const target = requireUrl(url ?? webhookUrl);
          const key = `${suite} ${target}`;
          let runtime = drhookContractRuntimes.get(key);
          if (runtime === undefined) {
            runtime = createSuiteRuntime(suiteSettings(target, contractOptions));
            drhookContractRuntimes.set(key, runtime);
          }
          const attempt = planAttempt(runtime.settings, check, listed.id, testInfo.retry);
          const [record] = await runtime.run(attempt.settings, attempt.planned, attempt.control);
          await report(record!, testInfo);
        });
      }
    });
  }
}

/** The settings of a suite; a missing token is worded for the suite's options, with no stack to read past. */
function suiteSettings(url: string, options: ContractOptions): ContractSettings {
  try {
    return resolveSettings(url, options);
  } catch (error) {
    if (!(error instanceof MissingTokensError)) throw error;
    const ways = (mode: Mode) => [`set DRHOOK_${mode.toUpperCase()}_SECRET`, `give secrets.${mode} in its options`];
    const setup = new UsageError(`defineContractSuite: ${missingTokensText(error.modes, ways)}, or unsigned: true to run it without signature checks`);
    setup.stack = `${setup.name}: ${setup.message}`;
    throw setup;
  }
}

interface Attempt {
  settings: ContractSettings;
  planned: PlannedCase;
  control: PlannedCase | undefined;
}

/**
 * Plans the one case (and the valid event it is compared with). A retry plans it from another seed, so it sends new
 * events rather than redeliveries that a receiver may answer differently; a case that exists only under the first
 * seed (the unsubscribed type picked at random) is sent again as it was.
 */
function planAttempt(settings: ContractSettings, check: ListedCheck, id: string, retry: number): Attempt {
  const seeds = retry > 0 ? [deriveSeed(check.seed, retry), check.seed] : [check.seed];
  for (const seed of seeds) {
    const attempt: ContractSettings = { ...settings, checks: [check.id], seed, caseId: id };
    let cases: PlannedCase[];
    try {
      cases = planContract(attempt).cases;
    } catch (error) {
      if (error instanceof UsageError) continue;
      throw error;
    }
    const planned = cases.find((candidate) => candidate.judges.length > 0);
    if (planned === undefined) continue;
    const control = planned.control === undefined ? undefined : cases.find((candidate) => candidate.provides && controlKey(candidate) === controlKey(planned));
    return { settings: attempt, planned, control };
  }
  throw new UsageError(`${id} is no longer planned: the scenario or drhook changed after Playwright listed the tests; run them again`);
}

/** A failing case fails the test with its reason and reproduce command; a warning is an annotation. */
async function report(record: CaseRecord, testInfo: TestInfo): Promise<void> {
  if (record.verdict.status === 'pass') return;
  await testInfo.attach(`${record.checkId}.json`, { body: JSON.stringify(record, null, 2), contentType: 'application/json' });
  if (record.verdict.status === 'warn') {
    testInfo.annotations.push({ type: 'warning', description: `${record.checkId} (advisory): ${record.verdict.reason}` });
    return;
  }
  const failure = new Error(`${record.checkId}: ${record.verdict.reason}\n\nReproduce: ${record.reproduce}`);
  // The reason says everything; drhook's own call stack would only hide it.
  failure.stack = `Error: ${failure.message}`;
  throw failure;
}

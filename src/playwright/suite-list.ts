// A contract suite's test list: planned once (it takes seconds), then kept on disk for every other Playwright process.
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, readdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { checkIds, type CheckId } from '../catalog/checks.js';
import { caseId, planContract } from '../contract/plan.js';
import type { ContractOptions, ContractSettings } from '../contract/settings.js';
import { packageRoot } from '../base/paths.js';
import { deriveSeed } from '../base/random.js';
import { writeFileAtomic } from '../report/atomic-write.js';

export interface ListedCheck {
  id: CheckId;
  /** The seed of this check's events: each check has its own, so no two tests send the same event. */
  seed: number;
  /** Why the check cannot run; its cases are then empty. */
  skipped?: string;
  cases: Array<{ id: string; title: string }>;
}

/** Each check's events come from their own seed, derived from the suite's. */
function checkSeed(seed: number, checkId: CheckId): number {
  return deriveSeed(seed, checkIds.indexOf(checkId) + 1);
}

/** Plans every check of the settings on its own seed: the tests, titled `<event type> [<mode>] <fault>`. */
export function listChecks(settings: ContractSettings): ListedCheck[] {
  return settings.checks.map((id) => {
    const seed = checkSeed(settings.seed, id);
    const plan = planContract({ ...settings, checks: [id], seed });
    const planned = plan.checks[0];
    if (planned?.status !== 'planned') return { id, seed, skipped: planned?.reason ?? 'no case applies to the selected event types', cases: [] };
    const titles = new Set<string>();
    const cases = plan.cases
      .filter((candidate) => candidate.judges.length > 0)
      .map((candidate) => {
        const base = `${candidate.eventType} [${candidate.mode}] ${candidate.fault}`;
        const title = titles.has(base) ? `${base} (${candidate.slug})` : base;
        titles.add(title);
        return { id: caseId(id, candidate), title };
      });
    return { id, seed, cases };
  });
}

/** What the list depends on, without a secret: a scenario, the options, which tokens exist, and drhook's own build. */
export function listKey(file: string | undefined, options: ContractOptions): string {
  const scenarioText = file === undefined ? '' : readable(file);
  const { secrets, auth, ca: _ca, headers: _headers, ...rest } = options;
  const described = {
    rest,
    tokens: { test: secrets?.test.length ?? 0, live: secrets?.live.length ?? 0 },
    auth: auth === undefined ? undefined : auth.kind === 'none' ? 'none' : auth.kind === 'basic' ? `basic ${auth.username}` : `oauth ${auth.clientId} ${auth.grant} ${auth.username ?? ''}`,
  };
  return createHash('sha256').update(JSON.stringify({ file, scenarioText, described, build: buildFingerprint() })).digest('hex').slice(0, 32);
}

/** A missing or unreadable scenario is reported when it is loaded. */
function readable(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return '';
  }
}

let fingerprint: string | undefined;

/** A hash of drhook's compiled code, schemas and scenarios: a changed drhook lists its tests anew. */
function buildFingerprint(): string {
  if (fingerprint === undefined) {
    const hash = createHash('sha256');
    const code = path.join(path.dirname(fileURLToPath(import.meta.url)), '..');
    for (const dir of [code, path.join(packageRoot, 'schemas'), path.join(packageRoot, 'scenarios')]) {
      for (const name of (readdirSync(dir, { recursive: true }) as string[]).sort()) {
        if (/\.(js|json|ya?ml)$/.test(name)) hash.update(name).update(readFileSync(path.join(dir, name)));
      }
    }
    fingerprint = hash.digest('hex');
  }
  return fingerprint;
}

const cacheDir = path.join(os.tmpdir(), 'drhook-playwright');

/** The list stored under `key`, or `plan()`'s, then stored for the next process (a failed store only costs time). */
export function cachedList(key: string, plan: () => ListedCheck[]): ListedCheck[] {
  const file = path.join(cacheDir, `${key}.json`);
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as ListedCheck[];
  } catch {
    const list = plan();
    try {
      mkdirSync(cacheDir, { recursive: true });
      void writeFileAtomic(file, JSON.stringify(list)).catch(() => {});
    } catch {
      // Not writable: every process plans for itself.
    }
    return list;
  }
}

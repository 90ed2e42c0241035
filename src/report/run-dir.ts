// Run directories: one sortable, unique `reports/<run-id>/` per run, for contract and load reports alike.
import { mkdir } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { UsageError } from '../errors.js';

export type RunKind = 'contract' | 'load';

/** Where reports go when `--report-dir` is not given (relative to the current working directory). */
export const defaultReportDir = 'reports';

export interface RunDirectory {
  runId: string;
  dir: string;
}

/** A run id such as `20261122-141503-contract-a1b2`: UTC time to the second (so ids sort by start), kind, random suffix. */
export function makeRunId(kind: RunKind, at: Date = new Date()): string {
  const stamp = at.toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
  return `${stamp}-${kind}-${randomBytes(2).toString('hex')}`;
}

/** Creates `<baseDir>/<run-id>/`; the run directory itself must be new, so two runs never share one. */
export async function createRunDirectory(baseDir: string, kind: RunKind): Promise<RunDirectory> {
  const base = path.resolve(baseDir);
  try {
    await mkdir(base, { recursive: true });
  } catch (error) {
    throw new UsageError(`cannot create the report directory ${base}: ${reasonOf(error)}`);
  }
  for (let attempt = 0; ; attempt++) {
    const runId = makeRunId(kind);
    const dir = path.join(base, runId);
    try {
      await mkdir(dir);
      return { runId, dir };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'EEXIST' && attempt < 20) continue;
      throw new UsageError(`cannot create the run directory ${dir}: ${reasonOf(error)}`);
    }
  }
}

function reasonOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

// Run directories: one sortable, unique `reports/<run-id>/` per run, for contract and load reports alike (the id from base/run-id).
import { mkdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { UsageError } from '../base/errors.js';
import { makeRunId, type RunKind } from '../base/run-id.js';

/** Where reports go when `--report-dir` is not given (relative to the current working directory). */
export const defaultReportDir = 'reports';

export interface RunDirectory {
  runId: string;
  dir: string;
}

/** Creates `<baseDir>/<run-id>/`; the run directory itself must be new, so two runs never share one. */
export async function createRunDirectory(baseDir: string, kind: RunKind): Promise<RunDirectory> {
  const base = path.resolve(baseDir);
  await makeDirectories(base);
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

/**
 * `mkdir -p`, one directory at a time below the nearest one that exists. Node's recursive mkdir never settles where
 * the file system refuses new directories without saying why (`/proc/x`: ENOENT under an existing /proc, forever).
 */
async function makeDirectories(dir: string): Promise<void> {
  const missing: string[] = [];
  for (let current = dir; !(await exists(current, dir)); current = path.dirname(current)) missing.unshift(current);
  for (const each of missing) {
    try {
      await mkdir(each);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'EEXIST') continue;
      const parent = path.dirname(each);
      const why =
        code === 'ENOENT' ? `${parent} does not accept new directories (ENOENT: a pseudo file system?)`
        : code === 'ENOTDIR' ? `${parent} is not a directory`
        : code === 'EACCES' || code === 'EPERM' ? `permission denied in ${parent} (${code})`
        : code === 'EROFS' ? `${parent} is on a read-only file system`
        : reasonOf(error);
      throw new UsageError(`cannot create the report directory ${dir}: ${why}`);
    }
  }
}

/** Whether `at` exists (the root always does); any other answer than "no such file" ends the search. */
async function exists(at: string, wanted: string): Promise<boolean> {
  if (path.dirname(at) === at) return true;
  try {
    await stat(at);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw new UsageError(`cannot create the report directory ${wanted}: ${reasonOf(error)}`);
  }
}

function reasonOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

// Run ids: one sortable, unique name per contract or load run, used for its run directory and in its reports.
import { randomBytes } from 'node:crypto';

export type RunKind = 'contract' | 'load';

/** A run id such as `20261122-141503-contract-a1b2`: UTC time to the second (so ids sort by start), kind, random suffix. */
export function makeRunId(kind: RunKind, at: Date = new Date()): string {
  const stamp = at.toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
  return `${stamp}-${kind}-${randomBytes(2).toString('hex')}`;
}

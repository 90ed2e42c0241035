// Golden files under test/golden/: what a run produced is compared with them, or written to them when DRHOOK_UPDATE_GOLDEN=1.
import assert from 'node:assert/strict';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** Compiled tests run from dist/test/helpers; the golden files live in the sources, test/golden. */
const goldenDir = fileURLToPath(new URL('../../../test/golden/', import.meta.url));

export const updatingGolden = process.env['DRHOOK_UPDATE_GOLDEN'] === '1';

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** JSON with object keys sorted at every level, two-space indented: the same value always gives the same text. */
export function stableJson(value: Json): string {
  const sorted = (node: Json): Json => {
    if (Array.isArray(node)) return node.map(sorted);
    if (node === null || typeof node !== 'object') return node;
    return Object.fromEntries(Object.keys(node).sort().map((key) => [key, sorted(node[key]!)]));
  };
  return `${JSON.stringify(sorted(value), null, 2)}\n`;
}

/** test/golden/<name> against a JSON value, compared as parsed values (object key order aside). */
export function matchGoldenJson(name: string, actual: Json): Promise<void> {
  return matchGolden(name, stableJson(actual), (now, golden) => assert.deepStrictEqual(JSON.parse(now) as Json, JSON.parse(golden) as Json));
}

/** test/golden/<name> against a text, compared line by line. */
export function matchGoldenText(name: string, actual: string): Promise<void> {
  return matchGolden(name, actual, (now, golden) => assert.deepStrictEqual(now.split('\n'), golden.split('\n')));
}

/**
 * Compares `written` with the golden file by `compare`, whose assert diff is the failure message; with
 * DRHOOK_UPDATE_GOLDEN=1 writes it instead.
 */
async function matchGolden(name: string, written: string, compare: (now: string, golden: string) => void): Promise<void> {
  const file = path.join(goldenDir, name);
  if (updatingGolden) {
    await mkdir(goldenDir, { recursive: true });
    await writeFile(file, written);
    return;
  }
  const golden = await readFile(file, 'utf8').catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') assert.fail(`test/golden/${name} does not exist: run the test with DRHOOK_UPDATE_GOLDEN=1 to write it`);
    throw error;
  });
  try {
    compare(written, golden);
  } catch (error) {
    if (!(error instanceof assert.AssertionError)) throw error;
    // assert's message carries the diff; say first which file, and how to accept an intended change. A plain Error, so
    // the test reporter does not print both whole values after the diff.
    throw new Error(`output differs from test/golden/${name} (+ now, - golden). If the change is intended, rerun with DRHOOK_UPDATE_GOLDEN=1 and commit the file.\n${error.message}`);
  }
}

// Digital River's reference material kept in the repository (reference/): the event-type list and the real sample events.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { packageRoot } from '../../src/base/paths.js';

export const referenceDir = path.join(packageRoot, 'reference');
const samplesDir = path.join(referenceDir, 'sample-events');

/** A JSON file of reference/, parsed. */
export function readReference(file: string): any {
  return JSON.parse(fs.readFileSync(path.join(referenceDir, file), 'utf8'));
}

/** Every real sample event, with its file name. */
export function samples(): Array<{ file: string; event: any }> {
  return fs
    .readdirSync(samplesDir)
    .filter((file) => file.endsWith('.json') && file !== 'sources.json')
    .sort()
    .map((file) => ({ file, event: JSON.parse(fs.readFileSync(path.join(samplesDir, file), 'utf8')) }));
}

/** reference/sample-events/sources.json: where each sample comes from in Digital River's docs. */
export function sampleSources(): { examples: Array<{ file: string; sources: string[]; repaired?: string[] }>; excerpts: unknown[] } {
  return JSON.parse(fs.readFileSync(path.join(samplesDir, 'sources.json'), 'utf8'));
}

/** The path of the first real sample event of a type. */
export function samplePath(type: string): string {
  const file = path.join(samplesDir, `${type}.1.json`);
  assert.ok(fs.existsSync(file), `no real sample of ${type}: expected ${file}`);
  return file;
}

/** A fresh copy of the first real sample event of a type, free to change. */
export function sample(type: string): any {
  return JSON.parse(fs.readFileSync(samplePath(type), 'utf8'));
}

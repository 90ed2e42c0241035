// The package itself, wherever drhook is installed: where its shipped data lives (schemas, scenarios), and its version.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

/** The package root: compiled files live in <root>/dist/src/base. */
export const packageRoot = fileURLToPath(new URL('../../../', import.meta.url));
export const schemasDir = path.join(packageRoot, 'schemas');
export const scenariosDir = path.join(packageRoot, 'scenarios');

/** package.json's version: the one place drhook's version is read from (--version, User-Agent, reports). */
export const version = (JSON.parse(readFileSync(path.join(packageRoot, 'package.json'), 'utf8')) as { version: string }).version;

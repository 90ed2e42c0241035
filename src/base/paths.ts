// Where the package's shipped data lives (schemas, scenarios), wherever drhook is installed.
import { fileURLToPath } from 'node:url';
import path from 'node:path';

/** The package root: compiled files live in <root>/dist/src/base. */
export const packageRoot = fileURLToPath(new URL('../../../', import.meta.url));
export const schemasDir = path.join(packageRoot, 'schemas');
export const scenariosDir = path.join(packageRoot, 'scenarios');

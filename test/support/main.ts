// The built command line the tests run (test/support/global-setup.ts builds it before any test).
import { join, resolve } from 'node:path';

export const REPO_ROOT = resolve(import.meta.dirname, '../..');
/** `node MAIN_JS ...args` runs hostwatch as installed. */
export const MAIN_JS = join(REPO_ROOT, 'dist/main.js');

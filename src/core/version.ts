// Version and revision of this build. The revision is written into dist/revision.json by the build
// (scripts/ensure-built.mjs); running from source reports "unknown".
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));

function readJson(path: string): Record<string, unknown> | undefined {
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
  } catch {
    return undefined;
  }
}

const pkg = readJson(join(here, '..', '..', 'package.json'));
export const VERSION = String(pkg?.version ?? '0.0.0');
export const REVISION = String(readJson(join(here, '..', 'revision.json'))?.revision ?? process.env.HOSTWATCH_REVISION ?? 'unknown');

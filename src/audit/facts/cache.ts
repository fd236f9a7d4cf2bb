// The two costly facts, the package manager's pending updates (seconds of CPU) and the search of
// directory trees for SUID and world-writable files (a stat per file), are kept in the state
// directory: the exporter's scheduled audit always recomputes them (cost does not matter in the
// background) and `hostwatch audit` reuses them for audit.cache_max_age, unless --refresh.
import { mkdir, rename, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { readOptional, type FactContext } from './context.js';
import type { Freshness } from './types.js';

export function cachePath(stateDir: string, name: string): string {
  return join(stateDir, 'audit', 'cache', `${name}.json`);
}

/**
 * The value of `compute`, or the one stored under `name` when it was computed for the same `key`
 * (the settings it depends on) less than audit.cache_max_age ago.
 */
export async function cachedFact<T>(
  ctx: FactContext,
  name: string,
  key: string,
  compute: () => Promise<T>,
): Promise<{ value: T } & Freshness> {
  const path = cachePath(ctx.stateDir, name);
  if (!ctx.refresh) {
    const text = await readOptional(path).catch(() => undefined);
    if (text !== undefined) {
      try {
        const c = JSON.parse(text) as { key: string; checkedAt: number; value: T };
        const age = ctx.now - c.checkedAt;
        if (c.key === key && Number.isFinite(age) && age >= 0 && age < ctx.config.cache_max_age)
          return { value: c.value, checkedAt: c.checkedAt, cached: true, ageMs: age };
      } catch {
        // a damaged entry is replaced below
      }
    }
  }
  const value = await compute();
  try {
    await mkdir(dirname(path), { recursive: true });
    await writeFile(`${path}.tmp`, JSON.stringify({ key, checkedAt: ctx.now, value }) + '\n');
    await rename(`${path}.tmp`, path);
  } catch {
    // a read-only state directory only costs the next audit the same work again
  }
  return { value, checkedAt: ctx.now, cached: false, ageMs: 0 };
}

/** "result of 12 min ago" for the details of a check. */
export function freshnessNote(f: Freshness): string | undefined {
  if (!f.cached) return undefined;
  const min = Math.round(f.ageMs / 60_000);
  return `result of ${min < 120 ? `${min} min` : `${Math.round(min / 60)} h`} ago, kept in the state directory (hostwatch audit --refresh to redo it now)`;
}

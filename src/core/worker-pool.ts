// Worker threads as real modules, run by piscina. A worker module sits next to the module that
// starts it and is named by `new URL('./x.js', import.meta.url)`. Compiled, that is dist/x.js
// (`node dist/main.js`, the installed package); run from the TypeScript sources (vitest, tsx: tests
// import src/) the file is x.ts, which a worker thread can only load through tsx. Node 20 ignores
// `--import` in a worker's execArgv, but runs `--require`: the worker preloads tsx's CommonJS
// hook, and piscina, which loads worker modules with require() first, gets x.ts compiled by tsx.
// Which case applies is read from this module's own URL.
// Compiled, a worker module is ES modules, which Node 20.19+ lets require() load synchronously; a
// worker terminated in the middle of that (a pool closed while a thread is still starting: a scan
// of a small tree ends before the second thread has loaded) aborts the whole process in Node 20
// (FATAL ERROR: v8::Module::IsGraphAsync). The workers run without require(esm), so piscina's
// require() fails at once and it loads the module with import(), which a termination stops cleanly.
// piscina itself is loaded with the first pool (a FIM scan, an uncached login), not at start: its
// modules cost start-up time and memory that an exporter without those never needs.
import { createRequire } from 'node:module';
import type { Piscina } from 'piscina';

const fromSources = import.meta.url.endsWith('.ts');

export interface PoolOptions {
  /**
   * The exported function run by tasks that name none (piscina's default is the default export);
   * a worker looks it up as it starts, so it must exist.
   */
  name?: string;
  minThreads: number;
  maxThreads: number;
  /** Tasks posted to a worker before it answers the previous one (piscina's default is 1). */
  concurrentTasksPerWorker?: number;
  /** How an idle worker waits for tasks: piscina's default 'sync' blocks it in Atomics.wait. */
  atomics?: 'sync' | 'disabled';
  /** How long a worker above minThreads stays idle before it exits (ms). */
  idleTimeout?: number;
}

/** A piscina pool running the exported functions of the worker module at `script` (a .js URL). */
export async function workerPool(script: URL, opts: PoolOptions): Promise<Piscina> {
  const { Piscina } = await import('piscina');
  return new Piscina({ ...workerFile(script), recordTiming: false, ...opts });
}

function workerFile(script: URL): { filename: string; execArgv: string[] } {
  if (!fromSources) return { filename: script.href, execArgv: ['--no-experimental-require-module'] };
  // Resolved here rather than by the worker, so that it does not depend on the working directory.
  const tsx = createRequire(import.meta.url).resolve('tsx/cjs');
  return { filename: script.href.replace(/\.js$/, '.ts'), execArgv: ['--require', tsx] };
}

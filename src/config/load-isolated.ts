// Loads the config for the running exporter (start and SIGHUP) in a short-lived worker thread.
// Why: validating hostwatch.yml needs zod, the schema and the YAML parser, and an ES module once
// imported stays in memory for the life of the process (its source text, bytecode and objects:
// measured ~4 MB of RSS for a config read once an hour at most). The worker's isolate and
// everything it imported are freed when it ends; only the plain config object (durations and
// sizes already in ms and bytes, structured-cloned) comes back. `check-config`, `parse` and the
// tests use loadConfig() directly: they are short-lived or need no isolation.
import { Worker } from 'node:worker_threads';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { ConfigError } from './errors.js';
import type { Config } from './schema.js';
import type { LoadWorkerReply } from './load-worker.js';

export interface IsolatedLoadOptions {
  /**
   * Validate in this thread instead. Default: only when running from TypeScript source (vitest,
   * `node --import tsx src/main.ts`), where a plain worker could not import the .ts modules.
   */
  inThread?: boolean;
}

const FROM_SOURCE = fileURLToPath(import.meta.url).endsWith('.ts');

export async function loadConfigIsolated(file: string, opts: IsolatedLoadOptions = {}): Promise<Config> {
  if (opts.inThread ?? FROM_SOURCE) {
    const { loadConfig } = await import('./load.js');
    return loadConfig(file);
  }
  const worker = FROM_SOURCE ? sourceWorker(file) : new Worker(new URL('./load-worker.js', import.meta.url), { workerData: { file } });
  const reply = await new Promise<LoadWorkerReply>((resolve, reject) => {
    let settled = false;
    worker.once('message', (m: LoadWorkerReply) => {
      settled = true;
      resolve(m);
    });
    worker.once('error', (err) => {
      settled = true;
      reject(err);
    });
    worker.once('exit', (code) => {
      if (!settled) reject(new Error(`config loader worker exited with code ${code} before replying`));
    });
  });
  if (reply.ok) return reply.config as Config;
  if ('problems' in reply) throw new ConfigError(reply.file, reply.problems);
  throw new Error(reply.message);
}

/**
 * The worker run from the TypeScript source (tests): Node 20 does not pass `--import tsx` on to
 * workers, so a small bootstrap registers tsx in the worker before importing the .ts entry.
 */
function sourceWorker(file: string): Worker {
  // The ESM entry of tsx's API (require.resolve finds its CommonJS twin beside it).
  const tsx = pathToFileURL(createRequire(import.meta.url).resolve('tsx/esm/api').replace(/\.cjs$/, '.mjs')).href;
  const entry = new URL('./load-worker.ts', import.meta.url).href;
  const bootstrap = `import(${JSON.stringify(tsx)}).then(({ register }) => { register(); return import(${JSON.stringify(entry)}); })`;
  return new Worker(bootstrap, { eval: true, workerData: { file } });
}

// Worker entry of loadConfigIsolated (load-isolated.ts): reads and validates one config file and
// posts the result back, then ends. Validation needs zod, the schema and the YAML parser (~10 MB of
// heap and code once imported); doing it here keeps them out of the long-running exporter thread.
import { parentPort, workerData } from 'node:worker_threads';
import { loadConfig } from './load.js';
import { ConfigError } from './errors.js';

export type LoadWorkerReply =
  | { ok: true; config: unknown }
  | { ok: false; file: string; problems: string[] }
  | { ok: false; message: string };

const { file } = workerData as { file: string };
let reply: LoadWorkerReply;
try {
  reply = { ok: true, config: await loadConfig(file) };
} catch (err) {
  reply = err instanceof ConfigError ? { ok: false, file: err.file, problems: err.problems } : { ok: false, message: (err as Error).message ?? String(err) };
}
parentPort!.postMessage(reply);

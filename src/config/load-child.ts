// Child-process entry of loadConfigIsolated (load-isolated.ts): reads and validates the config
// file named by argv[2], sends the result to the parent over the IPC channel and exits.
// Validation needs zod, the schema, the YAML parser and the re2 addon; doing it in a process of its
// own keeps every byte of that (heap, code pages, the loaded addon) out of the long-running exporter.
import { loadConfig } from './load.js';
import { ConfigError } from './errors.js';

export type LoadChildReply =
  | { ok: true; config: unknown }
  | { ok: false; file: string; problems: string[] }
  | { ok: false; message: string };

const file = process.argv[2];
let reply: LoadChildReply;
try {
  reply = { ok: true, config: await loadConfig(file) };
} catch (err) {
  reply = err instanceof ConfigError ? { ok: false, file: err.file, problems: err.problems } : { ok: false, message: (err as Error).message ?? String(err) };
}
// Disconnecting once the reply is out lets the process end (nothing else keeps it alive).
// (The parent may be gone already, e.g. it exited on a bad flag: then there is nothing to disconnect.)
process.send!(reply, () => {
  if (process.connected) process.disconnect();
});

// Vitest global setup: builds dist/ once (only when a source file is newer than it, like `npm start`
// does), so that the tests that run the real command line spawn `node dist/main.js` — what users run —
// instead of compiling the TypeScript sources again in every child process (tsx costs 0.5-1 s of CPU
// per spawn, most of the suite's time on a busy 2-core machine).
import { execFileSync } from 'node:child_process';
import { join, resolve } from 'node:path';

export default function setup(): void {
  const root = resolve(import.meta.dirname, '../..');
  execFileSync(process.execPath, [join(root, 'scripts/ensure-built.mjs')], { stdio: 'inherit' });
}

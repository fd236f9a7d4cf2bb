// A worker pool closed while a thread is still loading its module (a FIM scan of a small tree ends
// before the pool's second thread has started) must only stop that thread. In Node 20, a worker
// terminated while require() links an ES module aborts the whole process (FATAL ERROR:
// v8::Module::IsGraphAsync), and piscina loads worker modules with require() first: the exporter
// died so in the end-to-end suite. The compiled pool is tested (the sources' pool loads through tsx,
// which compiles to CommonJS), with a module whose linking takes long enough to be caught in it.
import { describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO_ROOT } from '../support/main.js';

const run = promisify(execFile);

/**
 * A module importing 10,000 names through 100 `export *` modules: resolving them is done when the
 * module graph is linked (hundreds of ms), while compiling it is quick.
 */
async function slowToLink(dir: string): Promise<string> {
  const stars = 100;
  const each = 100;
  const names: string[] = [];
  for (let b = 0; b < stars; b++) {
    let text = '';
    for (let e = 0; e < each; e++) {
      text += `export const x${b}_${e} = ${e};\n`;
      names.push(`x${b}_${e}`);
    }
    await writeFile(join(dir, `b${b}.mjs`), text);
  }
  await writeFile(join(dir, 'all.mjs'), Array.from({ length: stars }, (_, b) => `export * from './b${b}.mjs';\n`).join(''));
  const main = join(dir, 'task.mjs');
  await writeFile(main, `import { ${names.join(', ')} } from './all.mjs';\nexport default function task() { return ${names.at(-1)}; }\n`);
  return main;
}

describe('worker pool', () => {
  it('closed while a thread is loading its module, stops the thread and the process lives on', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'hostwatch-pool-'));
    try {
      const slow = await slowToLink(dir);
      const child = join(import.meta.dirname, 'fixtures/close-while-loading.mjs');
      const { stdout } = await run(process.execPath, [child, join(REPO_ROOT, 'dist/core/worker-pool.js'), slow], { timeout: 60_000 });
      expect(stdout).toMatch(/^ok /);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

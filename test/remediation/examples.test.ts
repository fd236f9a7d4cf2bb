// The shipped examples/actions.yml: valid config, every action a dry run, and the commands do what
// their comments say when run for real (the find argv on a temp directory).
import { describe, expect, it } from 'vitest';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseConfigText } from '../../src/config/load.js';
import { runCommand } from '../../src/remediation/spawn.js';

const load = async () => parseConfigText(await readFile('examples/actions.yml', 'utf8'), 'examples/actions.yml');

describe('examples/actions.yml', () => {
  it('loads, ships every action as a dry run, and declares a pattern for every placeholder', async () => {
    const cfg = await load();
    expect(cfg.actions.map((a) => a.name)).toEqual([
      'block-source-ufw',
      'block-source-nft',
      'restart-unit',
      'clean-app-tmp',
      'clean-app-cache',
    ]);
    for (const a of cfg.actions) expect(a.dry_run).toBe(true);
  });

  it('clean-app-tmp deletes files older than 7 days and keeps the newer ones', async () => {
    const a = (await load()).actions.find((x) => x.name === 'clean-app-tmp')!;
    const dir = await mkdtemp(join(tmpdir(), 'hostwatch-clean-'));
    try {
      await writeFile(join(dir, 'old'), 'x');
      await writeFile(join(dir, 'new'), 'x');
      const eightDaysAgo = new Date(Date.now() - 8 * 86_400_000);
      await utimes(join(dir, 'old'), eightDaysAgo, eightDaysAgo);
      const argv = a.command!.map((arg) => (arg === '/var/tmp/app' ? dir : arg));
      const r = await runCommand(argv, { timeoutMs: a.timeout });
      expect(r).toMatchObject({ outcome: 'exit', exitCode: 0 });
      expect(existsSync(join(dir, 'old'))).toBe(false);
      expect(existsSync(join(dir, 'new'))).toBe(true);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

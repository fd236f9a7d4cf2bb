// A listing of the rotation chain taken while logrotate shifts names can miss a file or show one
// twice: such a listing is marked torn, and the chain is not judged on it (chain.ts looks again).
import { linkSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { FileGuard } from '../../src/tail/guard.js';
import { listSiblings } from '../../src/tail/siblings.js';

let dir: string;
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('listSiblings', () => {
  it('a consistent listing is not torn', async () => {
    dir = mkdtempSync(join(tmpdir(), 'hostwatch-torn-'));
    for (const n of ['access.log', 'access.log.1', 'access.log.2']) writeFileSync(join(dir, n), `${n}\n`);
    const r = await listSiblings(join(dir, 'access.log'), new FileGuard([dir]));
    expect(r.torn).toBeUndefined();
    expect(r.siblings.map((s) => s.name).sort()).toEqual(['access.log.1', 'access.log.2']);
  });

  it('one file under two names (seen twice mid-rename) makes the listing torn', async () => {
    dir = mkdtempSync(join(tmpdir(), 'hostwatch-torn-'));
    writeFileSync(join(dir, 'access.log'), 'now\n');
    writeFileSync(join(dir, 'access.log.1'), 'old\n');
    linkSync(join(dir, 'access.log.1'), join(dir, 'access.log.2'));
    const r = await listSiblings(join(dir, 'access.log'), new FileGuard([dir]));
    expect(r.torn).toBe(true);
  });
});

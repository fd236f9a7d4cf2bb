// The checkpoint store on a real directory: atomic save and load, validation, corrupt files moved
// aside (kept as evidence), the directory recreated if removed while running.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readdirSync, rmSync, writeFileSync, mkdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { CheckpointStore, CHECKPOINT_VERSION, type Checkpoint } from '../../src/tail/checkpoint.js';
import { createLogger } from '../../src/core/log.js';
import { tempDir } from './helpers.js';

let dir: string;
let cleanup: () => void;
let logged: string[];
const store = () => new CheckpointStore(dir, 'web', createLogger({ write: (l) => logged.push(l) }));
const cp = (over: Partial<Checkpoint> = {}): Checkpoint => ({
  version: CHECKPOINT_VERSION,
  log: 'web',
  type: 'access',
  taken_at: 1,
  tailer: { files: [{ path: '/var/log/a.log', dev: '1', ino: '2', fp: 'YQ==', offset: 10, skipping: false }], bytes: 10, rotations: 0 },
  counters: { parsed: 1 },
  handler: { any: ['json'] },
  ...over,
});
const checkpoints = () => readdirSync(path.join(dir, 'checkpoints')).sort();

beforeEach(() => {
  ({ dir, cleanup } = tempDir());
  logged = [];
});
afterEach(() => cleanup());

describe('CheckpointStore', () => {
  it('saves atomically (no temp file left, private mode) and loads back the same data', async () => {
    const s = store();
    expect(await s.load()).toBeUndefined();
    await s.save(cp());
    expect(checkpoints()).toEqual(['web.json']);
    expect(statSync(s.file).mode & 0o777).toBe(0o600);
    expect(await store().load()).toEqual(cp());
  });

  it('recreates the directory when it was removed while running', async () => {
    const s = store();
    await s.save(cp());
    rmSync(path.join(dir, 'checkpoints'), { recursive: true });
    await s.save(cp({ taken_at: 2 }));
    expect((await store().load())?.taken_at).toBe(2);
  });

  it.each([
    ['not JSON', '{"version":1,', /not JSON/],
    ['not an object', 'null', /not an object/],
    ['another version', JSON.stringify(cp({ version: 99 })), /unknown version 99/],
    ['another log', JSON.stringify(cp({ log: 'api' })), /belongs to log .{0,2}api/],
    ['a bad file list', JSON.stringify(cp({ tailer: { files: [{ path: 1 }], bytes: 0, rotations: 0 } as never })), /invalid file list/],
    ['a negative offset', JSON.stringify(cp({ tailer: { files: [{ ...cp().tailer.files[0], offset: -1 }], bytes: 0, rotations: 0 } })), /invalid file list/],
  ])('moves aside a checkpoint that is %s, and reports why', async (_what, text, reason) => {
    mkdirSync(path.join(dir, 'checkpoints'));
    writeFileSync(path.join(dir, 'checkpoints', 'web.json'), text);
    expect(await store().load()).toBeUndefined();
    const names = checkpoints();
    expect(names).toHaveLength(1);
    expect(names[0]).toMatch(/^web\.json\.corrupt-\d+$/);
    expect(logged.join('\n')).toMatch(reason);
  });

  it('lets the caller reject a checkpoint too (e.g. written for another log type)', async () => {
    await store().save(cp());
    expect(await store().load((c) => (c.type !== 'auth' ? 'wrong type' : undefined))).toBeUndefined();
    expect(checkpoints()[0]).toMatch(/^web\.json\.corrupt-/);
    expect(logged.join('\n')).toMatch(/wrong type/);
  });
});

// The checkpoint store on a real directory: atomic save and load, validation, corrupt files moved
// aside (kept as evidence), the directory recreated if removed while running; and a checkpoint file
// written by an existing install (format version 1) restored by today's pipeline.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { appendFileSync, readdirSync, readFileSync, rmSync, writeFileSync, mkdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { CheckpointStore, CHECKPOINT_VERSION, type Checkpoint } from '../../src/logs/checkpoint.js';
import { createLogger } from '../../src/core/log.js';
import { parseConfig } from '../../src/config/load.js';
import { accessLogType } from '../../src/logs/access/index.js';
import { tempDir } from '../tail/helpers.js';
import { testPipeline } from './helpers.js';

const FIXTURES = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../fixtures');

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
    [
      'a bad file list',
      JSON.stringify(cp({ tailer: { files: [{ path: 1 }], bytes: 0, rotations: 0 } as never })),
      /tailer\.files\[0\]\.path: not an absolute path/,
    ],
    [
      'a negative offset',
      JSON.stringify(cp({ tailer: { files: [{ ...cp().tailer.files[0], offset: -1 }], bytes: 0, rotations: 0 } })),
      /tailer\.files\[0\]\.offset: not a byte offset/,
    ],
    ['1e300 rotations', JSON.stringify(cp({ tailer: { ...cp().tailer, rotations: 1e300 } })), /tailer\.rotations: not a count/],
    ['a negative byte count', JSON.stringify(cp({ tailer: { ...cp().tailer, bytes: -5 } })), /tailer\.bytes: not a count/],
    [
      'an unknown kind of rotation',
      JSON.stringify(cp({ tailer: { ...cp().tailer, rotations: 1, kinds: { magic: 1 } as never } })),
      /tailer\.kinds\.magic: unknown kind/,
    ],
    [
      'more rotations by kind than in total',
      JSON.stringify(cp({ tailer: { ...cp().tailer, rotations: 1, kinds: { rename: 2 } } })),
      /more rotations by kind/,
    ],
    [
      '20,000 files',
      JSON.stringify(cp({ tailer: { ...cp().tailer, files: new Array(20_000).fill(cp().tailer.files[0]) } })),
      /tailer\.files: not a list of at most 4096 files/,
    ],
    [
      'a fingerprint too long',
      JSON.stringify(cp({ tailer: { ...cp().tailer, files: [{ ...cp().tailer.files[0], fp: 'QUFB'.repeat(100) }] } })),
      /files\[0\]\.fp/,
    ],
    [
      'a noted chain with something other than identities',
      JSON.stringify(cp({ tailer: { ...cp().tailer, files: [{ ...cp().tailer.files[0], chain: ['1:2', '../x'] }] } })),
      /files\[0\]\.chain: not a list of at most 1024 identities/,
    ],
    [
      'a file found new marked with something other than true or false',
      JSON.stringify(cp()).replace('"skipping":false', '"skipping":false,"newlyFound":"yes"'),
      /files\[0\]\.skipping\/copy\/rotated\/gz\/newlyFound: not true or false/,
    ],
    [
      'a relative path',
      JSON.stringify(cp({ tailer: { ...cp().tailer, files: [{ ...cp().tailer.files[0], path: 'a.log' }] } })),
      /files\[0\]\.path/,
    ],
    [
      'a bad known file',
      JSON.stringify(
        cp({ tailer: { ...cp().tailer, known: [{ path: '/a', dev: '1', ino: '2', head: 999, sum: 'x', offset: 0, skipping: false }] } }),
      ),
      /tailer\.known\[0\]\.head\/sum/,
    ],
    [
      "a known copy's size that is not a byte count",
      JSON.stringify(
        cp({
          tailer: {
            ...cp().tailer,
            known: [
              {
                path: '/a',
                dev: '1',
                ino: '2',
                head: 0,
                sum: 'AAAAAAAAAAAAAAAAAAAAAA==',
                offset: 0,
                skipping: false,
                copy: true,
                size: -1,
              },
            ],
          },
        }),
      ),
      /tailer\.known\[0\]\.size: not a byte count/,
    ],
    [
      'bigger than 16 MiB',
      JSON.stringify(cp({ handler: { pad: 'x'.repeat(17 * 1024 * 1024) } })),
      /more than the 16777216 a checkpoint can take/,
    ],
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

describe('a checkpoint written by an existing install (format version 1)', () => {
  // checkpoints/v1-access.json was written by the pipeline of that version for a log `web` of type
  // access (format combined), after reading access/apache-combined.log up to the middle of its
  // sixth line; the test puts the identity of its own copy of that file into it (dev, ino, path).
  const full = readFileSync(path.join(FIXTURES, 'access', 'apache-combined.log'), 'utf8');
  const lines = full.split('\n');
  const readThen = lines.slice(0, 5).join('\n') + '\n' + lines[5].slice(0, 20);

  async function run(file: string, stateDir: string, startPosition: 'beginning' | 'end') {
    const config = parseConfig({ logs: [{ name: 'web', type: 'access', path: file, format: 'combined', start_position: startPosition }] })
      .logs[0];
    const p = testPipeline({ config, type: accessLogType, stateDir });
    await p.start();
    await p.poll();
    await p.checkpoint();
    await p.stop();
    return p.state;
  }

  it('is restored: the counts go on from it, exactly as if one process had read the whole file', async () => {
    const log = path.join(dir, 'access.log');
    writeFileSync(log, readThen);
    const st = statSync(log, { bigint: true });
    const saved = JSON.parse(readFileSync(path.join(FIXTURES, 'checkpoints', 'v1-access.json'), 'utf8')) as Checkpoint;
    expect(saved.tailer.files).toHaveLength(1);
    Object.assign(saved.tailer.files[0], { path: log, dev: String(st.dev), ino: String(st.ino) });
    mkdirSync(path.join(dir, 'state', 'checkpoints'), { recursive: true });
    writeFileSync(path.join(dir, 'state', 'checkpoints', 'web.json'), JSON.stringify(saved));
    appendFileSync(log, full.slice(readThen.length));

    // start_position end: without the checkpoint, nothing of the file would be read.
    const restored = await run(log, path.join(dir, 'state'), 'end');
    expect(readdirSync(path.join(dir, 'state', 'checkpoints'))).toEqual(['web.json']); // not moved aside

    const fresh = path.join(dir, 'fresh.log');
    writeFileSync(fresh, full);
    const reference = await run(fresh, path.join(dir, 'fresh-state'), 'beginning');
    expect(reference.counters.parsed).toBeGreaterThan((saved.counters as { parsed: number }).parsed);
    // Per-client counts did not exist when this checkpoint was written: they start with the restore
    // (the lines read after it), everything else goes on as if one process had read the whole file.
    type WithClients = { clients?: { top: Record<string, number>; other: number } };
    const { clients, ...restoredState } = restored.handler as WithClients;
    const { clients: _all, ...referenceState } = reference.handler as WithClients;
    expect({ ...restored, handler: restoredState }).toEqual({ ...reference, handler: referenceState });
    const newLines = reference.counters.parsed - (saved.counters as { parsed: number }).parsed;
    expect(Object.values(clients!.top).reduce((a, b) => a + b, clients!.other)).toBe(newLines);
  });
});

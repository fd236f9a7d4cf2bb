// What a FIM monitor keeps after a scan: the records of `current` and `baseline`, and not the
// scan's result besides (a promise chain kept the last result alive for the monitor's lifetime).
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { tempDir, writeTree } from './helpers.js';
import { RootMonitor } from '../../src/fim/monitor.js';
import { RecordSet } from '../../src/fim/record-set.js';
import { ChangeJournal } from '../../src/fim/journal.js';
import { ManualClock } from '../../src/core/clock.js';
import { silentLogger } from '../../src/core/log.js';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

let t: ReturnType<typeof tempDir>;
beforeEach(() => (t = tempDir()));
afterEach(() => t.cleanup());

describe('fim monitor memory', () => {
  it('does not hold the last scan result once its records are replaced', async () => {
    const root = path.join(t.dir, 'etc');
    mkdirSync(root);
    writeTree(root, { a: '1\n', 'b/c': '2\n' });
    const stateDir = path.join(t.dir, 'state');
    const m = new RootMonitor(
      { path: root, include: ['**'], exclude: [], critical: false, maxFileSize: 1 << 20, followSymlinks: false, hashConcurrency: 1 },
      {
        stateDir,
        logger: silentLogger,
        clock: new ManualClock(),
        journal: new ChangeJournal(path.join(stateDir, 'j.jsonl')),
        pseudoMounts: async () => new Set(),
      },
    );
    await m.load();
    const entries = new WeakRef((await m.fullScan())!.records);
    expect(entries.deref()?.size).toBe(3);
    // What the monitor itself references is dropped: nothing else may keep the scan's records.
    m.current = new RecordSet();
    m.baseline = undefined;
    await new Promise((r) => setTimeout(r, 0));
    gc();
    expect(entries.deref()).toBeUndefined();
    await m.stop();
  });
});

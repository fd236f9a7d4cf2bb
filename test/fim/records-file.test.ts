// The records files (baseline and current state) as JSON lines: a round trip, and an install whose
// files are in the former format (one JSON object each, as written before JSON lines) loaded by
// the collector, migrated on its first load and nothing lost (counters, changes, reused hashes).
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { lstatSync, mkdirSync, readFileSync, readlinkSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { makeCollector, sample, tempDir, writeTree } from './helpers.js';
import { baselinePath, currentPath, journalPath, readBaseline, readState, statePath, writeBaseline } from '../../src/fim/store.js';
import { readRecordsFile } from '../../src/fim/records-file.js';
import { RecordSet } from '../../src/fim/record-set.js';
import { entryTypeOfMode, type FileRecord } from '../../src/fim/record.js';

let t: ReturnType<typeof tempDir>;
let root: string;
let stateDir: string;
beforeEach(() => {
  t = tempDir();
  root = path.join(t.dir, 'etc');
  stateDir = path.join(t.dir, 'state');
  mkdirSync(root);
  writeTree(root, { passwd: 'root:x:0:0\n', 'ssh/sshd_config': 'Port 22\n', 'ssh/moduli': 'm\n', motd: 'hi\n' });
  symlinkSync('passwd', path.join(root, 'link'));
});
afterEach(() => t.cleanup());

/** A record as the former scanner made it from lstat (and the content's hash). */
function legacyRecord(rel: string): FileRecord {
  const p = path.join(root, rel);
  const st = lstatSync(p);
  const rec: FileRecord = {
    type: entryTypeOfMode(st.mode),
    size: st.size,
    mode: st.mode & 0o7777,
    uid: st.uid,
    gid: st.gid,
    mtimeMs: st.mtimeMs,
    ctimeMs: st.ctimeMs,
    ino: st.ino,
  };
  if (rec.type === 'file') rec.sha256 = createHash('sha256').update(readFileSync(p)).digest('hex');
  if (rec.type === 'symlink') rec.target = readlinkSync(p);
  return rec;
}

const PATHS = ['link', 'motd', 'passwd', 'ssh', 'ssh/moduli', 'ssh/sshd_config'];
const legacyEntries = () => Object.fromEntries(PATHS.map((rel) => [rel, legacyRecord(rel)]));

describe('FIM records files', () => {
  it('round-trips a set through JSON lines, one directory a line, with the counts in the header', async () => {
    const set = RecordSet.fromRecords(Object.entries(legacyEntries()));
    await writeBaseline(stateDir, { version: 1, root, createdAt: 'c', acceptedAt: 'a', entries: set });
    const lines = readFileSync(baselinePath(stateDir, root), 'utf8').trimEnd().split('\n');
    expect(JSON.parse(lines[0])).toEqual({
      format: 'hostwatch-fim-records',
      version: 2,
      root,
      createdAt: 'c',
      acceptedAt: 'a',
      dirs: 2,
      entries: 6,
    });
    expect(lines.slice(1).map((l) => JSON.parse(l).dir)).toEqual(['', 'ssh']);
    const back = await readBaseline(stateDir, root);
    expect(back).toMatchObject({ createdAt: 'c', acceptedAt: 'a' });
    expect(back!.legacy).toBeUndefined();
    expect([...back!.entries.entries()].sort()).toEqual([...set.entries()].sort());
    expect(back!.entries.get('link')).toMatchObject({ type: 'symlink', target: 'passwd' });
    expect(back!.entries.get('ssh')!.sha256).toBeUndefined();
  });

  it.each([
    ['names out of order', `{"dir":"","entries":[["b",33188,0,0,1,1,1,1,null],["a",33188,0,0,1,1,1,1,null]]}`],
    ['a bad digest', `{"dir":"","entries":[["a",33188,0,0,1,1,1,1,"xyz"]]}`],
    ['a number that is not one', `{"dir":"","entries":[["a",33188,"0",0,1,1,1,1,null]]}`],
  ])('refuses a file with %s', async (_what, line) => {
    const file = path.join(t.dir, 'r.json');
    writeFileSync(file, `{"format":"hostwatch-fim-records","version":2,"root":"/x","dirs":1,"entries":2}\n${line}\n`);
    await expect(readRecordsFile(file)).rejects.toThrow(file);
  });

  it('loads an install in the former format, keeps everything, and rewrites it as JSON lines on the first load', async () => {
    // Files exactly as the former version wrote them (JSON.stringify of one object each). The
    // baseline predates a change of motd; the last scan had seen it (one content change counted).
    const base = legacyEntries();
    base.motd = { ...base.motd, sha256: createHash('sha256').update('old\n').digest('hex'), size: 4 };
    mkdirSync(path.dirname(baselinePath(stateDir, root)), { recursive: true });
    writeFileSync(
      baselinePath(stateDir, root),
      JSON.stringify({ version: 1, root, createdAt: '2026-01-01T00:00:00.000Z', acceptedAt: '2026-01-02T00:00:00.000Z', entries: base }),
    );
    writeFileSync(currentPath(stateDir, root), JSON.stringify({ version: 1, root, entries: legacyEntries() }));
    const changesTotal = { added: 0, removed: 0, content: 1, permissions: 0, owner: 0 };
    const errorsTotal = { permission: 0, vanished: 0, io: 0, root_missing: 0 };
    writeFileSync(
      statePath(stateDir, root),
      JSON.stringify({ version: 1, root, changesTotal, errorsTotal, lastScan: { timestamp: 1, durationMs: 2 } }),
    );

    const h = makeCollector(stateDir, { roots: [{ path: root, critical: true }] });
    try {
      await h.collector.start();
      // Served from the migrated state before any scan: the counters and the change since the baseline.
      let m = await h.metrics();
      expect(sample(m, 'hostwatch_fim_changes_total', { root, change: 'content' })).toBe(1);
      expect(sample(m, 'hostwatch_fim_changed_files', { root, change: 'content' })).toBe(1);
      expect(sample(m, 'hostwatch_fim_files', { root })).toBe(6);
      // Both files of records are now JSON lines, with the same records and the baseline's dates.
      for (const file of [baselinePath(stateDir, root), currentPath(stateDir, root)]) {
        expect(JSON.parse(readFileSync(file, 'utf8').split('\n')[0])).toMatchObject({ format: 'hostwatch-fim-records', version: 2 });
      }
      const b = await readBaseline(stateDir, root);
      expect(b).toMatchObject({ createdAt: '2026-01-01T00:00:00.000Z', acceptedAt: '2026-01-02T00:00:00.000Z' });
      expect(Object.fromEntries(b!.entries.entries())).toEqual(base);
      const s = await readState(stateDir, root);
      expect(s!.legacy).toBeUndefined();
      expect(Object.fromEntries(s!.current.entries())).toEqual(legacyEntries());
      expect(s!.changesTotal).toEqual(changesTotal);

      // The scan after it: nothing rehashed (the migrated digests are reused), no new event.
      await h.collector.idle();
      m = await h.metrics();
      expect(h.collector.monitors[0].lastHashedFiles).toBe(0);
      expect(sample(m, 'hostwatch_fim_changes_total', { root, change: 'content' })).toBe(1);
      expect(sample(m, 'hostwatch_fim_changed_files', { root, change: 'content' })).toBe(1);
      expect(() => readFileSync(journalPath(stateDir))).toThrow();
    } finally {
      await h.collector.stop();
    }
  });
});

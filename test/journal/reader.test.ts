// The journal reader with the real journalctl on real journal files (written by
// systemd-journal-remote): where it starts, exactly once across restarts from its snapshot, new
// journal files in the directory (rotation), a journalctl that is missing or exits (restarted with
// backoff, `up` 0 meanwhile, said in the log once), and a stop that leaves no child behind.
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ManualClock, systemClock } from '../../src/core/clock.js';
import { createLogger } from '../../src/core/log.js';
import type { JournalEntry } from '../../src/journal/entry.js';
import type { JournalPosition } from '../../src/journal/position.js';
import { JournalReader, type JournalReaderOptions } from '../../src/journal/reader.js';
import { tempDir } from '../tail/helpers.js';
import { kernelEntry, syslogEntry, until, writeJournal } from './helpers.js';

let dir: string;
let cleanup: () => void;
const readers: JournalReader[] = [];

beforeEach(() => ({ dir, cleanup } = tempDir()));
afterEach(async () => {
  await Promise.all(readers.splice(0).map((r) => r.stop()));
  cleanup();
});

interface Run {
  reader: JournalReader;
  entries: JournalEntry[];
  skipped: string[];
  logs: { level: string; msg: string; reason?: string }[];
}

function start(opts: Partial<JournalReaderOptions> & { restore?: { position: JournalPosition | undefined; bytes: number } } = {}): Run {
  const entries: JournalEntry[] = [];
  const skipped: string[] = [];
  const logs: Run['logs'] = [];
  const reader = new JournalReader({
    selection: { directory: path.join(dir, 'journal'), matches: [] },
    startAtEnd: false,
    maxMessageBytes: 65536,
    clock: systemClock,
    logger: createLogger({ level: 'debug', format: 'json', write: (l) => logs.push(JSON.parse(l)) }),
    sink: { entry: (e) => entries.push(e), skipped: (r) => skipped.push(r) },
    ...opts,
  });
  if (opts.restore) reader.restore(opts.restore.position, opts.restore.bytes);
  readers.push(reader);
  reader.start();
  return { reader, entries, skipped, logs };
}

const jdir = () => path.join(dir, 'journal');
const journal = (name = 'x.journal') => path.join(jdir(), name);
const sshd = (from: number, n: number) =>
  Array.from({ length: n }, (_, i) =>
    syslogEntry(from + i, 'sshd', 100 + from + i, `Failed password for root from 203.0.113.${from + i} port 22 ssh2`),
  );
const messages = (r: Run) => r.entries.map((e) => e.message);

/** Stops a run and gives its snapshot, as the pipeline checkpoints it after stop(). */
async function stopAt(r: Run) {
  await r.reader.stop();
  readers.splice(readers.indexOf(r.reader), 1);
  return r.reader.snapshot();
}

describe('JournalReader on real journal files', () => {
  it('from the beginning; a restart from the snapshot reads only what came after, more than 10 entries too', async () => {
    mkdirSync(jdir());
    writeJournal(journal(), sshd(0, 3));
    const first = start();
    await until(() => first.entries.length === 3, 10_000, '3 entries');
    expect(first.reader.up).toBe(true);
    const snap = await stopAt(first);
    expect(snap.position?.cursor).toBe(first.entries[2].cursor);
    expect(snap.bytes).toBe(first.entries.reduce((n, e) => n + e.bytes, 0));

    // journalctl --follow shows only 10 entries after a cursor unless told --lines=all.
    writeJournal(journal(), sshd(3, 25));
    const second = start({ restore: snap });
    await until(() => second.entries.length === 25, 10_000, '25 entries');
    await new Promise((r) => setTimeout(r, 300)); // nothing more comes
    expect(messages(second)).toEqual(sshd(3, 25).map((e) => e.MESSAGE));
    expect(second.reader.snapshot().bytes).toBe(snap.bytes + second.entries.reduce((n, e) => n + e.bytes, 0));
  });

  it('at the end: the entries there are skipped, the position of the last one is known at once, new ones are read', async () => {
    mkdirSync(jdir());
    writeJournal(journal(), sshd(0, 4));
    const r = start({ startAtEnd: true });
    await until(() => r.reader.changes > 0, 10_000, 'the end');
    expect(r.reader.snapshot().position?.cursor).toMatch(/;i=4;/);
    await until(() => r.reader.up, 10_000, 'following');
    writeJournal(journal(), sshd(4, 2));
    await until(() => r.entries.length === 2, 10_000, '2 new entries');
    expect(messages(r)).toEqual(sshd(4, 2).map((e) => e.MESSAGE));
  });

  it('at the end of an empty journal: "from the beginning" is checkpointed, so entries written while down are read', async () => {
    mkdirSync(jdir());
    writeJournal(journal(), [kernelEntry(0, 'not for us')]);
    const sel = { directory: jdir(), matches: ['SYSLOG_IDENTIFIER=sshd'] };
    const first = start({ startAtEnd: true, selection: sel });
    await until(() => first.reader.changes > 0, 10_000, 'the end');
    const snap = await stopAt(first);
    expect(snap.position).toEqual({ cursor: null });
    writeJournal(journal(), sshd(1, 3));
    const second = start({ startAtEnd: true, selection: sel, restore: snap });
    await until(() => second.entries.length === 3, 10_000, '3 entries');
  });

  it('without a position in the checkpoint (it was of the files), starts at the end whatever start_position says', async () => {
    mkdirSync(jdir());
    writeJournal(journal(), sshd(0, 3));
    const r = start({ startAtEnd: false, restore: { position: undefined, bytes: 1234 } });
    await until(() => r.reader.changes > 0 && r.reader.up, 10_000, 'the end');
    writeJournal(journal(), sshd(3, 1));
    await until(() => r.entries.length === 1, 10_000, 'the new entry');
    expect(r.reader.snapshot().bytes).toBe(1234 + r.entries[0].bytes);
  });

  it('applies the matches: same field ORed, fields ANDed, "+" between groups', async () => {
    mkdirSync(jdir());
    writeJournal(journal(), [
      ...sshd(0, 2),
      syslogEntry(2, 'sudo', 5, 'alice : TTY=pts/0 ; PWD=/ ; USER=root ; COMMAND=/bin/ls'),
      kernelEntry(3, 'kmsg'),
    ]);
    const r = start({ selection: { directory: jdir(), matches: ['SYSLOG_IDENTIFIER=sudo', '+', '_TRANSPORT=kernel'] } });
    await until(() => r.entries.length === 2, 10_000, '2 entries');
    expect(r.entries.map((e) => e.program)).toEqual(['sudo', 'kernel']);
  });

  it('follows a new journal file in the directory (journald rotating, a new file)', async () => {
    mkdirSync(jdir());
    writeJournal(journal('system@1.journal'), sshd(0, 2));
    const r = start();
    await until(() => r.entries.length === 2, 10_000, '2 entries');
    writeJournal(journal('system.journal'), sshd(2, 3));
    await until(() => r.entries.length === 5, 10_000, 'the new file');
    const snap = await stopAt(r);
    // The cursor points into the new file; a restart goes on after it, across both files.
    writeJournal(journal('system.journal'), sshd(5, 1));
    const again = start({ restore: snap });
    await until(() => again.entries.length === 1, 10_000, '1 entry');
    expect(messages(again)).toEqual(sshd(5, 1).map((e) => e.MESSAGE));
  });

  it('a missing journalctl: up 0, said once as an error, retried with backoff, recovers', async () => {
    mkdirSync(jdir());
    writeJournal(journal(), sshd(0, 2));
    const clock = new ManualClock();
    const bin = path.join(dir, 'bin', 'journalctl');
    const r = start({ command: bin, clock });
    await until(() => r.logs.some((l) => l.msg === 'journalctl ended, restarting it'), 10_000, 'the failure');
    expect(r.reader.up).toBe(false);
    expect(r.logs[0]).toMatchObject({ level: 'error', reason: expect.stringContaining('journalctl not found') });
    clock.advance(1000); // second try, same failure: not logged again at error level
    await until(() => r.logs.length === 2, 10_000, 'the second failure');
    expect(r.logs[1].level).toBe('debug');
    mkdirSync(path.dirname(bin));
    symlinkSync(execFileSync('sh', ['-c', 'command -v journalctl'], { encoding: 'utf8' }).trim(), bin);
    clock.advance(2000);
    await until(() => r.entries.length === 2 && r.reader.up, 10_000, 'recovery');
    clock.advance(5000);
    expect(r.logs.at(-1)).toMatchObject({ level: 'info', msg: 'journalctl is following the journal again' });
  });

  it('a journalctl that exits (no journal directory): its stderr is logged, it is restarted and recovers', async () => {
    const clock = new ManualClock();
    const r = start({ clock });
    await until(() => r.logs.length > 0, 10_000, 'the failure');
    expect(r.logs[0]).toMatchObject({
      level: 'warn',
      reason: expect.stringMatching(/exited with code 1: Failed to open .*No such file or directory/),
    });
    expect(r.reader.up).toBe(false);
    mkdirSync(jdir());
    writeJournal(journal(), sshd(0, 3));
    clock.advance(1000);
    await until(() => r.entries.length === 3 && r.reader.up, 10_000, 'recovery');
  });

  it('stop() ends its journalctl', async () => {
    mkdirSync(jdir());
    writeJournal(journal(), sshd(0, 1));
    const r = start();
    await until(() => r.entries.length === 1, 10_000, '1 entry');
    const ours = () =>
      execFileSync('ps', ['-eo', 'args'], { encoding: 'utf8' })
        .split('\n')
        .filter((l) => l.includes(`--directory=${jdir()}`));
    expect(ours()).toHaveLength(1);
    await stopAt(r);
    expect(ours()).toHaveLength(0);
    expect(r.reader.up).toBe(false);
  });
});

describe('JournalReader on odd output', () => {
  const CURSOR = (i: number) =>
    `s=af5c8f6d91994ce3887ab8c673484b03;i=${i.toString(16)};b=0123456789abcdef0123456789abcdef;m=3e8;t=612beac0ec800;x=1`;
  const entry = (i: number, msg: string) =>
    JSON.stringify({ __CURSOR: CURSOR(i), __REALTIME_TIMESTAMP: '1709460000000000', MESSAGE: msg, SYSLOG_IDENTIFIER: 'sshd' });

  it('counts lines that are no entry as unparsed and over-long ones as truncated, and goes on', async () => {
    // A stand-in for a journalctl writing what the real one never does (garbage, huge entries).
    const out = [
      entry(1, 'one'),
      'Failed to open journal: garbage on stdout',
      '{"__CURSOR": broken',
      '[]',
      JSON.stringify({ __CURSOR: CURSOR(2), MESSAGE: 'z'.repeat(20_000) }),
      entry(3, 'three'),
      '',
    ].join('\n');
    writeFileSync(path.join(dir, 'out.txt'), out);
    const fake = path.join(dir, 'fake-journalctl');
    writeFileSync(fake, `#!/bin/sh\ncat '${path.join(dir, 'out.txt')}'\nexec sleep 30\n`);
    chmodSync(fake, 0o755);
    const r = start({ command: fake, maxMessageBytes: 100 });
    await until(() => r.entries.length === 2, 10_000, '2 entries');
    expect(messages(r)).toEqual(['one', 'three']);
    expect(r.skipped).toEqual(['unparsed', 'unparsed', 'unparsed', 'truncated']);
    expect(r.reader.snapshot().position?.cursor).toBe(CURSOR(3));
    expect(r.reader.changes).toBe(7); // the start, and 6 lines
  });
});

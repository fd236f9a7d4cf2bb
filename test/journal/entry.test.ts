// decodeLine on the lines the real journalctl writes for real journal files (systemd-journal-remote
// writes them from export-format entries): the values journalctl writes as strings, as byte
// arrays (invalid UTF-8, a tab), as arrays (a field given twice), messages over 4096 bytes, entries
// without a message; and on lines that are no entry.
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OUTPUT_FIELDS } from '../../src/journal/argv.js';
import { decodeLine, fieldText } from '../../src/journal/entry.js';
import { tempDir } from '../tail/helpers.js';
import { BOOT_ID, T0_US, kernelEntry, syslogEntry, writeJournal, type Fields } from './helpers.js';

let dir: string;
let cleanup: () => void;
let lines: string[];

const ENTRIES: Fields[] = [
  syslogEntry(0, 'sshd', 812, 'Failed password for root from 203.0.113.9 port 5555 ssh2'),
  syslogEntry(1, 'sshd', 812, Buffer.from([...Buffer.from('Invalid user '), 0xff, 0xfe, ...Buffer.from(' from 203.0.113.9 port 22')])),
  syslogEntry(2, 'sudo', 900, 'tab\there'),
  syslogEntry(3, 'app', 901, 'first line\nsecond line'),
  syslogEntry(4, 'app', 902, 'x'.repeat(5000)),
  { ...syslogEntry(5, 'app', 903, 'one'), MESSAGE: 'one' }, // replaced below by a twice-given field
  kernelEntry(6, '[UFW BLOCK] IN=eth0 OUT= SRC=198.51.100.4 DST=192.0.2.1 PROTO=TCP SPT=1 DPT=22'),
  { __REALTIME_TIMESTAMP: String(T0_US + 7e6), __MONOTONIC_TIMESTAMP: '8000000', _BOOT_ID: BOOT_ID, COREDUMP_EXE: '/bin/x' },
  // A client that set only _COMM (no identifier) and SYSLOG_PID (no _PID), with a non-ASCII message.
  {
    __REALTIME_TIMESTAMP: String(T0_US + 8e6),
    __MONOTONIC_TIMESTAMP: '9000000',
    _BOOT_ID: BOOT_ID,
    _COMM: 'dropbear',
    SYSLOG_PID: '77',
    MESSAGE: 'café ☃',
  },
];

beforeAll(() => {
  ({ dir, cleanup } = tempDir());
  const file = path.join(dir, 'x.journal');
  // The export format has no syntax for a field given twice other than giving it twice: build that entry by hand.
  const twice = Buffer.from(
    `__REALTIME_TIMESTAMP=${T0_US + 5e6}\n__MONOTONIC_TIMESTAMP=6000000\n_BOOT_ID=${BOOT_ID}\nSYSLOG_IDENTIFIER=app\nMESSAGE=first\nMESSAGE=second\n\n`,
  );
  writeJournal(file, ENTRIES.slice(0, 5));
  const r = spawnSync('/lib/systemd/systemd-journal-remote', ['-o', file, '-'], { input: twice });
  expect(r.status).toBe(0);
  writeJournal(file, ENTRIES.slice(6));
  const out = spawnSync('journalctl', [`--file=${file}`, '--output=json', '--all', `--output-fields=${OUTPUT_FIELDS.join(',')}`], {
    encoding: 'utf8',
  });
  expect(out.status).toBe(0);
  lines = out.stdout.split('\n').filter((l) => l !== '');
});
afterAll(() => cleanup());

describe('decodeLine on journalctl --output=json', () => {
  it('reads every line journalctl writes', () => {
    expect(lines).toHaveLength(ENTRIES.length);
    for (const l of lines) expect(decodeLine(l, 65536)?.cursor).toMatch(/^s=[0-9a-f]{32};i=/);
  });

  it('keeps the time, host, identifier and pid of the entry', () => {
    const e = decodeLine(lines[0], 65536)!.entry!;
    expect(e).toMatchObject({
      timestamp: T0_US / 1000,
      host: 'web1',
      program: 'sshd',
      pid: '812',
      transport: 'syslog',
      message: 'Failed password for root from 203.0.113.9 port 5555 ssh2',
      truncated: false,
    });
  });

  it('decodes a message journalctl gives as a byte array (invalid UTF-8) as a file line is decoded', () => {
    expect(lines[1]).toContain('"MESSAGE":[73,110,118');
    const e = decodeLine(lines[1], 65536)!.entry!;
    expect(e.message).toBe('Invalid user \ufffd\ufffd from 203.0.113.9 port 22');
    expect(e.bytes).toBe(40); // the bytes of the entry, not of the decoded text
  });

  it('decodes a tab (a byte array too) and keeps a multi-line message whole', () => {
    expect(decodeLine(lines[2], 65536)!.entry!.message).toBe('tab\there');
    expect(decodeLine(lines[3], 65536)!.entry!.message).toBe('first line\nsecond line');
  });

  it('gets messages over 4096 bytes (--all), and cuts them at the maximum', () => {
    expect(decodeLine(lines[4], 65536)!.entry!).toMatchObject({ message: 'x'.repeat(5000), truncated: false, bytes: 5000 });
    expect(decodeLine(lines[4], 100)!.entry!).toMatchObject({ message: 'x'.repeat(100), truncated: true, bytes: 5000 });
  });

  it('takes the first value of a field given twice', () => {
    expect(lines[5]).toContain('"MESSAGE":["first","second"]');
    expect(decodeLine(lines[5], 65536)!.entry!.message).toBe('first');
  });

  it('keeps the kernel transport of a kernel message', () => {
    expect(decodeLine(lines[6], 65536)!.entry!).toMatchObject({ program: 'kernel', transport: 'kernel', pid: undefined });
  });

  it('gives an entry without MESSAGE its cursor only (skipped, as journalctl skips it)', () => {
    const d = decodeLine(lines[7], 65536)!;
    expect(d.cursor).toMatch(/^s=/);
    expect(d.entry).toBeUndefined();
  });

  it('falls back to _COMM and SYSLOG_PID; keeps UTF-8 as is', () => {
    expect(decodeLine(lines[8], 65536)!.entry!).toMatchObject({ program: 'dropbear', pid: '77', message: 'café ☃', host: undefined });
  });

  it('cuts a multi-byte message at a byte count, never in a way that throws', () => {
    const e = decodeLine(lines[8], 4)!.entry!;
    expect(e.truncated).toBe(true);
    expect(Buffer.byteLength(e.message)).toBeLessThanOrEqual(6); // 'caf' + U+FFFD for the cut 'é'
    expect(e.message.startsWith('caf')).toBe(true);
  });
});

describe('lines that are no entry', () => {
  const cursor = 's=af5c8f6d91994ce3887ab8c673484b03;i=1;b=0123456789abcdef0123456789abcdef;m=3e8;t=612beac0ec800;x=e9f0181b9640879';
  it.each([
    ['not JSON', 'Failed to open journal'],
    ['cut JSON', '{"__CURSOR":"' + cursor],
    ['an array', '[1,2,3]'],
    ['null', 'null'],
    ['a number', '42'],
    ['no cursor', '{"MESSAGE":"hello"}'],
    ['a cursor that is not one', '{"__CURSOR":"s=1;i=2","MESSAGE":"hello"}'],
    ['a cursor of another type', '{"__CURSOR":12,"MESSAGE":"hello"}'],
  ])('%s: undefined', (_what, line) => {
    expect(decodeLine(line, 1000)).toBeUndefined();
  });

  it('odd field values give no field rather than an error', () => {
    const d = decodeLine(
      JSON.stringify({ __CURSOR: cursor, MESSAGE: 'm', _HOSTNAME: { a: 1 }, SYSLOG_IDENTIFIER: [300, -1], _PID: 12 }),
      1000,
    )!;
    expect(d.entry).toMatchObject({ message: 'm', host: undefined, program: '', pid: undefined });
    expect(decodeLine(JSON.stringify({ __CURSOR: cursor, MESSAGE: [] }), 1000)!.entry).toBeUndefined();
    expect(decodeLine(JSON.stringify({ __CURSOR: cursor, MESSAGE: [104, 105.5] }), 1000)!.entry).toBeUndefined();
  });
});

describe('fieldText', () => {
  it('cuts strings and byte arrays at max bytes', () => {
    expect(fieldText('abcdef', 3)).toEqual({ text: 'abc', bytes: 6, cut: true });
    expect(fieldText([97, 98, 99, 100], 2)).toEqual({ text: 'ab', bytes: 4, cut: true });
    expect(fieldText([[97, 98], 'x'], 10)).toEqual({ text: 'ab', bytes: 2, cut: false });
    expect(fieldText(null, 10)).toBeUndefined();
  });
});

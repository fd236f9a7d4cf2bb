// Real journal files for the journal source's tests: entries in the journal export format
// (systemd's JOURNAL_EXPORT_FORMATS: `FIELD=value` lines, a binary-safe form for values with a
// newline or non-UTF-8 bytes, a blank line after each entry), written to a journal file by Debian's
// systemd-journal-remote, and read back by the real journalctl. No running journald is needed.
import { spawnSync } from 'node:child_process';

export const JOURNAL_REMOTE = '/lib/systemd/systemd-journal-remote';
export const BOOT_ID = '0123456789abcdef0123456789abcdef';
/** 2024-03-03T10:00:00Z in µs: the realtime stamp of entry 0. */
export const T0_US = 1_709_460_000_000_000;

export type Fields = Record<string, string | Buffer>;

/** One entry in the export format; a Buffer value, or a string with a newline, in the binary form. */
export function exportEntry(fields: Fields): Buffer {
  const parts: Buffer[] = [];
  for (const [k, v] of Object.entries(fields)) {
    const value = typeof v === 'string' ? Buffer.from(v, 'utf8') : v;
    if (typeof v === 'string' && !v.includes('\n')) {
      parts.push(Buffer.from(`${k}=${v}\n`, 'utf8'));
    } else {
      const len = Buffer.alloc(8);
      len.writeBigUInt64LE(BigInt(value.length));
      parts.push(Buffer.from(`${k}\n`), len, value, Buffer.from('\n'));
    }
  }
  parts.push(Buffer.from('\n'));
  return Buffer.concat(parts);
}

/** The fields journald gives every entry of host web1 (n: its sequence: one second apart). */
function received(n: number, transport: string): Fields {
  return {
    __REALTIME_TIMESTAMP: String(T0_US + n * 1_000_000),
    __MONOTONIC_TIMESTAMP: String(1_000_000 + n * 1_000_000),
    _BOOT_ID: BOOT_ID,
    _HOSTNAME: 'web1',
    _TRANSPORT: transport,
  };
}

/** An entry as journald stores one a program logged through syslog. */
export function syslogEntry(n: number, program: string, pid: number | undefined, message: string | Buffer, extra: Fields = {}): Fields {
  return {
    ...received(n, 'syslog'),
    SYSLOG_FACILITY: '4',
    SYSLOG_IDENTIFIER: program,
    _COMM: program,
    ...(pid === undefined ? {} : { _PID: String(pid) }),
    MESSAGE: message,
    ...extra,
  };
}

/** A kernel message as journald stores one read from /dev/kmsg. */
export function kernelEntry(n: number, message: string): Fields {
  return { ...received(n, 'kernel'), SYSLOG_FACILITY: '0', SYSLOG_IDENTIFIER: 'kernel', MESSAGE: message };
}

/** Appends entries to a journal file (created when missing), through systemd-journal-remote. */
export function writeJournal(file: string, entries: Fields[]): void {
  const input = Buffer.concat(entries.map(exportEntry));
  const r = spawnSync(JOURNAL_REMOTE, ['--compress=no', '-o', file, '-'], { input });
  if (r.status !== 0) throw new Error(`systemd-journal-remote failed (${r.status}): ${r.stderr.toString()}`);
}

/** The messages of a journal directory as journalctl prints them (-o cat), to check what was written. */
export function journalMessages(dir: string): string[] {
  const r = spawnSync('journalctl', [`--directory=${dir}`, '-o', 'cat', '--no-pager'], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`journalctl failed: ${r.stderr}`);
  return r.stdout.split('\n').filter((l) => l !== '');
}

/** Waits until `cond` holds (polling every 20 ms), or fails after `ms`. */
export async function until(cond: () => boolean | Promise<boolean>, ms = 10_000, what = 'condition'): Promise<void> {
  const end = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

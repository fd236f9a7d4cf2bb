// Filesystem checks: world-writable files where programs and configuration live, SUID/SGID programs
// no package installed, /tmp mount options, and the permissions of files holding secrets.
import type { FileMode, SpecialModeFacts } from '../facts/types.js';
import { freshnessNote } from '../facts/cache.js';
import { defineCheck, type Check } from '../types.js';
import { capped, fail, failIfAny, octal, pass, skip } from './common.js';

/** Files whose mode has bits beyond `allowed` (e.g. 0640), or that root does not own. */
export function tooOpen(files: readonly FileMode[], allowed: number): string[] {
  return files
    .filter((f) => (f.mode & ~allowed & 0o7777) !== 0 || f.uid !== 0)
    .map((f) => `${f.path}: mode ${octal(f.mode)}, owner uid ${f.uid} (want at most ${octal(allowed)}, owned by root)`);
}

/** Notes on the search behind a result: stopped at the limit, or its result reused. */
function searchNotes(m: SpecialModeFacts): string[] {
  const notes: string[] = [];
  if (m.truncated) notes.push(`the search stopped after audit.max_files (${m.examined}) entries: raise it to see everything`);
  const fresh = freshnessNote(m);
  if (fresh) notes.push(fresh);
  return notes;
}

export const FILESYSTEM_CHECKS: Check[] = [
  defineCheck({
    id: 'FS-WORLD-WRITABLE',
    category: 'filesystem',
    severity: 'high',
    needs: ['specialModes'],
    title: 'World-writable system files',
    found: "Files or directories among the system's programs or configuration can be changed by any user.",
    why: 'Any user, or any program broken into, can replace a system program or setting there with their own, which root will then run or obey.',
    fix: 'chmod o-w <path> for each listed path (and find out how it became writable)',
    evaluate: ({ specialModes: m }) => {
      const items = m.worldWritable.map((w) => `${w.path}${w.dir ? '/' : ''}${w.sticky ? ' (sticky)' : ''}`);
      if (m.worldWritableCount > items.length) items.push(`... and ${m.worldWritableCount - items.length} more`);
      return items.length > 0 ? fail(...items, ...searchNotes(m)) : pass(`${m.examined} entries examined`, ...searchNotes(m));
    },
  }),
  defineCheck({
    id: 'FS-SUID-UNOWNED',
    category: 'filesystem',
    severity: 'high',
    needs: ['specialModes'],
    title: 'Unknown programs that run as root',
    found: 'Programs that run with the rights of their owner (SUID/SGID) exist that no installed package provides.',
    why: "A SUID program runs with its owner's rights, usually root, whoever starts it. One that no package installed may be a leftover, or a backdoor that gives root to anyone on the machine.",
    fix: 'Find out where each came from; if it is not needed: chmod u-s,g-s <path> (or delete it)',
    evaluate: ({ specialModes: m }) => {
      if (m.unowned === undefined) return skip(`no package database to compare with (${m.setid.length} SUID/SGID programs found)`);
      const byPath = new Map(m.setid.map((s) => [s.path, s]));
      const items = m.unowned.map((p) => `${p} (mode ${octal(byPath.get(p)?.mode ?? 0)}, owner uid ${byPath.get(p)?.uid})`);
      return items.length > 0
        ? fail(...capped(items), ...searchNotes(m))
        : pass(`${m.setid.length} SUID/SGID programs, all from ${m.packageManager} packages`, ...searchNotes(m));
    },
  }),
  defineCheck({
    id: 'FS-TMP-OPTIONS',
    category: 'filesystem',
    severity: 'medium',
    needs: ['mounts'],
    title: '/tmp mount options',
    found: '/tmp is a separate filesystem but programs can be run from it, or SUID programs honoured on it (no noexec,nosuid).',
    why: 'Every user and every service can write to /tmp; it is where attackers drop their tools first. noexec and nosuid stop them from running those tools from there.',
    fix: 'Add nodev,nosuid,noexec to the options of /tmp in /etc/fstab (or: systemctl edit tmp.mount, Options=...), then: mount -o remount /tmp',
    evaluate: ({ mounts }) => {
      const tmp = [...mounts].reverse().find((m) => m.mountpoint === '/tmp');
      if (!tmp) return skip('/tmp is not a separate mount');
      const missing = ['noexec', 'nosuid'].filter((o) => !tmp.options.includes(o));
      const desc = `/tmp (${tmp.fstype}) mounted ${tmp.options.join(',')}`;
      return missing.length > 0 ? fail(`${desc}: missing ${missing.join(',')}`) : pass(desc);
    },
  }),
  defineCheck({
    id: 'FS-SHADOW-PERMISSIONS',
    category: 'filesystem',
    severity: 'high',
    needs: ['secretFiles'],
    title: 'Password file permissions',
    found: 'The file holding the password hashes (/etc/shadow or /etc/gshadow) can be read or changed by more people than it should.',
    why: "With the password hashes, an attacker can crack weak passwords offline at leisure; whoever can write the file can set any password, root's included.",
    fix: 'chown root:shadow /etc/shadow /etc/gshadow && chmod 0640 /etc/shadow /etc/gshadow',
    evaluate: ({ secretFiles: s }) => {
      const files = [s.shadow, s.gshadow].filter((f): f is FileMode => f !== undefined);
      if (files.length === 0) return skip('no /etc/shadow');
      return failIfAny(tooOpen(files, 0o640), files.map((f) => `${f.path} ${octal(f.mode)}`).join(', '));
    },
    autofix: { kind: 'permissions', files: 'shadow', mode: 0o640 },
  }),
  defineCheck({
    id: 'FS-SSH-HOST-KEYS',
    category: 'filesystem',
    severity: 'high',
    needs: ['secretFiles'],
    title: 'SSH host key permissions',
    found: "The private keys that prove this server's identity to SSH clients can be read by users other than root.",
    why: 'With a copy of the host key, an attacker can impersonate this server and intercept the passwords and sessions of everyone who connects.',
    fix: 'chown root:root /etc/ssh/ssh_host_*_key && chmod 0600 /etc/ssh/ssh_host_*_key',
    evaluate: ({ secretFiles: s }) => {
      if (s.hostKeys.length === 0) return skip('no SSH host keys in /etc/ssh');
      // RHEL gives them group ssh_keys and mode 0640: group read is allowed, never "others".
      const bad = tooOpen(s.hostKeys, 0o640);
      return bad.length > 0 ? fail(...bad) : pass(`${s.hostKeys.length} host keys, none readable by others`);
    },
    autofix: { kind: 'permissions', files: 'hostKeys', mode: 0o600 },
  }),
];

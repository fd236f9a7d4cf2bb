// The mapping between Lynis and hostwatch's checks (src/audit/lynis.ts), checked against the Lynis
// installed here (Debian package lynis): every Linux test that can raise a warning is mapped or
// skipped with a reason, every kernel setting of its profile is checked or skipped, and every place
// hostwatch accepts a value Lynis does not is documented. The comparison runs on the report Lynis
// wrote for this machine (test/fixtures/audit/lynis/); bench/audit-lynis.ts runs both tools live.
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  compareWithLynis,
  LYNIS_MAP,
  LYNIS_SYSCTL_DIFFERENCES,
  LYNIS_SYSCTL_SKIPS,
  parseLynisReport,
  parseLynisSysctlMismatches,
} from '../../src/audit/lynis.js';
import { SYSCTL_CHECKS } from '../../src/audit/sysctl-table.js';
import { CHECKS } from '../../src/audit/checks/index.js';
import { AUDIT_FIXTURES } from './helpers.js';

const LYNIS = '/usr/share/lynis/include';
const tests = readdirSync(LYNIS).filter((f) => f.startsWith('tests_') && !f.includes('custom'));

/** Test id → { os, warns } from Lynis' own sources. */
function lynisTests(): Map<string, { os?: string; warns: boolean }> {
  const out = new Map<string, { os?: string; warns: boolean }>();
  for (const f of tests) {
    let current: string | undefined;
    for (const line of readFileSync(join(LYNIS, f), 'utf8').split('\n')) {
      const reg = /^\s*Register --test-no ([A-Z]+-\d+)(.*)$/.exec(line);
      if (reg) {
        current = reg[1];
        const os = /--os "?([^"]+?)"? --/.exec(reg[2])?.[1];
        out.set(current, { os, warns: out.get(current)?.warns ?? false });
      }
      if (current && /^\s*ReportWarning /.test(line)) out.get(current)!.warns = true;
    }
  }
  return out;
}

describe('Lynis mapping', () => {
  const installed = lynisTests();

  it('reads the installed Lynis (sanity)', () => {
    expect(installed.size).toBeGreaterThan(200);
    expect(installed.get('FIRE-4512')).toEqual({ os: 'Linux', warns: true });
  });

  it('every Lynis test that can warn on Linux is mapped to checks or skipped with a reason', () => {
    const linuxWarnings = [...installed].filter(([, t]) => t.warns && (!t.os || t.os.split(' ').includes('Linux'))).map(([id]) => id);
    expect(linuxWarnings.length).toBeGreaterThan(40);
    expect(linuxWarnings.filter((id) => !LYNIS_MAP[id])).toEqual([]);
  });

  it('every mapped test exists in Lynis and every mapped check in hostwatch', () => {
    expect(Object.keys(LYNIS_MAP).filter((id) => !installed.has(id))).toEqual([]);
    const ids = new Set(CHECKS.map((c) => c.id));
    const unknown = Object.entries(LYNIS_MAP).flatMap(([t, m]) => (m.checks ?? []).filter((c) => !ids.has(c)).map((c) => `${t} -> ${c}`));
    expect(unknown).toEqual([]);
  });

  it('every Linux kernel setting of the KRNL-6000 profile is checked or skipped, and each different threshold documented', () => {
    const profile = readFileSync('/etc/lynis/default.prf', 'utf8')
      .split('\n')
      .map((l) => /^config-data=sysctl;([^;]+);([^;]+);/.exec(l))
      .filter((m): m is RegExpExecArray => m !== null && /^(kernel|fs|net\.ipv4|net\.ipv6|net\.core|dev)\./.test(m[1]))
      .map((m) => ({ key: m[1], expected: m[2].split('|').map(Number) }));
    expect(profile.length).toBeGreaterThan(30);
    const checked = new Map(SYSCTL_CHECKS.flatMap((c) => c.keys.map((k) => [k.key, k] as const)));
    expect(profile.filter((p) => !checked.has(p.key) && !LYNIS_SYSCTL_SKIPS[p.key]).map((p) => p.key)).toEqual([]);
    // Where hostwatch and Lynis judge a value differently, the difference is written down.
    const undocumented = profile.filter((p) => {
      const k = checked.get(p.key);
      return k && [0, 1, 2, 3].some((v) => k.ok(v) !== p.expected.includes(v)) && !LYNIS_SYSCTL_DIFFERENCES[p.key];
    });
    expect(undocumented.map((p) => p.key)).toEqual([]);
  });
});

describe('comparison with a Lynis report of this machine', () => {
  const report = parseLynisReport(readFileSync(join(AUDIT_FIXTURES, 'lynis/report-debian12.dat'), 'utf8'));
  const mismatches = parseLynisSysctlMismatches(readFileSync(join(AUDIT_FIXTURES, 'lynis/lynis-krnl6000.log'), 'utf8'));

  it('parses warnings, suggestions, the hardening index and the KRNL-6000 settings', () => {
    expect(report.warnings.map((w) => w.test)).toEqual(['PKGS-7392', 'FIRE-4512', 'LOGG-2138', 'FINT-4316']);
    expect(report.suggestions.length).toBeGreaterThan(30);
    expect(report.hardeningIndex).toBe(60);
    expect(mismatches.get('kernel.kptr_restrict')).toBe('0');
    expect(mismatches.has('fs.protected_hardlinks')).toBe(false); // equal to the profile
  });

  it('holds hostwatch to every warning: a failing mapped check, or a documented skip', () => {
    const failing = [
      'UPD-SECURITY-PENDING',
      'FW-ACTIVE',
      'LOG-DAEMON',
      'KRNL-KPTR-RESTRICT',
      'KRNL-PROTECTED-SYMLINKS',
      'KRNL-PROTECTED-FIFOS',
      'KRNL-PROTECTED-REGULAR',
      'KRNL-LDISC-AUTOLOAD',
      'KRNL-BPF-JIT-HARDEN',
      'KRNL-RP-FILTER',
      'KRNL-ACCEPT-REDIRECTS',
      'KRNL-SEND-REDIRECTS',
      'KRNL-SOURCE-ROUTE',
      'KRNL-LOG-MARTIANS',
    ];
    const results = CHECKS.map((c) => ({ id: c.id, status: failing.includes(c.id) ? 'fail' : 'pass' }));
    const cmp = compareWithLynis(report, mismatches, results);
    expect(cmp.missed).toEqual([]);
    expect(cmp.unmapped).toEqual([]);
    expect(cmp.matched.filter((m) => !m.startsWith('KRNL-6000'))).toEqual([
      'PKGS-7392 Found one or more vulnerable packages. -> UPD-SECURITY-PENDING',
      'FIRE-4512 iptables module(s) loaded, but no rules active -> FW-ACTIVE',
      'LOGG-2138 klogd is not running, which could lead to missing kernel messages in log files -> LOG-DAEMON',
    ]);
    expect(cmp.skipped.some((s) => s.startsWith('FINT-4316'))).toBe(true);
    expect(cmp.differences).toContain(
      `KRNL-6000 kernel.unprivileged_bpf_disabled=2: ${LYNIS_SYSCTL_DIFFERENCES['kernel.unprivileged_bpf_disabled']}`,
    );

    // Had hostwatch passed the firewall check, the comparison says so.
    const lenient = compareWithLynis(
      report,
      mismatches,
      results.map((r) => (r.id === 'FW-ACTIVE' ? { ...r, status: 'pass' } : r)),
    );
    expect(lenient.missed).toEqual(['FIRE-4512 iptables module(s) loaded, but no rules active (mapped to FW-ACTIVE, which pass)']);
  });
});

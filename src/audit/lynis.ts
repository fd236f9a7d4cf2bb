// How hostwatch's checks relate to Lynis (Debian package lynis, 3.0.x), the anchor of the audit:
// for every Lynis test that can raise a warning on Linux, the hostwatch checks that fail on the same
// weakness, or why hostwatch deliberately does not check it; the same for the Lynis suggestions of
// the categories both cover, and for the kernel settings of Lynis' KRNL-6000 profile. docs/audit.md
// lists this table; bench/audit-lynis.ts runs both tools on one host and holds hostwatch to it.
import { SYSCTL_CHECKS } from './sysctl-table.js';

export type LynisMapping = { checks: string[]; skip?: undefined } | { skip: string; checks?: undefined };

const OUT_OF_SCOPE = 'not a category hostwatch audits (see docs/audit.md)';
const CONSOLE =
  'physical or console access (boot loader, single-user mode) is out of scope: hostwatch audits what the network and local users can reach';
const OTHER_OS = 'not Linux';

/** Lynis test id → hostwatch checks, or the reason it is not checked. */
export const LYNIS_MAP: Record<string, LynisMapping> = {
  // Tests that raise warnings.
  'ACCT-9634': { skip: 'where auditd writes its log is not checked; KRNL-AUDITD checks that it runs' },
  'AUTH-9204': { checks: ['ACCT-UID0'] },
  'AUTH-9208': { checks: ['ACCT-DUPLICATE-UID'] },
  'AUTH-9212': { skip: 'group file consistency (chkgrp/grpck) is database hygiene rather than a weakness' },
  'AUTH-9216': { skip: 'group file consistency (chkgrp/grpck) is database hygiene rather than a weakness' },
  'AUTH-9218': { skip: OTHER_OS },
  'AUTH-9254': { skip: OTHER_OS },
  'AUTH-9283': { checks: ['ACCT-EMPTY-PASSWORD'] },
  'AUTH-9304': { skip: CONSOLE },
  'AUTH-9308': { skip: CONSOLE },
  'BOOT-5139': { skip: CONSOLE },
  'BOOT-5159': { skip: CONSOLE },
  'BOOT-5184': { checks: ['FS-WORLD-WRITABLE'] },
  'BOOT-5263': { checks: ['FS-WORLD-WRITABLE'] },
  'CONT-8108': { skip: OUT_OF_SCOPE },
  'DBS-1816': { skip: 'database accounts are not audited; NET-EXPOSED-LOCAL-SERVICES checks that databases do not face the network' },
  'DBS-1820': { skip: 'database accounts are not audited; NET-EXPOSED-LOCAL-SERVICES checks that databases do not face the network' },
  'DBS-1828': { skip: 'database configuration files are not audited' },
  'DBS-1882': { skip: 'database configuration files are not audited' },
  'FINT-4315': {
    skip: "hostwatch's own file integrity monitoring (fim:) takes AIDE's place; its state is in the hostwatch_fim_* metrics and alerts",
  },
  'FINT-4316': {
    skip: "hostwatch's own file integrity monitoring (fim:) takes AIDE's place; its state is in the hostwatch_fim_* metrics and alerts",
  },
  'FIRE-4512': { checks: ['FW-ACTIVE'] },
  'FIRE-4520': { skip: OTHER_OS },
  'HOME-9310': { skip: OUT_OF_SCOPE },
  'KRNL-5830': { checks: ['UPD-REBOOT-REQUIRED'] },
  'LOGG-2138': { checks: ['LOG-DAEMON'] },
  'LOGG-2142': { skip: 'minilogd belongs to init systems of 2010; not checked' },
  'LOGG-2152': {
    skip: 'sending logs to a central host is an architecture choice; hostwatch exports the security signals of the logs as metrics instead',
  },
  'MACF-6234': { checks: ['KRNL-MAC'] },
  'MAIL-8818': { skip: OUT_OF_SCOPE },
  'NAME-4018': { skip: OUT_OF_SCOPE },
  'NAME-4036': { skip: OUT_OF_SCOPE },
  'NAME-4206': { skip: OUT_OF_SCOPE },
  'NAME-4210': { skip: OUT_OF_SCOPE },
  'NETW-2400': { skip: 'host naming is not a security weakness' },
  'NETW-2704': { skip: 'name server reachability is monitoring, not posture' },
  'NETW-2705': { skip: 'name server reachability is monitoring, not posture' },
  'NETW-3014': { skip: 'promiscuous interfaces are not checked (a packet capture running, or a bridge)' },
  'NETW-3015': { skip: 'promiscuous interfaces are not checked (a packet capture running, or a bridge)' },
  'PHP-2368': { skip: OUT_OF_SCOPE },
  'PKGS-7322': { checks: ['UPD-SECURITY-PENDING'] },
  'PKGS-7330': { checks: ['UPD-SECURITY-PENDING'] },
  'PKGS-7380': { checks: ['UPD-SECURITY-PENDING'] },
  'PKGS-7381': { checks: ['UPD-SECURITY-PENDING'] },
  'PKGS-7382': { checks: ['UPD-SECURITY-PENDING'] },
  'PKGS-7383': { skip: 'package manager registration is not checked' },
  'PKGS-7384': { skip: 'package database consistency is not checked' },
  'PKGS-7386': { checks: ['UPD-SECURITY-PENDING'] },
  'PKGS-7387': { skip: 'repository signature settings are not checked yet' },
  'PKGS-7388': {
    skip: 'repository lists are not checked yet: without a security repository, UPD-SECURITY-PENDING sees no security update',
  },
  'PKGS-7390': { skip: 'package database consistency is not checked' },
  'PKGS-7392': { checks: ['UPD-SECURITY-PENDING'] },
  'PKGS-7393': { checks: ['UPD-SECURITY-PENDING'] },
  'SCHD-7704': { checks: ['FS-WORLD-WRITABLE'] },
  'SHLL-6202': { skip: OTHER_OS },
  'SNMP-3306': { skip: OUT_OF_SCOPE },
  'SQD-3613': { skip: OUT_OF_SCOPE },
  'SQD-3624': { skip: OUT_OF_SCOPE },
  'TIME-3170': { checks: ['FS-WORLD-WRITABLE'] },
  'TIME-3180': { skip: OUT_OF_SCOPE },
  'TIME-3181': { skip: OUT_OF_SCOPE },
  'TIME-3182': { skip: OUT_OF_SCOPE },
  'TIME-3185': { skip: OUT_OF_SCOPE },
  'TOOL-5104': { skip: OUT_OF_SCOPE },
  // Suggestions of the categories both cover.
  'SSH-7408': {
    checks: [
      'SSH-ROOT-LOGIN',
      'SSH-PASSWORD-AUTH',
      'SSH-MAX-AUTH-TRIES',
      'SSH-X11-FORWARDING',
      'SSH-WEAK-CIPHERS',
      'SSH-WEAK-MACS',
      'SSH-WEAK-KEX',
    ],
  },
  'AUTH-9286': { checks: ['ACCT-PASSWORD-AGING'] },
  'AUTH-9328': { skip: "the default umask is a matter of policy (Debian's 022 is reasonable on servers)" },
  'AUTH-9230': { skip: 'password hashing rounds: Debian 12 uses yescrypt, whose cost is already tuned' },
  'AUTH-9262': { skip: 'password quality modules are not checked' },
  'AUTH-9284': { skip: 'locked accounts are harmless' },
  'FIRE-4590': { checks: ['FW-ACTIVE'] },
  'PKGS-7420': { checks: ['UPD-AUTOMATIC'] },
  'FILE-6310': {
    skip: 'separate partitions for /home, /tmp, /var are a disk-layout decision made at install time; FS-TMP-OPTIONS checks /tmp when it is one',
  },
  'FILE-6374': { checks: ['FS-TMP-OPTIONS'] },
  'FILE-7524': { checks: ['FS-SHADOW-PERMISSIONS', 'FS-SSH-HOST-KEYS', 'FS-WORLD-WRITABLE'] },
  'KRNL-6000': { checks: SYSCTL_CHECKS.map((c) => c.id) },
  'MACF-6208': { checks: ['KRNL-MAC'] },
  'ACCT-9628': { checks: ['KRNL-AUDITD'] },
  'LOGG-2130': { checks: ['LOG-DAEMON'] },
  'CRYP-7902': { checks: ['ENC-TLS-EXPIRED'] },
  'INSE-8016': { checks: ['ENC-PLAINTEXT-SERVICES'] },
  'INSE-8100': { checks: ['SVC-INSECURE-SERVERS'] },
  'INSE-8304': { checks: ['SVC-INSECURE-SERVERS'] },
  'INSE-8316': { checks: ['SVC-INSECURE-SERVERS'] },
  'INSE-8320': { checks: ['SVC-INSECURE-SERVERS'] },
  'INSE-8322': { checks: ['SVC-INSECURE-SERVERS'] },
  'INSE-8300': { skip: 'clients (rsh, telnet, NIS, TFTP) only connect out: not a weakness of the host' },
  'INSE-8314': { skip: 'clients (rsh, telnet, NIS, TFTP) only connect out: not a weakness of the host' },
  'INSE-8318': { skip: 'clients (rsh, telnet, NIS, TFTP) only connect out: not a weakness of the host' },
};

/** Kernel settings of Lynis' KRNL-6000 profile (/etc/lynis/default.prf) hostwatch does not check, and why. */
export const LYNIS_SYSCTL_SKIPS: Record<string, string> = {
  'kernel.core_uses_pid': 'core file naming, not security',
  'kernel.ctrl-alt-del': 'console key handling: physical access is out of scope',
  'kernel.sysrq': 'console magic keys: physical access is out of scope',
  'kernel.modules_disabled': "forbids loading any kernel module until reboot: breaks hotplug and most distributions' boot",
  'kernel.core_setuid_ok': 'not a Linux setting (fs.suid_dumpable is checked)',
  'kernel.suid_dumpable': 'old name of fs.suid_dumpable (checked)',
  'kernel.exec-shield': 'RHEL 5 era, not in current kernels (ASLR is checked)',
  'kernel.exec-shield-randomize': 'RHEL 5 era, not in current kernels (ASLR is checked)',
  'kernel.maps_protect': 'not in current kernels',
  'kernel.use-nx': 'not in current kernels',
  'net.ipv4.conf.all.bootp_relay': 'routing feature: legitimately on for routers',
  'net.ipv4.conf.all.forwarding': 'routing: must be on for routers, Docker and Kubernetes hosts',
  'net.ipv4.conf.all.mc_forwarding': 'routing: multicast routers need it (read-only in current kernels)',
  'net.ipv4.conf.all.proxy_arp': 'routing feature: legitimately on for some network setups',
  'net.ipv4.tcp_timestamps': 'Lynis accepts both values',
  'net.ipv6.conf.all.send_redirects': 'not a Linux setting',
};

/**
 * Where hostwatch accepts a value Lynis' profile does not, and why. Keyed by sysctl key; the check's
 * own `ok` decides (src/audit/sysctl-table.ts), this only documents the difference.
 */
export const LYNIS_SYSCTL_DIFFERENCES: Record<string, string> = {
  'kernel.kptr_restrict':
    '1 hides kernel addresses from unprivileged users, which is what matters; 2 hides them from root too and breaks perf for administrators',
  'fs.protected_fifos': '1 already blocks the attack in world-writable sticky directories; 2 extends it to group-writable ones',
  'fs.protected_regular': '1 already blocks the attack in world-writable sticky directories; 2 extends it to group-writable ones',
  'kernel.perf_event_paranoid': "3 exists only with Debian's kernel patch; 2 is the strictest upstream value",
  'kernel.unprivileged_bpf_disabled':
    "2 disables unprivileged BPF like 1 does (root may turn it back on); it is Debian's and Ubuntu's default",
  'net.ipv4.conf.all.rp_filter': '2 (loose mode) is what multi-homed hosts need and still drops spoofed packets from unroutable sources',
};

export interface LynisFinding {
  test: string;
  text: string;
  details: string;
}

export interface LynisReport {
  warnings: LynisFinding[];
  suggestions: LynisFinding[];
  hardeningIndex?: number;
}

/** Lynis' report file (lynis-report.dat): "warning[]=TEST|text|details|solution|". */
export function parseLynisReport(text: string): LynisReport {
  const out: LynisReport = { warnings: [], suggestions: [] };
  for (const line of text.split('\n')) {
    const m = /^(warning|suggestion)\[\]=([^|]*)\|([^|]*)\|([^|]*)\|/.exec(line);
    if (m) (m[1] === 'warning' ? out.warnings : out.suggestions).push({ test: m[2], text: m[3], details: m[4] });
    const h = /^hardening_index=(\d+)/.exec(line);
    if (h) out.hardeningIndex = Number(h[1]);
  }
  return out;
}

/** Lynis' log: the kernel settings KRNL-6000 found to differ from its profile, key → actual value. */
export function parseLynisSysctlMismatches(log: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const m of log.matchAll(/sysctl key (\S+) has a different value than expected in scan profile\. Expected=(\S+), Real=(\S+)/g))
    out.set(m[1], m[3]);
  return out;
}

export interface LynisComparison {
  /** Lynis warnings (and KRNL-6000 settings) with a failing hostwatch check. */
  matched: string[];
  /** Lynis warnings whose mapped hostwatch checks all pass: hostwatch misses the weakness. */
  missed: string[];
  /** Lynis warnings hostwatch deliberately does not check, with the reason. */
  skipped: string[];
  /** Lynis warnings of a test the map does not know: the map must be completed. */
  unmapped: string[];
  /** Kernel settings where hostwatch accepts what Lynis' profile does not, with the reason. */
  differences: string[];
  /** Suggestions (informative): mapped ones with a failing hostwatch check, and the others. */
  suggestionsMatched: string[];
  suggestionsNotMatched: string[];
}

/**
 * Holds hostwatch's results to Lynis' findings on the same host: every warning must be matched by a
 * failing mapped check or be a documented skip; every KRNL-6000 setting Lynis flags and hostwatch
 * checks must fail there too, or be a documented difference.
 */
export function compareWithLynis(
  lynis: LynisReport,
  sysctlMismatches: Map<string, string>,
  results: { id: string; status: string }[],
): LynisComparison {
  const failing = new Set(results.filter((r) => r.status === 'fail').map((r) => r.id));
  const out: LynisComparison = {
    matched: [],
    missed: [],
    skipped: [],
    unmapped: [],
    differences: [],
    suggestionsMatched: [],
    suggestionsNotMatched: [],
  };
  for (const w of lynis.warnings) {
    const m = LYNIS_MAP[w.test];
    const what = `${w.test} ${w.text}`;
    if (!m) out.unmapped.push(what);
    else if (m.skip !== undefined) out.skipped.push(`${what}: ${m.skip}`);
    else if (m.checks.some((c) => failing.has(c))) out.matched.push(`${what} -> ${m.checks.filter((c) => failing.has(c)).join(', ')}`);
    else out.missed.push(`${what} (mapped to ${m.checks.join(', ')}, which pass)`);
  }
  for (const [key, real] of sysctlMismatches) {
    const spec = SYSCTL_CHECKS.find((c) => c.keys.some((k) => k.key === key));
    const k = spec?.keys.find((x) => x.key === key);
    if (!spec || !k) {
      if (LYNIS_SYSCTL_SKIPS[key]) out.skipped.push(`KRNL-6000 ${key}=${real}: ${LYNIS_SYSCTL_SKIPS[key]}`);
      else out.unmapped.push(`KRNL-6000 ${key}=${real}`);
    } else if (/^-?\d+$/.test(real) && k.ok(Number(real))) {
      // hostwatch accepts this value: a deliberate, documented difference, or a miss.
      if (LYNIS_SYSCTL_DIFFERENCES[key]) out.differences.push(`KRNL-6000 ${key}=${real}: ${LYNIS_SYSCTL_DIFFERENCES[key]}`);
      else out.missed.push(`KRNL-6000 ${key}=${real} (accepted by ${spec.id}, difference not documented)`);
    } else if (failing.has(spec.id)) out.matched.push(`KRNL-6000 ${key}=${real} -> ${spec.id}`);
    else out.missed.push(`KRNL-6000 ${key}=${real} (${spec.id} passes)`);
  }
  for (const s of lynis.suggestions) {
    const m = LYNIS_MAP[s.test];
    const what = `${s.test} ${s.text}`;
    if (m?.checks?.some((c) => failing.has(c)))
      out.suggestionsMatched.push(`${what} -> ${m.checks.filter((c) => failing.has(c)).join(', ')}`);
    else out.suggestionsNotMatched.push(`${what}${m?.skip ? ` (skipped: ${m.skip})` : m ? ` (${m.checks!.join(', ')} pass)` : ''}`);
  }
  return out;
}

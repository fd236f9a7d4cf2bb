// The kernel hardening settings the audit checks (CIS Linux benchmarks and Lynis' KRNL-6000 profile
// where they agree; docs/audit.md lists where hostwatch deliberately differs). One check per
// concept: a check may cover several keys (IPv4 and IPv6, "all" and "default" interfaces).
// A key the running kernel does not have (IPv6 disabled, Yama not built) is left out of its check.
import type { Severity } from './types.js';

export interface SysctlKey {
  key: string;
  /** Whether the current value is safe. */
  ok: (value: number) => boolean;
  /** The value a fix sets. */
  recommended: number;
}

export interface SysctlCheckSpec {
  id: string;
  severity: Severity;
  keys: SysctlKey[];
  title: string;
  found: string;
  why: string;
}

const is = (v: number) => (x: number) => x === v;
const atLeast = (v: number) => (x: number) => x >= v;
const k = (key: string, ok: (v: number) => boolean, recommended: number): SysctlKey => ({ key, ok, recommended });

export const SYSCTL_CHECKS: SysctlCheckSpec[] = [
  {
    id: 'KRNL-ASLR',
    severity: 'high',
    keys: [k('kernel.randomize_va_space', is(2), 2)],
    title: 'Memory layout randomisation (ASLR)',
    found: 'Programs are loaded at predictable memory addresses.',
    why: 'Randomising where programs sit in memory turns most memory-corruption bugs from a reliable break-in into a crash. Without it, an attacker who finds such a bug can exploit it on the first try.',
  },
  {
    id: 'KRNL-KPTR-RESTRICT',
    severity: 'medium',
    keys: [k('kernel.kptr_restrict', atLeast(1), 1)],
    title: 'Kernel addresses hidden',
    found: 'Ordinary users can read the memory addresses of the kernel.',
    why: 'Knowing where the kernel lives in memory is the first step of many kernel exploits; hiding the addresses defeats that step.',
  },
  {
    id: 'KRNL-DMESG-RESTRICT',
    severity: 'low',
    keys: [k('kernel.dmesg_restrict', is(1), 1)],
    title: 'Kernel log restricted to administrators',
    found: 'Any user can read the kernel log (dmesg).',
    why: 'The kernel log shows hardware details, memory addresses and error messages that help an attacker who already has an ordinary account to go further.',
  },
  {
    id: 'KRNL-PTRACE-SCOPE',
    severity: 'medium',
    keys: [k('kernel.yama.ptrace_scope', atLeast(1), 1)],
    title: 'Processes cannot spy on each other',
    found: 'Any program can attach to, and read the memory of, any other program of the same user.',
    why: 'One compromised program (a browser plugin, a build script) could read the passwords and keys held in memory by every other program of that user, such as ssh-agent.',
  },
  {
    id: 'KRNL-UNPRIV-BPF',
    severity: 'medium',
    keys: [k('kernel.unprivileged_bpf_disabled', atLeast(1), 2)],
    title: 'Unprivileged BPF disabled',
    found: 'Ordinary users may load BPF programs into the kernel.',
    why: 'BPF lets users run code inside the kernel; several serious kernel break-ins used it. Only administrators need it.',
  },
  {
    id: 'KRNL-BPF-JIT-HARDEN',
    severity: 'low',
    keys: [k('net.core.bpf_jit_harden', is(2), 2)],
    title: 'BPF compiler hardened',
    found: 'The kernel compiles BPF programs without the protections against JIT spraying.',
    why: 'Hardening the BPF compiler stops a known way of smuggling attacker-chosen machine code into the kernel.',
  },
  {
    id: 'KRNL-PROTECTED-HARDLINKS',
    severity: 'medium',
    keys: [k('fs.protected_hardlinks', is(1), 1)],
    title: 'Hard-link protection',
    found: 'Users may create hard links to files they do not own.',
    why: "Hard links to other users' files are a classic way to trick a privileged program into overwriting or exposing a file it should not.",
  },
  {
    id: 'KRNL-PROTECTED-SYMLINKS',
    severity: 'medium',
    keys: [k('fs.protected_symlinks', is(1), 1)],
    title: 'Symbolic-link protection',
    found: 'Programs follow symbolic links that other users planted in shared directories such as /tmp.',
    why: 'A link planted in /tmp can redirect a program running as root to overwrite a system file: a common way to become root.',
  },
  {
    id: 'KRNL-PROTECTED-FIFOS',
    severity: 'low',
    keys: [k('fs.protected_fifos', atLeast(1), 1)],
    title: 'FIFO protection in shared directories',
    found: 'Programs may write into named pipes that other users created in shared directories.',
    why: 'A pipe planted in /tmp can capture data a privileged program meant to write to a file.',
  },
  {
    id: 'KRNL-PROTECTED-REGULAR',
    severity: 'low',
    keys: [k('fs.protected_regular', atLeast(1), 1)],
    title: 'File protection in shared directories',
    found: 'Programs may open files that other users created in shared directories, believing they made them.',
    why: 'An attacker can create a file in /tmp before a privileged program does and then read or change what it writes there.',
  },
  {
    id: 'KRNL-SUID-DUMPABLE',
    severity: 'medium',
    keys: [k('fs.suid_dumpable', is(0), 0)],
    title: 'No memory dumps of privileged programs',
    found: 'Privileged (SUID) programs leave memory dumps when they crash.',
    why: 'A crash dump of a privileged program can contain password hashes or keys, and be readable by the user who made it crash.',
  },
  {
    id: 'KRNL-LDISC-AUTOLOAD',
    severity: 'low',
    keys: [k('dev.tty.ldisc_autoload', is(0), 0)],
    title: 'No automatic loading of terminal drivers',
    found: 'Any user can make the kernel load rarely used terminal drivers.',
    why: 'Rarely used kernel drivers are where bugs hide; loading them on demand lets an ordinary user expose those bugs.',
  },
  {
    id: 'KRNL-PERF-EVENT',
    severity: 'low',
    keys: [k('kernel.perf_event_paranoid', atLeast(2), 2)],
    title: 'Performance counters restricted',
    found: "Ordinary users can use the kernel's performance counters.",
    why: 'Performance counters have been used to leak secrets between programs and to attack the kernel.',
  },
  {
    id: 'KRNL-TCP-SYNCOOKIES',
    severity: 'medium',
    keys: [k('net.ipv4.tcp_syncookies', is(1), 1)],
    title: 'SYN flood protection',
    found: 'The network stack has no protection against SYN floods.',
    why: 'Without SYN cookies, a simple flood of half-opened connections from the internet can make every service of the host unreachable.',
  },
  {
    id: 'KRNL-RP-FILTER',
    severity: 'medium',
    keys: [k('net.ipv4.conf.all.rp_filter', (v) => v === 1 || v === 2, 1)],
    title: 'Spoofed source addresses filtered',
    found: 'Packets with forged source addresses are accepted.',
    why: 'Forged addresses let attackers bypass address-based access rules and hide where attacks come from.',
  },
  {
    id: 'KRNL-ACCEPT-REDIRECTS',
    severity: 'medium',
    keys: [
      k('net.ipv4.conf.all.accept_redirects', is(0), 0),
      k('net.ipv4.conf.default.accept_redirects', is(0), 0),
      k('net.ipv6.conf.all.accept_redirects', is(0), 0),
      k('net.ipv6.conf.default.accept_redirects', is(0), 0),
    ],
    title: 'ICMP redirects ignored',
    found: 'The host lets other machines on the network change its routes (ICMP redirects).',
    why: "A machine on the same network can redirect this host's traffic through itself and read or change it.",
  },
  {
    id: 'KRNL-SEND-REDIRECTS',
    severity: 'low',
    keys: [k('net.ipv4.conf.all.send_redirects', is(0), 0), k('net.ipv4.conf.default.send_redirects', is(0), 0)],
    title: 'No ICMP redirects sent',
    found: 'The host tells other machines how to route their traffic (sends ICMP redirects).',
    why: "Only routers need to send redirects; a host that does can be used to mislead its neighbours' routing.",
  },
  {
    id: 'KRNL-SOURCE-ROUTE',
    severity: 'medium',
    keys: [
      k('net.ipv4.conf.all.accept_source_route', is(0), 0),
      k('net.ipv4.conf.default.accept_source_route', is(0), 0),
      k('net.ipv6.conf.all.accept_source_route', is(0), 0),
      k('net.ipv6.conf.default.accept_source_route', is(0), 0),
    ],
    title: 'Source-routed packets refused',
    found: 'The host accepts packets that dictate their own route (source routing).',
    why: 'Source routing lets an attacker send packets that look like they come from a trusted network.',
  },
  {
    id: 'KRNL-LOG-MARTIANS',
    severity: 'low',
    keys: [k('net.ipv4.conf.all.log_martians', is(1), 1), k('net.ipv4.conf.default.log_martians', is(1), 1)],
    title: 'Impossible packets logged',
    found: 'Packets with impossible source addresses are dropped without a trace.',
    why: 'Logging them shows spoofing attempts and network misconfiguration that would otherwise go unnoticed.',
  },
  {
    id: 'KRNL-ICMP-BROADCAST',
    severity: 'low',
    keys: [k('net.ipv4.icmp_echo_ignore_broadcasts', is(1), 1)],
    title: 'Broadcast pings ignored',
    found: 'The host answers pings sent to a broadcast address.',
    why: 'Answering broadcast pings lets the host be used to amplify denial-of-service attacks (smurf attacks).',
  },
  {
    id: 'KRNL-ICMP-BOGUS',
    severity: 'low',
    keys: [k('net.ipv4.icmp_ignore_bogus_error_responses', is(1), 1)],
    title: 'Bogus ICMP errors ignored',
    found: 'The host logs malformed ICMP error messages.',
    why: 'Malformed ICMP errors sent on purpose can fill the logs and hide real events.',
  },
];

/** Every key read from /proc/sys. */
export const SYSCTL_KEYS: string[] = [...new Set(SYSCTL_CHECKS.flatMap((c) => c.keys.map((x) => x.key)))];

/** /proc/sys path of a key: dots are directory separators. */
export function sysctlPath(key: string): string {
  return `sys/${key.replace(/\./g, '/')}`;
}

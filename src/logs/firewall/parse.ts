// Pure parsing of netfilter kernel log lines (iptables/nftables LOG target, as UFW, firewalld,
// OpenWrt, SuSEfirewall2 or a custom --log-prefix write them), from kern.log, syslog, ufw.log, the
// journal or dmesg, with or without the `[12345.678]` uptime stamp:
//   Mar  3 10:00:00 host kernel: [ 123.456] [UFW BLOCK] IN=eth0 OUT= MAC=... SRC=1.2.3.4 DST=... LEN=60 ... PROTO=TCP SPT=4444 DPT=22 ... SYN URGP=0
// The packet part is found by its fixed start `IN=<if> OUT=` (a prefix without a trailing space is
// glued to it: `DROP:IN=eth0`), and scanned once, token by token, with no regular expression per field.
import { parseSyslogTimestamp } from '../security/syslog.js';

export type FirewallAction = 'block' | 'reject' | 'allow' | 'limit' | 'audit' | 'unknown';
export type Direction = 'in' | 'out' | 'forward';

export interface FirewallPacket {
  action: FirewallAction;
  direction: Direction;
  in: string;
  out: string;
  src?: string;
  dst?: string;
  /** Lower-case as logged: tcp, udp, icmp, icmpv6, or a protocol number. */
  proto?: string;
  spt?: number;
  dpt?: number;
  len?: number;
  /** TCP flags present: SYN ACK FIN RST PSH URG. */
  flags: string[];
  /** The log prefix, trimmed (`[UFW BLOCK]`, `IPTables-Dropped:`), '' when there is none. */
  prefix: string;
  timestamp?: number;
}

const TCP_FLAGS = new Set(['SYN', 'ACK', 'FIN', 'RST', 'PSH', 'URG']);

/**
 * The action from the prefix's words: LIMIT first (UFW's `[UFW LIMIT BLOCK]` is the rate limit
 * dropping), then REJECT, then DROP/BLOCK/DENY, ACCEPT/ALLOW (`ACC` is SuSEfirewall2's), AUDIT.
 */
export function actionOf(prefix: string): FirewallAction {
  if (prefix === '') return 'unknown';
  const p = prefix.toUpperCase();
  if (p.includes('LIMIT')) return 'limit';
  if (p.includes('REJECT')) return 'reject';
  if (p.includes('DROP') || p.includes('BLOCK') || p.includes('DENY') || p.includes('DENIED')) return 'block';
  if (p.includes('ACCEPT') || p.includes('ALLOW') || /(^|[^A-Z])ACC([^A-Z]|$)/.test(p)) return 'allow';
  if (p.includes('AUDIT')) return 'audit';
  return 'unknown';
}

/** Index of `IN=` that starts the packet fields (followed by ` OUT=` after the interface name). */
function packetStart(line: string, from: number): number {
  let i = line.indexOf('IN=', from);
  while (i >= 0) {
    const sp = line.indexOf(' ', i);
    if (sp > 0 && line.startsWith('OUT=', sp + 1)) return i;
    i = line.indexOf('IN=', i + 3);
  }
  return -1;
}

/** Removes the syslog header, `kernel:` tag and uptime stamp before the prefix. */
function prefixStart(line: string, end: number, now: number): { start: number; timestamp?: number } {
  let pos = 0;
  let timestamp: number | undefined;
  const ts = parseSyslogTimestamp(line, now);
  if (ts) {
    timestamp = ts.timestamp;
    pos = ts.length;
    // `host kernel: ` or `kernel: ` (or any `tag: `) up to the packet start.
    const k = line.indexOf(': ', pos);
    if (k >= 0 && k < end) pos = k + 2;
  }
  while (pos < end && line.charCodeAt(pos) === 32) pos++;
  if (line.charCodeAt(pos) === 91 /* [ */) {
    const close = line.indexOf(']', pos);
    if (close > 0 && close < end && /^\[\s*\d+\.\d+\]$/.test(line.slice(pos, close + 1))) pos = close + 1;
  }
  return { start: pos, timestamp };
}

function toPort(v: string): number | undefined {
  const n = Number(v);
  return Number.isInteger(n) && n >= 0 && n <= 65535 && v !== '' ? n : undefined;
}

function toUint(v: string): number | undefined {
  const n = Number(v);
  return Number.isSafeInteger(n) && n >= 0 && v !== '' ? n : undefined;
}

const KEYS = ['IN', 'OUT', 'SRC', 'DST', 'PROTO', 'SPT', 'DPT', 'LEN'] as const;
type Key = (typeof KEYS)[number];

/** The field name at line[pos, pos+len) if it is one we read, without allocating a string. */
function keyOf(line: string, pos: number, len: number): Key | undefined {
  if (len < 2 || len > 5) return undefined;
  for (const k of KEYS) if (k.length === len && line.startsWith(k, pos)) return k;
  return undefined;
}

export function parseFirewallLine(line: string, now: number): FirewallPacket | undefined {
  const start = packetStart(line, 0);
  if (start < 0) return undefined;
  const head = prefixStart(line, start, now);
  const prefix = line.slice(head.start, start).trim();
  const pkt: FirewallPacket = {
    action: actionOf(prefix),
    direction: 'in',
    in: '',
    out: '',
    flags: [],
    prefix,
    timestamp: head.timestamp,
  };
  // Token scan; stops at `[`: ICMP errors quote the offending packet (`[SRC=... DST=...]`) and
  // its fields must not overwrite the outer packet's.
  let pos = start;
  const n = line.length;
  while (pos < n) {
    let end = line.indexOf(' ', pos);
    if (end < 0) end = n;
    if (end > pos) {
      if (line.charCodeAt(pos) === 91 /* [ */) break;
      const eq = line.indexOf('=', pos);
      if (eq > 0 && eq < end) {
        // Only the keys we use are sliced (MAC=, TOS=, TTL=, ID=... are skipped unread).
        const key = keyOf(line, pos, eq - pos);
        if (key !== undefined) {
          const v = line.slice(eq + 1, end);
          switch (key) {
            case 'IN': pkt.in = v; break;
            case 'OUT': pkt.out = v; break;
            case 'SRC': pkt.src ??= v; break;
            case 'DST': pkt.dst ??= v; break;
            case 'PROTO': pkt.proto ??= v.toLowerCase(); break;
            case 'SPT': pkt.spt ??= toPort(v); break;
            case 'DPT': pkt.dpt ??= toPort(v); break;
            case 'LEN': pkt.len ??= toUint(v); break;
          }
        }
      } else {
        const tok = line.slice(pos, end);
        if (TCP_FLAGS.has(tok)) pkt.flags.push(tok);
      }
    }
    pos = end + 1;
  }
  pkt.direction = pkt.in !== '' && pkt.out !== '' ? 'forward' : pkt.out !== '' ? 'out' : 'in';
  return pkt;
}

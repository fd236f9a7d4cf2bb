// Pure parsing of netfilter packet logs (iptables/nftables LOG target and nftables `log`, as UFW,
// firewalld, OpenWrt, SuSEfirewall2, Proxmox VE or a custom prefix write them), from kern.log,
// syslog, ufw.log, the journal, dmesg, ulogd or pve-firewall.log (which lines are packet logs, and
// where their text starts: origin.ts):
//   Mar  3 10:00:00 host kernel: [ 123.456] [UFW BLOCK] IN=eth0 OUT= MAC=... SRC=1.2.3.4 DST=... LEN=60 ... PROTO=TCP SPT=4444 DPT=22 ... SYN URGP=0
// The packet part is found by its fixed start `IN=<if> OUT=` (a prefix without a trailing space is
// glued to it: `DROP:IN=eth0`; pvefw-logger writes only the interfaces that are set), and scanned
// once, token by token, with no regular expression per field.
import { parseFilterlog } from './filterlog.js';
import type { FirewallAction, FirewallPacket } from './packet.js';
import { packetText } from './origin.js';

export type { Direction, FirewallAction, FirewallPacket } from './packet.js';

const TCP_FLAGS = new Set(['SYN', 'ACK', 'FIN', 'RST', 'PSH', 'URG']);
const EDGEOS = /^\[[^\]]*-(?:default|\d+)-([ADR])\]$/;

/**
 * The action from the prefix's words: LIMIT first (UFW's `[UFW LIMIT BLOCK]` is the rate limit
 * dropping), then REJECT, then DROP/BLOCK/DENY, ACCEPT/ALLOW (`ACC` is SuSEfirewall2's), AUDIT.
 */
export function actionOf(prefix: string): FirewallAction {
  if (prefix === '') return 'unknown';
  // Ubiquiti EdgeOS / VyOS: `[WAN_LOCAL-default-D]`, `[LAN_IN-20-A]` (A accept, D drop, R reject).
  const edge = EDGEOS.exec(prefix);
  if (edge) return edge[1] === 'A' ? 'allow' : edge[1] === 'D' ? 'block' : 'reject';
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

/** pvefw-logger: the first `IN=` or `OUT=` token (only the interfaces that are set are written). */
function pveStart(line: string, from: number): number {
  for (let i = from; i < line.length; i = line.indexOf(' ', i) + 1) {
    if (line.startsWith('IN=', i) || line.startsWith('OUT=', i)) return i;
    if (line.indexOf(' ', i) < 0) break;
  }
  return -1;
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
  // Cheap rejection first: most lines of a shared log are not packets.
  if (line.indexOf('IN=') < 0 && line.indexOf('OUT=') < 0 && line.indexOf('filterlog') < 0) return undefined;
  const head = packetText(line, now);
  if (!head) return undefined;
  if (head.filterlog) return parseFilterlog(line.slice(head.start), head.timestamp);
  const start = head.pve ? pveStart(line, head.start) : packetStart(line, head.start);
  if (start < 0) return undefined;
  const prefix = head.tagPrefix ?? line.slice(head.start, start).trim();
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
            case 'IN':
              pkt.in = v;
              break;
            case 'OUT':
              pkt.out = v;
              break;
            case 'SRC':
              pkt.src ??= v;
              break;
            case 'DST':
              pkt.dst ??= v;
              break;
            case 'PROTO':
              pkt.proto ??= v.toLowerCase();
              break;
            case 'SPT':
              pkt.spt ??= toPort(v);
              break;
            case 'DPT':
              pkt.dpt ??= toPort(v);
              break;
            case 'LEN':
              pkt.len ??= toUint(v);
              break;
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

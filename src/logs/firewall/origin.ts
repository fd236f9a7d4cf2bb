// Which lines are packet logs, and where their text starts. Packet logs come only from the kernel
// (netfilter's LOG target and nftables' `log`, which write `[prefix]IN=<if> OUT=<if> ...`) or from
// the daemon that writes them to its own file; the same text inside another program's message (a
// user name `[UFW BLOCK] IN=eth0 OUT= SRC=...` in an sshd line) is that program's, not a packet:
//   syslog / journal  `Mar  3 10:00:00 host kernel: [ 123.456] [UFW BLOCK] IN=eth0 OUT= ...`
//                     (any header syslog.ts reads, program `kernel`)
//   dmesg --notime    `DROP: IN=eth0 OUT= ...` (no header at all: a prefix ending in ':' reads as a
//                     tag; with a header, a tag is a program's, whose message is never a packet)
//   dmesg             `[ 9876.543210] [UFW BLOCK] IN=...`, `<4>[ 9876.5] ...` (raw), `[Sun Mar  3
//                     10:00:00 2024] ...` (-T), `2024-03-03T10:00:00,123456+01:00 ...` (--time-format iso)
//   ulogd LOGEMU      `Mar  3 10:00:00 gw nft-drop IN=eth0 OUT= ...` (host, then the prefix)
//   pf's filterlog    `Mar  3 10:00:00 fw filterlog[123]: 5,,,1000000103,igb0,match,block,in,4,...`
//                     (pfSense, OPNsense; CSV, see filterlog.ts)
//   pvefw-logger      `0 5 PVEFW-HOST-IN 24/Jan/2019:11:16:59 +0100 policy DROP: IN=vmbr0 PHYSIN=...`
//                     (Proxmox VE's /var/log/pve-firewall.log: vmid, level, chain, time; it writes
//                     only the interfaces that are set, so a line can have IN= or OUT= alone)
import { locateSyslog } from '../security/syslog.js';
import { MONTHS, readStamp } from '../security/syslog-time.js';

export interface PacketText {
  /** Offset where the prefix starts (after headers and uptime stamps). */
  start: number;
  timestamp?: number;
  /** The prefix when the header carried it (`DROP:` read as a syslog tag). */
  tagPrefix?: string;
  /** pvefw-logger lines: the packet fields may start at OUT= (no IN=). */
  pve: boolean;
  /** pf's filterlog: a CSV record from `start`. */
  filterlog?: boolean;
}

const UPTIME = /^\[ *\d+\.\d+\] ?/;
const DMESG_CTIME = /^\[(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun) ([A-Z][a-z]{2}) {1,2}(\d{1,2}) (\d{2}):(\d{2}):(\d{2}) (\d{4})\] /;
const KMSG_LEVEL = /^<\d>/;
const PVE = /^\d+ \d+ \S+ (\d{2})\/([A-Z][a-z]{2})\/(\d{4}):(\d{2}):(\d{2}):(\d{2}) ([+-])(\d{2})(\d{2}) /;

/** Skips the kernel's `[ 123.456]` uptime stamp at `pos`. */
function afterUptime(line: string, pos: number): number {
  while (line.charCodeAt(pos) === 32) pos++;
  if (line.charCodeAt(pos) !== 91 /* [ */) return pos;
  const m = UPTIME.exec(line.slice(pos, pos + 24));
  return m ? pos + m[0].length : pos;
}

function pve(line: string): PacketText | undefined {
  const m = PVE.exec(line);
  if (!m) return undefined;
  const mo = MONTHS[m[2]];
  if (mo === undefined) return undefined;
  const offset = (m[7] === '-' ? -1 : 1) * (Number(m[8]) * 60 + Number(m[9]));
  const timestamp = Date.UTC(Number(m[3]), mo, Number(m[1]), Number(m[4]), Number(m[5]), Number(m[6])) - offset * 60_000;
  return { start: m[0].length, timestamp, pve: true };
}

/** Lines without a syslog tag: dmesg's shapes, ulogd's file, pvefw-logger's file. */
function untagged(line: string, now: number): PacketText | undefined {
  let pos = 0;
  if (KMSG_LEVEL.test(line)) pos = 3;
  const rest = pos ? line.slice(pos) : line;
  const ct = DMESG_CTIME.exec(rest);
  if (ct) {
    const t = new Date(Number(ct[6]), MONTHS[ct[1]] ?? 0, Number(ct[2]), Number(ct[3]), Number(ct[4]), Number(ct[5])).getTime();
    return { start: afterUptime(line, pos + ct[0].length), timestamp: t, pve: false };
  }
  const stamp = readStamp(rest, now);
  if (!stamp) return pve(line) ?? { start: afterUptime(line, pos), pve: false };
  if (!stamp.valid) return undefined; // `Mar 99 25:99:99`: a broken header, not kernel text
  if (stamp.kind === 'monotonic') return { start: afterUptime(line, pos), pve: false };
  pos += stamp.length;
  // ulogd writes a host after its traditional stamp; dmesg --time-format iso writes none.
  if (stamp.kind === 'rfc3164') {
    const sp = line.indexOf(' ', pos);
    if (sp < 0) return undefined;
    pos = sp + 1;
  }
  return { start: afterUptime(line, pos), timestamp: stamp.timestamp, pve: false };
}

/** Where a packet log's text starts, or undefined when the line is not one (another program's). */
export function packetText(line: string, now: number): PacketText | undefined {
  const h = locateSyslog(line, now);
  if (!h) return untagged(line, now);
  if (h.program === 'kernel') return { start: afterUptime(line, h.messageOffset), timestamp: h.timestamp, pve: false };
  if (h.program === 'filterlog') return { start: h.messageOffset, timestamp: h.timestamp, pve: false, filterlog: true };
  // dmesg --notime with a prefix ending in ':' reads as a bare tag; a program's message is no packet.
  if (h.format === 'unstamped' && h.host === undefined && h.pid === undefined && line.startsWith('IN=', h.messageOffset)) {
    return { start: h.messageOffset, tagPrefix: `${h.program}:`, pve: false };
  }
  return undefined;
}

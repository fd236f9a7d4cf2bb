// Listening sockets from /proc/net/{tcp,tcp6,udp,udp6} (of PID 1's network namespace, the host's
// when /proc is the host's), with the process that owns each.
import type { FactContext } from './context.js';
import { readOptional } from './context.js';
import { socketOwners } from './processes.js';
import type { Listener } from './types.js';

const TCP_LISTEN = '0A';
/** An unconnected UDP socket (state TCP_CLOSE) is the UDP counterpart of a listening socket. */
const UDP_UNCONNECTED = '07';

function ipv4(hex: string): string {
  // Four bytes in host (little-endian) order.
  const n = Number.parseInt(hex, 16);
  return [n & 255, (n >>> 8) & 255, (n >>> 16) & 255, n >>> 24].join('.');
}

function ipv6(hex: string): string {
  // Four 32-bit words, each in host order.
  const bytes: number[] = [];
  for (let w = 0; w < 4; w++) {
    const word = hex.slice(w * 8, w * 8 + 8);
    for (let b = 3; b >= 0; b--) bytes.push(Number.parseInt(word.slice(b * 2, b * 2 + 2), 16));
  }
  const groups: string[] = [];
  for (let i = 0; i < 16; i += 2) groups.push(((bytes[i] << 8) | bytes[i + 1]).toString(16));
  const mapped = /^0:0:0:0:0:ffff:/.exec(groups.join(':'));
  if (mapped) return `::ffff:${bytes.slice(12).join('.')}`;
  // Compress the longest run of zero groups, as inet_ntop does.
  let best = { at: -1, len: 0 };
  for (let i = 0; i < 8;) {
    if (groups[i] !== '0') {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === '0') j++;
    if (j - i > best.len && j - i > 1) best = { at: i, len: j - i };
    i = j;
  }
  if (best.at < 0) return groups.join(':');
  return `${groups.slice(0, best.at).join(':')}::${groups.slice(best.at + best.len).join(':')}`;
}

/** Parses one /proc/net/{tcp,udp}[6] table, keeping the listening (tcp) or bound unconnected (udp) sockets. */
export function parseProcNet(text: string, proto: 'tcp' | 'udp', family: 4 | 6): Omit<Listener, 'process'>[] {
  const out: Omit<Listener, 'process'>[] = [];
  for (const line of text.split('\n').slice(1)) {
    const f = line.trim().split(/\s+/);
    if (f.length < 10) continue;
    const [local, remote, state] = [f[1], f[2], f[3]];
    if (proto === 'tcp' ? state !== TCP_LISTEN : state !== UDP_UNCONNECTED || !/^0+:0000$/.test(remote)) continue;
    const [addr, port] = local.split(':');
    out.push({
      proto,
      address: family === 4 ? ipv4(addr) : ipv6(addr),
      port: Number.parseInt(port, 16),
      uid: Number(f[7]),
      inode: Number(f[9]),
    });
  }
  return out;
}

/** Listening on every interface (the wildcard address of either family). */
export function isWildcard(address: string): boolean {
  return address === '0.0.0.0' || address === '::' || address === '::ffff:0.0.0.0';
}

export function isLoopback(address: string): boolean {
  return address.startsWith('127.') || address === '::1' || address.startsWith('::ffff:127.');
}

export async function readListeners(ctx: FactContext): Promise<Listener[]> {
  const tables: [string, 'tcp' | 'udp', 4 | 6][] = [
    ['tcp', 'tcp', 4],
    ['tcp6', 'tcp', 6],
    ['udp', 'udp', 4],
    ['udp6', 'udp', 6],
  ];
  const found: Omit<Listener, 'process'>[] = [];
  let any = false;
  for (const [file, proto, family] of tables) {
    const text = (await readOptional(ctx.proc(`1/net/${file}`)).catch(() => undefined)) ?? (await readOptional(ctx.proc(`net/${file}`)));
    if (text === undefined) continue;
    any = true;
    found.push(...parseProcNet(text, proto, family));
  }
  if (!any) throw new Error(`no socket table under ${ctx.proc('net')}`);
  const processes = await ctx.get('processes').catch(() => []);
  const owners = await socketOwners(ctx, processes, new Set(found.filter((l) => !isLoopback(l.address)).map((l) => l.inode)));
  return found.map((l) => {
    const p = owners.get(l.inode);
    return p ? { ...l, process: { pid: p.pid, comm: p.comm } } : l;
  });
}

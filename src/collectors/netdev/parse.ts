// /proc/net/dev: two header lines, then "  name: 8 receive counters 8 transmit counters":
//   receive: bytes packets errs drop fifo frame compressed multicast
//   transmit: bytes packets errs drop fifo colls carrier compressed
// Old kernels print no space after the colon once the byte counter is wide ("eth0:123456789 ...").
import { fields, lines } from '../hostfs.js';

export interface NetDevStats {
  device: string;
  receiveBytes: number;
  receivePackets: number;
  receiveErrs: number;
  receiveDrop: number;
  transmitBytes: number;
  transmitPackets: number;
  transmitErrs: number;
  transmitDrop: number;
}

export function parseNetDev(text: string): NetDevStats[] {
  const out: NetDevStats[] = [];
  for (const line of lines(text)) {
    if (line.includes('|')) continue; // header
    const colon = line.indexOf(':');
    if (colon < 0) continue;
    const device = line.slice(0, colon).trim();
    const n = fields(line.slice(colon + 1)).map(Number);
    if (device === '' || n.length < 16 || n.some((x) => !Number.isFinite(x))) continue;
    out.push({
      device,
      receiveBytes: n[0],
      receivePackets: n[1],
      receiveErrs: n[2],
      receiveDrop: n[3],
      transmitBytes: n[8],
      transmitPackets: n[9],
      transmitErrs: n[10],
      transmitDrop: n[11],
    });
  }
  return out;
}

/** /sys/class/net/<dev>/operstate is "up" when the interface can pass packets (RFC 2863). */
export function isOperUp(operstate: string): boolean {
  return operstate.trim() === 'up';
}

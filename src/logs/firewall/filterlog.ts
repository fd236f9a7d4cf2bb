// pf's packet log as pfSense and OPNsense write it (filterlog, one CSV record per packet, "Filter
// Log Format" of their documentation), in any syslog header with program `filterlog`:
//   <rule>,<sub rule>,<anchor>,<tracker>,<interface>,<reason>,<action>,<direction>,<ip version>,
//   IPv4: <tos>,<ecn>,<ttl>,<id>,<offset>,<flags>,<protocol id>,<protocol>,<length>,<src>,<dst>,
//   IPv6: <class>,<flow label>,<hop limit>,<protocol>,<protocol id>,<length>,<src>,<dst>,
//   then for TCP/UDP: <src port>,<dst port>,<data length>[,<tcp flags>,...]
//   5,,,1000000103,igb0,match,block,in,4,0x0,,64,0,0,DF,6,tcp,60,198.51.100.7,192.0.2.1,51234,22,0,S,1234,,64240,,mss
import type { FirewallAction, FirewallPacket } from './packet.js';

const ACTIONS: Record<string, FirewallAction> = { block: 'block', pass: 'allow', reject: 'reject', match: 'audit' };
const TCP_FLAGS: Record<string, string> = { S: 'SYN', A: 'ACK', F: 'FIN', R: 'RST', P: 'PSH', U: 'URG' };

function uint16(v: string | undefined): number | undefined {
  if (v === undefined || !/^\d{1,5}$/.test(v)) return undefined;
  const n = Number(v);
  return n <= 65535 ? n : undefined;
}

/** The packet of a filterlog record (the message, after `filterlog[pid]: `), or undefined. */
export function parseFilterlog(record: string, timestamp: number | undefined): FirewallPacket | undefined {
  const f = record.split(',');
  if (f.length < 9) return undefined;
  const action = ACTIONS[f[6]];
  const dir = f[7];
  if (action === undefined || (dir !== 'in' && dir !== 'out')) return undefined;
  let at: number; // index of the protocol name
  let srcAt: number;
  if (f[8] === '4') {
    at = 16;
    srcAt = 18;
  } else if (f[8] === '6') {
    at = 12;
    srcAt = 15;
  } else {
    return undefined;
  }
  if (f.length < srcAt + 2) return undefined;
  const proto = f[at].toLowerCase();
  const pkt: FirewallPacket = {
    action,
    direction: dir,
    in: dir === 'in' ? f[4] : '',
    out: dir === 'out' ? f[4] : '',
    src: f[srcAt],
    dst: f[srcAt + 1],
    proto: proto === 'ipv6-icmp' ? 'icmpv6' : proto,
    len: uint16(f[srcAt - 1]),
    flags: [],
    prefix: `${f[5]} ${f[6]}`,
    timestamp,
  };
  if (proto === 'tcp' || proto === 'udp') {
    pkt.spt = uint16(f[srcAt + 2]);
    pkt.dpt = uint16(f[srcAt + 3]);
    if (proto === 'tcp') for (const c of f[srcAt + 5] ?? '') if (TCP_FLAGS[c]) pkt.flags.push(TCP_FLAGS[c]);
  }
  return pkt;
}

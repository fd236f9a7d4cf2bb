// The firewall parser on real-world netfilter lines: UFW, iptables --log-prefix, nftables,
// firewalld, OpenWrt, SuSEfirewall2, no prefix; kern.log, journal short-iso, dmesg.
process.env.TZ = 'UTC';
import { readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { firewallLineFields } from '../../../src/logs/firewall/fields.js';
import { actionOf, parseFirewallLine } from '../../../src/logs/firewall/parse.js';
import { goldenLines } from './golden.js';

const NOW = Date.UTC(2024, 5, 1, 12, 0, 0);

describe('firewall parser golden files', () => {
  for (const name of readdirSync('test/fixtures/firewall').filter((f) => f.endsWith('.log'))) {
    it(name, () => {
      const { actual, expected } = goldenLines(`test/fixtures/firewall/${name}`, (l) => firewallLineFields(l, NOW));
      expect(actual).toEqual(expected);
    });
  }
});

describe('firewall parser', () => {
  it.each([
    ['[UFW BLOCK]', 'block'],
    ['[UFW ALLOW]', 'allow'],
    ['[UFW LIMIT BLOCK]', 'limit'],
    ['[UFW AUDIT]', 'audit'],
    ['IPTables-Dropped:', 'block'],
    ['nft drop in:', 'block'],
    ['filter_IN_public_REJECT:', 'reject'],
    ['FINAL_REJECT:', 'reject'],
    ['reject wan in:', 'reject'],
    ['DROP wan in:', 'block'],
    ['SFW2-INext-DROP-DEFLT', 'block'],
    ['SFW2-INext-ACC-TCP', 'allow'],
    ['ACCEPT', 'allow'],
    ['iptables denied:', 'block'],
    ['my-firewall:', 'unknown'],
    ['[WAN_LOCAL-default-D]', 'block'],
    ['[LAN_IN-20-A]', 'allow'],
    ['[WAN_IN-30-R]', 'reject'],
    ['', 'unknown'],
  ])('prefix %j -> %s', (prefix, action) => {
    expect(actionOf(prefix)).toBe(action);
  });

  it('reads the outer packet of an ICMP error, not the quoted one', () => {
    const p = parseFirewallLine(
      'Mar  3 10:00:11 h kernel: [UFW BLOCK] IN=eth0 OUT= SRC=192.0.2.1 DST=192.0.2.10 LEN=576 PROTO=ICMP TYPE=3 CODE=3 [SRC=192.0.2.10 DST=192.0.2.1 LEN=548 PROTO=UDP SPT=53 DPT=33434 LEN=528 ] ',
      NOW,
    )!;
    expect(p).toMatchObject({ src: '192.0.2.1', dst: '192.0.2.10', proto: 'icmp', len: 576 });
    expect(p.dpt).toBeUndefined();
  });

  it('finds a prefix glued to IN= and directions in/out/forward', () => {
    expect(
      parseFirewallLine('Mar  3 10:00:00 h kernel: DROP:IN=eth0 OUT= SRC=1.1.1.1 DST=2.2.2.2 PROTO=TCP SPT=1 DPT=2', NOW),
    ).toMatchObject({
      prefix: 'DROP:',
      action: 'block',
      direction: 'in',
    });
    expect(parseFirewallLine('IN= OUT=eth0 SRC=1.1.1.1 DST=2.2.2.2 PROTO=UDP SPT=1 DPT=2', NOW)).toMatchObject({
      prefix: '',
      direction: 'out',
      action: 'unknown',
    });
    expect(parseFirewallLine('x IN=eth0 OUT=eth1 SRC=1.1.1.1 DST=2.2.2.2 PROTO=TCP', NOW)!.direction).toBe('forward');
  });

  it('lists TCP flags only', () => {
    const p = parseFirewallLine(
      '[UFW BLOCK] IN=eth0 OUT= SRC=1.1.1.1 DST=2.2.2.2 LEN=40 DF PROTO=TCP SPT=1 DPT=2 WINDOW=0 RES=0x00 CWR ECE ACK PSH FIN URGP=0',
      NOW,
    )!;
    expect(p.flags).toEqual(['ACK', 'PSH', 'FIN']);
  });

  it('does not match lines that are not packets, and never throws on garbage', () => {
    expect(parseFirewallLine('Mar  3 10:00:00 h kernel: [ 1.0] e1000e: eth0 NIC Link is Up', NOW)).toBeUndefined();
    expect(parseFirewallLine('LOGIN=x IN=bogus', NOW)).toBeUndefined();
    expect(parseFirewallLine('', NOW)).toBeUndefined();
    const p = parseFirewallLine('IN= OUT= SRC= DST= PROTO= SPT=x DPT=99999 LEN=-1 [', NOW)!;
    expect(p).toMatchObject({ spt: undefined, dpt: undefined, len: undefined });
  });
});

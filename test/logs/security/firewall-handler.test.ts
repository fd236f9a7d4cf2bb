// The firewall handler: packet counters, blocked ports top-K (exactly-once, stable), port-scan
// detection on line timestamps, snapshot/restore and metrics rendered from the published state.
process.env.TZ = 'UTC';
import { readFileSync } from 'node:fs';
import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../../src/config/load.js';
import type { FirewallLogConfig } from '../../../src/logs/firewall/config.js';
import { ManualClock } from '../../../src/core/clock.js';
import { emptyFirewallState, FirewallHandler, packetIndex, type FirewallState } from '../../../src/logs/firewall/handler.js';
import { firewallLogType } from '../../../src/logs/firewall/index.js';
import { PROMOTE_AT, TopPorts } from '../../../src/logs/firewall/top-ports.js';

const NOW = Date.UTC(2024, 5, 1, 12, 0, 0);

function fwConfig(extra: Record<string, unknown> = {}): FirewallLogConfig {
  return parseConfig({ logs: [{ name: 'fw', type: 'firewall', path: '/var/log/ufw.log', ...extra }] }).logs[0] as FirewallLogConfig;
}
const handler = (extra: Record<string, unknown> = {}, clock = new ManualClock(NOW)) =>
  new FirewallHandler({ config: fwConfig(extra), clock });
const fixture = (name: string) =>
  readFileSync(`test/fixtures/firewall/${name}`, 'utf8')
    .split('\n')
    .filter((l) => l !== '');

/** A UFW block line at second `sec` of 2024-03-03T10:00. */
const block = (sec: number, src: string, dpt: number, proto = 'TCP') =>
  `2024-03-03T10:${String(Math.floor(sec / 60) % 60).padStart(2, '0')}:${String(sec % 60).padStart(2, '0')}Z fw kernel: [UFW BLOCK] IN=eth0 OUT= MAC=00:00 SRC=${src} DST=192.0.2.1 LEN=40 TOS=0x00 PROTO=${proto} SPT=40000 DPT=${dpt} WINDOW=1024 RES=0x00 SYN URGP=0 `;

describe('firewall handler counters', () => {
  it('counts packets by action, protocol and direction; non-packet lines are unparsed', () => {
    const h = handler();
    const results = [...fixture('ufw.log'), ...fixture('iptables-nftables.log')].map((l) => h.processLine(l));
    expect(results.filter((r) => !r.parsed).length).toBe(3);
    const s = h.snapshot();
    const at = (a: string, p: string, d: string) => s.packets[packetIndex(a, p, d)];
    expect(at('block', 'tcp', 'in')).toBe(12);
    expect(at('block', 'udp', 'in')).toBe(4);
    expect(at('block', 'icmp', 'in')).toBe(2);
    expect(at('block', 'icmpv6', 'in')).toBe(1);
    expect(at('block', 'other', 'in')).toBe(1); // PROTO=2 (IGMP)
    expect(at('block', 'tcp', 'forward')).toBe(1);
    expect(at('reject', 'tcp', 'in')).toBe(3);
    expect(at('limit', 'tcp', 'in')).toBe(1);
    expect(at('allow', 'tcp', 'in')).toBe(2);
    expect(at('allow', 'tcp', 'out')).toBe(1);
    expect(at('audit', 'udp', 'out')).toBe(1);
    expect(at('audit', 'tcp', 'in')).toBe(1);
    expect(at('unknown', 'tcp', 'in')).toBe(2);
    expect(s.packets.reduce((a, b) => a + b)).toBe(results.filter((r) => r.parsed).length);
  });

  it('counts blocked ports exactly once: the sum of the series is the number of blocked TCP/UDP packets', () => {
    const h = handler({ top_ports: 3 });
    let blocked = 0;
    for (let i = 0; i < 5000; i++) {
      const port = i % 4 === 0 ? 22 : i % 4 === 1 ? 3389 : 1 + ((i * 7919) % 65535);
      h.processLine(block(i % 3600, `198.51.100.${i % 200}`, port));
      blocked++;
    }
    h.processLine(block(0, '198.51.100.1', 22).replace('[UFW BLOCK]', '[UFW ALLOW]')); // allowed: not a blocked port
    const bp = h.snapshot().blockedPorts;
    expect(Object.values(bp.ports).reduce((a, b) => a + b, 0) + bp.other).toBe(blocked);
    expect(Object.keys(bp.ports).length).toBeLessThanOrEqual(3);
    // The frequently hit ports got their own series, not the scan's random ones that came first.
    expect(Object.keys(bp.ports)).toEqual(expect.arrayContaining(['22', '3389']));
  });
});

describe('firewall lines come only from the kernel or the firewall daemon', () => {
  it("packet text inside another program's message (an sshd user name, a sudo command) is no packet and no scan", () => {
    const h = handler({ portscan: { distinct_ports: 3, window: '60s' } });
    const results = fixture('injection.log').map((l) => h.processLine(l));
    expect(results.map((r) => r.parsed)).toEqual([false, false, false, false, false, false, true, false]);
    const s = h.snapshot();
    expect(s.packets.reduce((a, b) => a + b, 0)).toBe(1);
    expect(s.portscan.sources).toEqual(['203.0.113.252']);
  });

  it('20 sshd lines with a [UFW BLOCK] user name to 20 ports make no packet and no scan', () => {
    const h = handler({ portscan: { distinct_ports: 5, window: '60s' } });
    for (let i = 0; i < 20; i++) {
      h.processLine(
        `Mar  3 10:00:${String(i).padStart(2, '0')} web-1 sshd[${7000 + i}]: Invalid user [UFW BLOCK] IN=eth0 OUT= MAC=00:00 SRC=6.6.6.6 DST=192.0.2.10 LEN=60 PROTO=TCP SPT=1 DPT=${1000 + i} from 203.0.113.9 port ${40000 + i}`,
      );
    }
    const s = h.snapshot();
    expect(s.packets.reduce((a, b) => a + b, 0)).toBe(0);
    expect(s.portscanDetections).toBe(0);
    expect(s.portscan.sources).toEqual([]);
  });

  it('counts pvefw-logger lines with IN= or OUT= alone by their direction', () => {
    const h = handler();
    for (const l of fixture('pve-firewall.log')) h.processLine(l);
    const s = h.snapshot();
    const at = (a: string, p: string, d: string) => s.packets[packetIndex(a, p, d)];
    expect([at('block', 'tcp', 'in'), at('reject', 'udp', 'in'), at('allow', 'tcp', 'out'), at('allow', 'tcp', 'forward')]).toEqual([
      1, 1, 1, 1,
    ]);
    expect([at('block', 'tcp', 'forward'), at('block', 'icmp', 'in')]).toEqual([1, 1]);
  });
});

describe('TopPorts', () => {
  it('a full port scan (each port once) promotes no port; a port hit repeatedly is promoted', () => {
    const t = new TopPorts(20);
    for (let p = 1; p <= 65535; p++) t.count(p);
    expect(t.snapshot().ports).toEqual({});
    expect(t.snapshot().other).toBe(65535);
    expect(t.snapshot().candidates.length).toBeLessThanOrEqual(80);
    for (let i = 0; i < PROMOTE_AT; i++) t.count(22);
    t.count(22);
    expect(t.snapshot().ports).toEqual({ '22': 2 });
    expect(t.snapshot().other).toBe(65535 + PROMOTE_AT - 1);
  });

  it('a promoted port keeps its series for ever, and restores as is', () => {
    const t = new TopPorts(1);
    for (let i = 0; i < 10; i++) t.count(80);
    for (let i = 0; i < 10; i++) t.count(443);
    const r = new TopPorts(1);
    r.restore(JSON.parse(JSON.stringify(t.snapshot())));
    r.count(80);
    r.count(443);
    // 80's first PROMOTE_AT - 1 packets stayed in __other__; 443 finds the only slot taken.
    expect(r.snapshot().ports).toEqual({ '80': 10 - (PROMOTE_AT - 1) + 1 });
    expect(r.snapshot().other).toBe(t.snapshot().other + 1);
  });
});

describe('port-scan detection', () => {
  it('detects a source hitting distinct_ports blocked ports within the window, once per crossing', () => {
    const h = handler({ portscan: { distinct_ports: 10, window: '60s' } });
    for (let p = 1; p <= 9; p++) h.processLine(block(p, '203.0.113.5', 1000 + p));
    expect(h.snapshot().portscanDetections).toBe(0);
    h.processLine(block(10, '203.0.113.5', 1010));
    expect(h.snapshot().portscanDetections).toBe(1);
    for (let p = 11; p <= 50; p++) h.processLine(block(p, '203.0.113.5', 1000 + p));
    expect(h.snapshot().portscanDetections).toBe(1);
    // After a quiet period longer than the window, a second scan is a second detection.
    for (let p = 0; p < 10; p++) h.processLine(block(600 + p, '203.0.113.5', 2000 + p));
    expect(h.snapshot().portscanDetections).toBe(2);
  });

  it('ignores allowed, audited and outbound packets, and packets without ports', () => {
    const h = handler({ portscan: { distinct_ports: 3, window: '60s' } });
    for (let p = 1; p <= 5; p++) {
      h.processLine(block(p, '203.0.113.6', p).replace('[UFW BLOCK]', '[UFW ALLOW]'));
      h.processLine(block(p, '203.0.113.6', p).replace('[UFW BLOCK]', '[UFW AUDIT]'));
      h.processLine(block(p, '203.0.113.6', p).replace('IN=eth0 OUT=', 'IN= OUT=eth0'));
    }
    h.processLine('[UFW BLOCK] IN=eth0 OUT= SRC=203.0.113.6 DST=192.0.2.1 PROTO=ICMP TYPE=8 CODE=0');
    expect(h.snapshot().portscanDetections).toBe(0);
    expect(h.trackedSources).toBe(0);
  });

  it('a slow scan (one port every 10 s, window 60 s) is not detected', () => {
    const h = handler({ portscan: { distinct_ports: 10, window: '60s' } });
    for (let p = 0; p < 100; p++) h.processLine(block(p * 10, '203.0.113.7', p + 1));
    expect(h.snapshot().portscanDetections).toBe(0);
  });

  it('keeps at most max_sources under a flood of distinct sources', () => {
    const h = handler({ portscan: { distinct_ports: 5, window: '60s', max_sources: 300 } });
    for (let i = 0; i < 20_000; i++) h.processLine(block(i % 60, `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`, 22));
    expect(h.trackedSources).toBe(300);
    expect(h.snapshot().portscan.sources.length).toBe(300);
  });
});

describe('firewall snapshot / restore and metrics', () => {
  it('a restored handler continues exactly like one that never stopped', () => {
    const lines: string[] = [...fixture('ufw.log')];
    for (let i = 0; i < 300; i++) lines.push(block(i % 120, `203.0.113.${i % 7}`, ((i * 37) % 50) + 1));
    const extra = { portscan: { distinct_ports: 5, window: '60s' }, top_ports: 4 };
    const whole = handler(extra);
    for (const l of lines) whole.processLine(l);
    for (let cut = 1; cut < lines.length; cut += 13) {
      const first = handler(extra);
      for (const l of lines.slice(0, cut)) first.processLine(l);
      const second = handler(extra);
      second.restore(JSON.parse(JSON.stringify(first.snapshot())) as FirewallState);
      for (const l of lines.slice(cut)) second.processLine(l);
      expect(second.snapshot(), `cut at ${cut}`).toEqual(whole.snapshot());
    }
    expect(whole.snapshot().portscanDetections).toBeGreaterThan(0);
  });

  it('renders the published state; the scanning-sources gauge at the clock now', async () => {
    const type = firewallLogType;
    const clock = new ManualClock(Date.UTC(2024, 2, 3, 10, 0, 30));
    const config = fwConfig({ portscan: { distinct_ports: 3, window: '60s' } });
    const h = type.createHandler({ config, clock, logger: undefined as never, registry: new Registry() });
    const published = new Map<string, { config: FirewallLogConfig; state: FirewallState }>();
    const registry = new Registry();
    type.registerMetrics(registry, () => published, clock);
    for (let p = 1; p <= 3; p++) h.processLine(block(p, '203.0.113.9', p));
    for (let i = 0; i < PROMOTE_AT + 1; i++) h.processLine(block(10, '203.0.113.10', 22));
    h.processLine(block(11, '203.0.113.10', 53, 'UDP'));
    published.set('fw', { config, state: h.snapshot() });
    const text = await registry.metrics();
    expect(text).toContain('hostwatch_firewall_packets_total{log="fw",action="block",protocol="tcp",direction="in"} 7');
    expect(text).toContain('hostwatch_firewall_packets_total{log="fw",action="block",protocol="udp",direction="in"} 1');
    expect(text).toContain('hostwatch_firewall_blocked_ports_total{log="fw",port="22"} 2');
    expect(text).toContain(`hostwatch_firewall_blocked_ports_total{log="fw",port="__other__"} ${3 + PROMOTE_AT - 1 + 1}`);
    expect(text).toContain('hostwatch_portscan_detections_total{log="fw"} 1');
    expect(text).toContain('hostwatch_portscan_sources{log="fw"} 1');
    clock.advance(120_000);
    expect(await registry.metrics()).toContain('hostwatch_portscan_sources{log="fw"} 0');
  });
});

describe('firewall restore of a foreign state', () => {
  it.each([
    ['null', null],
    ['packets of another version', { ...JSON.parse(JSON.stringify(handler().snapshot())), packets: [1, 2, 3] }],
    ['a negative counter', { ...JSON.parse(JSON.stringify(handler().snapshot())), portscanDetections: -1 }],
    [
      'a fractional packet count',
      { ...JSON.parse(JSON.stringify(handler().snapshot())), packets: emptyFirewallState().packets.map((_, i) => (i === 0 ? 0.5 : 0)) },
    ],
    ['a blocked-port count beyond 2^53', { ...emptyFirewallState(), blockedPorts: { ports: { 22: 2 ** 60 }, other: 0, candidates: [] } }],
  ])('throws on %s', (_what, state) => {
    expect(() => handler().restore(state as never)).toThrow();
  });

  it('discards a malformed port-scan window (detection restarts) and keeps the counters', () => {
    const good = emptyFirewallState();
    good.packets[0] = 7;
    good.portscanDetections = 3;
    for (const portscan of [
      undefined,
      { at: 0, sources: ['x'], counts: [2], ages: [1], ports: [1] },
      { at: -1, sources: [], counts: [], ages: [], ports: [] },
    ]) {
      const h = handler();
      h.restore({ ...good, portscan } as never);
      const s = h.snapshot();
      expect(s.packets[0]).toBe(7);
      expect(s.portscanDetections).toBe(3);
      expect(s.portscan.sources).toEqual([]);
    }
  });

  it('drops blocked-port series beyond top_ports and ports that are not ports', () => {
    const h = handler();
    const ports: Record<string, number> = { '99999': 1, x: 1 };
    for (let p = 1; p <= 100; p++) ports[p] = p;
    h.restore({ ...emptyFirewallState(), blockedPorts: { ports, other: 5, candidates: [[7, 1]] } } as never);
    const bp = h.snapshot().blockedPorts;
    expect(Object.keys(bp.ports).length).toBeLessThanOrEqual(20);
    expect(bp.ports['99999']).toBeUndefined();
    expect(bp.other).toBe(5);
  });
});

// The handler state of existing installs: checkpoints/v1-auth.json and v1-firewall.json were written
// by the pipeline of the previous version (the detectors as one array per source, the connections
// as [key, object] pairs). A handler of this version restores them (counters exactly, windows,
// connections and top sources migrated), goes on counting from them, and writes its own, smaller,
// format. A foreign state is rejected, and one saved with other limits is adapted to these.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../../src/config/load.js';
import { ManualClock } from '../../../src/core/clock.js';
import type { AuthLogConfig } from '../../../src/logs/auth/config.js';
import { AuthHandler, type AuthState } from '../../../src/logs/auth/handler.js';
import { AUTH_STATE_VERSION } from '../../../src/logs/auth/state.js';
import type { FirewallLogConfig } from '../../../src/logs/firewall/config.js';
import { FirewallHandler, type FirewallState } from '../../../src/logs/firewall/handler.js';
import { sourcesOverThreshold } from '../../../src/logs/security/bruteforce.js';
import { topSources } from '../../../src/logs/security/top-sources.js';

const saved = (name: string) =>
  JSON.parse(readFileSync(`test/fixtures/checkpoints/${name}`, 'utf8')) as { handler: Record<string, unknown> };
const NOW = Date.UTC(2023, 2, 3, 10, 10, 0);

function auth(extra: Record<string, unknown> = {}) {
  const config = parseConfig({ logs: [{ name: 'auth', type: 'auth', path: '/var/log/auth.log', ...extra }] }).logs[0] as AuthLogConfig;
  const warnings: string[] = [];
  const logger = { warn: (m: string, f?: Record<string, unknown>) => warnings.push(`${m} ${JSON.stringify(f)}`) } as never;
  return { h: new AuthHandler({ config, clock: new ManualClock(NOW), logger }), warnings };
}

describe('auth state of version 1', () => {
  const v1 = saved('v1-auth.json').handler;

  it('keeps every counter exactly and says nothing was discarded', () => {
    const { h, warnings } = auth({ bruteforce: { window: '30m' } });
    h.restore(v1 as unknown as AuthState);
    const s = h.snapshot();
    expect(s.v).toBe(AUTH_STATE_VERSION);
    for (const k of ['failures', 'successes', 'invalidUsers', 'sudoCommands', 'detections'] as const) expect(s[k]).toEqual(v1[k]);
    expect(s.lastPam).toEqual(v1.lastPam);
    expect(warnings).toEqual([]);
  });

  it('migrates the windows and the failure totals (the top sources) of every source', () => {
    const { h } = auth({ bruteforce: { window: '30m' } });
    h.restore(v1 as unknown as AuthState);
    const s = h.snapshot();
    const old = (v1.bruteforce as { sources: [string, number, number, number[]][] }).sources;
    expect(s.bruteforce.sources).toEqual(old.map((e) => e[0]));
    expect(s.bruteforce.counts).toEqual(old.map((e) => e[3].length));
    expect(s.bruteforce.at).toBe(1677838171000);
    expect(topSources(s.top, 3)).toEqual([
      ['198.51.100.23', 6],
      ['192.0.2.51', 2],
      ['192.0.2.60', 2],
    ]);
    // Over the threshold at the time of its last failure, with a threshold of 3 and the 30 min window.
    expect(sourcesOverThreshold(s.bruteforce, 1677837676000, 3, 30 * 60_000)).toBe(1);
  });

  it('migrates the connections: a connection already counted does not count again', () => {
    const { h } = auth({ bruteforce: { window: '30m' } });
    h.restore(v1 as unknown as AuthState);
    const s = h.snapshot();
    expect(s.sessions.keys.length).toBe((v1.sessions as unknown[]).length);
    expect(s.sessions.sources[s.sessions.keys.indexOf('web-1|31500')]).toBe('192.0.2.44');
    // 31500 counted its failure on a per-connection line already: its disconnect line adds none.
    h.processLine('Mar  3 10:02:10 web-1 sshd[31500]: Connection closed by authenticating user root 192.0.2.44 port 4242 [preauth]');
    expect(h.last.counted).toBe(0);
    expect(h.snapshot().failures).toEqual(v1.failures);
  });

  it('forgets, with the default 2 min window, the sources that can never count again', () => {
    const { h } = auth();
    h.restore(v1 as unknown as AuthState);
    const s = h.snapshot();
    expect(s.bruteforce.sources).toEqual(['192.0.2.60', '2001:db8:bad::1', 'scanner.example.net']);
    expect(JSON.stringify(s).length).toBeLessThan(JSON.stringify(v1).length);
  });

  it('a damaged window is discarded (said in the log), a damaged counter rejects the state', () => {
    const { h, warnings } = auth();
    h.restore({ ...v1, bruteforce: { sources: [['1.2.3.4', -1, 0, ['x']]] } } as unknown as AuthState);
    expect(h.snapshot().failures).toEqual(v1.failures);
    expect(h.snapshot().bruteforce.sources).toEqual([]);
    expect(warnings.join()).toMatch(/bruteforce\.sources\[0\]/);
    expect(() => auth().h.restore({ ...v1, failures: { 'sshd|password': -3 } } as unknown as AuthState)).toThrow(/failures/);
  });
});

/** A failed password at second `sec` of 2024-03-03T10:00 from `src`, on connection `pid`. */
const fail = (sec: number, src: string, pid: number) =>
  `2024-03-03T10:00:${String(sec % 60).padStart(2, '0')}Z h sshd[${pid}]: Failed password for root from ${src} port 22 ssh2`;

describe('auth restore of a foreign state', () => {
  it.each([
    ['null', null],
    ['a counter that is not a number', { failures: { 'sshd|password': 'x' } }],
    ['an older shape', { byLetter: { a: 1 } }],
  ])('throws on %s (the pipeline moves such a checkpoint aside)', (_what, state) => {
    expect(() => auth().h.restore(state as never)).toThrow();
  });

  it('a state saved with other limits is adapted (fewer sources, lower threshold)', () => {
    const big = auth({ bruteforce: { threshold: 8, max_sources: 100 } }).h;
    for (let i = 0; i < 50; i++) for (let k = 0; k < 8; k++) big.processLine(fail(k, `10.0.0.${i}`, i * 10 + k));
    const small = auth({ bruteforce: { threshold: 3, max_sources: 10 } }).h;
    small.restore(JSON.parse(JSON.stringify(big.snapshot())));
    const bf = small.snapshot().bruteforce;
    expect(bf.sources.length).toBe(10);
    expect(bf.counts.every((c) => c === 3)).toBe(true);
    expect(bf.sources).toContain('10.0.0.49');
  });
});

describe('firewall state of version 1', () => {
  const v1 = saved('v1-firewall.json').handler as unknown as FirewallState & {
    portscan: { sources: [string, number, number[], number[]][] };
  };
  const fw = (extra: Record<string, unknown> = {}) =>
    new FirewallHandler({
      config: parseConfig({ logs: [{ name: 'fw', type: 'firewall', path: '/var/log/ufw.log', ...extra }] }).logs[0] as FirewallLogConfig,
      clock: new ManualClock(NOW),
    });

  it('keeps the counters and the blocked ports exactly, and migrates the port-scan windows', () => {
    const h = fw({ portscan: { window: '2h' } });
    h.restore(v1);
    const s = h.snapshot();
    expect(s.packets).toEqual(v1.packets);
    expect(s.portscanDetections).toBe(v1.portscanDetections);
    expect(s.blockedPorts).toEqual(v1.blockedPorts);
    expect(s.portscan.sources).toEqual(v1.portscan.sources.map((e) => e[0]));
    expect(s.portscan.ports).toEqual(v1.portscan.sources.flatMap((e) => e[2]));
  });

  it('goes on detecting from the migrated windows', () => {
    const h = fw({ portscan: { window: '2h', distinct_ports: 4 } });
    h.restore(v1);
    // 198.51.100.23 hit 22 and 3389 before the checkpoint: two more distinct ports make four.
    const line = (sec: number, dpt: number) =>
      `Mar  3 10:${String(sec).padStart(2, '0')}:00 web-1 kernel: [UFW BLOCK] IN=eth0 OUT= MAC=00 SRC=198.51.100.23 DST=192.0.2.10 LEN=60 PROTO=TCP SPT=4000 DPT=${dpt} WINDOW=1 RES=0x00 SYN URGP=0`;
    h.processLine(line(1, 80));
    expect(h.snapshot().portscanDetections).toBe(0);
    h.processLine(line(2, 443));
    expect(h.snapshot().portscanDetections).toBe(1);
  });
});

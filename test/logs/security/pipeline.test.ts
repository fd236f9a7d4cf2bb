// The auth and firewall types through the real logs collector: real files in a temp dir, the real
// tailer and checkpoints, lines appended while running, a restart from the checkpoint (counters
// AND detector windows continue: a brute force split across the restart is still detected).
process.env.TZ = 'UTC';
import { appendFileSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LogsCollector } from '../../../src/collectors/logs/index.js';
import { ManualClock } from '../../../src/core/clock.js';
import type { AuthState } from '../../../src/logs/auth/state.js';
import type { FirewallState } from '../../../src/logs/firewall/handler.js';
import { tempDir } from '../../tail/helpers.js';
import { startLogs, type RunningLogs } from '../helpers.js';

let dir: string;
let cleanup: () => void;
const collectors: LogsCollector[] = [];

beforeEach(() => ({ dir, cleanup } = tempDir()));
afterEach(async () => {
  await Promise.all(collectors.splice(0).map((c) => c.stop().catch(() => {})));
  cleanup();
});

const T0 = Date.UTC(2024, 2, 3, 10, 0, 0);
const iso = (sec: number) => new Date(T0 + sec * 1000).toISOString();
const fail = (sec: number, src: string) => `${iso(sec)} web sshd[${1000 + sec}]: Failed password for root from ${src} port 22 ssh2\n`;
const block = (sec: number, src: string, dpt: number) =>
  `${iso(sec)} web kernel: [UFW BLOCK] IN=eth0 OUT= SRC=${src} DST=192.0.2.1 LEN=40 PROTO=TCP SPT=40000 DPT=${dpt} WINDOW=1024 RES=0x00 SYN URGP=0 \n`;

function running(clock: ManualClock): Promise<RunningLogs> {
  return startLogs(
    [
      {
        name: 'auth',
        type: 'auth',
        path: path.join(dir, 'auth.log'),
        start_position: 'beginning',
        bruteforce: { threshold: 4, window: '2m' },
      },
      {
        name: 'fw',
        type: 'firewall',
        path: path.join(dir, 'ufw.log'),
        start_position: 'beginning',
        portscan: { distinct_ports: 5, window: '60s' },
      },
    ],
    dir,
    clock,
    collectors,
  );
}

describe('auth and firewall logs through the pipeline', () => {
  it('appended lines change the metrics; a restart continues counters and detection windows', async () => {
    writeFileSync(path.join(dir, 'auth.log'), '');
    writeFileSync(path.join(dir, 'ufw.log'), '');
    const clock = new ManualClock(T0 + 10_000);
    const first = await running(clock);
    expect(await first.scrape()).toContain('hostwatch_auth_bruteforce_sources{log="auth"} 0');

    appendFileSync(path.join(dir, 'auth.log'), fail(0, '203.0.113.9') + fail(1, '203.0.113.9') + fail(2, '203.0.113.9'));
    appendFileSync(path.join(dir, 'ufw.log'), [1, 2, 3].map((p) => block(p, '198.51.100.4', p)).join(''));
    let text = await first.scrape();
    expect(text).toContain('hostwatch_auth_failures_total{log="auth",service="sshd",reason="password"} 3');
    expect(text).toContain('hostwatch_auth_bruteforce_detections_total{log="auth",service="sshd"} 0');
    expect(text).toContain('hostwatch_firewall_packets_total{log="fw",action="block",protocol="tcp",direction="in"} 3');
    expect(text).toContain('hostwatch_portscan_detections_total{log="fw"} 0');

    // Restart: a new collector on the same state dir resumes from the checkpoint.
    await first.c.stop();
    const second = await running(clock);
    appendFileSync(path.join(dir, 'auth.log'), fail(3, '203.0.113.9'));
    appendFileSync(path.join(dir, 'ufw.log'), [4, 5].map((p) => block(p, '198.51.100.4', p)).join(''));
    text = await second.scrape();
    expect(text).toContain('hostwatch_auth_failures_total{log="auth",service="sshd",reason="password"} 4');
    expect(text).toContain('hostwatch_auth_bruteforce_detections_total{log="auth",service="sshd"} 1');
    expect(text).toContain('hostwatch_auth_bruteforce_sources{log="auth"} 1');
    expect(text).toContain('hostwatch_auth_top_failure_sources{log="auth",source="203.0.113.9"} 4');
    expect(text).toContain('hostwatch_firewall_packets_total{log="fw",action="block",protocol="tcp",direction="in"} 5');
    expect(text).toContain('hostwatch_portscan_detections_total{log="fw"} 1');
    expect(text).toContain('hostwatch_portscan_sources{log="fw"} 1');
    expect(text).toContain('hostwatch_log_lines_total{log="auth",result="parsed"} 4');

    // Time passes beyond both windows: the "currently" gauges drop, the counters stay.
    clock.advance(5 * 60_000);
    text = await second.scrape();
    expect(text).toContain('hostwatch_auth_bruteforce_sources{log="auth"} 0');
    expect(text).toContain('hostwatch_portscan_sources{log="fw"} 0');
    expect(text).toContain('hostwatch_auth_bruteforce_detections_total{log="auth",service="sshd"} 1');
  });

  it('what stays published between checkpoints is what the metrics read; the checkpoint keeps the rest', async () => {
    writeFileSync(path.join(dir, 'auth.log'), [0, 1, 2, 3].map((s) => fail(s, '203.0.113.9')).join('') + fail(4, '198.51.100.7'));
    writeFileSync(path.join(dir, 'ufw.log'), [1, 2, 3, 4, 5].map((p) => block(p, '198.51.100.4', p)).join('') + block(6, '192.0.2.66', 80));
    const clock = new ManualClock(T0 + 10_000);
    const logs = await running(clock);
    const text = await logs.scrape();
    expect(text).toContain('hostwatch_auth_bruteforce_sources{log="auth"} 1');
    expect(text).toContain('hostwatch_portscan_sources{log="fw"} 1');
    const [auth, fw] = logs.c.pipelines;
    const published = auth.state.handler as AuthState;
    const saved = JSON.parse(readFileSync(path.join(dir, 'state', 'checkpoints', 'auth.json'), 'utf8')).handler as AuthState;
    // The sshd connections and the source below the threshold: in the checkpoint (a restart goes
    // on with them), not in what stays published.
    expect(saved.sessions.keys).toHaveLength(5);
    expect(saved.bruteforce.sources).toHaveLength(2);
    expect(published.sessions.keys).toEqual([]);
    expect(published.bruteforce.sources).toHaveLength(1);
    expect(published.failures).toEqual(saved.failures);
    const scans = fw.state.handler as FirewallState;
    const savedFw = JSON.parse(readFileSync(path.join(dir, 'state', 'checkpoints', 'fw.json'), 'utf8')).handler as FirewallState;
    expect(savedFw.portscan.sources).toHaveLength(2);
    expect(scans.portscan.sources).toHaveLength(1);
    expect(scans.portscan.ports).toEqual([1, 2, 3, 4, 5]);
  });
});

// `hostwatch parse` as a filter tester agrees with the exporter: on the same fixture file, its
// summary (lines parsed/unparsed, every counter, the top sources) equals what the real logs
// collector exports after reading that file, and its per-line verdicts add up to the same.
process.env.TZ = 'UTC';
import { copyFileSync } from 'node:fs';
import path from 'node:path';
import { Writable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { LogsCollector } from '../../../src/collectors/logs/index.js';
import { runParse } from '../../../src/cli/parse.js';
import { ManualClock } from '../../../src/core/clock.js';
import { tempDir } from '../../tail/helpers.js';
import { startLogs } from '../helpers.js';

let dir: string;
let cleanup: () => void;
const collectors: LogsCollector[] = [];
beforeEach(() => ({ dir, cleanup } = tempDir()));
afterEach(async () => {
  await Promise.all(collectors.splice(0).map((c) => c.stop().catch(() => {})));
  cleanup();
});

const sink = () => {
  const chunks: string[] = [];
  const w = new Writable({
    write(c, _e, cb) {
      chunks.push(c.toString());
      cb();
    },
  });
  return { w, text: () => chunks.join('') };
};

async function parse(file: string, type: string) {
  const out = sink();
  const err = sink();
  await runParse(file, { type }, out.w, err.w);
  const records = out
    .text()
    .trimEnd()
    .split('\n')
    .map((l) => JSON.parse(l) as Record<string, unknown>);
  return { records, summary: err.text().trimEnd().split('\n') };
}

/** A summary line `name: a b 3, c d 1` (or `none`) as {"a b": 3, "c d": 1}. */
function summaryCounters(summary: string[], name: string): Record<string, number> {
  const line = summary.find((l) => l.startsWith(`${name}: `));
  expect(line, name).toBeDefined();
  const rest = line!.slice(name.length + 2);
  const out: Record<string, number> = {};
  if (rest === 'none') return out;
  for (const item of rest.split(', ')) {
    const sp = item.lastIndexOf(' ');
    out[item.slice(0, sp)] = Number(item.slice(sp + 1));
  }
  return out;
}

/** The samples of a family in a scrape as {"<label values but log, joined by sep>": value}, zeros left out. */
function scraped(text: string, name: string, sep = ' '): Record<string, number> {
  const out: Record<string, number> = {};
  for (const l of text.split('\n')) {
    if (!l.startsWith(`${name}{`)) continue;
    const labels = [...l.slice(name.length + 1, l.lastIndexOf('}')).matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)]
      .filter((m) => m[1] !== 'log')
      .map((m) => m[2]);
    const v = Number(l.slice(l.lastIndexOf(' ') + 1));
    if (v !== 0) out[labels.join(sep)] = v;
  }
  return out;
}

async function exported(fixture: string, entry: Record<string, unknown>) {
  const file = path.join(dir, path.basename(fixture));
  copyFileSync(fixture, file);
  const run = await startLogs(
    [{ name: 'x', path: file, start_position: 'beginning', ...entry }],
    dir,
    new ManualClock(Date.now()),
    collectors,
  );
  return run.scrape();
}

describe('parse --type auth agrees with the exporter', () => {
  it.each(['debian-auth.log', 'rhel-secure', 'dropbear.log', 'fail2ban-sshd.log', 'pam.log', 'sudo-doas.log', 'nomatch.log'])(
    'on %s',
    async (name) => {
      const fixture = `test/fixtures/auth/${name}`;
      const [{ records, summary }, text] = await Promise.all([parse(fixture, 'auth'), exported(fixture, { type: 'auth' })]);
      const lines = scraped(text, 'hostwatch_log_lines_total');
      expect(summary).toContain(`hostwatch_log_lines_total: parsed ${lines.parsed ?? 0}, unparsed ${lines.unparsed ?? 0}`);
      for (const family of [
        'hostwatch_auth_failures_total',
        'hostwatch_auth_successes_total',
        'hostwatch_auth_invalid_users_total',
        'hostwatch_auth_sudo_commands_total',
        'hostwatch_auth_bruteforce_detections_total',
        'hostwatch_auth_top_failure_sources',
      ]) {
        expect(summaryCounters(summary, family), family).toEqual(scraped(text, family));
      }
      // Every failure the exporter counted is on a line said to count; each line says why not otherwise.
      const failures = Object.values(scraped(text, 'hostwatch_auth_failures_total')).reduce((a, b) => a + b, 0);
      const counted = records.filter((r) => r.counted === true);
      expect(counted.length).toBeLessThanOrEqual(records.filter((r) => r.match).length);
      if (failures > 0) expect(counted.length).toBeGreaterThan(0);
      for (const r of records) {
        expect(typeof r.counted).toBe('boolean');
        if (r.match && !r.counted) expect(r.why).toEqual(expect.any(String));
        if (r.text !== undefined) expect(r.match).toBe(false);
      }
      // The three kinds of lines add up to hostwatch_log_lines_total.
      const blank = records.filter((r) => r.why === 'blank line: not a log entry').length;
      const unparsed = records.filter((r) => typeof r.text === 'string').length;
      expect(summary).toContain(
        `recognised and counted: ${counted.length}, recognised but not counted: ${records.length - counted.length - unparsed - blank}, unparsed: ${lines.unparsed ?? 0}, blank: ${blank}`,
      );
      expect(unparsed).toBe(lines.unparsed ?? 0);
    },
  );

  it('a line whose connection was counted earlier names that line', async () => {
    const file = path.join(dir, 'a.log');
    const lines = [
      'Mar  3 10:00:00 h sshd[7]: Invalid user admin from 1.2.3.4 port 22',
      'Mar  3 10:00:01 h sshd[7]: Connection closed by invalid user admin 1.2.3.4 port 22 [preauth]',
      'Mar  3 10:00:02 h sshd[7]: Disconnected from invalid user admin 1.2.3.4 port 22 [preauth]',
      'Mar  3 10:00:03 h CRON[9]: pam_unix(cron:session): session opened for user root(uid=0) by (uid=0)',
      'garbage',
    ];
    (await import('node:fs')).writeFileSync(file, lines.join('\n') + '\n');
    const { records } = await parse(file, 'auth');
    expect(records.map((r) => [r.n, r.counted, r.why])).toEqual([
      [1, true, undefined],
      [2, true, undefined],
      [3, false, 'counted on line 2'],
      [4, false, 'not a signal'],
      [5, false, undefined],
    ]);
    expect(records[3]).toEqual({ n: 4, match: false, counted: false, why: 'not a signal' });
    expect(records[4]).toEqual({ n: 5, match: false, counted: false, text: 'garbage' });
  });
});

describe('parse --type firewall agrees with the exporter', () => {
  it.each(['ufw.log', 'iptables-nftables.log', 'firewalld.log', 'pf-filterlog.log'])('on %s', async (name) => {
    const fixture = `test/fixtures/firewall/${name}`;
    const [{ summary }, text] = await Promise.all([parse(fixture, 'firewall'), exported(fixture, { type: 'firewall' })]);
    const lines = scraped(text, 'hostwatch_log_lines_total');
    expect(summary).toContain(`hostwatch_log_lines_total: parsed ${lines.parsed ?? 0}, unparsed ${lines.unparsed ?? 0}`);
    expect(summaryCounters(summary, 'hostwatch_firewall_packets_total')).toEqual(scraped(text, 'hostwatch_firewall_packets_total', '/'));
    expect(summaryCounters(summary, 'hostwatch_firewall_blocked_ports_total')).toEqual(
      scraped(text, 'hostwatch_firewall_blocked_ports_total'),
    );
    expect(summary).toContain(`hostwatch_portscan_detections_total: ${scraped(text, 'hostwatch_portscan_detections_total')[''] ?? 0}`);
  });
});

// `hostwatch parse --type auth|firewall FILE|-`, run as the real CLI.
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { MAIN_JS } from '../../support/main.js';

const cli = (args: string[], input?: string) =>
  spawnSync(process.execPath, [MAIN_JS, 'parse', ...args], { input, encoding: 'utf8', env: { ...process.env, TZ: 'UTC' } });

describe('hostwatch parse', () => {
  it('--type auth reads stdin and prints the contract fields, unmatched lines as match:false', () => {
    const r = cli(
      ['--type', 'auth', '-'],
      'Mar  3 10:00:00 h sshd[1]: Failed password for invalid user from 1.2.3.4 from 5.6.7.8 port 22 ssh2\nnot a log line\n',
    );
    expect(r.status).toBe(0);
    const out = r.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(out[0]).toMatchObject({
      n: 1,
      match: true,
      event: 'failure',
      service: 'sshd',
      user: 'from 1.2.3.4',
      source: '5.6.7.8',
      reason: 'invalid_user',
      method: 'password',
    });
    expect(out[0].timestamp).toMatch(/-03-03T10:00:00.000Z$/);
    expect(out[0]).toMatchObject({ counted: true });
    expect(out[1]).toEqual({ n: 2, match: false, counted: false, text: 'not a log line' });
    expect(r.stderr).toContain('lines: 2, matched: 1, unmatched: 1');
    expect(r.stderr).toContain('recognised and counted: 1, recognised but not counted: 0, unparsed: 1, blank: 0');
    expect(r.stderr).toContain('hostwatch_auth_failures_total: sshd invalid_user 1');
  });

  it('--type firewall reads a file', () => {
    const r = cli(['--type', 'firewall', 'test/fixtures/firewall/iptables-nftables.log']);
    expect(r.status).toBe(0);
    const out = r.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(out).toHaveLength(20);
    expect(out[5]).toMatchObject({
      n: 6,
      match: true,
      action: 'reject',
      src: '203.0.113.24',
      dst: '192.0.2.21',
      proto: 'tcp',
      spt: 40003,
      dpt: 3306,
      in: 'enp1s0',
      out: '',
      prefix: 'filter_IN_public_REJECT:',
      direction: 'in',
      len: 60,
      flags: ['SYN'],
    });
    expect(out.filter((o) => !o.match).map((o) => o.n)).toEqual([18, 19, 20]);
    expect(out.filter((o) => o.counted).length).toBe(17);
  });

  it('--print-missed lists the lines the exporter would count as unparsed, as they are', () => {
    const input = [
      'Mar  3 10:00:00 h sshd[1]: Failed password for root from 1.2.3.4 port 22 ssh2',
      'not a log line',
      'Mar  3 10:00:03 h CRON[9]: pam_unix(cron:session): session opened for user root(uid=0) by (uid=0)',
      '',
      '\u001b[31mstill not one\u001b[0m',
    ].join('\n');
    const r = cli(['--type', 'auth', '--print-missed', '-'], input + '\n');
    expect(r.status).toBe(0);
    expect(r.stdout).toBe('not a log line\n\u001b[31mstill not one\u001b[0m\n');
    expect(r.stderr).toContain('recognised and counted: 1, recognised but not counted: 1, unparsed: 2, blank: 1');
  });
});

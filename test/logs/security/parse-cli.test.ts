// `hostwatch parse --type auth|firewall FILE|-`, run as the real CLI.
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { MAIN_JS } from '../../support/main.js';

const cli = (args: string[], input?: string) =>
  spawnSync(process.execPath, [MAIN_JS, 'parse', ...args], { input, encoding: 'utf8', env: { ...process.env, TZ: 'UTC' } });

describe('hostwatch parse', () => {
  it('--type auth reads stdin and prints the contract fields, unmatched lines as match:false', () => {
    const r = cli(['--type', 'auth', '-'], 'Mar  3 10:00:00 h sshd[1]: Failed password for invalid user from 1.2.3.4 from 5.6.7.8 port 22 ssh2\nnot a log line\n');
    expect(r.status).toBe(0);
    const out = r.stdout.trim().split('\n').map((l) => JSON.parse(l));
    expect(out[0]).toMatchObject({ n: 1, match: true, event: 'failure', service: 'sshd', user: 'from 1.2.3.4', source: '5.6.7.8', reason: 'invalid_user', method: 'password' });
    expect(out[0].timestamp).toMatch(/-03-03T10:00:00.000Z$/);
    expect(out[1]).toEqual({ n: 2, match: false });
    expect(r.stderr).toContain('lines: 2, matched: 1, unmatched: 1');
  });

  it('--type firewall reads a file', () => {
    const r = cli(['--type', 'firewall', 'test/fixtures/firewall/iptables-nftables.log']);
    expect(r.status).toBe(0);
    const out = r.stdout.trim().split('\n').map((l) => JSON.parse(l));
    expect(out).toHaveLength(20);
    expect(out[5]).toMatchObject({
      n: 6, match: true, action: 'reject', src: '203.0.113.24', dst: '192.0.2.21', proto: 'tcp', spt: 40003, dpt: 3306,
      in: 'enp1s0', out: '', prefix: 'filter_IN_public_REJECT:', direction: 'in', len: 60, flags: ['SYN'],
    });
    expect(out.filter((o) => !o.match).map((o) => o.n)).toEqual([18, 19, 20]);
  });
});

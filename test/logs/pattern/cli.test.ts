// `hostwatch parse --type pattern` as a user runs it: the real CLI in a child process, with the
// rules of examples/patterns.yml.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { MAIN_JS } from '../../support/main.js';

const ROOT = join(import.meta.dirname, '../../..');

function hostwatch(args: string[], input?: string) {
  const r = spawnSync(process.execPath, [MAIN_JS, ...args], { cwd: ROOT, input, encoding: 'utf8', timeout: 60_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('hostwatch parse --type pattern', () => {
  it('applies the rules of the log named by --log; several matching rules are listed in "also"', () => {
    const dir = mkdtempSync(join(tmpdir(), 'hw-pattern-cli-'));
    try {
      const cfg = join(dir, 'hostwatch.yml');
      writeFileSync(
        cfg,
        [
          'logs:',
          '  - {name: other, type: pattern, path: /x, rules: [{name: r, regex: zzz}]}',
          '  - name: f2b',
          '    type: pattern',
          '    path: /var/log/fail2ban.log',
          '    rules:',
          "      - {name: ban, regex: '\\[(?<jail>[^\\]]+)\\] Ban ', labels: [jail]}",
          "      - {name: notice, regex: 'NOTICE'}",
          '',
        ].join('\n'),
      );
      const input =
        '2024-01-01 10:00:00,123 fail2ban.actions [1]: NOTICE  [sshd] Ban 1.2.3.4\nhello\n2024-01-01 10:00:01,000 fail2ban.actions [1]: NOTICE  [sshd] Unban 1.2.3.4\n';
      const r = hostwatch(['parse', '--type', 'pattern', '--config.file', cfg, '--log', 'f2b', '-'], input);
      expect(r.code).toBe(0);
      expect(
        r.stdout
          .trimEnd()
          .split('\n')
          .map((l) => JSON.parse(l)),
      ).toEqual([
        { n: 1, match: true, rule: 'ban', labels: { jail: 'sshd' }, also: [{ rule: 'notice', labels: {} }] },
        { n: 2, match: false },
        { n: 3, match: true, rule: 'notice', labels: {} },
      ]);
      expect(r.stderr).toContain('lines: 3, matched: 2, unmatched: 1');

      const missing = hostwatch(['parse', '--type', 'pattern', '--config.file', cfg, '--log', 'nope', '-'], '');
      expect(missing.code).toBe(1);
      expect(missing.stderr).toContain('--log: no pattern log named "nope"');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('reports a rule RE2 cannot run as a config error', () => {
    const dir = mkdtempSync(join(tmpdir(), 'hw-pattern-cli-'));
    try {
      const cfg = join(dir, 'hostwatch.yml');
      writeFileSync(cfg, "logs:\n  - {name: p, type: pattern, path: /x, rules: [{name: r, regex: '(a)\\1'}]}\n");
      const r = hostwatch(['parse', '--type', 'pattern', '--config.file', cfg, '-'], '');
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(/logs\[0\]\.rules\[0\]\.regex: not accepted by RE2/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

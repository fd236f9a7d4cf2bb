// `hostwatch audit` as a process (the built entry point, as installed) on fixture roots: the report, the
// JSON, exit codes, and fixes: shown, refused without a terminal unless --yes, applied, undone.
import { execFile } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { CHECKS } from '../../src/audit/checks/index.js';
import { fixtureRoot, tempDir } from './helpers.js';

import { MAIN_JS } from '../support/main.js';
const execFileP = promisify(execFile);
const tmp = tempDir('audit-cli');
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** Runs `hostwatch audit ...` in `tmp` (no hostwatch.yml there: the defaults apply). */
async function audit(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await execFileP(process.execPath, [MAIN_JS, 'audit', ...args], {
      cwd: tmp,
      timeout: 120_000,
    });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

describe('hostwatch audit', () => {
  it('--json on a weak root: every check, exit 1', async () => {
    const root = fixtureRoot('weak', tmp);
    const r = await audit(['--root', root, '--json', `--state.dir=${join(tmp, 'state-json')}`]);
    expect(r.code, r.stderr).toBe(1);
    const report = JSON.parse(r.stdout);
    expect(report.checks).toHaveLength(CHECKS.length);
    expect(report.checks.find((c: { id: string }) => c.id === 'ACCT-UID0')).toMatchObject({
      status: 'fail',
      severity: 'critical',
      details: ['toor (uid 0, /etc/passwd line 3)'],
      autofix: false,
      why: expect.stringContaining('backdoor'),
    });
    // Another root: none of its programs run, so no package manager is asked.
    expect(report.checks.find((c: { id: string }) => c.id === 'UPD-SECURITY-PENDING').status).toBe('skip');
    expect(report.worst).toBe('critical');
    expect(report.weights).toEqual({ critical: 10, high: 5, medium: 3, low: 1 });
  }, 120_000);

  it('the text report: problems by severity, most serious first, with why and the fix', async () => {
    const root = fixtureRoot('weak', tmp);
    const r = await audit(['--root', root, '--category', 'accounts,ssh', `--state.dir=${join(tmp, 'state-text')}`]);
    expect(r.code).toBe(1);
    const critical = r.stdout.indexOf('CRITICAL (');
    const high = r.stdout.indexOf('HIGH (');
    expect(critical).toBeGreaterThan(0);
    expect(high).toBeGreaterThan(critical);
    expect(r.stdout).toContain('* Extra superuser accounts  [ACCT-UID0, accounts]');
    expect(r.stdout).toContain('  Why it matters: ');
    expect(r.stdout).toContain('hostwatch can do this for you: hostwatch audit --fix SSH-EMPTY-PASSWORDS');
    expect(r.stdout).not.toContain('KRNL-'); // not in the selected categories
  }, 120_000);

  it('exit code by --fail-on; unknown category is a usage error', async () => {
    const root = fixtureRoot('hardened', tmp);
    const ok = await audit(['--root', root, '--category', 'kernel', `--state.dir=${join(tmp, 'state-ok')}`]);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toContain('No problem found.');
    const weak = fixtureRoot('weak', tmp);
    expect((await audit(['--root', weak, '--category', 'logging', `--state.dir=${join(tmp, 'state-fo')}`])).code).toBe(0); // medium at worst
    expect(
      (await audit(['--root', weak, '--category', 'logging', '--fail-on', 'medium', `--state.dir=${join(tmp, 'state-fo')}`])).code,
    ).toBe(1);
    const bad = await audit(['--root', weak, '--category', 'dns']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('hostwatch audit: unknown category dns (one of ssh, accounts, firewall,');
  }, 120_000);

  it('--fix shows the change; without a terminal it applies only with --yes; --undo reverts it', async () => {
    const root = fixtureRoot('weak', tmp);
    const state = join(tmp, 'state-fix');
    const asked = await audit(['--root', root, '--fix', 'KRNL-ASLR', `--state.dir=${state}`]);
    expect(asked.stdout).toContain(`+++ ${root}/etc/sysctl.d/99-hostwatch-audit.conf`);
    expect(asked.stdout).toContain('+kernel.randomize_va_space = 2');
    expect(asked.stdout).toContain('sysctl kernel.randomize_va_space: 0 -> 2');
    expect(asked.stdout).toContain('Not applied: there is no terminal to ask on; run again with --yes');
    expect(readFileSync(join(root, 'proc/sys/kernel/randomize_va_space'), 'utf8')).toBe('0\n');

    const applied = await audit(['--root', root, '--fix', 'KRNL-ASLR', '--yes', `--state.dir=${state}`]);
    expect(applied.stdout).toContain('KRNL-ASLR: passes now');
    expect(applied.stdout).toContain('To undo: hostwatch audit --undo KRNL-ASLR');
    expect(readFileSync(join(root, 'proc/sys/kernel/randomize_va_space'), 'utf8')).toBe('2\n');
    expect(existsSync(join(state, 'audit/fixes.jsonl'))).toBe(true);

    const again = await audit(['--root', root, '--fix', 'KRNL-ASLR', '--yes', `--state.dir=${state}`]);
    expect(again.stdout).toContain('KRNL-ASLR passes: nothing to fix');

    const undone = await audit(['--root', root, '--undo', 'KRNL-ASLR', '--yes', `--state.dir=${state}`]);
    expect(undone.code, undone.stderr).toBe(0);
    expect(undone.stdout).toContain('sysctl -w kernel.randomize_va_space=0');
    expect(readFileSync(join(root, 'proc/sys/kernel/randomize_va_space'), 'utf8')).toBe('0\n');
    expect(existsSync(join(root, 'etc/sysctl.d/99-hostwatch-audit.conf'))).toBe(false);
  }, 120_000);

  it('--fix-all --yes applies every fix hostwatch can make and says what it cannot', async () => {
    const root = fixtureRoot('weak', tmp);
    const r = await audit(['--root', root, '--fix-all', '--yes', `--state.dir=${join(tmp, 'state-all')}`]);
    expect(r.code).toBe(1); // what cannot be fixed automatically still fails
    for (const id of [
      'SSH-ROOT-LOGIN',
      'SSH-EMPTY-PASSWORDS',
      'SSH-WEAK-CIPHERS',
      'FS-SHADOW-PERMISSIONS',
      'KRNL-ASLR',
      'KRNL-ACCEPT-REDIRECTS',
    ]) {
      expect(r.stdout).toContain(`${id}: passes now`);
    }
    expect(r.stdout).toContain('FW-ACTIVE: ufw is not installed');
    expect(r.stdout).toContain('UPD-AUTOMATIC: install it first: apt-get install unattended-upgrades');
    expect(r.stdout).toMatch(/Score: [1-9]\d*(\.\d)?\/100/);
  }, 120_000);

  it('--list names every check', async () => {
    const r = await audit(['--list']);
    expect(r.code).toBe(0);
    for (const c of CHECKS) expect(r.stdout).toContain(c.id);
  }, 120_000);
});

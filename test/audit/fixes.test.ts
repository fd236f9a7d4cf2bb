// Fixes on a fixture root (never the test machine's /etc or kernel): plan, apply, verify with a new
// audit, undo, verify the root is as before. ufw is a stand-in script (enabling the real one would
// change this machine's firewall); everything else is the real change on real files.
import { readFileSync, rmSync, statSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runAudit, type AuditOptions } from '../../src/audit/run.js';
import { findCheck } from '../../src/audit/checks/index.js';
import { planFix, FixNotApplicable, SYSCTL_DROPIN } from '../../src/audit/fixes/plan.js';
import { applyPlan, lastApplied, undoFix, fixLogPath } from '../../src/audit/fixes/apply.js';
import type { Tools } from '../../src/audit/facts/context.js';
import { auditOptions, fixtureRoot, script, tempDir } from './helpers.js';

const tmp = tempDir('audit-fixes');
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

interface Setup {
  root: string;
  state: string;
  opts: AuditOptions;
}

function setup(name: string, overrides: Record<string, string | null> = {}, tools: Tools = { commands: {} }): Setup {
  const dir = tempDir('audit-fix', tmp);
  const root = fixtureRoot(name, dir, overrides);
  const state = join(dir, 'state');
  return { root, state, opts: auditOptions(root, state, { tools }) };
}

async function status(s: Setup, id: string) {
  const r = await runAudit({ ...s.opts, now: Date.now() });
  return r.results.find((x) => x.check.id === id)!;
}

/** Plans the fix of `id` on a fresh audit of the root, applies it, and returns what is needed to undo it. */
async function fix(s: Setup, id: string) {
  const report = await runAudit({ ...s.opts, now: Date.now() });
  const plan = await planFix(findCheck(id)!, report.facts);
  const record = await applyPlan(report.facts, plan, Date.now());
  return { plan, record, facts: report.facts };
}

const file = (s: Setup, p: string) => readFileSync(join(s.root, p), 'utf8');
const mode = (s: Setup, p: string) => statSync(join(s.root, p)).mode & 0o7777;

describe('fixes on a fixture root', () => {
  it('a sysctl: a drop-in under /etc/sysctl.d and the value written to /proc/sys; undone both', async () => {
    const s = setup('weak', { 'etc/sysctl.conf': '# local settings\nkernel.randomize_va_space = 0\n' });
    expect((await status(s, 'KRNL-ASLR')).status).toBe('fail');
    const { plan, record, facts } = await fix(s, 'KRNL-ASLR');
    expect(plan.changes).toEqual([
      { kind: 'edit', path: SYSCTL_DROPIN, before: null, after: expect.stringContaining('\nkernel.randomize_va_space = 2\n') },
      { kind: 'sysctl', key: 'kernel.randomize_va_space', before: 0, after: 2 },
    ]);
    expect(plan.notes).toContain(
      '/etc/sysctl.conf also sets kernel.randomize_va_space = 0: remove that line, or it may win at the next boot',
    );
    expect(file(s, 'proc/sys/kernel/randomize_va_space')).toBe('2\n');
    expect((await status(s, 'KRNL-ASLR')).status).toBe('pass');

    // A second sysctl fix adds its keys to the same drop-in.
    await fix(s, 'KRNL-LOG-MARTIANS');
    expect(file(s, 'etc/sysctl.d/99-hostwatch-audit.conf')).toMatch(
      /kernel\.randomize_va_space = 2\nnet\.ipv4\.conf\.all\.log_martians = 1\nnet\.ipv4\.conf\.default\.log_martians = 1\n$/,
    );
    expect((await status(s, 'KRNL-LOG-MARTIANS')).status).toBe('pass');

    // Undoing the first one now would overwrite the second's drop-in: refused, nothing touched.
    await expect(undoFix(facts, record, Date.now())).rejects.toThrow(/changed since the fix/);
    expect(file(s, 'proc/sys/kernel/randomize_va_space')).toBe('2\n');
    expect(file(s, 'proc/sys/net/ipv4/conf/all/log_martians')).toBe('1\n');
    // Last fix first, then the first: back to the fixture.
    await undoFix(facts, (await lastApplied(s.state, 'KRNL-LOG-MARTIANS'))!, Date.now());
    await undoFix(facts, (await lastApplied(s.state, 'KRNL-ASLR'))!, Date.now());
    expect(existsSync(join(s.root, SYSCTL_DROPIN))).toBe(false);
    expect(file(s, 'proc/sys/kernel/randomize_va_space')).toBe('0\n');
    expect((await status(s, 'KRNL-ASLR')).status).toBe('fail');
    const log = readFileSync(fixLogPath(s.state), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(log.map((r) => `${r.action} ${r.check}`)).toEqual([
      'apply KRNL-ASLR',
      'apply KRNL-LOG-MARTIANS',
      'undo KRNL-LOG-MARTIANS',
      'undo KRNL-ASLR',
    ]);
    expect(log[0].undo).toEqual(['sysctl -w kernel.randomize_va_space=0', `rm ${join(s.root, SYSCTL_DROPIN)}`]);
    expect(await lastApplied(s.state, 'KRNL-ASLR')).toBeUndefined();
  });

  it('an sshd setting: the line that gives the value is changed, in the file it is in, with a backup', async () => {
    const s = setup('weak');
    const original = file(s, 'etc/ssh/sshd_config.d/50-cloud-init.conf');
    const { record } = await fix(s, 'SSH-X11-FORWARDING');
    expect(file(s, 'etc/ssh/sshd_config.d/50-cloud-init.conf')).toBe(original.replace('X11Forwarding yes', 'X11Forwarding no'));
    expect(record.changes[0]).toMatchObject({ kind: 'edit', path: '/etc/ssh/sshd_config.d/50-cloud-init.conf' });
    const backup = (record.changes[0] as { backup: string }).backup;
    expect(backup.startsWith(join(s.state, 'audit', 'backups'))).toBe(true);
    expect(readFileSync(backup, 'utf8')).toBe(original);
    expect((await status(s, 'SSH-X11-FORWARDING')).status).toBe('pass');
    await undoFix((await runAudit(s.opts)).facts, record, Date.now());
    expect(file(s, 'etc/ssh/sshd_config.d/50-cloud-init.conf')).toBe(original);
    expect((await status(s, 'SSH-X11-FORWARDING')).status).toBe('fail');
  });

  it('an sshd setting left at its default is set at the top of sshd_config, where it wins', async () => {
    const s = setup('weak', { 'etc/ssh/sshd_config.d/50-cloud-init.conf': 'X11Forwarding no\n' });
    expect((await status(s, 'SSH-MAX-AUTH-TRIES')).details).toEqual(['MaxAuthTries 6 (OpenSSH default)']);
    const original = file(s, 'etc/ssh/sshd_config');
    const { plan } = await fix(s, 'SSH-MAX-AUTH-TRIES');
    expect(plan.notes[0]).toMatch(/systemctl reload ssh/);
    expect(file(s, 'etc/ssh/sshd_config')).toBe(`# Set by \`hostwatch audit --fix SSH-MAX-AUTH-TRIES\`\nMaxAuthTries 4\n${original}`);
    expect((await status(s, 'SSH-MAX-AUTH-TRIES')).details).toEqual(['MaxAuthTries 4 (/etc/ssh/sshd_config line 2)']);
  });

  it('two sshd fixes in a row: the second is planned on the file as the first left it', async () => {
    const s = setup('weak', { 'etc/ssh/sshd_config.d/50-cloud-init.conf': 'X11Forwarding no\n' });
    await fix(s, 'SSH-MAX-AUTH-TRIES'); // two lines inserted at the top of sshd_config
    await fix(s, 'SSH-ROOT-LOGIN'); // its line moved from 4 to 6: found again by a fresh audit
    expect(file(s, 'etc/ssh/sshd_config')).toContain('\nPermitRootLogin prohibit-password\nPermitEmptyPasswords yes\n');
    expect((await status(s, 'SSH-ROOT-LOGIN')).status).toBe('pass');
    // A plan made from facts read before the file changed is refused rather than edit the wrong line.
    const t = setup('weak', { 'etc/ssh/sshd_config.d/50-cloud-init.conf': 'X11Forwarding no\n' });
    const stale = await runAudit(t.opts);
    await fix(t, 'SSH-MAX-AUTH-TRIES');
    await expect(planFix(findCheck('SSH-ROOT-LOGIN')!, stale.facts)).rejects.toThrow(
      '/etc/ssh/sshd_config changed since it was read: run the audit again',
    );
  });

  it('a new sshd config that sshd -t rejects is rolled back', async () => {
    const sshd = script(
      tmp,
      'sshd-rejects',
      'case "$1" in -t) echo "/etc/ssh/sshd_config line 4: Bad configuration option" >&2; exit 255;; *) exit 1;; esac',
    );
    const s = setup('weak', {}, { commands: { sshd: sshd.path } });
    const original = file(s, 'etc/ssh/sshd_config');
    await expect(fix(s, 'SSH-ROOT-LOGIN')).rejects.toThrow(
      /sshd -t rejects the new configuration: .*Bad configuration option; every change made was rolled back/,
    );
    expect(file(s, 'etc/ssh/sshd_config')).toBe(original);
    expect(existsSync(fixLogPath(s.state))).toBe(false);
  });

  it('a file changed between plan and apply is not touched', async () => {
    const s = setup('weak');
    const report = await runAudit(s.opts);
    const plan = await planFix(findCheck('SSH-ROOT-LOGIN')!, report.facts);
    writeFileSync(join(s.root, 'etc/ssh/sshd_config'), 'PermitRootLogin yes # edited meanwhile\n');
    await expect(applyPlan(report.facts, plan, Date.now())).rejects.toThrow('/etc/ssh/sshd_config changed since the fix was planned');
    expect(file(s, 'etc/ssh/sshd_config')).toBe('PermitRootLogin yes # edited meanwhile\n');
  });

  it('permissions of the password files and host keys', async () => {
    const s = setup('weak');
    const { record } = await fix(s, 'FS-SHADOW-PERMISSIONS');
    expect([mode(s, 'etc/shadow'), mode(s, 'etc/gshadow')]).toEqual([0o640, 0o640]);
    expect((await status(s, 'FS-SHADOW-PERMISSIONS')).status).toBe('pass');
    await fix(s, 'FS-SSH-HOST-KEYS');
    expect([mode(s, 'etc/ssh/ssh_host_rsa_key'), mode(s, 'etc/ssh/ssh_host_ed25519_key')]).toEqual([0o600, 0o600]);
    await undoFix((await runAudit(s.opts)).facts, record, Date.now());
    expect([mode(s, 'etc/shadow'), mode(s, 'etc/gshadow')]).toEqual([0o644, 0o644]);
  });

  it('automatic updates: only with unattended-upgrades installed; then its apt setting', async () => {
    const weak = setup('weak');
    const report = await runAudit(weak.opts);
    await expect(planFix(findCheck('UPD-AUTOMATIC')!, report.facts)).rejects.toThrow(
      new FixNotApplicable('install it first: apt-get install unattended-upgrades'),
    );
    const status0 = readFileSync(join(weak.root, 'var/lib/dpkg/status'), 'utf8');
    const s = setup('weak', {
      'var/lib/dpkg/status': `${status0}\nPackage: unattended-upgrades\nStatus: install ok installed\nVersion: 1.1ubuntu1\n`,
    });
    const { record } = await fix(s, 'UPD-AUTOMATIC');
    expect(file(s, 'etc/apt/apt.conf.d/20auto-upgrades')).toBe(
      'APT::Periodic::Update-Package-Lists "1";\nAPT::Periodic::Unattended-Upgrade "1";\n',
    );
    expect((await status(s, 'UPD-AUTOMATIC')).status).toBe('pass');
    await undoFix((await runAudit(s.opts)).facts, record, Date.now());
    expect(file(s, 'etc/apt/apt.conf.d/20auto-upgrades')).toBe(
      'APT::Periodic::Update-Package-Lists "1";\nAPT::Periodic::Unattended-Upgrade "0";\n',
    );
  });

  /** A ufw that keeps its state in a file: inactive until "enable", failing on "enable" when told to. */
  function fakeUfw(name: string, failEnable = false) {
    return script(
      tmp,
      name,
      `state="$0.state"
case "$*" in
  "status verbose") if [ -f "$state" ]; then echo "Status: active"; echo "Default: deny (incoming), allow (outgoing), disabled (routed)"; else echo "Status: inactive"; fi;;
  "--force enable") ${failEnable ? 'echo "ERROR: problem running ufw-init" >&2; exit 1' : 'touch "$state"; echo "Firewall is active and enabled on system startup"'};;
  disable) rm -f "$state"; echo "Firewall stopped and disabled on system startup";;
  "allow "*|"delete allow "*) echo "Rule added";;
  *) exit 2;;
esac`,
    );
  }

  it('ufw enable, with every SSH port allowed first; undone in reverse order', async () => {
    const ufw = fakeUfw('ufw-ok');
    const s = setup('weak', {}, { commands: { ufw: ufw.path } });
    const { plan, record, facts } = await fix(s, 'FW-ACTIVE');
    expect(plan.changes.map((c) => (c.kind === 'command' ? c.argv.join(' ') : c.kind))).toEqual([
      'ufw allow 22/tcp',
      'ufw allow 2222/tcp',
      'ufw --force enable',
    ]);
    expect(ufw.calls().filter((c) => c !== 'status verbose')).toEqual(['allow 22/tcp', 'allow 2222/tcp', '--force enable']);
    expect((await status(s, 'FW-ACTIVE')).details).toEqual(['ufw (active)']);
    await undoFix(facts, record, Date.now());
    expect(
      ufw
        .calls()
        .filter((c) => c !== 'status verbose')
        .slice(3),
    ).toEqual(['disable', 'delete allow 2222/tcp', 'delete allow 22/tcp']);
    expect((await status(s, 'FW-ACTIVE')).status).toBe('fail');
  });

  it('a failing step rolls back the steps before it', async () => {
    const ufw = fakeUfw('ufw-fails', true);
    const s = setup('weak', {}, { commands: { ufw: ufw.path } });
    await expect(fix(s, 'FW-ACTIVE')).rejects.toThrow(
      /ufw --force enable exited 1: ERROR: problem running ufw-init; every change made was rolled back/,
    );
    expect(ufw.calls().filter((c) => c !== 'status verbose')).toEqual([
      'allow 22/tcp',
      'allow 2222/tcp',
      '--force enable',
      'delete allow 2222/tcp',
      'delete allow 22/tcp',
    ]);
  });

  it('no plan for checks hostwatch cannot fix itself, or that pass', async () => {
    const s = setup('weak');
    const report = await runAudit(s.opts);
    await expect(planFix(findCheck('ACCT-UID0')!, report.facts)).rejects.toThrow(
      /hostwatch cannot fix ACCT-UID0 itself; the fix: Find out who created it/,
    );
    await expect(planFix(findCheck('FW-ACTIVE')!, report.facts)).rejects.toThrow(/ufw is not installed/);
    const hardened = setup('hardened');
    await expect(planFix(findCheck('KRNL-ASLR')!, (await runAudit(hardened.opts)).facts)).rejects.toThrow(
      'KRNL-ASLR passes: nothing to change',
    );
  });
});

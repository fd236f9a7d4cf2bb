// Plans of the fixes hostwatch can apply: the exact changes (whole-file before/after, a /proc/sys
// value, a mode, a command with its undo), computed from the facts of the audit, before anything is
// touched. Applying them is apply.ts's job; a plan is what the user sees and agrees to.
import { readdir } from 'node:fs/promises';
import type { FactContext } from '../facts/context.js';
import { failingKeys } from '../checks/kernel.js';
import { tooOpen } from '../checks/filesystem.js';
import { SYSCTL_CHECKS } from '../sysctl-table.js';
import type { Check, FixSpec } from '../types.js';

export type Change =
  /** A whole-file edit; `before` null when the file does not exist yet. */
  | { kind: 'edit'; path: string; before: string | null; after: string }
  /** A runtime kernel setting, written to /proc/sys (what `sysctl -p <file>` does). */
  | { kind: 'sysctl'; key: string; before: number; after: number }
  | { kind: 'mode'; path: string; before: number; after: number; uidBefore: number; uidAfter: number }
  /** A program of the host, with the one that reverses it. */
  | { kind: 'command'; argv: string[]; undo: string[] };

export interface FixPlan {
  check: string;
  title: string;
  changes: Change[];
  /** What the user should know: a reload needed, a setting elsewhere that may override this one. */
  notes: string[];
  /** For sshd: validate the new config with `sshd -t` before keeping it. */
  validate?: 'sshd';
}

export class FixNotApplicable extends Error {}

export const SYSCTL_DROPIN = '/etc/sysctl.d/99-hostwatch-audit.conf';
const APT_PERIODIC_FILE = '/etc/apt/apt.conf.d/20auto-upgrades';

/** Sets `key = value` in sysctl.conf-style text: replaces the key's line, or appends one. */
export function setSysctlLine(text: string, key: string, value: number): string {
  const re = new RegExp(`^\\s*${key.replace(/\./g, '[./]')}\\s*=.*$`, 'm');
  if (re.test(text)) return text.replace(re, `${key} = ${value}`);
  return `${text}${text === '' || text.endsWith('\n') ? '' : '\n'}${key} = ${value}\n`;
}

async function sysctlPlan(check: Check, ctx: FactContext): Promise<FixPlan> {
  const spec = SYSCTL_CHECKS.find((s) => s.id === check.id);
  if (!spec) throw new FixNotApplicable(`${check.id} has no sysctl keys`);
  const bad = failingKeys(spec, await ctx.get('sysctl'));
  if (bad.length === 0) throw new FixNotApplicable(`${check.id} passes: nothing to change`);
  const before = (await ctx.readOptional(SYSCTL_DROPIN)) ?? null;
  let after = before ?? '# Kernel hardening applied by `hostwatch audit --fix` (see docs/audit.md); loaded at boot.\n';
  for (const b of bad) after = setSysctlLine(after, b.key, b.recommended);
  const notes = [`set now through /proc/sys, as sysctl -p ${SYSCTL_DROPIN} would`];
  // Files read after ours at boot (sysctl.d(5): lexical order, /etc/sysctl.conf last) win.
  const others = (await readdir(ctx.file('/etc/sysctl.d')).catch(() => [] as string[])).filter(
    (n) => n.endsWith('.conf') && `/etc/sysctl.d/${n}` !== SYSCTL_DROPIN,
  );
  for (const file of [...others.map((n) => `/etc/sysctl.d/${n}`), '/etc/sysctl.conf']) {
    const text = (await ctx.readOptional(file).catch(() => undefined)) ?? '';
    for (const b of bad) {
      const m = new RegExp(`^\\s*${b.key.replace(/\./g, '[./]')}\\s*=\\s*(\\S+)`, 'm').exec(text);
      if (m && Number(m[1]) !== b.recommended)
        notes.push(`${file} also sets ${b.key} = ${m[1]}: remove that line, or it may win at the next boot`);
    }
  }
  return {
    check: check.id,
    title: check.title,
    changes: [
      { kind: 'edit', path: SYSCTL_DROPIN, before, after },
      ...bad.map((b): Change => ({ kind: 'sysctl', key: b.key, before: b.value, after: b.recommended })),
    ],
    notes,
  };
}

async function sshdPlan(check: Check, spec: Extract<FixSpec, { kind: 'sshd' }>, ctx: FactContext): Promise<FixPlan> {
  const sshd = await ctx.get('sshd');
  if (!sshd) throw new FixNotApplicable('no OpenSSH server is installed');
  const origin = sshd.origin[spec.keyword.toLowerCase()];
  const line = `${spec.keyword} ${spec.value}`;
  let path: string;
  let before: string;
  let after: string;
  if (origin) {
    // The line that gives the setting its value (first one wins) is the one to change.
    path = origin.file;
    before = (await ctx.readOptional(path)) ?? '';
    const lines = before.split('\n');
    if (lines[origin.line - 1]?.trim() !== origin.text)
      throw new FixNotApplicable(`${path} changed since it was read: run the audit again`);
    const indent = /^\s*/.exec(lines[origin.line - 1] ?? '')?.[0] ?? '';
    lines[origin.line - 1] = `${indent}${line}`;
    after = lines.join('\n');
  } else {
    // Not set anywhere: at the very top of sshd_config, before any Include or Match, it wins.
    path = sshd.configFile;
    before = (await ctx.readOptional(path)) ?? '';
    after = `# Set by \`hostwatch audit --fix ${check.id}\`\n${line}\n${before}`;
  }
  return {
    check: check.id,
    title: check.title,
    changes: [{ kind: 'edit', path, before, after }],
    notes: ['takes effect for new connections after: systemctl reload ssh (sshd on RHEL); open sessions stay connected'],
    validate: 'sshd',
  };
}

async function permissionsPlan(check: Check, spec: Extract<FixSpec, { kind: 'permissions' }>, ctx: FactContext): Promise<FixPlan> {
  const s = await ctx.get('secretFiles');
  const files = spec.files === 'hostKeys' ? s.hostKeys : [s.shadow, s.gshadow].filter((f) => f !== undefined);
  const bad = files.filter((f) => tooOpen([f], spec.files === 'hostKeys' ? 0o640 : spec.mode).length > 0);
  if (bad.length === 0) throw new FixNotApplicable(`${check.id} passes: nothing to change`);
  return {
    check: check.id,
    title: check.title,
    changes: bad.map((f): Change => ({
      kind: 'mode',
      path: f.path,
      before: f.mode,
      after: f.mode & spec.mode,
      uidBefore: f.uid,
      uidAfter: 0,
    })),
    notes: [],
  };
}

async function ufwPlan(check: Check, ctx: FactContext): Promise<FixPlan> {
  if (!ctx.has('ufw')) throw new FixNotApplicable('ufw is not installed (apt-get install ufw), or not the running system');
  const [fw, sshd] = await Promise.all([ctx.get('firewall'), ctx.get('sshd').catch(() => null)]);
  if (fw.ufw?.active) throw new FixNotApplicable('ufw is already active');
  const ports = sshd?.ports ?? [];
  const notes =
    ports.length > 0
      ? [`SSH (port ${ports.join(', ')}) is allowed first, so that this session and the next logins are not cut off`]
      : ['no SSH server found: no port is allowed before enabling'];
  notes.push('every other incoming connection is then refused: allow the services this host offers with ufw allow <port>/tcp');
  return {
    check: check.id,
    title: check.title,
    changes: [
      ...ports.map((p): Change => ({ kind: 'command', argv: ['ufw', 'allow', `${p}/tcp`], undo: ['ufw', 'delete', 'allow', `${p}/tcp`] })),
      { kind: 'command', argv: ['ufw', '--force', 'enable'], undo: ['ufw', 'disable'] },
    ],
    notes,
  };
}

/** Sets `APT::Periodic::<name> "<value>";` in apt.conf text: replaces the line, or appends one. */
export function setAptPeriodic(text: string, name: string, value: string): string {
  const re = new RegExp(`^\\s*APT::Periodic::${name}\\s+"[^"]*"\\s*;.*$`, 'm');
  const line = `APT::Periodic::${name} "${value}";`;
  if (re.test(text)) return text.replace(re, line);
  return `${text}${text === '' || text.endsWith('\n') ? '' : '\n'}${line}\n`;
}

async function unattendedPlan(check: Check, ctx: FactContext): Promise<FixPlan> {
  const auto = await ctx.get('autoUpdates');
  if (auto.manager !== 'apt')
    throw new FixNotApplicable(
      'only for Debian/Ubuntu (apt); on RHEL/Fedora: dnf install dnf-automatic && systemctl enable --now dnf-automatic-install.timer',
    );
  if (!auto.installed) throw new FixNotApplicable('install it first: apt-get install unattended-upgrades');
  if (auto.enabled) throw new FixNotApplicable(`${check.id} passes: nothing to change`);
  const before = (await ctx.readOptional(APT_PERIODIC_FILE)) ?? null;
  let after = setAptPeriodic(before ?? '', 'Update-Package-Lists', '1');
  after = setAptPeriodic(after, 'Unattended-Upgrade', '1');
  return {
    check: check.id,
    title: check.title,
    changes: [{ kind: 'edit', path: APT_PERIODIC_FILE, before, after }],
    notes: ["the same file `dpkg-reconfigure -plow unattended-upgrades` writes; apt's daily timer then installs security updates"],
  };
}

/** The plan of a check's fix; throws FixNotApplicable when there is none or nothing to do. */
export async function planFix(check: Check, ctx: FactContext): Promise<FixPlan> {
  const spec = check.autofix;
  if (!spec) throw new FixNotApplicable(`hostwatch cannot fix ${check.id} itself; the fix: ${check.fix}`);
  switch (spec.kind) {
    case 'sysctl':
      return sysctlPlan(check, ctx);
    case 'sshd':
      return sshdPlan(check, spec, ctx);
    case 'permissions':
      return permissionsPlan(check, spec, ctx);
    case 'ufw':
      return ufwPlan(check, ctx);
    case 'unattended-upgrades':
      return unattendedPlan(check, ctx);
  }
}

// Updates: pending security updates (the updates collector's apt-get/dnf check), automatic updates
// (unattended-upgrades, dnf-automatic), and whether the host waits for a reboot.
import { readdir, stat } from 'node:fs/promises';
import { checkUpdates } from '../../collectors/updates/check.js';
import { rebootRequiredFlag } from '../../collectors/reboot/index.js';
import { compareVersions } from './packages.js';
import { readOptional, type FactContext } from './context.js';
import { cachedFact } from './cache.js';
import type { PendingUpdatesFacts, AutoUpdatesFacts, RebootFacts } from './types.js';

/**
 * Pending updates; null when neither apt-get nor dnf can be run (another root, or not installed).
 * The package manager takes seconds of CPU (apt-get -s dist-upgrade: ~5 s here): cached (cache.ts).
 */
export async function readPendingUpdates(ctx: FactContext): Promise<PendingUpdatesFacts | null> {
  const tool = ctx.tools.updates;
  if (!tool) return null;
  const r = await cachedFact(ctx, 'updates', `${tool.name} ${tool.path}`, () => checkUpdates(tool, ctx.updatesTimeoutMs, ctx.signal));
  return { tool: tool.name, all: r.value.all, security: r.value.security, checkedAt: r.checkedAt, cached: r.cached, ageMs: r.ageMs };
}

/** APT::Periodic settings of /etc/apt/apt.conf.d, files in order, the last value winning. */
export function aptPeriodic(files: { name: string; text: string }[]): Record<string, { value: string; file: string }> {
  const out: Record<string, { value: string; file: string }> = {};
  for (const f of files) {
    const text = f.text.replace(/\/\*[\s\S]*?\*\//g, '').replace(/^\s*(\/\/|#).*$/gm, '');
    for (const m of text.matchAll(/APT::Periodic::([\w-]+)\s+"([^"]*)"\s*;/g)) out[m[1]] = { value: m[2], file: f.name };
  }
  return out;
}

async function readDir(ctx: FactContext, dir: string): Promise<{ name: string; text: string }[]> {
  let names: string[];
  try {
    names = (await readdir(ctx.file(dir))).sort();
  } catch {
    return [];
  }
  const out: { name: string; text: string }[] = [];
  for (const n of names) {
    const text = await ctx.readOptional(`${dir}/${n}`).catch(() => undefined);
    if (text !== undefined) out.push({ name: `${dir}/${n}`, text });
  }
  return out;
}

async function exists(ctx: FactContext, hostPath: string): Promise<boolean> {
  return stat(ctx.file(hostPath)).then(
    () => true,
    () => false,
  );
}

export async function readAutoUpdates(ctx: FactContext): Promise<AutoUpdatesFacts> {
  const pkgs = await ctx.get('packages');
  const has = (name: string) => pkgs.installed.has(name);
  if (pkgs.manager === 'dpkg' || (await exists(ctx, '/etc/apt'))) {
    const installed = has('unattended-upgrades');
    const p = aptPeriodic(await readDir(ctx, '/etc/apt/apt.conf.d'));
    const on = (k: string) => p[k] !== undefined && p[k].value !== '0' && p[k].value !== '';
    const enabled = installed && on('Unattended-Upgrade') && p.Enable?.value !== '0';
    const detail = !installed
      ? 'the unattended-upgrades package is not installed'
      : enabled
        ? `APT::Periodic::Unattended-Upgrade "${p['Unattended-Upgrade'].value}" in ${p['Unattended-Upgrade'].file}`
        : 'APT::Periodic::Unattended-Upgrade is not set to a non-zero value in /etc/apt/apt.conf.d';
    return { manager: 'apt', installed, enabled, detail };
  }
  if (pkgs.manager === 'rpm') {
    const installed = has('dnf-automatic');
    const wants = '/etc/systemd/system/timers.target.wants';
    const installTimer = await exists(ctx, `${wants}/dnf-automatic-install.timer`);
    const timer = await exists(ctx, `${wants}/dnf-automatic.timer`);
    const conf = (await ctx.readOptional('/etc/dnf/automatic.conf')) ?? '';
    const apply = /^\s*apply_updates\s*=\s*(yes|true|1)\s*$/im.test(conf);
    const enabled = installed && (installTimer || (timer && apply));
    const detail = !installed
      ? 'the dnf-automatic package is not installed'
      : enabled
        ? installTimer
          ? 'dnf-automatic-install.timer is enabled'
          : 'dnf-automatic.timer is enabled with apply_updates = yes'
        : 'neither dnf-automatic-install.timer nor dnf-automatic.timer with apply_updates = yes is enabled';
    return { manager: 'dnf', installed, enabled, detail };
  }
  return { manager: 'none', installed: false, enabled: false, detail: 'no apt or dnf package manager found' };
}

/** Kernel versions of /boot/vmlinuz-* names. */
export function kernelVersions(names: readonly string[]): string[] {
  return names.filter((n) => n.startsWith('vmlinuz-')).map((n) => n.slice('vmlinuz-'.length));
}

export async function readReboot(ctx: FactContext): Promise<RebootFacts> {
  // As the reboot collector reads it on the running system; under another root, its /run.
  const flagPath = ctx.paths.rootfs === '/' ? ctx.rebootRequiredFile : ctx.file('/run/reboot-required');
  const [flagFile, osrelease, boot] = await Promise.all([
    rebootRequiredFlag(flagPath),
    readOptional(ctx.proc('sys/kernel/osrelease')).catch(() => undefined),
    readdir(ctx.file('/boot')).catch(() => [] as string[]),
  ]);
  const kernels = kernelVersions(boot).sort(compareVersions);
  return { flagFile, runningKernel: osrelease?.trim(), newestKernel: kernels[kernels.length - 1] };
}

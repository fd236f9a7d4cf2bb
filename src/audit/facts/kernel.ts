// Kernel facts: the hardening sysctls (/proc/sys) and the mandatory access control in force
// (AppArmor under /sys/module and securityfs, SELinux under /sys/fs/selinux).
import { readOptional, type FactContext } from './context.js';
import { SYSCTL_KEYS, sysctlPath } from '../sysctl-table.js';
import type { SysctlFacts, MacFacts } from './types.js';

export async function readSysctls(ctx: FactContext): Promise<SysctlFacts> {
  const out: SysctlFacts = {};
  const values = await Promise.all(SYSCTL_KEYS.map((k) => readOptional(ctx.proc(sysctlPath(k))).catch(() => undefined)));
  SYSCTL_KEYS.forEach((k, i) => {
    const v = values[i]?.trim();
    if (v !== undefined && /^-?\d+$/.test(v)) out[k] = Number(v);
  });
  if (Object.keys(out).length === 0) throw new Error(`no hardening sysctl readable under ${ctx.proc('sys')}`);
  return out;
}

/** /sys/kernel/security/apparmor/profiles: "name (mode)" per line. */
export function parseAppArmorProfiles(text: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const l of text.split('\n')) {
    const m = /\((\w+)\)\s*$/.exec(l);
    if (m) out[m[1]] = (out[m[1]] ?? 0) + 1;
  }
  return out;
}

export async function readMac(ctx: FactContext): Promise<MacFacts> {
  const [aaEnabled, aaProfiles, seEnforce, seConfig] = await Promise.all([
    readOptional(ctx.sys('module/apparmor/parameters/enabled')).catch(() => undefined),
    readOptional(ctx.sys('kernel/security/apparmor/profiles')).catch(() => undefined),
    readOptional(ctx.sys('fs/selinux/enforce')).catch(() => undefined),
    ctx.readOptional('/etc/selinux/config').catch(() => undefined),
  ]);
  const facts: MacFacts = {};
  if (aaEnabled !== undefined) {
    facts.apparmor = {
      enabled: aaEnabled.trim() === 'Y',
      profiles: aaProfiles === undefined ? undefined : parseAppArmorProfiles(aaProfiles),
    };
  }
  if (seEnforce !== undefined) {
    facts.selinux = { enforcing: seEnforce.trim() === '1', configured: /^\s*SELINUX\s*=\s*(\w+)/m.exec(seConfig ?? '')?.[1] };
  }
  return facts;
}

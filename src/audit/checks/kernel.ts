// Kernel checks: the hardening sysctls (one check per concept of sysctl-table.ts), mandatory access
// control (AppArmor or SELinux) and the audit daemon.
import { running } from '../facts/processes.js';
import { SYSCTL_CHECKS, type SysctlCheckSpec } from '../sysctl-table.js';
import type { SysctlFacts } from '../facts/types.js';
import { defineCheck, type Check } from '../types.js';
import { fail, pass, skip } from './common.js';

/** The keys of a spec whose current value is unsafe (keys the kernel lacks are left out). */
export function failingKeys(spec: SysctlCheckSpec, sysctl: SysctlFacts): { key: string; value: number; recommended: number }[] {
  return spec.keys
    .filter((k) => k.key in sysctl && !k.ok(sysctl[k.key]))
    .map((k) => ({ key: k.key, value: sysctl[k.key], recommended: k.recommended }));
}

function sysctlCheck(spec: SysctlCheckSpec): Check {
  return defineCheck({
    id: spec.id,
    category: 'kernel',
    severity: spec.severity,
    needs: ['sysctl'],
    title: spec.title,
    found: spec.found,
    why: spec.why,
    fix: `${spec.keys.map((k) => `${k.key} = ${k.recommended}`).join('; ')} (in /etc/sysctl.d/99-hostwatch-audit.conf, then: sysctl -p /etc/sysctl.d/99-hostwatch-audit.conf)`,
    evaluate: ({ sysctl }) => {
      const present = spec.keys.filter((k) => k.key in sysctl);
      if (present.length === 0) return skip(`this kernel has no ${spec.keys.map((k) => k.key).join(', ')}`);
      const bad = failingKeys(spec, sysctl);
      if (bad.length > 0) return fail(...bad.map((b) => `${b.key} = ${b.value} (recommended ${b.recommended})`));
      return pass(...present.map((k) => `${k.key} = ${sysctl[k.key]}`));
    },
    autofix: { kind: 'sysctl' },
  });
}

export const KERNEL_CHECKS: Check[] = [
  ...SYSCTL_CHECKS.map(sysctlCheck),
  defineCheck({
    id: 'KRNL-MAC',
    category: 'kernel',
    severity: 'medium',
    needs: ['mac'],
    title: 'Mandatory access control (AppArmor or SELinux)',
    found: 'Neither AppArmor nor SELinux confines the programs of this machine.',
    why: 'AppArmor and SELinux limit what each service may touch even when it runs as root: a hacked web server then cannot read your SSH keys or install a backdoor.',
    fix: 'Debian/Ubuntu: apt-get install apparmor apparmor-profiles && systemctl enable --now apparmor (and apparmor=1 security=apparmor on the kernel command line if needed); RHEL/Fedora: SELINUX=enforcing in /etc/selinux/config, then reboot',
    evaluate: ({ mac }) => {
      if (mac.selinux?.enforcing) return pass('SELinux enforcing');
      const aa = mac.apparmor;
      if (aa?.enabled) {
        if (aa.profiles === undefined) return pass('AppArmor enabled (profiles not readable)');
        if ((aa.profiles.enforce ?? 0) > 0) return pass(`AppArmor enabled, ${aa.profiles.enforce} profiles enforced`);
        return fail('AppArmor is enabled but no profile is enforced');
      }
      const details: string[] = [];
      if (mac.selinux)
        details.push(`SELinux permissive${mac.selinux.configured ? ` (SELINUX=${mac.selinux.configured} in /etc/selinux/config)` : ''}`);
      details.push(aa ? 'AppArmor disabled' : 'AppArmor not in this kernel');
      return fail(...details);
    },
  }),
  defineCheck({
    id: 'KRNL-AUDITD',
    category: 'kernel',
    severity: 'low',
    needs: ['processes'],
    title: 'Audit daemon',
    found: 'The Linux audit daemon (auditd) is not running.',
    why: 'auditd keeps a tamper-resistant record of who changed what (logins, use of sudo, changes to key files): what an investigation needs after a break-in, and what many compliance rules require.',
    fix: 'apt-get install auditd (Debian/Ubuntu) or dnf install audit (RHEL/Fedora), then: systemctl enable --now auditd',
    evaluate: ({ processes }) => (running(processes, 'auditd') ? pass('auditd is running') : fail('no auditd process')),
  }),
];

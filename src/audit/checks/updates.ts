// Update checks: pending security updates, automatic updates, reboot needed (facts/updates.ts).
import { compareVersions } from '../facts/packages.js';
import { freshnessNote } from '../facts/cache.js';
import { defineCheck, type Check } from '../types.js';
import { fail, pass, skip } from './common.js';

export const UPDATE_CHECKS: Check[] = [
  defineCheck({
    id: 'UPD-SECURITY-PENDING',
    category: 'updates',
    severity: 'high',
    needs: ['pendingUpdates'],
    title: 'Security updates waiting',
    found: 'Security updates are available but not installed.',
    why: 'Security updates close holes that are publicly known; attackers scan the internet for machines that have not installed them yet, often within days.',
    fix: 'apt-get update && apt-get upgrade (Debian/Ubuntu), or dnf upgrade --security (RHEL/Fedora)',
    evaluate: ({ pendingUpdates: u }) => {
      if (!u) return skip('no apt-get or dnf to ask (or not the running system)');
      const summary = `${u.security} security updates pending (${u.all} updates in all, from ${u.tool})`;
      const note = freshnessNote(u);
      const details = note ? [summary, note] : [summary];
      return u.security > 0 ? fail(...details) : pass(...details);
    },
  }),
  defineCheck({
    id: 'UPD-AUTOMATIC',
    category: 'updates',
    severity: 'medium',
    needs: ['autoUpdates'],
    title: 'Automatic security updates',
    found: 'Security updates are not installed automatically.',
    why: 'Holes get fixed only when someone remembers to update. Automatic security updates close most of them within a day, without anyone having to watch.',
    fix: 'apt-get install unattended-upgrades && dpkg-reconfigure -plow unattended-upgrades (Debian/Ubuntu), or dnf install dnf-automatic && systemctl enable --now dnf-automatic-install.timer (RHEL/Fedora)',
    evaluate: ({ autoUpdates: a }) => {
      if (a.manager === 'none') return skip(a.detail);
      return a.enabled ? pass(a.detail) : fail(a.detail);
    },
    autofix: { kind: 'unattended-upgrades' },
  }),
  defineCheck({
    id: 'UPD-REBOOT-REQUIRED',
    category: 'updates',
    severity: 'medium',
    needs: ['reboot'],
    title: 'Reboot to finish updates',
    found: 'Updates were installed that only take effect after a reboot (often a new kernel).',
    why: 'Until the machine restarts, it keeps running the old, vulnerable code: the update is installed but does not protect yet.',
    fix: 'Reboot at a convenient time: systemctl reboot',
    evaluate: ({ reboot: r }) => {
      const details: string[] = [];
      if (r.flagFile) details.push('the reboot-required flag file exists (/run/reboot-required)');
      if (r.runningKernel && r.newestKernel && compareVersions(r.newestKernel, r.runningKernel) > 0) {
        details.push(`kernel ${r.newestKernel} is installed, ${r.runningKernel} is running`);
      }
      return details.length > 0
        ? fail(...details)
        : pass(r.runningKernel ? `running kernel ${r.runningKernel}` : 'no reboot-required flag');
    },
  }),
];

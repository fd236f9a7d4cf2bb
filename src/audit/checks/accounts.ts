// Account checks: passwd, shadow, login.defs and sudoers (facts/accounts.ts, facts/sudoers.ts).
import { hasLoginShell, isLocked } from '../facts/accounts.js';
import { defineCheck, type Check } from '../types.js';
import { capped, failIfAny, skip } from './common.js';

/** Groups that administer the host by convention (Debian/Ubuntu sudo and admin, RHEL/SUSE wheel). */
export const ADMIN_SUDO_SUBJECTS = new Set(['root', '%sudo', '%wheel', '%admin', '%:sudo', '%:wheel', '%:admin']);

/** Password aging longer than this many days (or none) counts as no aging; 99999 is the shadow suite's "never". */
const NO_AGING_DAYS = 9999;

export const ACCOUNT_CHECKS: Check[] = [
  defineCheck({
    id: 'ACCT-UID0',
    category: 'accounts',
    severity: 'critical',
    needs: ['passwd'],
    title: 'Extra superuser accounts',
    found: 'An account other than root has user id 0, which makes it a second root account.',
    why: 'Any account with id 0 has total control of the machine. A hidden extra one is a classic backdoor left behind by intruders, and it escapes reviews of who has root.',
    fix: 'Find out who created it; if it is not needed: userdel <name>, otherwise give it its own id: usermod -u <new id> <name>',
    evaluate: ({ passwd }) =>
      failIfAny(
        passwd.filter((e) => e.uid === 0 && e.name !== 'root').map((e) => `${e.name} (uid 0, /etc/passwd line ${e.line})`),
        'only root has uid 0',
      ),
  }),
  defineCheck({
    id: 'ACCT-DUPLICATE-UID',
    category: 'accounts',
    severity: 'medium',
    needs: ['passwd'],
    title: 'Accounts sharing a user id',
    found: 'Several accounts have the same user id: to the system they are one and the same user.',
    why: "Files, processes and logs cannot tell these accounts apart: one can read and change everything of the other, and what one does is recorded under the other's name.",
    fix: 'Give each account its own id: usermod -u <new id> <name> (then chown its files), or remove the extra account: userdel <name>',
    evaluate: ({ passwd }) => {
      const byUid = new Map<number, string[]>();
      for (const e of passwd) if (e.uid !== 0) byUid.set(e.uid, [...(byUid.get(e.uid) ?? []), e.name]);
      return failIfAny(
        [...byUid].filter(([, names]) => names.length > 1).map(([uid, names]) => `uid ${uid}: ${names.join(', ')}`),
        'every account has its own user id',
      );
    },
  }),
  defineCheck({
    id: 'ACCT-EMPTY-PASSWORD',
    category: 'accounts',
    severity: 'critical',
    needs: ['shadow'],
    title: 'Accounts without a password',
    found: 'An account has an empty password: it can log in without typing one.',
    why: 'Anyone who knows the account name can use it, locally or through any service that accepts passwords.',
    fix: 'Lock it (passwd -l <name>) or set a password (passwd <name>)',
    evaluate: ({ shadow }) =>
      failIfAny(
        shadow.filter((e) => e.hash === '').map((e) => `${e.name}: empty password field in /etc/shadow`),
        `${shadow.length} accounts, none with an empty password`,
      ),
  }),
  defineCheck({
    id: 'ACCT-PASSWORD-AGING',
    category: 'accounts',
    severity: 'low',
    needs: ['passwd', 'shadow', 'loginDefs'],
    title: 'Password expiry',
    found: 'Users who can log in with a password have passwords that never expire.',
    why: 'A password that leaks (phishing, reuse on a breached site) keeps working for ever. Expiry limits how long a leaked password stays useful, and makes forgotten accounts stop working on their own.',
    fix: 'chage --maxdays 365 <name> for each listed user, and PASS_MAX_DAYS 365 in /etc/login.defs for new accounts (or disable password logins and use SSH keys)',
    evaluate: ({ passwd, shadow, loginDefs }) => {
      const login = new Set(passwd.filter(hasLoginShell).map((e) => e.name));
      const users = shadow.filter(
        (e) => login.has(e.name) && e.hash !== '' && !isLocked(e.hash) && (e.maxDays === undefined || e.maxDays > NO_AGING_DAYS),
      );
      if (users.length === 0) return { status: 'pass', details: ['every user with a password and a login shell has password aging'] };
      const defs = Number(loginDefs.PASS_MAX_DAYS ?? '99999');
      return {
        status: 'fail',
        details: [
          ...capped(users.map((u) => `${u.name}: maximum password age ${u.maxDays ?? 'not set'}`)),
          `/etc/login.defs PASS_MAX_DAYS ${Number.isFinite(defs) ? defs : '?'} for new accounts`,
        ],
      };
    },
  }),
  defineCheck({
    id: 'ACCT-SUDO-NOPASSWD',
    category: 'accounts',
    severity: 'high',
    needs: ['sudoers'],
    title: 'sudo without a password',
    found: 'sudo lets users other than the administrators run any command as root without typing a password.',
    why: 'Whoever takes over one of these accounts (a stolen SSH key, a hacked web application running as that user) becomes root at once, with nothing to stop or slow them down.',
    fix: 'Run visudo (or visudo -f <file>) and remove NOPASSWD from the listed rules, or limit them to the few commands that need it',
    evaluate: ({ sudoers }) => {
      if (!sudoers) return skip('sudo is not configured (no /etc/sudoers)');
      const bad = sudoers.rules.filter((r) => r.nopasswdAll && r.users.some((u) => !u.startsWith('!') && !ADMIN_SUDO_SUBJECTS.has(u)));
      return failIfAny(
        bad.map((r) => `${r.file} line ${r.line}: ${r.text}`),
        `${sudoers.rules.length} rules in ${sudoers.files.join(', ')}, no NOPASSWD: ALL outside the admin groups`,
      );
    },
  }),
];

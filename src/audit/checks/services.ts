// Service checks: servers of protocols replaced long ago by encrypted ones, installed at all (a
// package installed is one `systemctl start` or one dependency away from running).
import { defineCheck, type Check } from '../types.js';
import { capped, fail, pass, skip } from './common.js';

/** Server packages of Debian/Ubuntu and RHEL/Fedora (clients only connect out: not audited). */
export const INSECURE_SERVER_PACKAGES: Record<string, string> = {
  telnetd: 'telnet server',
  'inetutils-telnetd': 'telnet server',
  'telnetd-ssl': 'telnet server',
  'telnet-server': 'telnet server',
  'rsh-server': 'rsh/rlogin server',
  'rsh-redone-server': 'rsh/rlogin server',
  'rsh-server-compat': 'rsh/rlogin server',
  nis: 'NIS (yellow pages) server and client',
  ypserv: 'NIS server',
  'tftpd-hpa': 'TFTP server',
  tftpd: 'TFTP server',
  atftpd: 'TFTP server',
  'tftp-server': 'TFTP server',
  xinetd: 'xinetd super-server',
  'openbsd-inetd': 'inetd super-server',
  'inetutils-inetd': 'inetd super-server',
  talkd: 'talk server',
  'inetutils-talkd': 'talk server',
};

export const SERVICE_CHECKS: Check[] = [
  defineCheck({
    id: 'SVC-INSECURE-SERVERS',
    category: 'services',
    severity: 'high',
    needs: ['packages'],
    title: 'Obsolete insecure servers installed',
    found:
      'Server software for old protocols that send passwords in clear text or trust the network (telnet, rsh, NIS, TFTP, inetd) is installed.',
    why: 'These servers were replaced by encrypted ones decades ago; they are easy to switch on by mistake and have a long history of break-ins.',
    fix: 'apt-get purge <package> (Debian/Ubuntu) or dnf remove <package> (RHEL/Fedora) for each listed package, after moving any user to SSH/SFTP',
    evaluate: ({ packages }) => {
      if (packages.manager === 'none') return skip('no package database');
      const found = Object.keys(INSECURE_SERVER_PACKAGES)
        .filter((p) => packages.installed.has(p))
        .map((p) => `${p} (${INSECURE_SERVER_PACKAGES[p]})`);
      return found.length > 0
        ? fail(...capped(found))
        : pass(`${packages.installed.size} ${packages.manager} packages, none of them an obsolete insecure server`);
    },
  }),
];

// Encryption checks. At rest: disk filesystems and swap on dm-crypt (facts/encryption.ts). In
// transit: network services that only speak plain text, and the strength of the certificates in
// host.tls.cert_files (facts/certs.ts). The same classifications feed the hostwatch_encryption_*
// metrics (src/collectors/audit/).
import { isLoopback } from '../facts/network.js';
import type { Listener } from '../facts/types.js';
import { weakKey, weakSignature } from '../../collectors/tls/strength.js';
import { defineCheck, type Check } from '../types.js';
import { capped, fail, pass, skip } from './common.js';
import { describeListener } from './network.js';

export const PLAINTEXT_PROTOCOLS = ['telnet', 'ftp', 'rsh', 'tftp', 'http'] as const;
export type PlaintextProtocol = (typeof PLAINTEXT_PROTOCOLS)[number];

const PLAINTEXT: { protocol: PlaintextProtocol; proto: 'tcp' | 'udp'; ports: number[]; programs: string[] }[] = [
  { protocol: 'telnet', proto: 'tcp', ports: [23], programs: ['in.telnetd', 'telnetd', 'utelnetd'] },
  { protocol: 'ftp', proto: 'tcp', ports: [21], programs: ['vsftpd', 'proftpd', 'pure-ftpd', 'in.ftpd', 'ftpd'] },
  { protocol: 'rsh', proto: 'tcp', ports: [512, 513, 514], programs: ['in.rshd', 'in.rlogind', 'in.rexecd', 'rshd', 'rlogind', 'rexecd'] },
  { protocol: 'tftp', proto: 'udp', ports: [69], programs: ['in.tftpd', 'tftpd', 'atftpd'] },
  { protocol: 'http', proto: 'tcp', ports: [80], programs: [] },
];

/**
 * Sockets reachable from other machines that speak a protocol without encryption. Plain HTTP on
 * port 80 counts only when nothing listens on 443: beside HTTPS, port 80 usually just redirects.
 */
export function plaintextListeners(listeners: readonly Listener[]): { protocol: PlaintextProtocol; listener: Listener }[] {
  const https = listeners.some((l) => l.proto === 'tcp' && l.port === 443 && !isLoopback(l.address));
  const out: { protocol: PlaintextProtocol; listener: Listener }[] = [];
  for (const l of listeners) {
    if (isLoopback(l.address)) continue;
    const p = PLAINTEXT.find(
      (x) => x.proto === l.proto && (x.ports.includes(l.port) || (l.process !== undefined && x.programs.includes(l.process.comm))),
    );
    if (!p || (p.protocol === 'http' && https)) continue;
    out.push({ protocol: p.protocol, listener: l });
  }
  return out;
}

/** Days before expiry from which a certificate counts as expiring. */
export const CERT_EXPIRY_DAYS = 14;

export const ENCRYPTION_CHECKS: Check[] = [
  defineCheck({
    id: 'ENC-FILESYSTEMS',
    category: 'encryption',
    severity: 'medium',
    needs: ['encryption'],
    title: 'Disk encryption',
    found: 'Filesystems holding the system or data are not encrypted (no LUKS/dm-crypt).',
    why: 'Whoever gets hold of the disk, a stolen laptop, a returned or recycled server disk, a copied virtual disk, can read every file on it, passwords and customer data included.',
    fix: 'Encryption is set up when a disk is formatted: at the next reinstall choose "encrypted LVM"; for a data disk, move the data to a LUKS volume (cryptsetup luksFormat). In a cloud, turn on the provider\'s disk encryption.',
    evaluate: ({ encryption }) => {
      if (encryption.filesystems.length === 0) return skip('no filesystem on a local block device');
      const plain = encryption.filesystems.filter((f) => !f.encrypted);
      const describe = (f: (typeof plain)[number]) => `${f.mountpoint} (${f.fstype} on ${f.device})`;
      return plain.length > 0
        ? fail(...plain.map((f) => `${describe(f)}: not encrypted`))
        : pass(...encryption.filesystems.map((f) => `${describe(f)}: encrypted`));
    },
  }),
  defineCheck({
    id: 'ENC-SWAP',
    category: 'encryption',
    severity: 'medium',
    needs: ['encryption'],
    title: 'Swap encryption',
    found: 'Swap space is written to disk unencrypted.',
    why: 'The system moves memory to swap when short of RAM: passwords, keys and documents that were only ever in memory can end up readable on the disk.',
    fix: 'Encrypt swap with a random key at each boot: an entry in /etc/crypttab (cryptswap /dev/<swap partition> /dev/urandom swap,cipher=aes-xts-plain64,size=512) and /dev/mapper/cryptswap in /etc/fstab; or use zram instead of disk swap',
    evaluate: ({ encryption }) => {
      if (encryption.swap.length === 0) return pass('no swap');
      const plain = encryption.swap.filter((s) => s.encrypted === false);
      const unknown = encryption.swap.filter((s) => s.encrypted === undefined);
      if (plain.length > 0) return fail(...plain.map((s) => `${s.name} (${s.kind}): not encrypted`));
      if (unknown.length > 0) return skip(`cannot tell for ${unknown.map((s) => s.name).join(', ')}`);
      return pass(...encryption.swap.map((s) => `${s.name} (${s.kind}): ${s.kind === 'memory' ? 'in memory (zram)' : 'encrypted'}`));
    },
  }),
  defineCheck({
    id: 'ENC-PLAINTEXT-SERVICES',
    category: 'encryption',
    severity: 'high',
    needs: ['listeners'],
    title: 'Unencrypted network services',
    found:
      'Services that send everything, passwords included, as readable text (telnet, FTP, rsh, TFTP, or web pages without HTTPS) are open to the network.',
    why: 'Anyone on the path, public Wi-Fi, a compromised router, the hosting provider, can read and change what these services send, and reuse the passwords.',
    fix: "Replace them: SSH instead of telnet and rsh, SFTP instead of FTP and TFTP, HTTPS (e.g. with a Let's Encrypt certificate: certbot) instead of plain HTTP; then stop and disable the old service",
    evaluate: ({ listeners }) => {
      const found = plaintextListeners(listeners).map((p) => `${p.protocol}: ${describeListener(p.listener)}`);
      return found.length > 0 ? fail(...capped(found)) : pass('no plain-text service reachable from the network');
    },
  }),
  defineCheck({
    id: 'ENC-TLS-EXPIRED',
    category: 'encryption',
    severity: 'high',
    needs: ['certs'],
    title: 'Expired or expiring certificates',
    found: `A watched TLS certificate has expired or expires within ${CERT_EXPIRY_DAYS} days.`,
    why: 'Visitors get a frightening warning, programs refuse to connect, and people learn to click through warnings that may one day be a real attack.',
    fix: 'Renew the certificate (certbot renew, or your certificate authority) and reload the service that uses it',
    evaluate: ({ certs }) => {
      if (certs.certs.length === 0) return skip('no certificate configured in host.tls.cert_files');
      const now = certs.now / 1000;
      const soon = now + CERT_EXPIRY_DAYS * 86400;
      const bad = certs.certs
        .filter((c) => c.notAfter < soon)
        .map(
          (c) =>
            `${c.path}: ${c.subject} ${c.notAfter < now ? 'expired' : 'expires'} ${new Date(c.notAfter * 1000).toISOString().slice(0, 10)}`,
        );
      return bad.length > 0
        ? fail(...capped(bad))
        : pass(`${certs.certs.length} certificates valid for more than ${CERT_EXPIRY_DAYS} days`);
    },
  }),
  defineCheck({
    id: 'ENC-TLS-WEAK',
    category: 'encryption',
    severity: 'high',
    needs: ['certs'],
    title: 'Weak certificates',
    found: 'A watched TLS certificate has a key that is too small or a signature made with a broken hash (MD5, SHA-1).',
    why: 'A weak key or signature lets a well-equipped attacker forge the certificate and pose as your service; browsers already reject many of them.',
    fix: 'Issue a new certificate with an RSA key of at least 2048 bits or an ECDSA P-256 key, signed with SHA-256 (certbot does this by default)',
    evaluate: ({ certs }) => {
      if (certs.certs.length === 0) return skip('no certificate configured in host.tls.cert_files');
      const bad = certs.certs.flatMap((c) => {
        const why: string[] = [];
        if (weakKey(c)) why.push(`${c.keyType} key of ${c.keyBits} bits`);
        if (!c.selfSigned && weakSignature(c.signatureAlgorithm)) why.push(`signed with ${c.signatureAlgorithm}`);
        return why.length > 0 ? [`${c.path}: ${c.subject}: ${why.join(', ')}`] : [];
      });
      return bad.length > 0 ? fail(...capped(bad)) : pass(`${certs.certs.length} certificates with strong keys and signatures`);
    },
  }),
];

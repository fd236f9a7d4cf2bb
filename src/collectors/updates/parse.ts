// Parsing of package-manager output for the pending-updates check.

export interface PendingUpdates {
  all: number;
  security: number;
}

/**
 * `apt-get -s dist-upgrade` prints one line per package it would install or upgrade:
 *   Inst libssl3 [3.0.11-1~deb12u1] (3.0.11-1~deb12u2 Debian-Security:12/stable-security [amd64])
 *   Inst libc6 [2.35-0ubuntu3.1] (2.35-0ubuntu3.4 Ubuntu:22.04/jammy-updates, Ubuntu:22.04/jammy-security [amd64])
 * A package is a security update when one of the origins of its candidate version is a -security
 * suite (the rule of Ubuntu's update-notifier and of node_exporter's apt textfile script).
 */
export function parseAptSimulate(text: string): PendingUpdates {
  let all = 0;
  let security = 0;
  for (const line of text.split('\n')) {
    if (!line.startsWith('Inst ')) continue;
    all++;
    const open = line.indexOf('(');
    const origins = open >= 0 ? line.slice(open).toLowerCase() : '';
    if (origins.includes('-security')) security++;
  }
  return { all, security };
}

/**
 * `dnf -q check-update` (exit 100 when updates exist) prints "name.arch  version  repo" per package,
 * then possibly an "Obsoleting Packages" section that repeats packages: counting stops there.
 * Continuation lines (a long name wraps the rest onto the next line, starting with spaces) are not
 * packages.
 */
export function parseDnfCheckUpdate(text: string): number {
  let n = 0;
  for (const line of text.split('\n')) {
    if (line.startsWith('Obsoleting Packages')) break;
    if (line === '' || line.startsWith(' ') || line.startsWith('Last metadata expiration')) continue;
    const name = line.split(/\s+/)[0];
    if (name.includes('.')) n++;
  }
  return n;
}

/**
 * `dnf -q updateinfo list --security` prints "ADVISORY  TYPE/SEVERITY  nevra" per advisory and
 * package; a package fixed by several advisories appears several times: distinct packages counted.
 */
export function parseDnfSecurity(text: string): number {
  const packages = new Set<string>();
  for (const line of text.split('\n')) {
    const f = line.trim().split(/\s+/);
    if (f.length < 3 || f[0] === '' || line.startsWith('Last metadata expiration')) continue;
    packages.add(f[f.length - 1]);
  }
  return packages.size;
}

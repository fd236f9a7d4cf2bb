#!/usr/bin/env node
// Makes sure the real binaries the tests run are installed, so that no test skips because a tool is
// absent: promtool and amtool (rule and routing tests), docker-compose (compose file validation),
// openssl (certificates for the TLS tests), ping and python3 (probe tests), journalctl and
// systemd-journal-remote (the journal source's tests write real journal files and read them back),
// systemd-analyze (the systemd unit's tests), prometheus-node-exporter (its textfile parser as the
// reference), tmux (the console in a terminal), and for --e2e also prometheus and
// prometheus-alertmanager. When one is missing and we are root on a Debian-like system, it installs
// the Debian packages; otherwise it fails with the exact command.
import { execFileSync, spawnSync } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';

const e2e = process.argv.includes('--e2e');

/** binary → Debian package providing it */
const NEEDED = {
  promtool: 'prometheus',
  amtool: 'prometheus-alertmanager',
  'docker-compose': 'docker-compose',
  openssl: 'openssl', // the TLS tests (test/server) make their CA and certificates with it
  ping: 'iputils-ping', // the icmp probe runs the system ping (test/probes)
  python3: 'python3', // test/probes: a listener that never accepts (Node always accepts)
  journalctl: 'systemd',
  'systemd-analyze': 'systemd', // verifies the shipped unit (test/packaging/systemd.test.ts)
  'systemd-journal-remote': 'systemd-journal-remote',
  lynis: 'lynis', // the audit's Lynis mapping (src/audit/lynis.ts) is checked against the installed Lynis tests
  // node_exporter's own textfile parser judges the textfile fixtures (test/host/textfile-node-exporter.test.ts)
  'prometheus-node-exporter': 'prometheus-node-exporter',
  tmux: 'tmux', // hostwatch top drawn in a real terminal (test/top/tmux.test.ts)
  ...(e2e ? { prometheus: 'prometheus', 'prometheus-alertmanager': 'prometheus-alertmanager' } : {}),
};

/** Tools outside PATH: binary → its absolute path. */
const AT = { 'systemd-journal-remote': '/lib/systemd/systemd-journal-remote' };

function onPath(bin) {
  if (AT[bin]) {
    try {
      accessSync(AT[bin], constants.X_OK);
      return true;
    } catch {
      return false;
    }
  }
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    try {
      accessSync(join(dir, bin), constants.X_OK);
      return true;
    } catch {
      // keep looking
    }
  }
  return false;
}

const missing = Object.entries(NEEDED).filter(([bin]) => !onPath(bin));
if (missing.length === 0) process.exit(0);

const pkgs = [...new Set(missing.map(([, pkg]) => pkg))];
const command = `apt-get update && apt-get install -y --no-install-recommends ${pkgs.join(' ')}`;
const isRoot = process.getuid?.() === 0;
const hasApt = onPath('apt-get');
if (!isRoot || !hasApt || process.env.HOSTWATCH_NO_INSTALL) {
  process.stderr.write(
    `missing test tools: ${missing.map(([b]) => b).join(', ')}\n` +
      `install them with:\n  ${isRoot ? '' : 'sudo '}${command.replace('&& apt-get', `&& ${isRoot ? '' : 'sudo '}apt-get`)}\n`,
  );
  process.exit(1);
}
process.stderr.write(`installing test tools: ${pkgs.join(' ')}\n`);
const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
execFileSync('apt-get', ['update', '-qq'], { stdio: 'inherit', env });
// policy-rc.d keeps the packages' services from being started by the install on hosts with an init.
const r = spawnSync('apt-get', ['install', '-y', '-qq', '--no-install-recommends', ...pkgs], { stdio: 'inherit', env });
if (r.status !== 0) {
  process.stderr.write(`apt-get install failed; run:\n  ${command}\n`);
  process.exit(1);
}
const still = Object.keys(NEEDED).filter((bin) => !onPath(bin));
if (still.length) {
  process.stderr.write(`still missing after install: ${still.join(', ')}\n`);
  process.exit(1);
}

// Helpers of the audit tests: fixture roots copied to a temporary directory (with the permission
// bits git cannot keep), audit options pointing every path there, stand-ins for the few programs
// that cannot run on a test machine (a package manager printing captured output, ufw), and
// certificates made with the openssl CLI.
import { execFile } from 'node:child_process';
import { chmodSync, cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { parseConfig } from '../../src/config/load.js';
import type { AuditOptions } from '../../src/audit/run.js';
import type { Tools } from '../../src/audit/facts/context.js';

export const AUDIT_FIXTURES = fileURLToPath(new URL('../fixtures/audit/', import.meta.url));
export const UPDATE_FIXTURES = fileURLToPath(new URL('../fixtures/updates/', import.meta.url));
export const COMMANDS = join(AUDIT_FIXTURES, 'commands');

const run = promisify(execFile);

/** A fresh temporary directory (under `parent` when given: then removed with it). */
export function tempDir(prefix: string, parent = tmpdir()): string {
  return mkdtempSync(join(parent, `hostwatch-${prefix}-`));
}

/**
 * Copies test/fixtures/audit/<name> to `into`/root, applies its MODES file, then the overrides
 * (relative path → new content, or null to delete). Returns the root.
 */
export function fixtureRoot(name: string, into: string, overrides: Record<string, string | null> = {}): string {
  const root = join(into, `root-${name}`);
  rmSync(root, { recursive: true, force: true });
  cpSync(join(AUDIT_FIXTURES, name), root, { recursive: true, verbatimSymlinks: true });
  for (const line of readFileSync(join(root, 'MODES'), 'utf8').split('\n')) {
    const m = /^([0-7]{4})\s+(\S+)$/.exec(line.trim());
    if (m) chmodSync(join(root, m[2]), Number.parseInt(m[1], 8));
  }
  rmSync(join(root, 'MODES'));
  for (const [rel, content] of Object.entries(overrides)) {
    const p = join(root, rel);
    if (content === null) rmSync(p, { recursive: true, force: true });
    else {
      mkdirSync(dirname(p), { recursive: true });
      writeFileSync(p, content);
    }
  }
  return root;
}

/** Audit options for a root: its files, its proc/ and sys/, and the given certificate files. */
export function auditOptions(
  root: string,
  stateDir: string,
  extra: { certFiles?: string[]; tools?: Tools; now?: number; audit?: Record<string, unknown> } = {},
): AuditOptions {
  const config = parseConfig({
    host: { rootfs_path: root, proc_path: join(root, 'proc'), sys_path: join(root, 'sys'), tls: { cert_files: extra.certFiles ?? [] } },
    audit: extra.audit ?? {},
  });
  return { host: config.host, audit: config.audit, stateDir, now: extra.now ?? Date.now(), tools: extra.tools ?? { commands: {} } };
}

/** An executable script in `dir` that records its arguments (one line per call) and runs `body`. */
export function script(dir: string, name: string, body: string): { path: string; calls: () => string[] } {
  const path = join(dir, name);
  writeFileSync(path, `#!/bin/sh\necho "$*" >> "$0.calls"\n${body}\n`, { mode: 0o755 });
  return {
    path,
    calls: () => {
      try {
        return readFileSync(`${path}.calls`, 'utf8').trim().split('\n').filter(Boolean);
      } catch {
        return [];
      }
    },
  };
}

/** apt-get printing the captured output of `apt-get -s dist-upgrade` of a real system. */
export function fakeApt(dir: string, capture: string): Tools['updates'] {
  return { name: 'apt', path: script(dir, `apt-get-${capture}`, `cat '${join(UPDATE_FIXTURES, capture)}'`).path };
}

/** Runs openssl (test certificates: Node cannot sign X.509 itself). */
async function openssl(args: string[], cwd: string): Promise<void> {
  await run('openssl', args, { cwd });
}

export interface TestCerts {
  /** EC P-256 leaf signed by the CA with SHA-256, valid 30 days; the file also holds the CA. */
  strong: string;
  /** RSA 1024 leaf signed by the CA with SHA-1, valid 30 days. */
  weak: string;
}

export async function makeCerts(dir: string): Promise<TestCerts> {
  await openssl(
    [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:P-256',
      '-nodes',
      '-keyout',
      'ca.key',
      '-out',
      'ca.crt',
      '-days',
      '2',
      '-subj',
      '/CN=audit test CA',
    ],
    dir,
  );
  const leaf = async (name: string, keyArgs: string[], digest: string) => {
    await openssl(['req', ...keyArgs, '-nodes', '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', `/CN=${name}.example`], dir);
    await openssl(
      [
        'x509',
        '-req',
        '-in',
        `${name}.csr`,
        '-CA',
        'ca.crt',
        '-CAkey',
        'ca.key',
        '-CAcreateserial',
        '-out',
        `${name}.crt`,
        '-days',
        '30',
        digest,
      ],
      dir,
    );
    // A chain file as web servers use: the leaf, then its CA (a trust anchor, not judged itself).
    writeFileSync(
      join(dir, `${name}-chain.pem`),
      readFileSync(join(dir, `${name}.crt`), 'utf8') + readFileSync(join(dir, 'ca.crt'), 'utf8'),
    );
    return join(dir, `${name}-chain.pem`);
  };
  return {
    strong: await leaf('strong', ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256'], '-sha256'),
    weak: await leaf('weak', ['-newkey', 'rsa:1024'], '-sha1'),
  };
}

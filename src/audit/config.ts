// The `audit:` key of hostwatch.yml: the security posture audit (src/audit/), run by the exporter in
// the background and by `hostwatch audit`. Every key is described and defaulted, like the rest of
// the schema (config/schema.ts adds this fragment under `audit`).
import { z } from 'zod';
import { bool, duration, posInt } from '../config/fields.js';

const absolutePaths = (description: string, def: string[]) =>
  z
    .array(z.string().refine((p) => p.startsWith('/'), { message: 'must be an absolute path' }))
    .default(def)
    .describe(description);

/** Where programs live: PATH directories of a root shell, and where packages and admins put helpers. */
export const DEFAULT_SUID_PATHS = [
  '/usr/local',
  '/usr/bin',
  '/usr/sbin',
  '/bin',
  '/sbin',
  '/usr/lib',
  '/usr/libexec',
  '/opt',
  '/tmp',
  '/var/tmp',
  '/dev/shm',
];
export const DEFAULT_WORLD_WRITABLE_PATHS = ['/etc', '/usr/local/sbin', '/usr/local/bin', '/usr/sbin', '/usr/bin', '/sbin', '/bin'];

export const auditSchema = z
  .strictObject({
    enabled: bool('Run the security posture audit in the background (results in hostwatch_audit_* metrics)', true),
    interval: duration('How often the background audit runs', '1h'),
    first_run_delay: duration(
      "Delay of the first background audit after start: it walks directory trees and asks the package manager, which the first scrapes (and the updates collector's own check) should not compete with",
      '30s',
    ),
    command_timeout: duration('Time one command (sshd -T, nft list ruleset, ufw status, ...) may take before it is abandoned', '10s'),
    skip: z
      .array(z.string().regex(/^[A-Z0-9-]+$/, 'must be a check id such as SSH-X11-FORWARDING'))
      .default([])
      .describe('Check ids not to run (accepted risks); listed by `hostwatch audit --list`'),
    suid_paths: absolutePaths(
      'Directories searched (recursively, on their own filesystem) for SUID/SGID programs not owned by a package',
      DEFAULT_SUID_PATHS,
    ),
    world_writable_paths: absolutePaths(
      'Directories searched (recursively) for world-writable files and directories',
      DEFAULT_WORLD_WRITABLE_PATHS,
    ),
    max_files: posInt(
      'Files and directories examined at most by the SUID and world-writable search (one walk of both lists of directories; bounds the cost on huge trees)',
      300_000,
    ),
    cache_max_age: duration(
      'Age up to which `hostwatch audit` reuses, from the state directory, the results of the two costly parts of an audit: the pending-updates check (apt-get/dnf) and the SUID/world-writable search (the scheduled audit always redoes them)',
      '1h',
    ),
  })
  .prefault({})
  .describe('Security posture audit (checks, score, encryption status; see docs/audit.md)');

export type AuditConfig = z.output<typeof auditSchema>;

// The facts an audit reads, by name, and the reader of each. A fact is read only when a selected
// check needs it, once per run; a reader that throws makes the checks needing it report an error.
import type { FactContext } from './context.js';
import { readGroup, readLoginDefs, readPasswd, readShadow, type GroupEntry, type PasswdEntry, type ShadowEntry } from './accounts.js';
import { readCerts, type CertFacts } from './certs.js';
import { readEncryption, type EncryptionFacts } from './encryption.js';
import {
  readMounts,
  readSecretFiles,
  readSpecialModes,
  type MountEntry,
  type SecretFileFacts,
  type SpecialModeFacts,
} from './filesystem.js';
import { readFirewall, type FirewallFacts } from './firewall.js';
import { readMac, readSysctls, type MacFacts, type SysctlFacts } from './kernel.js';
import { readLogging, type LoggingFacts } from './logging.js';
import { readListeners, type Listener } from './network.js';
import { readPackages, type PackageFacts } from './packages.js';
import { readProcesses, type ProcessInfo } from './processes.js';
import { readSshd, type SshdFacts } from './sshd.js';
import { readSudoers, type SudoersFacts } from './sudoers.js';
import {
  readAutoUpdates,
  readPendingUpdates,
  readReboot,
  type AutoUpdatesFacts,
  type PendingUpdatesFacts,
  type RebootFacts,
} from './updates.js';

export interface FactMap {
  packages: PackageFacts;
  processes: ProcessInfo[];
  /** null: no OpenSSH server on the host. */
  sshd: SshdFacts | null;
  passwd: PasswdEntry[];
  shadow: ShadowEntry[];
  group: GroupEntry[];
  loginDefs: Record<string, string>;
  /** null: sudo is not configured. */
  sudoers: SudoersFacts | null;
  firewall: FirewallFacts;
  /** null: no package manager to ask (or not the running system). */
  pendingUpdates: PendingUpdatesFacts | null;
  autoUpdates: AutoUpdatesFacts;
  reboot: RebootFacts;
  mounts: MountEntry[];
  specialModes: SpecialModeFacts;
  secretFiles: SecretFileFacts;
  listeners: Listener[];
  sysctl: SysctlFacts;
  mac: MacFacts;
  logging: LoggingFacts;
  encryption: EncryptionFacts;
  certs: CertFacts;
}

export const FACT_READERS: { [K in keyof FactMap]: (ctx: FactContext) => Promise<FactMap[K]> } = {
  packages: readPackages,
  processes: readProcesses,
  sshd: readSshd,
  passwd: readPasswd,
  shadow: readShadow,
  group: readGroup,
  loginDefs: readLoginDefs,
  sudoers: readSudoers,
  firewall: readFirewall,
  pendingUpdates: readPendingUpdates,
  autoUpdates: readAutoUpdates,
  reboot: readReboot,
  mounts: readMounts,
  specialModes: readSpecialModes,
  secretFiles: readSecretFiles,
  listeners: readListeners,
  sysctl: readSysctls,
  mac: readMac,
  logging: readLogging,
  encryption: readEncryption,
  certs: readCerts,
};

// The facts an audit reads, by name, and the reader of each. A fact is read only when a selected
// check needs it, once per run; a reader that throws makes the checks needing it report an error.
import type { FactContext } from './context.js';
import type { FactMap } from './types.js';
import { readGroup, readLoginDefs, readPasswd, readShadow } from './accounts.js';
import { readCerts } from './certs.js';
import { readEncryption } from './encryption.js';
import { readMounts, readSecretFiles, readSpecialModes } from './filesystem.js';
import { readFirewall } from './firewall.js';
import { readMac, readSysctls } from './kernel.js';
import { readLogging } from './logging.js';
import { readListeners } from './network.js';
import { readPackages } from './packages.js';
import { readProcesses } from './processes.js';
import { readSshd } from './sshd.js';
import { readSudoers } from './sudoers.js';
import { readAutoUpdates, readPendingUpdates, readReboot } from './updates.js';

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

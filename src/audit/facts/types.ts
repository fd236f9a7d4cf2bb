// The facts an audit reads, as data: what each reader of this folder returns, and FactMap, the
// fact of each name. Types only, importing none of the readers, so that the readers, their context
// (context.ts) and the list of readers (index.ts) depend on this module and never on each other in a loop.

import type { CertStrength } from '../../collectors/tls/strength.js';

// Read by accounts.ts
export interface PasswdEntry {
  name: string;
  uid: number;
  gid: number;
  home: string;
  shell: string;
  line: number;
}

export interface ShadowEntry {
  name: string;
  /** The password field: "" (no password), "!"/"*"-prefixed (locked), or a hash. */
  hash: string;
  /** Maximum password age in days; undefined when the field is empty (no aging). */
  maxDays?: number;
}

export interface GroupEntry {
  name: string;
  gid: number;
  members: string[];
}

// Whether a costly fact was computed now or reused from the state directory (cache.ts)
export interface Freshness {
  /** When the fact was computed (ms since the epoch). */
  checkedAt: number;
  /** Read from the state directory rather than computed by this run; then its age. */
  cached: boolean;
  ageMs: number;
}

// Read by certs.ts
export interface CertFact extends CertStrength {
  path: string;
  subject: string;
  /** Seconds since the epoch. */
  notAfter: number;
}

export interface CertFacts {
  certs: CertFact[];
  /** Files that could not be read or parsed, with why. */
  errors: string[];
  /** When they were read (ms since the epoch): expiry is judged against it. */
  now: number;
}

// Read by encryption.ts
export interface FilesystemEncryption {
  mountpoint: string;
  /** Kernel name of the block device: vda, sda2, dm-0, nvme0n1p3. */
  device: string;
  fstype: string;
  encrypted: boolean;
}

export interface SwapEncryption {
  /** As /proc/swaps names it. */
  name: string;
  kind: 'partition' | 'file' | 'memory';
  /** undefined when the device could not be resolved. */
  encrypted?: boolean;
}

export interface EncryptionFacts {
  filesystems: FilesystemEncryption[];
  swap: SwapEncryption[];
}

// Read by filesystem.ts
export interface MountEntry {
  /** "major:minor" of the device (st_dev of files on it). */
  device: string;
  /** Path within the filesystem that is mounted ("/" unless a bind mount or subvolume). */
  root: string;
  mountpoint: string;
  fstype: string;
  source: string;
  /** Per-mount options (nosuid, noexec, nodev, ro, ...). */
  options: string[];
}

export interface SpecialModeFacts extends Freshness {
  /** World-writable files and directories (host paths; at most MAX_LISTED). */
  worldWritable: { path: string; dir: boolean; sticky: boolean }[];
  worldWritableCount: number;
  /** SUID/SGID regular files found. */
  setid: { path: string; mode: number; uid: number }[];
  /** Those no package owns; undefined when there is no package database to ask. */
  unowned?: string[];
  packageManager: string;
  /** The walk stopped at audit.max_files. */
  truncated: boolean;
  examined: number;
}

export interface FileMode {
  path: string;
  mode: number;
  uid: number;
  gid: number;
}

export interface SecretFileFacts {
  shadow?: FileMode;
  gshadow?: FileMode;
  /** SSH host private keys (/etc/ssh/ssh_host_*_key). */
  hostKeys: FileMode[];
}

// Read by firewall.ts
export interface InputChain {
  table: string;
  chain: string;
  policy: 'accept' | 'drop';
  /** Rule lines, in order. */
  rules: string[];
}

export interface FirewallFacts {
  ufw?: {
    /** ENABLED=yes in /etc/ufw/ufw.conf: ufw starts at boot. */
    enabledAtBoot: boolean;
    /** From `ufw status verbose`; undefined when it could not be run. */
    active?: boolean;
    /** DEFAULT_INPUT_POLICY of /etc/default/ufw: DROP, REJECT or ACCEPT. */
    defaultInput?: string;
  };
  /** Base chains on the input hook of `nft list ruleset`; undefined when it could not be run. */
  nftInputChains?: InputChain[];
  /** Why the ruleset is unknown. */
  nftNote?: string;
  firewalldRunning: boolean;
}

// Read by kernel.ts
/** Key → current value; keys the kernel does not have are absent. */
export type SysctlFacts = Record<string, number>;

export interface MacFacts {
  apparmor?: {
    enabled: boolean;
    /** Profiles by mode (enforce, complain, ...); undefined when securityfs cannot be read. */
    profiles?: Record<string, number>;
  };
  selinux?: {
    enforcing: boolean;
    /** SELINUX= of /etc/selinux/config. */
    configured?: string;
  };
}

// Read by logging.ts
export interface LoggingFacts {
  /** Storage= in effect: volatile, persistent, auto (the default) or none. */
  journaldStorage: string;
  /** Where it was set, when not the default. */
  journaldStorageFile?: string;
  varLogJournal: boolean;
}

// Read by network.ts
export interface Listener {
  proto: 'tcp' | 'udp';
  /** Local address as text: "0.0.0.0", "127.0.0.1", "::", "::1", "2001:db8::1". */
  address: string;
  port: number;
  inode: number;
  uid: number;
  /** Owning process, when /proc/<pid>/fd could be read. */
  process?: { pid: number; comm: string };
}

// Read by packages.ts
export interface PackageFacts {
  manager: 'dpkg' | 'rpm' | 'none';
  /** Installed package name → version. */
  installed: Map<string, string>;
}

// Read by processes.ts
export interface ProcessInfo {
  pid: number;
  /** /proc/<pid>/comm: the program name, at most 15 characters. */
  comm: string;
}

// Read by sshd.ts
export interface SshdOrigin {
  /** Host path of the file and line that set the value. */
  file: string;
  line: number;
  text: string;
}

export interface SshdFacts {
  source: 'sshd -T' | 'config files';
  /** Why `sshd -T` was not used, when it was not. */
  note?: string;
  /** Effective global settings, keywords in lower case (sshd -T's form). */
  settings: Record<string, string>;
  /** Where the config files set each keyword (its first occurrence outside Match blocks). */
  origin: Record<string, SshdOrigin>;
  /** Ports sshd listens on. */
  ports: number[];
  /** The main configuration file (host path). */
  configFile: string;
  /** Installed OpenSSH server version (package database), when known. */
  version?: string;
}

export interface SshdDirective {
  keyword: string;
  value: string;
  line: number;
  text: string;
  /** Inside a Match block: applies to some connections only. */
  inMatch: boolean;
}

// Read by sudoers.ts
export interface SudoRule {
  /** Host path of the file and line number of the rule. */
  file: string;
  line: number;
  /** The users of the rule, aliases expanded: "alice", "%group", "#1000", "ALL". */
  users: string[];
  /** Whether the rule lets them run ALL commands with the NOPASSWD tag. */
  nopasswdAll: boolean;
  text: string;
}

export interface SudoersFacts {
  rules: SudoRule[];
  files: string[];
}

// Read by updates.ts
export interface PendingUpdatesFacts extends Freshness {
  tool: string;
  all: number;
  security: number;
}

export interface AutoUpdatesFacts {
  manager: 'apt' | 'dnf' | 'none';
  /** The automatic-updates package (unattended-upgrades, dnf-automatic) is installed. */
  installed: boolean;
  enabled: boolean;
  /** Where the setting was found, or why it is off. */
  detail: string;
}

export interface RebootFacts {
  /** The reboot-required flag file exists (Debian/Ubuntu package hooks write it). */
  flagFile: boolean;
  runningKernel?: string;
  /** The newest kernel image in /boot, when there is one. */
  newestKernel?: string;
}

// The fact of each name: what FactContext.get(name) returns.
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

// The bounded label values of the auth metrics: whatever the log contains, `service`, `reason`
// and `method` take only these values.

/** Programs and PAM service names mapped to the `service` label; anything else is "other". */
const SERVICES: Record<string, string> = {
  sshd: 'sshd',
  'sshd-session': 'sshd', // OpenSSH >= 9.8 logs the connection from a separate binary
  'sshd-auth': 'sshd', // OpenSSH >= 10.0
  'sshd-keygen-wrapper': 'sshd', // macOS runs sshd through it
  'ssh.service': 'sshd', // journalctl -o with-unit names the unit
  'sshd.service': 'sshd',
  dropbear: 'dropbear',
  doas: 'doas',
  runuser: 'su',
  sudo: 'sudo',
  'sudo-i': 'sudo',
  su: 'su',
  'su-l': 'su',
  login: 'login',
  'gdm-password': 'gdm',
  'gdm-autologin': 'gdm',
  'gdm-fingerprint': 'gdm',
  'gdm-smartcard': 'gdm',
  lightdm: 'lightdm',
  sddm: 'sddm',
  vsftpd: 'vsftpd',
  proftpd: 'proftpd',
  dovecot: 'dovecot',
  'dovecot-auth': 'dovecot',
  cockpit: 'cockpit',
  'polkit-1': 'polkit',
  polkitd: 'polkit',
  'xrdp-sesman': 'xrdp',
  passwd: 'passwd',
};

export const SERVICE_VALUES = [...new Set(Object.values(SERVICES)), 'other'];

export function serviceOf(name: string): string {
  return SERVICES[name] ?? 'other';
}

/** sshd's method names (`Failed <method> for`, `Accepted <method> for`) to the `method` label. */
const METHODS: Record<string, string> = {
  password: 'password',
  publickey: 'publickey',
  'keyboard-interactive': 'keyboard_interactive',
  'keyboard-interactive/pam': 'keyboard_interactive',
  hostbased: 'hostbased',
  'gssapi-with-mic': 'gssapi',
  'gssapi-keyex': 'gssapi',
  gssapi: 'gssapi',
  none: 'none',
};

export function methodOf(sshdMethod: string): string {
  return METHODS[sshdMethod] ?? 'other';
}

/** Every `method` label value of hostwatch_auth_successes_total (sshd's, and the local programs'). */
export const SUCCESS_METHODS: readonly string[] = [...new Set([...Object.values(METHODS), 'other', 'sudo', 'su', 'doas'])];

/** Every `reason` label value (failures and the uncounted info lines). */
export const REASONS = [
  'password',
  'publickey',
  'keyboard_interactive',
  'hostbased',
  'gssapi',
  'none',
  'other',
  'invalid_user',
  'pam',
  'max_attempts',
  'preauth_disconnect',
  'not_allowed',
  'root_refused',
  'negotiation',
  'no_identification',
  'sudo_password',
  'not_in_sudoers',
  'su',
  'login',
  'doas',
  'timeout',
  'protocol',
  'penalty',
  'refused_connect',
] as const;
export type Reason = (typeof REASONS)[number];

/**
 * Failures that are not credential guesses (a scanner that never identifies, a client without a
 * common cipher, a connection that idles past the login grace time or breaks the protocol, one
 * sshd or tcp_wrappers refuses before any authentication): counted in
 * hostwatch_auth_failures_total but not towards brute force.
 */
export const CONNECTION_REASONS: ReadonlySet<string> = new Set([
  'negotiation',
  'no_identification',
  'timeout',
  'protocol',
  'penalty',
  'refused_connect',
]);

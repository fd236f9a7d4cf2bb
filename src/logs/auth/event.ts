// What the auth parser makes of one line, and how the handler counts it.

export type AuthEventType = 'failure' | 'success' | 'invalid_user' | 'info';

/**
 * How a failure is counted so that one attempt logged on several lines counts once:
 *  - attempt: one authentication attempt (sshd `Failed password`, a PAM failure of sudo/su/login)
 *  - session: a per-connection verdict (max attempts exceeded, preauth disconnect naming a user,
 *    user not allowed, root refused, Failed publickey/none): counted only if the connection has no
 *    other counted failure, and it stands for the connection's first attempt
 *  - mark: `Invalid user`: not a failure by itself, remembers the connection's user is invalid
 *  - end: a preauth disconnect without a user: a failure only if the connection was marked invalid
 *    and nothing was counted for it (an enumeration probe that never tried a password)
 */
export type AuthScope = 'attempt' | 'session' | 'mark' | 'end';

export interface AuthEvent {
  event: AuthEventType;
  /** Bounded: see labels.ts. */
  service: string;
  /** The account authenticated as (attacker-controlled for sshd: never a label). */
  user?: string;
  /** The remote address or host name sshd/PAM logged. */
  source?: string;
  reason?: string;
  method?: string;
  /** Attempts the line stands for (`PAM 2 more authentication failures`, `message repeated 3 times`). */
  count: number;
  scope?: AuthScope;
  /** For `pam_<module>(svc:auth): authentication failure`: the module (pam_unix, pam_sss...). */
  pamModule?: string;
}

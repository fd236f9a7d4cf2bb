// What the auth parser makes of one line, and how the handler counts it.

export type AuthEventType = 'failure' | 'success' | 'invalid_user' | 'info';

/**
 * How a failure is counted so that one attempt logged on several lines counts once:
 *  - attempt: one authentication attempt (sshd `Failed password`, a PAM failure of sudo/su/login)
 *  - session: a per-connection verdict (max attempts exceeded, preauth disconnect naming a user,
 *    user not allowed, root refused, a probe): counted only if the connection has no other counted
 *    failure, and it stands for the connection's first attempt
 *  - mark: `Invalid user`: not a failure by itself, remembers the connection's user is invalid
 *  - end: a preauth disconnect without a user: a failure only if the connection was marked invalid
 *    and nothing was counted for it (an enumeration probe that never tried a password)
 *  - echo: a failure another line of the same attempt counts (sshd's PAM lines, sudo's `3 incorrect
 *    password attempts`, `FAILED SU`, `FAILED LOGIN`, unix_chkpwd): recognised, never counted
 *  - connect: names the connection's source only (`Connection from`, dropbear `Child connection
 *    from`), for the connection's later lines that do not
 *  - tentative: a key the account does not accept, or the `none` probe, for an existing account
 *    (event info): what a client with several keys does before its good one. The connection counts
 *    one failure if it ends without logging in (its end line, or a per-connection verdict)
 */
export type AuthScope = 'attempt' | 'session' | 'mark' | 'end' | 'echo' | 'connect' | 'tentative';

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
  /**
   * The pid of the connection a line is about when another process logs it (sshd's listener:
   * `Timeout before authentication for connection from ..., pid = 4242`); else the line's own pid.
   */
  connection?: string;
}

/** One line of an auth log, read: its syslog header, and its event when it is one. */
export interface ParsedAuthLine {
  timestamp?: number;
  host?: string;
  program: string;
  pid?: string;
  /** undefined: a log line that is not an authentication event (session opened, cron...). */
  event?: AuthEvent;
}

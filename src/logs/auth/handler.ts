// The auth log handler: turns parsed events into counters, correlates the lines of one sshd
// connection (so one attempt logged on several lines counts once, see event.ts), and feeds
// failures with a source to the brute-force detector and the top-sources summary.
//
// Time: the detector runs on the line's own timestamp (falling back to the clock for lines without
// one), so replaying an old log, or catching up after downtime, gives the detections that really
// happened then, not a burst "now". The gauge of sources currently over the threshold is
// evaluated at the clock's now, so replayed old attacks do not show as current.
//
// Cost: the state is numbers in bounded tables (connections.ts, ../security/slots.ts); a line
// builds no key string and allocates nothing that outlives it, whatever its sources.
import type { Clock } from '../../core/clock.js';
import type { Logger } from '../../core/log.js';
import type { AuthLogConfig } from './config.js';
import type { HandlerContext, LineResult, LogHandler } from '../handler.js';
import { BruteForceDetector } from '../security/bruteforce.js';
import { TopSources, topCapacity } from '../security/top-sources.js';
import { sourceKey } from '../security/source-key.js';
import type { SlotKey } from '../security/slots.js';
import { MAX_SOURCE_LENGTH, type Problems } from '../security/validate.js';
import { Connections, emptyConnections } from './connections.js';
import type { AuthEvent } from './event.js';
import { CONNECTION_REASONS } from './labels.js';
import { parseAuthLine, type ParsedAuthLine } from './parse.js';
import { AUTH_STATE_VERSION, checkAuthState, Counters, MAX_USER_LENGTH, OTHER, toRecord, type AuthState } from './state.js';
import type { LogRecord } from '../record.js';
import { authRecord } from '../security/records.js';

export { OTHER, emptyAuthState, type AuthState } from './state.js';

/** Services whose lines of one connection share a pid (sshd's monitor, dropbear's child). */
const CONNECTION_SERVICES: ReadonlySet<string> = new Set(['sshd', 'dropbear']);
/** Lines of one attempt from two PAM modules (or PAM and the program) this far apart are one attempt. */
const SAME_ATTEMPT_SECONDS = 3;

/**
 * Why the last line counted no failure (for `hostwatch parse`):
 *   counted             it counted (a failure, or a success, an invalid user, a sudo command)
 *   echo                it repeats an attempt that another line of the same attempt counts
 *   same_attempt        another PAM module (or the program) logging the attempt PAM's line counted
 *   connection_counted  its connection's failure was counted already (on an earlier line)
 *   pending             a rejected key or `none`: counted if the connection ends without a login
 *   connect             it names the connection's source, for the connection's later lines
 *   not_a_signal        a log line that is no authentication failure (sessions, cron, disconnects)
 */
export type Why = 'counted' | 'echo' | 'same_attempt' | 'connection_counted' | 'pending' | 'connect' | 'not_a_signal';

/** What the last processed line counted. */
export interface AuthLineOutcome {
  /** Failures it added to hostwatch_auth_failures_total. */
  counted: number;
  /** Its source, or its connection's when the line names none (`Disconnecting: Too many authentication failures`). */
  source?: string;
  why: Why;
  /** `host|pid` of the connection an sshd or dropbear line belongs to. */
  connection?: string;
}

/**
 * The key of a source for detection: an IPv4-mapped IPv6 address (`::ffff:1.2.3.4`, vsftpd and
 * dual-stack daemons) is the IPv4 address other lines log; the length cap bounds memory whatever
 * a line holds (a DNS name is at most 253 characters).
 */
export function detectorSource(source: string): string {
  if (source.length > 7 && source.slice(0, 7).toLowerCase() === '::ffff:' && /^\d{1,3}(\.\d{1,3}){3}$/.test(source.slice(7))) {
    return source.slice(7);
  }
  return source.length > MAX_SOURCE_LENGTH ? source.slice(0, MAX_SOURCE_LENGTH) : source;
}

export class AuthHandler implements LogHandler<AuthState> {
  private failures = new Counters();
  private successes = new Counters();
  private invalidUsers = new Map<string, number>();
  private sudoCommands = new Map<string, number>();
  private detections = new Map<string, number>([['sshd', 0]]);
  private lastPam: [string, string] | undefined;
  private readonly detector: BruteForceDetector;
  private readonly top: TopSources;
  private readonly conns = new Connections();
  private readonly clock: Clock;
  private readonly logger?: Logger;
  private readonly maxSudoUsers: number;
  // What the last line did (read through `last`): plain fields, set without allocating.
  private lastCounted = 0;
  private lastWhy: Why = 'not_a_signal';
  private lastSource: string | undefined;
  private lastKey: SlotKey | undefined;
  private lastHost: string | undefined;
  private lastPid: string | undefined;

  constructor(ctx: Pick<HandlerContext<AuthLogConfig>, 'config' | 'clock'> & { logger?: Logger }) {
    const bf = ctx.config.bruteforce;
    this.detector = new BruteForceDetector({ threshold: bf.threshold, window: bf.window, maxSources: bf.max_sources });
    this.top = new TopSources(topCapacity(ctx.config.top_sources));
    this.clock = ctx.clock;
    this.logger = ctx.logger;
    this.maxSudoUsers = ctx.config.max_sudo_users;
  }

  /** Sources currently held by the detector (for tests of the memory cap). */
  get trackedSources(): number {
    return this.detector.size;
  }

  /** What the last processed line counted, and why not when it did not. */
  get last(): AuthLineOutcome {
    let source = this.lastSource;
    if (source === undefined && this.lastKey !== undefined) {
      const slot = this.conns.peek(this.lastKey);
      source = slot < 0 ? undefined : this.conns.sourceOf(slot);
    }
    const out: AuthLineOutcome = { counted: this.lastCounted, source, why: this.lastWhy };
    if (this.lastKey !== undefined) out.connection = `${this.lastHost ?? ''}|${this.lastPid}`;
    return out;
  }

  processLine(line: string): LineResult {
    this.resetLast();
    let parsed;
    try {
      parsed = parseAuthLine(line, this.clock.now());
    } catch {
      return { parsed: false };
    }
    return parsed ? this.count(parsed) : { parsed: false };
  }

  /** A journal entry: its header fields are given, the message goes to the program's grammar. */
  processRecord(rec: LogRecord): LineResult {
    this.resetLast();
    let parsed;
    try {
      parsed = authRecord(rec);
    } catch {
      return { parsed: false };
    }
    return this.count(parsed);
  }

  private resetLast(): void {
    this.lastCounted = 0;
    this.lastWhy = 'not_a_signal';
    this.lastSource = undefined;
    this.lastKey = undefined;
  }

  private count(parsed: ParsedAuthLine): LineResult {
    const ev = parsed.event;
    if (ev) {
      this.lastSource = ev.source;
      if (ev.pamModule !== undefined && this.samePamAttempt(ev.pamModule, parsed, ev)) {
        this.lastWhy = 'same_attempt';
      } else {
        const t = parsed.timestamp ?? this.clock.now();
        const pid = ev.connection ?? parsed.pid;
        let key: SlotKey | undefined;
        if (pid !== undefined && CONNECTION_SERVICES.has(ev.service)) {
          key = this.conns.key(parsed.host, pid);
          this.lastKey = key;
          this.lastHost = parsed.host;
          this.lastPid = pid;
        }
        this.apply(ev, t, key);
      }
    }
    return { parsed: true, timestamp: parsed.timestamp };
  }

  /**
   * A stack of PAM modules (pam_unix then pam_sss/pam_ldap on a directory-joined host) logs one
   * attempt once per module, on consecutive lines, and doas logs its own line after PAM's (once
   * PAM's failure delay is over): the same program, pid and user a few seconds later from another
   * module is the same attempt.
   */
  private samePamAttempt(module: string, p: ParsedAuthLine, ev: AuthEvent): boolean {
    const who = `${p.host ?? ''}|${p.program}|${p.pid ?? ''}|${ev.user ?? ''}|`;
    const second = Math.floor((p.timestamp ?? 0) / 1000);
    const key = `${who}${second}`;
    const last = this.lastPam;
    const close =
      last !== undefined && last[1].startsWith(who) && Math.abs(Number(last[1].slice(who.length)) - second) <= SAME_ATTEMPT_SECONDS;
    if (last !== undefined && close && !last[0].split(',').includes(module)) {
      this.lastPam = [`${last[0]},${module}`, key];
      return true;
    }
    // A module already seen for this key logs a new attempt.
    this.lastPam = [module, key];
    return false;
  }

  /** The slot of the connection `key` (-1 for a line of no connection). */
  private connection(key: SlotKey | undefined, t: number, create: boolean): number {
    return key === undefined ? -1 : this.conns.get(key, t, create);
  }

  private apply(ev: AuthEvent, t: number, key: SlotKey | undefined): void {
    switch (ev.event) {
      case 'success':
        this.successes.add(ev.service, ev.method ?? 'other', ev.count);
        if (ev.service === 'sudo') this.countSudo(ev.user ?? '', ev.count);
        if (key !== undefined) this.conns.delete(key);
        this.lastWhy = 'counted';
        return;
      case 'invalid_user': {
        this.invalidUsers.set(ev.service, (this.invalidUsers.get(ev.service) ?? 0) + ev.count);
        this.lastWhy = 'counted';
        const slot = this.connection(key, t, true);
        if (slot >= 0) {
          this.conns.setMark(slot, 'invalid_user');
          this.learnSource(slot, ev.source, t, ev.service);
        }
        return;
      }
      case 'info':
        this.applyInfo(ev, t, key);
        return;
      case 'failure':
        // A repeat of an attempt another line counts; it may still name the connection's source.
        if (ev.scope === 'echo') {
          this.lastWhy = 'echo';
          this.learnSource(this.connection(key, t, false), ev.source, t, ev.service);
        } else {
          this.applyFailure(ev, t, key);
        }
        return;
    }
  }

  private applyInfo(ev: AuthEvent, t: number, key: SlotKey | undefined): void {
    if (ev.scope !== 'end' && ev.scope !== 'connect' && ev.scope !== 'tentative') return;
    const slot = this.connection(key, t, ev.scope !== 'end');
    if (slot < 0) return;
    const c = this.conns;
    this.learnSource(slot, ev.source, t, ev.service);
    if (ev.scope === 'tentative') {
      if (c.tentativeOf(slot) === undefined) c.setTentative(slot, ev.reason ?? 'other');
      this.lastWhy = 'pending';
      return;
    }
    if (ev.scope === 'connect') {
      this.lastWhy = 'connect';
      return;
    }
    // The connection is kept, not deleted: the same connection often logs a second disconnect
    // line right after (`Received disconnect` then `Disconnected from invalid user`).
    const reason = c.markOf(slot) ?? c.tentativeOf(slot);
    if (reason === undefined) return;
    if (c.counted[slot] === 0 && c.attempts[slot] === 0) {
      this.countFailure(ev.service, reason, 1, t, c.source[slot], slot);
      c.counted[slot] = 1;
    } else {
      this.lastWhy = 'connection_counted';
    }
  }

  private applyFailure(ev: AuthEvent, t: number, key: SlotKey | undefined): void {
    const reason = ev.reason ?? 'other';
    const slot = ev.scope === 'attempt' || ev.scope === 'session' ? this.connection(key, t, true) : -1;
    if (slot < 0) {
      this.countFailure(ev.service, reason, ev.count, t, ev.source === undefined ? undefined : this.keyOf(ev.source));
      return;
    }
    const c = this.conns;
    this.learnSource(slot, ev.source, t, ev.service);
    const mark = c.markOf(slot);
    if (ev.scope === 'attempt') {
      let n = ev.count;
      // The connection's first attempt was already counted through a per-connection line.
      if (c.counted[slot] === 1 && c.attempts[slot] === 0) n--;
      c.attempts[slot] += ev.count;
      this.countFailure(ev.service, mark !== undefined && mark !== 'invalid_user' ? mark : reason, n, t, c.source[slot], slot);
      if (n === 0) this.lastWhy = 'connection_counted';
      return;
    }
    if (c.counted[slot] === 0 && c.attempts[slot] === 0) {
      this.countFailure(ev.service, mark ?? c.tentativeOf(slot) ?? reason, 1, t, c.source[slot], slot);
      c.counted[slot] = 1;
    } else {
      this.lastWhy = 'connection_counted';
    }
    if (reason === 'not_allowed' || reason === 'root_refused') c.setMark(slot, reason);
  }

  private keyOf(source: string): SlotKey {
    return sourceKey(detectorSource(source));
  }

  /** Records the connection's source, and gives the detector the failures counted before it was known. */
  private learnSource(slot: number, source: string | undefined, t: number, service: string): void {
    if (slot < 0 || source === undefined) return;
    const key = this.keyOf(source);
    this.conns.source[slot] = key;
    const n = this.conns.unsourced[slot];
    if (n > 0) {
      this.conns.unsourced[slot] = 0;
      this.credentialFailures(service, key, t, n);
    }
  }

  /** Counts n failures; without a source, they wait in their connection `slot` for one (learnSource). */
  private countFailure(service: string, reason: string, n: number, t: number, source: SlotKey | undefined, slot = -1): void {
    if (n <= 0) return;
    this.failures.add(service, reason, n);
    this.lastCounted += n;
    this.lastWhy = 'counted';
    if (CONNECTION_REASONS.has(reason)) return;
    if (source !== undefined) this.credentialFailures(service, source, t, n);
    else if (slot >= 0) this.conns.unsourced[slot] += n;
  }

  /** Failures that guessed credentials, from `source`: brute-force detection and top sources. */
  private credentialFailures(service: string, source: SlotKey, t: number, n: number): void {
    if (this.detector.record(source, t, n)) this.detections.set(service, (this.detections.get(service) ?? 0) + 1);
    this.top.add(source, n);
  }

  private countSudo(user: string, n: number): void {
    const rec = this.sudoCommands;
    if (!rec.has(user)) {
      const distinct = rec.size - (rec.has(OTHER) ? 1 : 0);
      if (distinct >= this.maxSudoUsers || user === OTHER || user.length > MAX_USER_LENGTH || user === '') user = OTHER;
    }
    rec.set(user, (rec.get(user) ?? 0) + n);
  }

  snapshot(): AuthState {
    return {
      v: AUTH_STATE_VERSION,
      failures: this.failures.toRecord(),
      successes: this.successes.toRecord(),
      invalidUsers: toRecord(this.invalidUsers),
      sudoCommands: toRecord(this.sudoCommands),
      detections: toRecord(this.detections),
      bruteforce: this.detector.snapshot(),
      top: this.top.snapshot(),
      sessions: this.conns.snapshot(),
      ...(this.lastPam ? { lastPam: [this.lastPam[0], this.lastPam[1]] as [string, string] } : {}),
    };
  }

  /** The counters, the top sources and the sources at the brute-force threshold: no sshd connections. */
  metricsView(s: AuthState): AuthState {
    return { ...s, bruteforce: this.detector.metricsView(s.bruteforce), sessions: emptyConnections() };
  }

  /**
   * Restores a checkpointed state, this version's or an earlier one's. Throws when its counters
   * cannot be trusted (the pipeline then moves the checkpoint aside); what it adapts or discards
   * (see state.ts) is said in the log.
   */
  restore(raw: AuthState): void {
    const problems: Problems = [];
    const s = checkAuthState(raw, { maxSudoUsers: this.maxSudoUsers }, problems);
    this.failures = Counters.fromRecord(s.failures);
    this.successes = Counters.fromRecord(s.successes);
    this.invalidUsers = new Map(Object.entries(s.invalidUsers));
    this.sudoCommands = new Map(Object.entries(s.sudoCommands));
    this.detections = new Map(Object.entries(s.detections));
    this.lastPam = s.lastPam;
    this.detector.restore(s.bruteforce);
    this.top.restore(s.top);
    this.conns.restore(s.sessions);
    if (problems.length > 0) this.logger?.warn('auth state adapted on restore', { problems: problems.join('; ') });
  }
}

// The auth log handler: turns parsed events into plain-data counters, correlates the lines of one
// sshd connection (so one attempt logged on several lines counts once, see event.ts), and feeds
// failures with a source to the brute-force detector.
//
// Time: the detector runs on the line's own timestamp (falling back to the clock for lines without
// one), so replaying an old log, or catching up after downtime, gives the detections that really
// happened then, not a burst "now". The gauge of sources currently over the threshold is
// evaluated at the clock's now, so replayed old attacks do not show as current.
import type { Clock } from '../../core/clock.js';
import type { AuthLogConfig } from './config.js';
import type { HandlerContext, LineResult, LogHandler } from '../handler.js';
import { BruteForceDetector, type BruteForceSnapshot } from '../security/bruteforce.js';
import { LruMap } from '../security/lru.js';
import { arrayOf, counterRecord, sourceEntries } from '../security/validate.js';
import type { AuthEvent } from './event.js';
import { CONNECTION_REASONS } from './labels.js';
import { parseAuthLine, type ParsedAuthLine } from './parse.js';
import type { LogRecord } from '../record.js';
import { authRecord } from '../security/records.js';

export const OTHER = '__other__';
/** sshd connections tracked at once for the per-connection correlation. */
export const MAX_SESSIONS = 4096;
/** A connection silent for longer than this is forgotten (LoginGraceTime is 2 min by default). */
export const SESSION_TTL_MS = 10 * 60_000;
/** Longest source kept (a DNS name is at most 253 characters). */
export const MAX_SOURCE_LENGTH = 255;

interface Session {
  /** Reason every failure of this connection is attributed to (invalid_user, not_allowed, root_refused). */
  mark?: string;
  /** A per-connection failure (scope "session") was counted. */
  counted: boolean;
  /** Attempt-scoped failures seen. */
  attempts: number;
  source?: string;
  last: number;
  /** Reason of a tentative failure (a rejected key, `none`) that counts if the connection ends without a login. */
  tentative?: string;
  /** Failures counted before the connection's source was known, given to the detector once it is. */
  unsourced?: number;
}

/** Services whose lines of one connection share a pid (sshd's monitor, dropbear's child). */
const CONNECTION_SERVICES: ReadonlySet<string> = new Set(['sshd', 'dropbear']);
/** Lines of one attempt from two PAM modules (or PAM and the program) this far apart are one attempt. */
const SAME_ATTEMPT_SECONDS = 3;

/**
 * How the last line counted (for `hostwatch parse`): the failures it added, and its source, or
 * the connection's when the line names none (`Disconnecting: Too many authentication failures`).
 */
export interface AuthLineOutcome {
  counted: number;
  source?: string;
}

/** Plain JSON, written to the checkpoint with the file offsets. Keys of the counters: "a|b". */
export interface AuthState {
  failures: Record<string, number>;
  successes: Record<string, number>;
  invalidUsers: Record<string, number>;
  sudoCommands: Record<string, number>;
  detections: Record<string, number>;
  bruteforce: BruteForceSnapshot;
  sessions: [string, Session][];
  /** The last PAM failure: [modules that logged it, comma-separated; key of the attempt] (see samePamAttempt). */
  lastPam?: [string, string];
}

export function emptyAuthState(): AuthState {
  return {
    failures: {},
    successes: {},
    invalidUsers: {},
    sudoCommands: {},
    // Present from the start so that increase() sees the first detection.
    detections: { sshd: 0 },
    bruteforce: { sources: [] },
    sessions: [],
  };
}

/**
 * The key of a source for brute-force detection: an IPv4-mapped IPv6 address (`::ffff:1.2.3.4`,
 * vsftpd and dual-stack daemons) is the IPv4 address other lines log; the length cap bounds the
 * detector's memory whatever a line holds (a DNS name is at most 253 characters).
 */
export function detectorSource(source: string): string {
  if (source.length > 7 && source.slice(0, 7).toLowerCase() === '::ffff:' && /^\d{1,3}(\.\d{1,3}){3}$/.test(source.slice(7))) {
    return source.slice(7);
  }
  return source.length > MAX_SOURCE_LENGTH ? source.slice(0, MAX_SOURCE_LENGTH) : source;
}

function add(rec: Record<string, number>, key: string, n: number): void {
  rec[key] = (rec[key] ?? 0) + n;
}

export class AuthHandler implements LogHandler<AuthState> {
  private counters = emptyAuthState();
  private readonly detector: BruteForceDetector;
  private readonly sessions = new LruMap<Session>(MAX_SESSIONS);
  private readonly clock: Clock;
  private readonly maxSudoUsers: number;
  /** What the last processed line counted. */
  last: AuthLineOutcome = { counted: 0 };

  constructor(ctx: Pick<HandlerContext<AuthLogConfig>, 'config' | 'clock'>) {
    const bf = ctx.config.bruteforce;
    this.detector = new BruteForceDetector({ threshold: bf.threshold, window: bf.window, maxSources: bf.max_sources });
    this.clock = ctx.clock;
    this.maxSudoUsers = ctx.config.max_sudo_users;
  }

  /** Sources currently held by the detector (for tests of the memory cap). */
  get trackedSources(): number {
    return this.detector.size;
  }

  processLine(line: string): LineResult {
    this.last.counted = 0;
    this.last.source = undefined;
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
    let parsed;
    try {
      parsed = authRecord(rec);
    } catch {
      return { parsed: false };
    }
    return this.count(parsed);
  }

  private count(parsed: ParsedAuthLine): LineResult {
    const ev = parsed.event;
    if (ev && !(ev.pamModule !== undefined && this.samePamAttempt(ev.pamModule, parsed, ev))) {
      const t = parsed.timestamp ?? this.clock.now();
      const pid = ev.connection ?? parsed.pid;
      const key = pid !== undefined && CONNECTION_SERVICES.has(ev.service) ? `${parsed.host ?? ''}|${pid}` : undefined;
      this.apply(ev, t, key);
      this.last.source = ev.source ?? (key === undefined ? undefined : this.sessions.peek(key)?.source);
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
    const last = this.counters.lastPam;
    const close = last !== undefined && last[1].startsWith(who) && Math.abs(Number(last[1].slice(who.length)) - second) <= SAME_ATTEMPT_SECONDS;
    if (last !== undefined && close && !last[0].split(',').includes(module)) {
      this.counters.lastPam = [`${last[0]},${module}`, key];
      return true;
    }
    // A module already seen for this key logs a new attempt.
    this.counters.lastPam = [module, key];
    return false;
  }

  private session(key: string | undefined, t: number, create: boolean): Session | undefined {
    if (key === undefined) return undefined;
    let s = this.sessions.touch(key);
    if (s && t - s.last > SESSION_TTL_MS) s = undefined; // a reused pid
    if (!s) {
      if (!create) return undefined;
      s = { counted: false, attempts: 0, last: t };
      this.sessions.set(key, s);
    }
    s.last = Math.max(s.last, t);
    return s;
  }

  private apply(ev: AuthEvent, t: number, key: string | undefined): void {
    const c = this.counters;
    switch (ev.event) {
      case 'success':
        add(c.successes, `${ev.service}|${ev.method ?? 'other'}`, ev.count);
        if (ev.service === 'sudo') this.countSudo(ev.user ?? '', ev.count);
        if (key !== undefined) this.sessions.delete(key);
        return;
      case 'invalid_user': {
        add(c.invalidUsers, ev.service, ev.count);
        const s = this.session(key, t, true);
        if (s) {
          s.mark = 'invalid_user';
          this.learnSource(s, ev.source, t, ev.service);
        }
        return;
      }
      case 'info':
        this.applyInfo(ev, t, key);
        return;
      case 'failure':
        // A repeat of an attempt another line counts; it may still name the connection's source.
        if (ev.scope === 'echo') this.learnSource(this.session(key, t, false), ev.source, t, ev.service);
        else this.applyFailure(ev, t, key);
        return;
    }
  }

  private applyInfo(ev: AuthEvent, t: number, key: string | undefined): void {
    if (ev.scope !== 'end' && ev.scope !== 'connect' && ev.scope !== 'tentative') return;
    const s = this.session(key, t, ev.scope !== 'end');
    if (!s) return;
    this.learnSource(s, ev.source, t, ev.service);
    if (ev.scope === 'tentative') s.tentative ??= ev.reason ?? 'other';
    if (ev.scope !== 'end') return;
    // The session is kept, not deleted: the same connection often logs a second disconnect
    // line right after (`Received disconnect` then `Disconnected from invalid user`).
    const reason = s.mark ?? s.tentative;
    if (reason !== undefined && !s.counted && s.attempts === 0) {
      this.countFailure(ev.service, reason, 1, t, s.source, s);
      s.counted = true;
    }
  }

  private applyFailure(ev: AuthEvent, t: number, key: string | undefined): void {
    const reason = ev.reason ?? 'other';
    const s = ev.scope === 'attempt' || ev.scope === 'session' ? this.session(key, t, true) : undefined;
    if (!s) {
      this.countFailure(ev.service, reason, ev.count, t, ev.source);
      return;
    }
    this.learnSource(s, ev.source, t, ev.service);
    if (ev.scope === 'attempt') {
      let n = ev.count;
      // The connection's first attempt was already counted through a per-connection line.
      if (s.counted && s.attempts === 0) n--;
      s.attempts += ev.count;
      const r = s.mark && s.mark !== 'invalid_user' ? s.mark : reason;
      this.countFailure(ev.service, r, n, t, s.source, s);
      return;
    }
    if (!s.counted && s.attempts === 0) {
      this.countFailure(ev.service, s.mark ?? s.tentative ?? reason, 1, t, s.source, s);
      s.counted = true;
    }
    if (reason === 'not_allowed' || reason === 'root_refused') s.mark = reason;
  }

  /** Records the connection's source, and gives the detector the failures counted before it was known. */
  private learnSource(s: Session | undefined, source: string | undefined, t: number, service: string): void {
    if (!s || source === undefined) return;
    s.source = source;
    if (s.unsourced) {
      const n = s.unsourced;
      s.unsourced = undefined;
      if (this.detector.record(detectorSource(source), t, n)) add(this.counters.detections, service, 1);
    }
  }

  /** Counts n failures; without a source, they wait in their connection `s` for one (learnSource). */
  private countFailure(service: string, reason: string, n: number, t: number, source: string | undefined, s?: Session): void {
    if (n <= 0) return;
    add(this.counters.failures, `${service}|${reason}`, n);
    this.last.counted += n;
    if (CONNECTION_REASONS.has(reason)) return;
    if (source === undefined) {
      if (s) s.unsourced = (s.unsourced ?? 0) + n;
      return;
    }
    if (this.detector.record(detectorSource(source), t, n)) add(this.counters.detections, service, 1);
  }

  private countSudo(user: string, n: number): void {
    const rec = this.counters.sudoCommands;
    if (rec[user] === undefined) {
      const distinct = Object.keys(rec).length - (rec[OTHER] === undefined ? 0 : 1);
      if (distinct >= this.maxSudoUsers || user === OTHER) user = OTHER;
    }
    add(rec, user, n);
  }

  snapshot(): AuthState {
    const c = this.counters;
    const sessions: [string, Session][] = [];
    for (const [k, s] of this.sessions.entries()) sessions.push([k, { ...s }]);
    return {
      failures: { ...c.failures },
      successes: { ...c.successes },
      invalidUsers: { ...c.invalidUsers },
      sudoCommands: { ...c.sudoCommands },
      detections: { ...c.detections },
      bruteforce: this.detector.snapshot(),
      sessions,
      ...(c.lastPam ? { lastPam: [c.lastPam[0], c.lastPam[1]] as [string, string] } : {}),
    };
  }

  /** Throws on a state of another shape (the pipeline then moves the checkpoint aside). */
  restore(state: AuthState): void {
    if (typeof state !== 'object' || state === null) throw new Error('auth state: not an object');
    const fresh = emptyAuthState();
    const counters: AuthState = {
      failures: { ...counterRecord(state.failures, 'failures') },
      successes: { ...counterRecord(state.successes, 'successes') },
      invalidUsers: { ...counterRecord(state.invalidUsers, 'invalidUsers') },
      sudoCommands: { ...counterRecord(state.sudoCommands, 'sudoCommands') },
      detections: { ...fresh.detections, ...counterRecord(state.detections, 'detections') },
      bruteforce: { sources: [] },
      sessions: [],
    };
    if (state.lastPam !== undefined) {
      const lp = arrayOf(state.lastPam, 'lastPam');
      if (typeof lp[0] !== 'string' || typeof lp[1] !== 'string') throw new Error('lastPam: bad entry');
      counters.lastPam = [lp[0], lp[1]];
    }
    sourceEntries(state.bruteforce, 'bruteforce', [3]);
    const sessions = arrayOf(state.sessions, 'sessions') as [string, Session][];
    for (const e of sessions) {
      if (!Array.isArray(e) || typeof e[0] !== 'string' || typeof e[1] !== 'object' || e[1] === null) throw new Error('sessions[]: bad entry');
    }
    this.counters = counters;
    this.detector.restore(state.bruteforce);
    this.sessions.clear();
    for (const [k, s] of sessions) this.sessions.set(k, { ...s });
  }
}

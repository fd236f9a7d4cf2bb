// The auth handler's state as plain JSON (written to the checkpoint with the file offsets, and
// rendered by the metrics), and its check when it is read back: every field and every bound (see
// ../security/validate.ts for the policy), and the migration of the state of earlier versions.
//
// Size: the counters have bounded labels; the windows hold only the sources still inside their
// window (at most bruteforce.max_sources), the connections only those active in the last
// CONNECTION_TTL_MS (at most MAX_CONNECTIONS), the top-source candidates topCapacity(top_sources).
// Times are ages before the latest one. A quiet host's auth checkpoint is a few hundred bytes; at
// the caps (a flood of distinct sources), tens to hundreds of KB.
import { checkConnections, emptyConnections, MARKS, type ConnectionsSnapshot } from './connections.js';
import { REASONS, SERVICE_VALUES, SUCCESS_METHODS } from './labels.js';
import type { BruteForceSnapshot } from '../security/bruteforce.js';
import { emptyTopSources, type TopSourcesSnapshot } from '../security/top-sources.js';
import {
  arrayOf,
  checkWindows,
  count,
  counterRecord,
  isCount,
  isObject,
  MAX_SOURCE_LENGTH,
  newRecord,
  softly,
  type Problems,
} from '../security/validate.js';
import { emptyWindows } from '../security/window.js';

export const OTHER = '__other__';
/** Longest sudo user name kept as a label value (longer ones count as __other__). */
export const MAX_USER_LENGTH = 256;
export const AUTH_STATE_VERSION = 2;

/** Plain JSON. Keys of the counters: "service|reason", "service|method", "service", the sudo user. */
export interface AuthState {
  v: typeof AUTH_STATE_VERSION;
  failures: Record<string, number>;
  successes: Record<string, number>;
  invalidUsers: Record<string, number>;
  sudoCommands: Record<string, number>;
  detections: Record<string, number>;
  bruteforce: BruteForceSnapshot;
  top: TopSourcesSnapshot;
  sessions: ConnectionsSnapshot;
  /** The last PAM failure: [modules that logged it, comma-separated; key of the attempt] (see the handler's samePamAttempt). */
  lastPam?: [string, string];
}

export function emptyAuthState(): AuthState {
  return {
    v: AUTH_STATE_VERSION,
    failures: {},
    successes: {},
    invalidUsers: {},
    sudoCommands: {},
    // Present from the start so that increase() sees the first detection.
    detections: { sshd: 0 },
    bruteforce: emptyWindows(),
    top: emptyTopSources(),
    sessions: emptyConnections(),
  };
}

/** Counters by two labels, kept as maps of the (interned) label values: nothing is built per line. */
export class Counters {
  private readonly byFirst = new Map<string, Map<string, number>>();

  add(a: string, b: string, n: number): void {
    let m = this.byFirst.get(a);
    if (m === undefined) this.byFirst.set(a, (m = new Map()));
    m.set(b, (m.get(b) ?? 0) + n);
  }

  /** As a record keyed "a|b". */
  toRecord(): Record<string, number> {
    const out = newRecord();
    for (const [a, m] of this.byFirst) for (const [b, n] of m) out[`${a}|${b}`] = n;
    return out;
  }

  static fromRecord(rec: Record<string, number>): Counters {
    const c = new Counters();
    for (const k in rec) {
      const bar = k.indexOf('|');
      c.add(k.slice(0, bar), k.slice(bar + 1), rec[k]);
    }
    return c;
  }
}

/** A single-label counter map as a record. */
export function toRecord(m: ReadonlyMap<string, number>): Record<string, number> {
  const out = newRecord();
  for (const [k, n] of m) out[k] = n;
  return out;
}

const SERVICES = new Set(SERVICE_VALUES);
const REASON_SET = new Set<string>(REASONS);
const METHOD_SET = new Set(SUCCESS_METHODS);
const pair = (first: Set<string>, second: Set<string>) => (k: string) => {
  const bar = k.indexOf('|');
  return bar > 0 && first.has(k.slice(0, bar)) && second.has(k.slice(bar + 1));
};

export interface AuthLimits {
  maxSudoUsers: number;
}

/**
 * The state to restore from a checkpointed one (this version's or version 1's), checked field by
 * field. Throws when the counters cannot be trusted; adapts or discards the rest, saying what in
 * `problems`.
 */
export function checkAuthState(raw: unknown, limits: AuthLimits, problems: Problems): AuthState {
  if (!isObject(raw)) throw new Error('auth state: not an object');
  if (raw.v !== undefined && raw.v !== AUTH_STATE_VERSION) throw new Error(`auth state: unknown version ${JSON.stringify(raw.v)}`);
  const fresh = emptyAuthState();
  const state: AuthState = {
    ...fresh,
    failures: counterRecord(raw.failures, 'failures', pair(SERVICES, REASON_SET), problems),
    successes: counterRecord(raw.successes, 'successes', pair(SERVICES, METHOD_SET), problems),
    invalidUsers: counterRecord(raw.invalidUsers, 'invalidUsers', (k) => SERVICES.has(k), problems),
    sudoCommands: sudoUsers(
      counterRecord(raw.sudoCommands, 'sudoCommands', (k) => k !== '' && k.length <= MAX_USER_LENGTH, problems),
      limits,
      problems,
    ),
    detections: { ...fresh.detections, ...counterRecord(raw.detections, 'detections', (k) => SERVICES.has(k), problems) },
  };
  if (raw.lastPam !== undefined) {
    const lp = raw.lastPam;
    if (Array.isArray(lp) && lp.length === 2 && lp.every((x) => typeof x === 'string' && x.length <= 4096)) state.lastPam = [lp[0], lp[1]];
    else problems.push('lastPam: not a PAM attempt: discarded');
  }
  if (raw.v === undefined) {
    // Version 1 (before the state had a version): the detector as [source, total, over, times]
    // per source, the connections as [key, {...}].
    const v1 = softly(
      () => v1Sources(raw.bruteforce),
      () => ({ windows: emptyWindows(), top: emptyTopSources() }),
      problems,
    );
    state.bruteforce = v1.windows;
    state.top = v1.top;
    state.sessions = softly(() => v1Sessions(raw.sessions), emptyConnections, problems);
    return state;
  }
  state.bruteforce = softly(() => checkWindows<BruteForceSnapshot>(raw.bruteforce, 'bruteforce'), emptyWindows, problems);
  state.top = softly(() => checkTop(raw.top), emptyTopSources, problems);
  state.sessions = softly(() => checkConnections(raw.sessions), emptyConnections, problems);
  return state;
}

/** At most maxSudoUsers users with their own series, plus __other__: the first ones kept. */
function sudoUsers(rec: Record<string, number>, limits: AuthLimits, problems: Problems): Record<string, number> {
  const users = Object.keys(rec).filter((u) => u !== OTHER);
  if (users.length <= limits.maxSudoUsers) return rec;
  const out = newRecord();
  for (const u of users.slice(0, limits.maxSudoUsers)) out[u] = rec[u];
  if (rec[OTHER] !== undefined) out[OTHER] = rec[OTHER];
  problems.push(
    `sudoCommands: ${users.length} users, max_sudo_users is ${limits.maxSudoUsers}: the series of ${users.length - limits.maxSudoUsers} dropped`,
  );
  return out;
}

function checkTop(v: unknown): TopSourcesSnapshot {
  if (!isObject(v)) throw new Error('top: not an object');
  const sources = arrayOf(v.sources, 'top.sources');
  const counts = arrayOf(v.counts, 'top.counts');
  const errors = arrayOf(v.errors, 'top.errors');
  if (counts.length !== sources.length || errors.length !== sources.length) throw new Error('top: not one count and error per source');
  sources.forEach((s, i) => {
    if (typeof s !== 'string' || s === '' || s.length > MAX_SOURCE_LENGTH) throw new Error(`top.sources[${i}]: not a source`);
    if (count(errors[i], `top.errors[${i}]`) > count(counts[i], `top.counts[${i}]`))
      throw new Error(`top.errors[${i}]: more than its count`);
  });
  return v as unknown as TopSourcesSnapshot;
}

function v1Sources(v: unknown): { windows: BruteForceSnapshot; top: TopSourcesSnapshot } {
  const entries = arrayOf(isObject(v) ? v.sources : undefined, 'bruteforce.sources').map((e, i) => {
    const [source, total, , times] = arrayOf(e, `bruteforce.sources[${i}]`);
    if (typeof source !== 'string' || source === '' || source.length > MAX_SOURCE_LENGTH)
      throw new Error(`bruteforce.sources[${i}]: no source`);
    const ts = arrayOf(times, `bruteforce.sources[${i}]`);
    if (!isCount(total) || !ts.every((t) => typeof t === 'number' && Number.isFinite(t) && t >= 0))
      throw new Error(`bruteforce.sources[${i}]: bad total or times`);
    return { source, total, times: ts as number[] };
  });
  let at = 0;
  for (const e of entries) for (const t of e.times) at = Math.max(at, t);
  const windows: BruteForceSnapshot = { at, sources: [], counts: [], ages: [] };
  for (const e of entries) {
    windows.sources.push(e.source);
    windows.counts.push(e.times.length);
    for (const t of e.times) windows.ages.push(at - t);
  }
  const top = emptyTopSources();
  for (const e of [...entries].sort((a, b) => b.total - a.total)) {
    top.sources.push(e.source);
    top.counts.push(e.total);
    top.errors.push(0);
  }
  return { windows, top };
}

function v1Sessions(v: unknown): ConnectionsSnapshot {
  const entries = arrayOf(v, 'sessions').map((e, i) => {
    const [key, s] = arrayOf(e, `sessions[${i}]`);
    if (typeof key !== 'string' || !isObject(s) || typeof s.last !== 'number' || !Number.isFinite(s.last))
      throw new Error(`sessions[${i}]: bad entry`);
    return { key, s };
  });
  let at = 0;
  for (const { s } of entries) at = Math.max(at, s.last as number);
  const snap = emptyConnections();
  snap.at = at;
  for (const { key, s } of entries) {
    snap.keys.push(key);
    snap.ages.push(at - (s.last as number));
    snap.attempts.push(isCount(s.attempts) ? s.attempts : 0);
    snap.counted.push(s.counted === true ? 1 : 0);
    snap.marks.push(MARKS.includes(s.mark as never) && s.mark !== undefined ? (s.mark as string) : null);
    snap.tentative.push(typeof s.tentative === 'string' ? s.tentative : null);
    snap.unsourced.push(isCount(s.unsourced) ? s.unsourced : 0);
    snap.sources.push(typeof s.source === 'string' && s.source !== '' ? s.source : null);
  }
  return checkConnections(snap);
}

// The sshd/dropbear connections the auth handler correlates lines of (see handler.ts): a bounded
// table keyed by (host, pid), its fields in typed arrays indexed by slot (see ../security/slots.ts).
// A connection silent for longer than CONNECTION_TTL_MS is forgotten: its pid may be reused, and
// it is dropped from the state (and the checkpoint) as soon as it is the least recently active one.
import { REASONS } from './labels.js';
import { grown, LruSlots, type SlotKey } from '../security/slots.js';
import { sourceKey, sourceText } from '../security/source-key.js';
import { arrayOf, count, isObject, MAX_SOURCE_LENGTH } from '../security/validate.js';

/** sshd connections tracked at once (sshd's MaxStartups lets at most 100 wait for authentication). */
export const MAX_CONNECTIONS = 4096;
/** A connection silent for longer than this is forgotten (LoginGraceTime is 2 min by default). */
export const CONNECTION_TTL_MS = 10 * 60_000;

/** What marks every failure of a connection (the index is what the state stores; 0: none). */
export const MARKS = [undefined, 'invalid_user', 'not_allowed', 'root_refused'] as const;
export type Mark = (typeof MARKS)[number];

/** Hosts given a number in connection keys; the lines of further hosts are keyed by text. */
const MAX_HOSTS = 256;
const PID_LIMIT = 1 << 22; // Linux's pid_max can be at most 2^22

/** Plain JSON, columnar; connections from the least to the most recently active. */
export interface ConnectionsSnapshot {
  /** The latest activity held (ms); `ages` are before it. */
  at: number;
  /** `host|pid`. */
  keys: string[];
  ages: number[];
  /** Attempt-scoped failures seen. */
  attempts: number[];
  /** 1 when a per-connection failure was counted. */
  counted: number[];
  marks: (string | null)[];
  /** Reason of a tentative failure (a rejected key, `none`), counted if the connection ends without a login. */
  tentative: (string | null)[];
  /** Failures counted before the connection's source was known, for the detector once it is. */
  unsourced: number[];
  sources: (string | null)[];
}

export class Connections {
  private readonly slots = new LruSlots(MAX_CONNECTIONS, (size) => this.grow(size));
  private readonly hostIds = new Map<string, number>();
  private readonly hosts: string[] = [];
  last = new Float64Array(0);
  attempts = new Float64Array(0);
  unsourced = new Float64Array(0);
  counted = new Uint8Array(0);
  /** Index in MARKS. */
  mark = new Uint8Array(0);
  /** Index in REASONS plus one (0: none). */
  tentative = new Uint8Array(0);
  source: (SlotKey | undefined)[] = [];

  private grow(size: number): void {
    this.last = grown(this.last, size);
    this.attempts = grown(this.attempts, size);
    this.unsourced = grown(this.unsourced, size);
    this.counted = grown(this.counted, size);
    this.mark = grown(this.mark, size);
    this.tentative = grown(this.tentative, size);
  }

  get size(): number {
    return this.slots.size;
  }

  /** The key of a connection: a number for the first hosts and a Linux pid, else `host|pid`. */
  key(host: string | undefined, pid: string): SlotKey {
    const h = host ?? '';
    let id = this.hostIds.get(h);
    if (id === undefined && this.hosts.length < MAX_HOSTS) {
      id = this.hosts.length;
      this.hosts.push(h);
      this.hostIds.set(h, id);
    }
    const n = pid.length <= 7 ? Number(pid) : NaN;
    if (id === undefined || !Number.isInteger(n) || n < 0 || n >= PID_LIMIT || pid.charCodeAt(0) === 43 /* + */) return `${h}|${pid}`;
    return id * PID_LIMIT + n;
  }

  private keyText(k: SlotKey): string {
    return typeof k === 'number' ? `${this.hosts[Math.floor(k / PID_LIMIT)]}|${k % PID_LIMIT}` : k;
  }

  /**
   * The slot of a connection active at `t`, or -1; `create` makes one when there is none (or when
   * the one there was silent past the TTL: a reused pid).
   */
  get(key: SlotKey, t: number, create: boolean): number {
    let slot = this.slots.find(key);
    if (slot >= 0 && t - this.last[slot] > CONNECTION_TTL_MS) {
      this.slots.remove(slot);
      slot = -1;
    }
    if (slot >= 0) {
      this.slots.touch(slot);
      if (t > this.last[slot]) this.last[slot] = t;
    } else {
      if (!create) return -1;
      slot = this.slots.add(key);
      this.reset(slot, t);
    }
    this.forgetExpired(t - CONNECTION_TTL_MS);
    return slot;
  }

  /** The slot of a connection, or -1, without marking it active. */
  peek(key: SlotKey): number {
    return this.slots.find(key);
  }

  delete(key: SlotKey): void {
    const slot = this.slots.find(key);
    if (slot >= 0) this.slots.remove(slot);
  }

  markOf(slot: number): Mark {
    return MARKS[this.mark[slot]];
  }

  setMark(slot: number, mark: Exclude<Mark, undefined>): void {
    this.mark[slot] = MARKS.indexOf(mark);
  }

  tentativeOf(slot: number): string | undefined {
    const t = this.tentative[slot];
    return t === 0 ? undefined : REASONS[t - 1];
  }

  setTentative(slot: number, reason: string): void {
    const i = (REASONS as readonly string[]).indexOf(reason);
    this.tentative[slot] = (i < 0 ? REASONS.indexOf('other') : i) + 1;
  }

  sourceOf(slot: number): string | undefined {
    const s = this.source[slot];
    return s === undefined ? undefined : sourceText(s);
  }

  private reset(slot: number, t: number): void {
    this.last[slot] = t;
    this.attempts[slot] = 0;
    this.unsourced[slot] = 0;
    this.counted[slot] = 0;
    this.mark[slot] = 0;
    this.tentative[slot] = 0;
    this.source[slot] = undefined;
  }

  private forgetExpired(horizon: number): void {
    for (let s = this.slots.oldestSlot; s >= 0 && this.last[s] < horizon; s = this.slots.oldestSlot) this.slots.remove(s);
  }

  snapshot(): ConnectionsSnapshot {
    let at = 0;
    this.slots.forEach((s) => {
      if (this.last[s] > at) at = this.last[s];
    });
    const snap: ConnectionsSnapshot = {
      at,
      keys: [],
      ages: [],
      attempts: [],
      counted: [],
      marks: [],
      tentative: [],
      unsourced: [],
      sources: [],
    };
    this.slots.forEach((s) => {
      snap.keys.push(this.keyText(this.slots.key(s)));
      snap.ages.push(at - this.last[s]);
      snap.attempts.push(this.attempts[s]);
      snap.counted.push(this.counted[s]);
      snap.marks.push(this.markOf(s) ?? null);
      snap.tentative.push(this.tentativeOf(s) ?? null);
      snap.unsourced.push(this.unsourced[s]);
      snap.sources.push(this.sourceOf(s) ?? null);
    });
    return snap;
  }

  /** Replaces the table with a snapshot checked by checkConnections(); the most recent MAX_CONNECTIONS are kept. */
  restore(snap: ConnectionsSnapshot): void {
    this.slots.clear();
    for (let i = 0; i < snap.keys.length; i++) {
      const k = snap.keys[i];
      const bar = k.lastIndexOf('|');
      const key = this.key(k.slice(0, bar), k.slice(bar + 1));
      const seen = this.slots.find(key);
      if (seen >= 0) this.slots.remove(seen);
      const slot = this.slots.add(key);
      this.reset(slot, snap.at - snap.ages[i]);
      this.attempts[slot] = snap.attempts[i];
      this.unsourced[slot] = snap.unsourced[i];
      this.counted[slot] = snap.counted[i] ? 1 : 0;
      this.mark[slot] = Math.max(0, MARKS.indexOf((snap.marks[i] ?? undefined) as Mark));
      if (snap.tentative[i] !== null) this.setTentative(slot, snap.tentative[i]!);
      const src = snap.sources[i];
      this.source[slot] = src === null ? undefined : sourceKey(src);
    }
    this.forgetExpired((this.slots.size > 0 ? snap.at : 0) - CONNECTION_TTL_MS);
  }
}

export function emptyConnections(): ConnectionsSnapshot {
  return { at: 0, keys: [], ages: [], attempts: [], counted: [], marks: [], tentative: [], unsourced: [], sources: [] };
}

const nullableString = (max: number) => (x: unknown) => x === null || (typeof x === 'string' && x.length <= max);

/** Throws with what is wrong with a connections snapshot (the caller then starts with none). */
export function checkConnections(v: unknown): ConnectionsSnapshot {
  if (!isObject(v)) throw new Error('sessions: not an object');
  if (typeof v.at !== 'number' || !Number.isFinite(v.at) || v.at < 0) throw new Error('sessions.at: not a time');
  const keys = arrayOf(v.keys, 'sessions.keys');
  const n = keys.length;
  const column = (name: keyof ConnectionsSnapshot, ok: (x: unknown) => boolean) => {
    const col = arrayOf(v[name], `sessions.${name}`);
    if (col.length !== n || !col.every(ok)) throw new Error(`sessions.${name}: not one valid value per connection`);
  };
  column('keys', (k) => typeof k === 'string' && k.includes('|') && k.length <= 1024);
  column('ages', (a) => typeof a === 'number' && Number.isFinite(a) && a >= 0);
  column('attempts', (a) => count(a, 'sessions.attempts[]') >= 0);
  column('unsourced', (a) => count(a, 'sessions.unsourced[]') >= 0);
  column('counted', (c) => c === 0 || c === 1);
  column('marks', (m) => m === null || MARKS.includes(m as Mark));
  column('tentative', nullableString(64));
  column('sources', (s) => nullableString(MAX_SOURCE_LENGTH)(s) && s !== '');
  return v as unknown as ConnectionsSnapshot;
}

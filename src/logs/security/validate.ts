// Checks of checkpointed handler state (auth, firewall), field by field and bound by bound, before
// a restore uses it. Two kinds of state, two policies:
//  - counters (what the metrics show): a value that is not a count (negative, fractional, NaN,
//    beyond 2^53 where +1 is lost) means the checkpoint cannot be trusted: restore() throws, and the
//    pipeline moves the checkpoint aside and starts the log afresh. A counter whose labels are not
//    among the values this version can produce (a hand-edited or foreign file: unbounded series)
//    is dropped, and said in the log.
//  - detector and connection state (windows, sessions, top-source candidates): it only shapes what
//    later lines count, so a malformed part is discarded (that detector starts empty) and too many
//    entries are cut to the configured caps (the most recent kept), and said in the log; the
//    counters and the file offsets stay.
import type { WindowsSnapshot } from './window.js';

/** Largest count kept exactly by a double (n + 1 > n). */
export const MAX_COUNT = Number.MAX_SAFE_INTEGER;
/** More entries than this in any part of a handler state is not a state this program wrote. */
export const MAX_ENTRIES = 1_000_000;
/** Longest source kept (a DNS name is at most 253 characters). */
export const MAX_SOURCE_LENGTH = 255;

/** What a restore adapted or discarded: said in the log by the handler. */
export type Problems = string[];

export function isCount(n: unknown): n is number {
  return typeof n === 'number' && Number.isInteger(n) && n >= 0 && n <= MAX_COUNT;
}

export function count(v: unknown, what: string): number {
  if (!isCount(v)) throw new Error(`${what}: not a count (${JSON.stringify(v)})`);
  return v;
}

/** A record of counters without a prototype: a key such as `__proto__` (a user name) is a key like any other. */
export function newRecord(): Record<string, number> {
  return Object.create(null) as Record<string, number>;
}

export function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * A record of counters: throws on a value that is not a count; keys `keyOk` refuses are dropped
 * (reported in `problems`).
 */
export function counterRecord(v: unknown, what: string, keyOk: (key: string) => boolean, problems: Problems): Record<string, number> {
  if (!isObject(v)) throw new Error(`${what}: not an object`);
  const keys = Object.keys(v);
  if (keys.length > MAX_ENTRIES) throw new Error(`${what}: ${keys.length} counters`);
  const out = newRecord();
  let dropped = 0;
  for (const k of keys) {
    const n = count(v[k], `${what}.${k}`);
    if (keyOk(k)) out[k] = n;
    else dropped++;
  }
  if (dropped > 0) problems.push(`${what}: ${dropped} counter(s) with labels this version does not produce dropped`);
  return out;
}

export function arrayOf(v: unknown, what: string): unknown[] {
  if (!Array.isArray(v)) throw new Error(`${what}: not an array`);
  if (v.length > MAX_ENTRIES) throw new Error(`${what}: ${v.length} entries`);
  return v;
}

const isAge = (n: unknown) => typeof n === 'number' && Number.isFinite(n) && n >= 0;
const isPort = (n: unknown) => typeof n === 'number' && Number.isInteger(n) && n >= 0 && n <= 65535;

/**
 * A detector's windows (window.ts), with `ports` for the port-scan detector; throws with what is
 * wrong (the caller then discards the detector state). Limits are applied by the detector's restore.
 */
export function checkWindows<W extends WindowsSnapshot>(v: unknown, what: string, withPorts = false): W {
  if (!isObject(v)) throw new Error(`${what}: not an object`);
  const at = v.at;
  if (typeof at !== 'number' || !Number.isFinite(at) || at < 0) throw new Error(`${what}.at: not a time`);
  const sources = arrayOf(v.sources, `${what}.sources`);
  const counts = arrayOf(v.counts, `${what}.counts`);
  const ages = arrayOf(v.ages, `${what}.ages`);
  if (counts.length !== sources.length) throw new Error(`${what}: ${sources.length} sources, ${counts.length} counts`);
  let total = 0;
  for (let i = 0; i < sources.length; i++) {
    const s = sources[i];
    if (typeof s !== 'string' || s === '' || s.length > MAX_SOURCE_LENGTH) throw new Error(`${what}.sources[${i}]: not a source`);
    total += count(counts[i], `${what}.counts[${i}]`);
  }
  if (total !== ages.length) throw new Error(`${what}: the counts add up to ${total}, ${ages.length} ages`);
  if (!ages.every(isAge)) throw new Error(`${what}.ages: not all ages (ms >= 0)`);
  if (withPorts) {
    const ports = arrayOf(v.ports, `${what}.ports`);
    if (ports.length !== ages.length || !ports.every(isPort)) throw new Error(`${what}.ports: not a port per age`);
  }
  return v as unknown as W;
}

/** Runs a check of soft state: its value, or `fallback` with the reason in `problems`. */
export function softly<T>(check: () => T, fallback: () => T, problems: Problems): T {
  try {
    return check();
  } catch (err) {
    problems.push(`${(err as Error).message}: discarded`);
    return fallback();
  }
}

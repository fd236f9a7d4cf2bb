// The counters of one access log, as plain JSON data in flat arrays: cheap to snapshot at every
// checkpoint (a few array copies) and cheap to update on the hot path (index arithmetic, no
// label-key strings). Sections beyond max_sections share the "__other__" slot.
import { MAX_SECTION_LENGTH, METHODS } from './request.js';
import { STATUS_CLASSES } from './record.js';
import type { TopKState } from '../top-k.js';

export const SECTION_OTHER = '__other__';
/** Request counters per section: one per (method, status class). */
export const CELLS = METHODS.length * STATUS_CLASSES.length;

export interface AccessState {
  v: 1;
  /** Section names, in the order they were first seen; index = slot. */
  sections: string[];
  /** hostwatch_http_requests_total: sections.length * CELLS, [slot * CELLS + method * 5 + class]. */
  requests: number[];
  /** hostwatch_http_response_bytes_total per slot. */
  bytes: number[];
  /** Whether the histogram is exported: the format has a request time (JSON: a line carried one). */
  timed: boolean;
  /** Histogram bucket bounds the counts below were made with. */
  bounds: number[];
  /** Non-cumulative bucket counts: sections.length * (bounds.length + 1). */
  hist: number[];
  /** Sum of durations per slot. */
  sums: number[];
  /** hostwatch_http_client_requests_total (top_clients > 0); absent in states written before it existed. */
  clients?: TopKState<string>;
}

export function emptyState(bounds: readonly number[], timed: boolean): AccessState {
  return { v: 1, sections: [], requests: [], bytes: [], timed, bounds: [...bounds], hist: [], sums: [] };
}

export function copyState(s: AccessState): AccessState {
  return {
    v: 1,
    sections: s.sections.slice(),
    requests: s.requests.slice(),
    bytes: s.bytes.slice(),
    timed: s.timed,
    bounds: s.bounds.slice(),
    hist: s.hist.slice(),
    sums: s.sums.slice(),
    ...(s.clients
      ? { clients: { top: { ...s.clients.top }, other: s.clients.other, candidates: s.clients.candidates.map(([k, v]) => [k, v]) } }
      : {}),
  };
}

const isCount = (x: unknown) => Number.isSafeInteger(x) && (x as number) >= 0;
const isSum = (x: unknown) => typeof x === 'number' && Number.isFinite(x) && x >= 0;
const isSection = (x: unknown) => typeof x === 'string' && x.length > 0 && x.length <= MAX_SECTION_LENGTH;

/**
 * Checks a checkpointed state, every field and bound, and adapts it to the current config. Throws
 * with a reason when it is not an AccessState (the pipeline then moves the checkpoint aside): a
 * count that is not a non-negative safe integer, arrays of the wrong length, a section name too
 * long. When the bucket bounds changed in the config the histogram restarts from zero (a counter
 * reset Prometheus handles). Sections beyond `maxSections` (the config lowered it, or the file was
 * written by hand) are folded into __other__: their counts are kept, the series stay bounded.
 */
export function validState(raw: unknown, bounds: readonly number[], maxSections: number): AccessState {
  const s = raw as AccessState;
  if (!s || typeof s !== 'object' || s.v !== 1) throw new Error('access state: unknown version');
  const n = Array.isArray(s.sections) ? s.sections.length : -1;
  if (n < 0 || !s.sections.every(isSection) || new Set(s.sections).size !== n) throw new Error('access state: bad sections');
  if (!Array.isArray(s.requests) || s.requests.length !== n * CELLS || !s.requests.every(isCount))
    throw new Error('access state: bad requests');
  if (!Array.isArray(s.bytes) || s.bytes.length !== n || !s.bytes.every(isCount)) throw new Error('access state: bad bytes');
  if (!Array.isArray(s.bounds) || !Array.isArray(s.hist) || !Array.isArray(s.sums)) throw new Error('access state: bad histogram');
  if (s.clients !== undefined) validClients(s.clients);
  let out = copyState(s);
  out.timed = s.timed === true;
  const sameBounds = s.bounds.length === bounds.length && s.bounds.every((b, i) => b === bounds[i]);
  const histOk = s.hist.length === n * (s.bounds.length + 1) && s.hist.every(isCount) && s.sums.length === n && s.sums.every(isSum);
  if (!sameBounds || !histOk) {
    out.bounds = [...bounds];
    out.hist = new Array<number>(n * (bounds.length + 1)).fill(0);
    out.sums = new Array<number>(n).fill(0);
  }
  const real = n - (s.sections.includes(SECTION_OTHER) ? 1 : 0);
  if (real > maxSections) out = foldExtraSections(out, maxSections);
  return out;
}

/** Keeps the first `keep` sections (and __other__), adding the counts of the others to __other__. */
function foldExtraSections(s: AccessState, keep: number): AccessState {
  const h = s.bounds.length + 1;
  const out = emptyState(s.bounds, s.timed);
  const addSlot = (name: string): number => {
    out.sections.push(name);
    for (let c = 0; c < CELLS; c++) out.requests.push(0);
    out.bytes.push(0);
    for (let b = 0; b < h; b++) out.hist.push(0);
    out.sums.push(0);
    return out.sections.length - 1;
  };
  let other = -1;
  let kept = 0;
  for (let i = 0; i < s.sections.length; i++) {
    let j: number;
    if (s.sections[i] !== SECTION_OTHER && kept < keep) {
      j = addSlot(s.sections[i]);
      kept++;
    } else {
      if (other < 0) other = addSlot(SECTION_OTHER);
      j = other;
    }
    for (let c = 0; c < CELLS; c++) out.requests[j * CELLS + c] += s.requests[i * CELLS + c];
    out.bytes[j] += s.bytes[i];
    for (let b = 0; b < h; b++) out.hist[j * h + b] += s.hist[i * h + b];
    out.sums[j] += s.sums[i];
  }
  // Per-client counts do not depend on sections: kept as they are.
  if (s.clients !== undefined) out.clients = s.clients;
  return out;
}

function validClients(c: TopKState<string>): void {
  const ok =
    c !== null &&
    typeof c === 'object' &&
    c.top !== null &&
    typeof c.top === 'object' &&
    Object.values(c.top).every(isCount) &&
    isCount(c.other) &&
    Array.isArray(c.candidates) &&
    c.candidates.every((e) => Array.isArray(e) && typeof e[0] === 'string' && isCount(e[1]));
  if (!ok) throw new Error('access state: bad clients');
}

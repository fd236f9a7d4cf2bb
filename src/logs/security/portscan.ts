// Port-scan detection per source, in the spirit of psad: a source that hits >= distinctPorts
// distinct destination ports within `window` is scanning. Counted once per crossing, like brute
// force (bruteforce.ts).
//
// Memory, bounded by construction: at most maxSources sources (least recently active evicted
// first) and, per source, at most distinctPorts (port, last hit) pairs, in typed arrays indexed by
// the source's slot: the most recently hit distinct ports, all inside the window. If the source hit
// N distinct ports in the window, its N most recent ones are all in the window, so keeping only
// those decides the threshold exactly. A source whose window has expired before a newer packet's
// is forgotten once it is the least recently active one.
import { grown, LruSlots, type SlotKey } from './slots.js';
import { sourceKey, sourceText } from './source-key.js';
import { sourcesOverThreshold, type WindowsSnapshot } from './window.js';

export interface PortScanOptions {
  distinctPorts: number;
  /** Milliseconds. */
  window: number;
  maxSources: number;
}

/** The windows, with the port of each time (`ports[i]` was last hit at `at - ages[i]`). */
export interface PortScanSnapshot extends WindowsSnapshot {
  ports: number[];
}

export class PortScanDetector {
  private readonly slots: LruSlots;
  private readonly d: number;
  /** Per slot, its distinct ports from the least to the most recently hit, with their last hit times. */
  private ports = new Int32Array(0);
  private times = new Float64Array(0);
  private count = new Int32Array(0);

  constructor(private readonly opts: PortScanOptions) {
    this.d = opts.distinctPorts;
    this.slots = new LruSlots(opts.maxSources, (size) => {
      this.ports = grown(this.ports, size * this.d);
      this.times = grown(this.times, size * this.d);
      this.count = grown(this.count, size);
    });
  }

  get size(): number {
    return this.slots.size;
  }

  /** Records a blocked packet from `source` (a key from sourceKey()) to `port` at `t` (ms); true when the source crosses. */
  record(source: SlotKey, port: number, t: number): boolean {
    const D = this.d;
    let slot = this.slots.find(source);
    if (slot < 0) {
      slot = this.slots.add(source);
      this.count[slot] = 0;
    } else {
      this.slots.touch(slot);
    }
    const { ports, times } = this;
    const base = slot * D;
    let c = this.count[slot];
    const last = c > 0 ? times[base + c - 1] : -Infinity;
    const at = t < last ? last : t;
    const horizon = at - this.opts.window;
    const wasOver = c >= D && last >= horizon;
    for (let i = 0; i < c; i++) {
      if (ports[base + i] !== port) continue;
      this.shift(base + i, base + c, 1);
      c--;
      break;
    }
    let drop = 0;
    while (drop < c && times[base + drop] < horizon) drop++;
    if (c - drop === D) drop++;
    if (drop > 0) {
      this.shift(base, base + c, drop);
      c -= drop;
    }
    ports[base + c] = port;
    times[base + c] = at;
    this.count[slot] = ++c;
    this.forgetExpired(horizon);
    return c >= D && !wasOver;
  }

  /** Moves the pairs [from + k, end) to [from, end - k). */
  private shift(from: number, end: number, k: number): void {
    this.ports.copyWithin(from, from + k, end);
    this.times.copyWithin(from, from + k, end);
  }

  private forgetExpired(horizon: number): void {
    for (let s = this.slots.oldestSlot; s >= 0; s = this.slots.oldestSlot) {
      const c = this.count[s];
      if (c > 0 && this.times[s * this.d + c - 1] >= horizon) return;
      this.slots.remove(s);
    }
  }

  snapshot(): PortScanSnapshot {
    const D = this.d;
    let at = 0;
    this.slots.forEach((s) => {
      const c = this.count[s];
      if (c > 0 && this.times[s * D + c - 1] > at) at = this.times[s * D + c - 1];
    });
    const snap: PortScanSnapshot = { at, sources: [], counts: [], ages: [], ports: [] };
    this.slots.forEach((s) => {
      const c = this.count[s];
      snap.sources.push(sourceText(this.slots.key(s)));
      snap.counts.push(c);
      for (let i = 0; i < c; i++) {
        snap.ages.push(at - this.times[s * D + i]);
        snap.ports.push(this.ports[s * D + i]);
      }
    });
    return snap;
  }

  /** Replaces the state with a snapshot (checked by the caller), adapted to these limits like bruteforce.ts. */
  restore(snap: PortScanSnapshot): void {
    this.slots.clear();
    const D = this.d;
    let k = 0;
    for (let i = 0; i < snap.sources.length; i++) {
      const c = snap.counts[i];
      const keep = Math.min(c, D);
      if (keep > 0) {
        const key = sourceKey(snap.sources[i]);
        const seen = this.slots.find(key);
        if (seen >= 0) this.slots.remove(seen); // listed twice: the later, more recent entry stands
        const slot = this.slots.add(key);
        for (let j = 0; j < keep; j++) {
          this.times[slot * D + j] = snap.at - snap.ages[k + c - keep + j];
          this.ports[slot * D + j] = snap.ports[k + c - keep + j];
        }
        this.count[slot] = keep;
      }
      k += c;
    }
    this.forgetExpired((this.slots.size > 0 ? snap.at : 0) - this.opts.window);
  }
}

/** Sources over the threshold at `now`, from a snapshot (see window.ts). */
export function scanningSources(snap: PortScanSnapshot, now: number, distinctPorts: number, window: number): number {
  return sourcesOverThreshold(snap, now, distinctPorts, window);
}

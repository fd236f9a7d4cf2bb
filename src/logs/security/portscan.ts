// Port-scan detection per source, in the spirit of psad: a source that hits >= distinctPorts
// distinct destination ports within `window` is scanning. Counted once per crossing, like brute
// force (bruteforce.ts).
//
// Memory, bounded by construction: at most maxSources sources (least recently active evicted
// first) and, per source, at most distinctPorts (port, last hit) pairs, in typed arrays indexed by
// the source's slot (source-windows.ts, shared with bruteforce.ts): the most recently hit distinct
// ports, all inside the window. If the source hit N distinct ports in the window, its N most recent
// ones are all in the window, so keeping only those decides the threshold exactly. A source whose window has expired before a newer packet's
// is forgotten once it is the least recently active one.
import type { SlotKey } from './slots.js';
import { SourceWindows } from './source-windows.js';
import { sourcesOverThreshold, windowsReaching, type WindowsSnapshot } from './window.js';

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
  /** Per source, its distinct ports from the least to the most recently hit, with their last hit times. */
  private readonly w: SourceWindows;

  constructor(private readonly opts: PortScanOptions) {
    this.w = new SourceWindows(opts.distinctPorts, opts.maxSources, true);
  }

  get size(): number {
    return this.w.size;
  }

  /** Records a blocked packet from `source` (a key from sourceKey()) to `port` at `t` (ms); true when the source crosses. */
  record(source: SlotKey, port: number, t: number): boolean {
    const w = this.w;
    const D = w.width;
    const slot = w.slotOf(source);
    const last = w.last(slot);
    const at = t < last ? last : t;
    const horizon = at - this.opts.window;
    const wasOver = w.countOf(slot) >= D && last >= horizon;
    // The port hit again moves to the end, with its new time.
    const seen = w.indexOfValue(slot, port);
    if (seen >= 0) w.remove(slot, seen, 1);
    let drop = w.expired(slot, horizon);
    if (w.countOf(slot) - drop === D) drop++;
    w.remove(slot, 0, drop);
    w.append(slot, at, port);
    w.forgetExpired(horizon);
    return w.countOf(slot) >= D && !wasOver;
  }

  snapshot(): PortScanSnapshot {
    const ports: number[] = [];
    const snap = this.w.snapshot(ports);
    return { ...snap, ports };
  }

  /** What the metrics read of a snapshot: its sources at the threshold, with their ports (see windowsReaching). */
  metricsView(snap: PortScanSnapshot): PortScanSnapshot {
    const { windows, perEvent } = windowsReaching(snap, this.opts.distinctPorts, snap.ports);
    return { ...windows, ports: perEvent };
  }

  /** Replaces the state with a snapshot (checked by the caller), adapted to these limits like bruteforce.ts. */
  restore(snap: PortScanSnapshot): void {
    this.w.restore(snap, this.opts.window, snap.ports);
  }
}

/** Sources over the threshold at `now`, from a snapshot (see window.ts). */
export function scanningSources(snap: PortScanSnapshot, now: number, distinctPorts: number, window: number): number {
  return sourcesOverThreshold(snap, now, distinctPorts, window);
}

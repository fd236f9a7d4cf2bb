// Port-scan detection per source, in the spirit of psad: a source that hits >= distinctPorts
// distinct destination ports within `window` is scanning. Counted once per crossing, like
// brute force. Memory: at most maxSources sources (LRU eviction) and, per source, at most
// distinctPorts (port, last seen) pairs: the most recently seen distinct ports, all inside the
// window. If the source hit N distinct ports in the window, its N most recent ones are all in the
// window, so keeping only those decides the threshold exactly.
import { LruMap } from './lru.js';
import { sourcesOverThreshold as overThreshold } from './window.js';

export interface PortScanOptions {
  distinctPorts: number;
  /** Milliseconds. */
  window: number;
  maxSources: number;
}

interface SourceState {
  /** Distinct ports, least to most recently seen; times[i] is when ports[i] was last hit. */
  ports: number[];
  times: number[];
  over: boolean;
}

/** Plain JSON: [source, over, ports, times] in least-to-most recently used order. */
export interface PortScanSnapshot {
  sources: [string, 0 | 1, number[], number[]][];
}

export class PortScanDetector {
  private readonly sources: LruMap<SourceState>;

  constructor(private readonly opts: PortScanOptions) {
    this.sources = new LruMap(opts.maxSources);
  }

  get size(): number {
    return this.sources.size;
  }

  /** Records a blocked packet from `source` to `port` at `t` (ms); true when the source crosses. */
  record(source: string, port: number, t: number): boolean {
    let s = this.sources.touch(source);
    if (!s) {
      s = { ports: [], times: [], over: false };
      this.sources.set(source, s);
    }
    const { ports, times } = s;
    const last = times.length ? times[times.length - 1] : -Infinity;
    const at = t < last ? last : t;
    const i = ports.indexOf(port);
    if (i >= 0) {
      ports.splice(i, 1);
      times.splice(i, 1);
    }
    ports.push(port);
    times.push(at);
    const horizon = at - this.opts.window;
    while (times.length && times[0] < horizon) {
      times.shift();
      ports.shift();
    }
    while (ports.length > this.opts.distinctPorts) {
      times.shift();
      ports.shift();
    }
    const inWindow = ports.length >= this.opts.distinctPorts;
    const crossed = inWindow && !s.over;
    s.over = inWindow;
    return crossed;
  }

  snapshot(): PortScanSnapshot {
    const sources: PortScanSnapshot['sources'] = [];
    for (const [src, s] of this.sources.entries()) sources.push([src, s.over ? 1 : 0, s.ports.slice(), s.times.slice()]);
    return { sources };
  }

  restore(snap: PortScanSnapshot | undefined): void {
    this.sources.clear();
    for (const [src, over, ports, times] of snap?.sources ?? []) {
      const keep = Math.min(ports.length, this.opts.distinctPorts);
      this.sources.set(src, { over: over === 1, ports: ports.slice(-keep), times: times.slice(-keep) });
    }
  }
}

/** Sources over the threshold at `now`, from a snapshot (see window.ts). */
export function scanningSources(snap: PortScanSnapshot, now: number, distinctPorts: number, window: number): number {
  return overThreshold(snap.sources, now, distinctPorts, window);
}

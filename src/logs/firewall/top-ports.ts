// Blocked packets per destination port with a bounded number of `port` series, exactly-once: the
// generic top-K of ../top-k.ts (Misra-Gries promotion, `__other__`, counters that never move) keyed by
// port number. Only the checkpoint shape is the firewall's own: its state names the promoted ports
// `ports` (checkpoint v2, kept so that existing installs load their state as is).
import { PROMOTE_AT, TopK, topKCapacity } from '../top-k.js';

export { PROMOTE_AT };

export interface TopPortsState {
  /** Ports with their own series: port -> blocked packets since promotion. */
  ports: Record<string, number>;
  other: number;
  /** Misra-Gries candidates: [port, counter]. */
  candidates: [number, number][];
}

/** Misra-Gries counters held for `topPorts` exported ports. */
export const topPortsCapacity = topKCapacity;

export function emptyTopPorts(): TopPortsState {
  return { ports: {}, other: 0, candidates: [] };
}

export class TopPorts {
  private readonly top: TopK<number>;

  constructor(topPorts: number) {
    this.top = new TopK<number>(topPorts, Number);
  }

  count(port: number): void {
    this.top.count(port);
  }

  snapshot(): TopPortsState {
    const { top, other, candidates } = this.top.snapshot();
    return { ports: { ...top }, other, candidates };
  }

  restore(s: TopPortsState | undefined): void {
    this.top.restore(s && { top: s.ports, other: s.other, candidates: s.candidates });
  }
}

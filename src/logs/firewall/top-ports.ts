// Blocked packets per destination port with a bounded number of `port` series, exactly-once: the
// generic top-K of ../top-k.ts (why a port gets its own series, and when), with the checkpoint
// shape firewall states have always had ({ports, other, candidates}).
import { TopK } from '../top-k.js';

export { PROMOTE_AT } from '../top-k.js';

/** Plain JSON state. */
export interface TopPortsState {
  /** Ports with their own series: port -> blocked packets since promotion. */
  ports: Record<string, number>;
  other: number;
  /** Misra-Gries candidates: [port, counter]. */
  candidates: [number, number][];
}

export function emptyTopPorts(): TopPortsState {
  return { ports: {}, other: 0, candidates: [] };
}

export class TopPorts {
  private readonly top: TopK<number>;

  constructor(topPorts: number) {
    this.top = new TopK(topPorts, Number);
  }

  count(port: number): void {
    this.top.count(port);
  }

  snapshot(): TopPortsState {
    const { top, other, candidates } = this.top.snapshot();
    return { ports: top, other, candidates };
  }

  restore(s: TopPortsState | undefined): void {
    this.top.restore(s && { top: s.ports, other: s.other, candidates: s.candidates });
  }
}

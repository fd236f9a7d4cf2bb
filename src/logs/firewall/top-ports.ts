// Blocked packets per destination port with a bounded number of `port` series, exactly-once.
//
// Each packet is counted in exactly one series, and a port's series, once created, stays: so the
// sum over series is the exact number of blocked packets and no counter ever goes down or moves
// (restored as is from the checkpoint, so stable across restarts). Which ports get their own series
// (at most topPorts): not simply the first K seen (a port scan would fill them with random high
// ports in its first second), but the first K to show up as frequent. A Misra-Gries summary of
// `candidates` counters finds the heavy hitters in bounded memory: a port is promoted when its
// counter reaches PROMOTE_AT. A scan touching each port once never promotes its ports (their
// counters are decremented away), while 22, 23, 3389 hit again and again do. Packets of a port
// before its promotion stay in `__other__`.

export const PROMOTE_AT = 3;

/** Plain JSON state. */
export interface TopPortsState {
  /** Ports with their own series: port -> blocked packets since promotion. */
  ports: Record<string, number>;
  other: number;
  /** Misra-Gries candidates: [port, counter]. */
  candidates: [number, number][];
}

/** Misra-Gries counters held for `topPorts` exported ports. */
export function topPortsCapacity(topPorts: number): number {
  return Math.max(64, 4 * topPorts);
}

export function emptyTopPorts(): TopPortsState {
  return { ports: {}, other: 0, candidates: [] };
}

export class TopPorts {
  private ports = new Map<number, number>();
  private other = 0;
  private candidates = new Map<number, number>();
  private readonly capacity: number;

  constructor(private readonly topPorts: number) {
    this.capacity = topPortsCapacity(topPorts);
  }

  count(port: number): void {
    const own = this.ports.get(port);
    if (own !== undefined) {
      this.ports.set(port, own + 1);
      return;
    }
    if (this.ports.size < this.topPorts && this.observe(port) >= PROMOTE_AT) {
      this.candidates.delete(port);
      this.ports.set(port, 1);
      return;
    }
    this.other++;
  }

  /** Misra-Gries step: returns the port's counter after this packet. */
  private observe(port: number): number {
    const c = this.candidates.get(port);
    if (c !== undefined) {
      this.candidates.set(port, c + 1);
      return c + 1;
    }
    if (this.candidates.size < this.capacity) {
      this.candidates.set(port, 1);
      return 1;
    }
    // Full: decrement every counter and drop the zeros (amortised O(1): each decrement undoes an
    // earlier increment).
    for (const [p, v] of this.candidates) {
      if (v <= 1) this.candidates.delete(p);
      else this.candidates.set(p, v - 1);
    }
    return 0;
  }

  snapshot(): TopPortsState {
    const ports: Record<string, number> = {};
    for (const [p, v] of this.ports) ports[p] = v;
    return { ports, other: this.other, candidates: [...this.candidates] };
  }

  restore(s: TopPortsState | undefined): void {
    this.ports = new Map(Object.entries(s?.ports ?? {}).map(([p, v]) => [Number(p), v]));
    this.other = s?.other ?? 0;
    this.candidates = new Map(s?.candidates ?? []);
  }
}

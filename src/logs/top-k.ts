// Events per key (blocked ports, client addresses) with a bounded number of series, exactly-once.
//
// Each event is counted in exactly one series, and a key's series, once created, stays: so the sum
// over series is the exact number of events and no counter ever goes down or moves (restored as is
// from the checkpoint, so stable across restarts). Which keys get their own series (at most k):
// not simply the first k seen (a port scan, or a crawler rotating addresses, would fill them in
// its first second), but the first k to show up as frequent. A Misra-Gries summary of `capacity`
// counters finds the heavy hitters in bounded memory: a key is promoted when its counter reaches
// PROMOTE_AT. Keys seen once each never promote (their counters are decremented away), while keys
// hit again and again do. Events of a key before its promotion stay in `__other__`.

export const PROMOTE_AT = 3;

/** Plain JSON state. */
export interface TopKState<K extends string | number> {
  /** Keys with their own series: key -> events since promotion. */
  top: Record<string, number>;
  other: number;
  /** Misra-Gries candidates: [key, counter]. */
  candidates: [K, number][];
}

/** Misra-Gries counters held for `k` keys with their own series (the firewall checks its checkpoints against it). */
export function topKCapacity(k: number): number {
  return Math.max(64, 4 * k);
}

export class TopK<K extends string | number> {
  private top = new Map<K, number>();
  private other = 0;
  private candidates = new Map<K, number>();
  private readonly capacity: number;

  /** `keyOf` turns a key written as an object property (the state's `top`) back into a key. */
  constructor(
    private readonly k: number,
    private readonly keyOf: (written: string) => K,
  ) {
    this.capacity = topKCapacity(k);
  }

  count(key: K): void {
    const own = this.top.get(key);
    if (own !== undefined) {
      this.top.set(key, own + 1);
      return;
    }
    if (this.top.size < this.k && this.observe(key) >= PROMOTE_AT) {
      this.candidates.delete(key);
      this.top.set(key, 1);
      return;
    }
    this.other++;
  }

  /** An event of no key (e.g. a line without an address): counted in `__other__` only. */
  countOther(): void {
    this.other++;
  }

  /** Misra-Gries step: returns the key's counter after this event. */
  private observe(key: K): number {
    const c = this.candidates.get(key);
    if (c !== undefined) {
      this.candidates.set(key, c + 1);
      return c + 1;
    }
    if (this.candidates.size < this.capacity) {
      this.candidates.set(key, 1);
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

  snapshot(): TopKState<K> {
    // No prototype: a key such as "__proto__" (a client address is whatever the log says) is a key like any other.
    const top = Object.create(null) as Record<string, number>;
    for (const [p, v] of this.top) top[String(p)] = v;
    return { top, other: this.other, candidates: [...this.candidates] };
  }

  restore(s: TopKState<K> | undefined): void {
    this.top = new Map(Object.entries(s?.top ?? {}).map(([p, v]) => [this.keyOf(p), v]));
    this.other = s?.other ?? 0;
    this.candidates = new Map(s?.candidates ?? []);
  }
}

// What `hostwatch top` shows for one refresh interval (pure): hits per section, per client and per
// status class, and the security counts, accumulated by a source and taken (and reset) at each
// refresh. Bounded whatever the input: past MAX_KEYS distinct keys, hits count under "__other__".

export const MAX_KEYS = 10_000;
export const OTHER = '__other__';
export const STATUS_LABELS = ['1xx', '2xx', '3xx', '4xx', '5xx'] as const;

export interface Interval {
  /** Hits in the interval. */
  total: number;
  sections: Map<string, number>;
  clients: Map<string, number>;
  /** Hits per status class, 1xx..5xx. */
  status: number[];
  /** Failed logins (auth failures) in the interval; undefined when the source has no auth data. */
  failedLogins?: number;
  /** Blocked packets (firewall) per source address, or per port when the source only has ports. */
  blocked?: Map<string, number>;
  /** What `blocked` is keyed by. */
  blockedBy?: 'source' | 'port';
  /** FIM: files differing from the baseline (metrics) or changes seen (undefined: no FIM data). */
  fimChanges?: number;
}

export function emptyInterval(): Interval {
  return { total: 0, sections: new Map(), clients: new Map(), status: [0, 0, 0, 0, 0] };
}

/** Adds `n` to the key's count, within MAX_KEYS keys. */
export function bump(map: Map<string, number>, key: string, n = 1): void {
  const v = map.get(key);
  if (v !== undefined) map.set(key, v + n);
  else if (map.size < MAX_KEYS) map.set(key, n);
  else map.set(OTHER, (map.get(OTHER) ?? 0) + n);
}

/** The n largest entries, largest first (ties: by key, so that the screen does not jitter). */
export function topEntries(map: ReadonlyMap<string, number>, n: number): [string, number][] {
  return [...map]
    .filter(([, v]) => v > 0)
    .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
    .slice(0, n);
}

/** Accumulates an interval; take() returns it and starts the next. */
export class IntervalCounter {
  private current = emptyInterval();

  /** A request: its section, client (undefined when the line has none) and status code. */
  request(section: string, client: string | undefined, status: number, n = 1): void {
    const c = this.current;
    c.total += n;
    bump(c.sections, section, n);
    if (client !== undefined) bump(c.clients, client, n);
    const k = Math.floor(status / 100) - 1;
    if (k >= 0 && k < 5) c.status[k] += n;
  }

  /** Requests of a client counted apart from request() (the exporter's per-client counter). */
  client(client: string, n: number): void {
    bump(this.current.clients, client, n);
  }

  failedLogin(n = 1): void {
    this.current.failedLogins = (this.current.failedLogins ?? 0) + n;
  }

  blocked(key: string, by: 'source' | 'port', n = 1): void {
    const c = this.current;
    c.blocked ??= new Map();
    c.blockedBy = by;
    bump(c.blocked, key, n);
  }

  /** FIM: files that differ from the baseline now (a gauge: the last value stands). */
  fimChangedFiles(n: number): void {
    this.current.fimChanges = n;
  }

  take(): Interval {
    const out = this.current;
    this.current = emptyInterval();
    return out;
  }
}

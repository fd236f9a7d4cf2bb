// rate_limit: a token bucket per client address. Each client may make `burst` requests at once and
// earns one request back every `interval`; over the limit it gets 429 with Retry-After.
//
// Per client rather than global: a global bucket lets any client (even one without credentials,
// since the limit runs before auth to cap bcrypt work) use up the budget and make Prometheus's own
// scrapes fail. Per client, a noisy or hostile client only limits itself. The client is the TCP
// peer address (never X-Forwarded-For, which anyone can write); IPv6 clients are grouped by /64,
// the block one host usually owns. Memory is bounded: at most MAX_CLIENTS buckets, the least
// recently seen dropped first (a dropped bucket comes back full, i.e. the client's state is lost,
// which only matters to a flood from more than MAX_CLIENTS addresses).
import { isIP } from 'node:net';
import type { RequestHandler } from 'express';
import type { Clock } from '../core/clock.js';

export const MAX_CLIENTS = 10_000;

interface Bucket {
  tokens: number;
  at: number;
}

/** The key a client address is limited under. */
export function clientKey(address: string | undefined): string {
  if (!address) return 'unknown';
  let a = address.replace(/%.*$/, '').toLowerCase();
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(a);
  if (mapped) return mapped[1];
  if (isIP(a) !== 6) return a;
  // Expand "::" to get the first four groups: the /64 prefix.
  const [head, tail] = a.split('::');
  const headGroups = head ? head.split(':') : [];
  const tailGroups = tail !== undefined && tail !== '' ? tail.split(':') : [];
  const groups =
    tail === undefined ? headGroups : [...headGroups, ...Array(8 - headGroups.length - tailGroups.length).fill('0'), ...tailGroups];
  a = groups
    .slice(0, 4)
    .map((g) => g.replace(/^0+(?=.)/, ''))
    .join(':');
  return `${a}::/64`;
}

export class RateLimiter {
  private readonly buckets = new Map<string, Bucket>();

  constructor(
    private readonly intervalMs: number,
    private readonly burst: number,
    private readonly clock: Clock,
    private readonly maxClients = MAX_CLIENTS,
  ) {}

  get size(): number {
    return this.buckets.size;
  }

  /** Takes a token for the client: 0 when allowed, else the milliseconds until one is available. */
  take(key: string): number {
    const now = this.clock.now();
    let b = this.buckets.get(key);
    if (b) {
      this.buckets.delete(key); // re-inserted below: Map order is then least recently seen first
      // Time going backwards (a clock step) must not drain the bucket.
      b.tokens = Math.min(this.burst, b.tokens + Math.max(0, now - b.at) / this.intervalMs);
      b.at = now;
    } else {
      b = { tokens: this.burst, at: now };
      if (this.buckets.size >= this.maxClients) this.buckets.delete(this.buckets.keys().next().value!);
    }
    this.buckets.set(key, b);
    if (b.tokens >= 1) {
      b.tokens -= 1;
      return 0;
    }
    return Math.ceil((1 - b.tokens) * this.intervalMs);
  }

  middleware(): RequestHandler {
    return (req, res, next) => {
      const waitMs = this.take(clientKey(req.socket.remoteAddress));
      if (waitMs === 0) return next();
      res
        .status(429)
        .set('Retry-After', String(Math.max(1, Math.ceil(waitMs / 1000))))
        .type('text/plain')
        .send('Too many requests\n');
    };
  }
}

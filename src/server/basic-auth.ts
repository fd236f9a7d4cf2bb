// HTTP basic auth against bcrypt hashes (basic_auth_users), as the exporter-toolkit does it:
// - no timing leak: the user name is compared against every configured name with timingSafeEqual
//   (no early exit), and a bcrypt compare runs for unknown users too, against a dummy hash of the
//   same cost, so a wrong user costs what a wrong password costs;
// - successful verifications are cached, keyed by a SHA-256 of user, password and configured hash,
//   so that a scrape every 15 s does not spend a bcrypt (100-300 ms of CPU at cost 10) each time. The cache
//   holds only hashes of credentials that were valid, is bounded, and is dropped with the config;
// - bcrypt runs in a worker thread (bcrypt-pool.ts): bad logins do not stall scrapes, and cached
//   logins (Prometheus's) keep passing while a flood of bad ones is refused with 429.
import { createHash, timingSafeEqual } from 'node:crypto';
import type { RequestHandler, Response } from 'express';
import { bcryptCompare, QueueFullError } from './bcrypt-pool.js';

export const AUTH_REALM = 'hostwatch';
const CACHE_MAX = 1024;

function sha256(...parts: string[]): Buffer {
  const h = createHash('sha256');
  // Length-prefixed, so that no two different tuples of parts hash the same input.
  for (const p of parts) h.update(`${Buffer.byteLength(p)}:`).update(p);
  return h.digest();
}

/** Parses `Authorization: Basic base64(user:password)`; undefined when absent or malformed. */
export function parseBasicAuth(header: string | undefined): { user: string; password: string } | undefined {
  if (!header) return undefined;
  const m = /^basic[ ]+([A-Za-z0-9+/=]+)\s*$/i.exec(header);
  if (!m) return undefined;
  const decoded = Buffer.from(m[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return undefined;
  return { user: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}

function unauthorized(res: Response): void {
  res.status(401).set('WWW-Authenticate', `Basic realm="${AUTH_REALM}"`).type('text/plain').send('Unauthorized\n');
}

export class BasicAuth {
  private readonly users: { digest: Buffer; hash: string }[];
  private readonly dummyHash: string;
  private readonly cache = new Set<string>();

  constructor(users: Record<string, string>) {
    this.users = Object.entries(users).map(([user, hash]) => ({ digest: sha256(user), hash }));
    // A hash no password matches, with the highest configured cost, for unknown users.
    const cost = Math.max(...this.users.map((u) => Number(u.hash.split('$')[2])), 4);
    this.dummyHash = `$2b$${String(cost).padStart(2, '0')}$${'x'.repeat(22)}${'y'.repeat(31)}`;
  }

  /** Whether user:password is valid. Takes the same time for unknown users and wrong passwords. */
  async verify(user: string, password: string): Promise<boolean> {
    const wanted = sha256(user);
    let hash = this.dummyHash;
    let known = false;
    for (const u of this.users) {
      // No early exit: the time does not depend on which (or whether a) user matched.
      const match = timingSafeEqual(u.digest, wanted);
      if (match) hash = u.hash;
      known ||= match;
    }
    const key = sha256(user, password, hash).toString('hex');
    if (known && this.cache.has(key)) return true;
    const ok = (await bcryptCompare(password, hash)) && known;
    if (ok) {
      if (this.cache.size >= CACHE_MAX) this.cache.delete(this.cache.values().next().value!);
      this.cache.add(key);
    }
    return ok;
  }

  middleware(): RequestHandler {
    return (req, res, next) => {
      const creds = parseBasicAuth(req.headers.authorization);
      if (!creds) return unauthorized(res);
      this.verify(creds.user, creds.password).then(
        (ok) => (ok ? next() : unauthorized(res)),
        (err) => {
          if (err instanceof QueueFullError) {
            res.status(429).set('Retry-After', '1').type('text/plain').send('Too many login attempts in progress\n');
          } else next(err);
        },
      );
    };
  }
}

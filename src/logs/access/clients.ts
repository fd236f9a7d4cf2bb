// Who the client of a request is, for hostwatch_http_client_requests_total: the address that
// connected ($remote_addr, %h, the JSON source field), unless that address is one of the log's
// trusted proxies (trusted_proxies: addresses and CIDR ranges), in which case the client is taken
// from the X-Forwarded-For header the proxy added. As nginx's realip module does with
// real_ip_recursive on: the header is read from the right (each proxy appends the address it got
// the request from), skipping trusted proxies, and the first address that is not one is the client.
// The header is written by whoever sent the request, so it is believed only that far: an entry that
// is not an IP address stops the walk (the last trusted hop is then the client), and an untrusted
// connection's header is never read at all. What ends up in the `client` label is thus either the
// connecting address or a syntactically valid IP address, never free text.
import { isIP } from 'node:net';

/** Addresses whose trust is remembered (see ClientResolver.isTrusted). */
const TRUST_CACHE = 4096;

/** Longest `client` label taken from the connecting address (a hostname with HostnameLookups on). */
const MAX_CLIENT_LENGTH = 255;

/** For the config schema: why a trusted_proxies entry is unusable, or undefined when it is fine. */
export function trustedProxyProblem(entry: string): string | undefined {
  const slash = entry.indexOf('/');
  const addr = slash < 0 ? entry : entry.slice(0, slash);
  const family = isIP(addr);
  if (family === 0) return `${JSON.stringify(entry)} is not an IP address or a CIDR range (e.g. 10.0.0.0/8, 2001:db8::/32, 192.0.2.1)`;
  if (slash < 0) return undefined;
  const bits = entry.slice(slash + 1);
  const max = family === 4 ? 32 : 128;
  if (!/^\d{1,3}$/.test(bits) || Number(bits) > max) return `${JSON.stringify(entry)}: the prefix length must be 0 to ${max}`;
  return undefined;
}

/** An IPv4-mapped IPv6 address (::ffff:192.0.2.1, what a dual-stack socket reports) as IPv4. */
function unmapped(addr: string): string {
  return addr.length > 7 && addr.slice(0, 7).toLowerCase() === '::ffff:' && isIP(addr.slice(7)) === 4 ? addr.slice(7) : addr;
}

/** An X-Forwarded-For entry as an address: "192.0.2.1", "192.0.2.1:5678", "[2001:db8::1]:443"; undefined when it is none. */
function entryAddress(entry: string): string | undefined {
  let e = entry.trim();
  if (e.startsWith('[')) {
    const close = e.indexOf(']');
    if (close < 0) return undefined;
    e = e.slice(1, close);
  } else if (e.indexOf(':') > 0 && e.indexOf(':') === e.lastIndexOf(':')) {
    e = e.slice(0, e.indexOf(':')); // IPv4 with a port
  }
  e = unmapped(e);
  return isIP(e) === 0 ? undefined : e;
}

/** An IPv4 address (valid: checked with isIP) as an unsigned 32-bit number. */
function v4(addr: string): number {
  let n = 0;
  let part = 0;
  for (let i = 0; i < addr.length; i++) {
    const c = addr.charCodeAt(i);
    if (c === 0x2e) {
      n = n * 256 + part;
      part = 0;
    } else part = part * 10 + (c - 0x30);
  }
  return n * 256 + part;
}

/** An IPv6 address (valid: checked with isIP) as 8 groups of 16 bits; an IPv4 tail counts as two groups. */
function v6(addr: string): number[] {
  const zone = addr.indexOf('%');
  const a = zone < 0 ? addr : addr.slice(0, zone);
  const halves = a.split('::');
  const groups = (s: string): number[] => {
    if (s === '') return [];
    const out: number[] = [];
    for (const g of s.split(':')) {
      if (g.includes('.')) {
        const n = v4(g);
        out.push(Math.floor(n / 65536), n % 65536);
      } else out.push(parseInt(g, 16));
    }
    return out;
  };
  const head = groups(halves[0]);
  if (halves.length === 1) return head;
  const tail = groups(halves[1]);
  return [...head, ...new Array<number>(8 - head.length - tail.length).fill(0), ...tail];
}

/**
 * The trusted ranges, matched in plain arithmetic: node's BlockList.check costs ~10 µs per call
 * (it builds a SocketAddress each time), which at two checks per line behind a proxy made the
 * access handler 10 times slower.
 */
class Ranges {
  private readonly v4: { net: number; size: number }[] = [];
  private readonly v6: { groups: number[]; bits: number }[] = [];

  constructor(entries: readonly string[]) {
    for (const entry of entries) {
      const [addr, b] = entry.split('/');
      if (isIP(addr) === 4) {
        const bits = b === undefined ? 32 : Number(b);
        const size = 2 ** (32 - bits);
        this.v4.push({ net: Math.floor(v4(addr) / size) * size, size });
      } else {
        this.v6.push({ groups: v6(addr), bits: b === undefined ? 128 : Number(b) });
      }
    }
  }

  has(addr: string): boolean {
    const family = isIP(addr);
    if (family === 4) {
      const n = v4(addr);
      return this.v4.some((r) => n >= r.net && n < r.net + r.size);
    }
    if (family !== 6 || this.v6.length === 0) return false;
    const g = v6(addr);
    return this.v6.some((r) => {
      for (let i = 0, left = r.bits; left > 0; i++, left -= 16) {
        const shift = left >= 16 ? 0 : 16 - left;
        if (g[i] >> shift !== r.groups[i] >> shift) return false;
      }
      return true;
    });
  }
}

export class ClientResolver {
  private readonly trusted?: Ranges;

  constructor(trustedProxies: readonly string[]) {
    if (trustedProxies.length > 0) this.trusted = new Ranges(trustedProxies);
  }

  /** Whether the header is needed at all (the parser decodes it only then). */
  get usesForwardedFor(): boolean {
    return this.trusted !== undefined;
  }

  /**
   * Whether the address is in a trusted range, remembered for the next lines: the proxies are a
   * few addresses seen on every line, and clients repeat. Bounded: emptied when full.
   */
  private readonly seen = new Map<string, boolean>();

  private isTrusted(addr: string): boolean {
    let t = this.seen.get(addr);
    if (t === undefined) {
      t = this.trusted!.has(addr);
      if (this.seen.size >= TRUST_CACHE) this.seen.clear();
      this.seen.set(addr, t);
    }
    return t;
  }

  /** The client of a request; undefined when the line has no usable address. */
  client(source: string | undefined, forwardedFor: string | undefined): string | undefined {
    if (source === undefined || source === '' || source === '-' || source.length > MAX_CLIENT_LENGTH) return undefined;
    let client = unmapped(source);
    if (this.trusted === undefined || forwardedFor === undefined || !this.isTrusted(client)) return client;
    const hops = forwardedFor.split(',');
    for (let i = hops.length - 1; i >= 0; i--) {
      const addr = entryAddress(hops[i]);
      if (addr === undefined) break;
      client = addr;
      if (!this.isTrusted(addr)) break;
    }
    return client;
  }
}

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
import { BlockList, isIP } from 'node:net';

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

export class ClientResolver {
  private readonly trusted?: BlockList;

  constructor(trustedProxies: readonly string[]) {
    if (trustedProxies.length === 0) return;
    const list = new BlockList();
    for (const entry of trustedProxies) {
      const [addr, bits] = entry.split('/');
      const type = isIP(addr) === 4 ? 'ipv4' : 'ipv6';
      if (bits === undefined) list.addAddress(addr, type);
      else list.addSubnet(addr, Number(bits), type);
    }
    this.trusted = list;
  }

  /** Whether the header is needed at all (the parser decodes it only then). */
  get usesForwardedFor(): boolean {
    return this.trusted !== undefined;
  }

  private isTrusted(addr: string): boolean {
    const family = isIP(addr);
    return family !== 0 && this.trusted!.check(addr, family === 4 ? 'ipv4' : 'ipv6');
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

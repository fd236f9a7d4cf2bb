// Name resolution of a probe target, with blackbox_exporter's preferred_ip_protocol and
// ip_protocol_fallback: the system resolver (getaddrinfo: /etc/hosts, then DNS) asked for the preferred
// family, then for the other one when allowed. Probes then connect to that address: the time of the
// resolve phase is this lookup, and the family is reported as hostwatch_probe_ip_protocol.
import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import { abortable, ProbeError } from './result.js';

export interface Resolved {
  address: string;
  family: 4 | 6;
}

export interface IpPreference {
  preferred_ip_protocol: 'ip4' | 'ip6';
  ip_protocol_fallback: boolean;
}

/** Strips the brackets of an IPv6 URL host ("[::1]" → "::1"). */
export function bareHost(host: string): string {
  return host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
}

export async function resolveTarget(host: string, pref: IpPreference, signal: AbortSignal): Promise<Resolved> {
  const literal = isIP(bareHost(host));
  if (literal !== 0) return { address: bareHost(host), family: literal as 4 | 6 };
  const first: 4 | 6 = pref.preferred_ip_protocol === 'ip6' ? 6 : 4;
  const families: (4 | 6)[] = pref.ip_protocol_fallback ? [first, first === 4 ? 6 : 4] : [first];
  let lastErr: unknown;
  for (const family of families) {
    try {
      const r = await abortable(lookup(host, { family }), signal);
      return { address: r.address, family };
    } catch (err) {
      if (signal.aborted) throw err;
      lastErr = err;
    }
  }
  const code = (lastErr as NodeJS.ErrnoException | undefined)?.code ?? 'no address';
  throw new ProbeError('resolve', `cannot resolve ${host} (${families.map((f) => `IPv${f}`).join(', then ')}): ${code}`);
}

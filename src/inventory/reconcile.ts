// Which inventory hosts do not report metrics: Prometheus is asked (an instant query, by default
// `up{job="hostwatch"} == 1`) which hosts it scrapes, and the inventory's hosts are matched on the short
// host name (lower-cased, the first DNS label of the label value without its port; when both the target
// and the host have a domain, the domains must agree too) or, for a target given as an address, on the IP. The result is a count per source: the exporter never exposes one
// series per host; `hostwatch inventory report` prints the same counts.
import { isIP } from 'node:net';
import type { FleetView } from './aggregate.js';
import type { InventoryConfig } from './config.js';
import { fingerprint } from './key-index.js';
import { domainHash } from './merge.js';

export interface ReportingHosts {
  /** Short-name fingerprint → domain hashes of the targets with that name (0: a target without domain). */
  names: Map<number, Set<number>>;
  ips: Set<number>;
  /** Series returned by the query. */
  series: number;
}

/** Largest query response read: ~100 bytes per series, so about half a million hosts. */
const MAX_RESPONSE_BYTES = 64 * 1024 * 1024;

/** "web-01.corp:10023" → name web-01, domain corp; "10.0.0.1:10023" and "[fd00::1]:10023" → the address. */
export function targetHost(value: string): { name?: string; domain?: string; ip?: string } {
  let host = value.trim().toLowerCase();
  const bracket = /^\[([^\]]+)\](?::\d+)?$/.exec(host);
  if (bracket) host = bracket[1];
  else if (isIP(host) === 0) host = host.replace(/:\d+$/, '');
  if (host === '') return {};
  if (isIP(host) !== 0) return { ip: host };
  const dot = host.indexOf('.');
  return dot < 0 ? { name: host } : { name: host.slice(0, dot), domain: host.slice(dot + 1) };
}

export function reportingFromResult(result: { metric: Record<string, string> }[], label: string): ReportingHosts {
  const names = new Map<number, Set<number>>();
  const ips = new Set<number>();
  for (const r of result) {
    const v = r.metric?.[label];
    if (typeof v !== 'string') continue;
    const h = targetHost(v);
    if (h.name) {
      const key = fingerprint(h.name);
      const domains = names.get(key) ?? new Set<number>();
      domains.add(h.domain ? domainHash(h.domain) : 0);
      names.set(key, domains);
    }
    if (h.ip) ips.add(fingerprint(h.ip));
  }
  return { names, ips, series: result.length };
}

async function readCapped(res: Response): Promise<string> {
  if (!res.body) return '';
  const decoder = new TextDecoder();
  let text = '';
  let bytes = 0;
  for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
    bytes += chunk.byteLength;
    if (bytes > MAX_RESPONSE_BYTES) throw new Error(`response larger than ${MAX_RESPONSE_BYTES} bytes`);
    text += decoder.decode(chunk, { stream: true });
  }
  return text + decoder.decode();
}

/** Runs the configured query; throws with a message that says what went wrong. */
export async function fetchReporting(rc: InventoryConfig['reconcile'], signal?: AbortSignal): Promise<ReportingHosts> {
  const url = `${rc.prometheus_url.replace(/\/+$/, '')}/api/v1/query?query=${encodeURIComponent(rc.query)}`;
  const timeout = AbortSignal.timeout(rc.timeout);
  const res = await fetch(url, { signal: signal ? AbortSignal.any([signal, timeout]) : timeout, headers: { accept: 'application/json' } });
  const text = await readCapped(res);
  let body: { status?: string; error?: string; data?: { resultType?: string; result?: { metric: Record<string, string> }[] } };
  try {
    body = JSON.parse(text);
  } catch {
    throw new Error(`${url}: HTTP ${res.status}, not a Prometheus API response`);
  }
  if (body.status !== 'success') throw new Error(`${url}: ${body.error ?? `HTTP ${res.status}`}`);
  if (body.data?.resultType !== 'vector') throw new Error(`${url}: the query must return an instant vector, got ${body.data?.resultType}`);
  return reportingFromResult(body.data.result ?? [], rc.label);
}

/** Hosts of each source (then of the fleet, last) that match no reporting host. */
export function notReporting(view: FleetView, reporting: ReportingHosts): number[] {
  const S = view.sources.length;
  const out = new Array<number>(S + 1).fill(0);
  for (let h = 0; h < view.present.length; h++) {
    if (reporting.ips.has(view.ipHash[h])) continue;
    const domains = reporting.names.get(view.nameHash[h]);
    const domain = view.domainHash[h];
    if (domains && (domain === 0 || domains.has(0) || domains.has(domain))) continue;
    const mask = view.present[h];
    for (let s = 0; s < S; s++) if (mask & (1 << s)) out[s]++;
    out[S]++;
  }
  return out;
}

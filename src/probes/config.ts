// The `probes:` section of hostwatch.yml: dependencies (HTTP APIs, TCP services, DNS servers, hosts)
// probed in the background with blackbox_exporter's semantics and, where they exist, its key names
// (valid_status_codes, fail_if_body_matches_regexp, tls_config, query_response, validate_answer_rrs...).
// Each probe names its `type` and takes that type's options under a key of the same name, as a
// blackbox module does (`type: http` + `http: {...}`). Its own fragment; config/schema.ts mounts it.
import { z } from 'zod';
import { bool, duration, posInt, regex, size } from '../config/fields.js';
import { userRegexProblem } from '../core/regex.js';
import { formatDuration, parseDuration } from '../config/units.js';

export const PROBE_TYPES = ['http', 'tcp', 'dns', 'icmp'] as const;
export type ProbeType = (typeof PROBE_TYPES)[number];

const regexList = (description: string) =>
  z.array(regex(description, '')).default([]).describe(`${description} (list of RE2 regular expressions)`);

const ipProtocol = {
  preferred_ip_protocol: z
    .enum(['ip4', 'ip6'])
    .default('ip4')
    .describe(
      'Address family tried first when the target name has both (blackbox_exporter defaults to ip6; ip4 is what works on most hosts)',
    ),
  ip_protocol_fallback: bool('Use the other address family when the name has no address of the preferred one', true),
};

const tlsConfig = z
  .strictObject({
    insecure_skip_verify: bool('Do not verify the server certificate (its expiry is still reported)', false),
    ca_file: z.string().default('').describe('PEM file of the CAs to verify the server with (empty: the system CAs)'),
    cert_file: z.string().default('').describe('PEM client certificate, for servers that require one (mTLS)'),
    key_file: z.string().default('').describe('PEM key of cert_file'),
    server_name: z.string().default('').describe('Name to verify the certificate against and to send as SNI (empty: the target host)'),
  })
  .superRefine((t, ctx) => {
    if ((t.cert_file === '') !== (t.key_file === '')) ctx.addIssue({ code: 'custom', message: 'cert_file and key_file go together' });
  })
  .prefault({})
  .describe('TLS options');

const STATUS_CODE = z.number().int().min(100).max(599);

export const httpOptions = z
  .strictObject({
    method: z
      .string()
      .regex(/^[A-Z]+$/, 'an HTTP method in capitals, e.g. GET')
      .default('GET')
      .describe('Request method'),
    headers: z.record(z.string(), z.string()).default({}).describe('Request headers (e.g. Host, Authorization)'),
    body: z.string().default('').describe('Request body'),
    valid_status_codes: z.array(STATUS_CODE).default([]).describe('Status codes that count as success (empty: any 2xx)'),
    fail_if_body_matches_regexp: regexList('The probe fails when the body matches one of these'),
    fail_if_body_not_matches_regexp: regexList('The probe fails when the body does not match every one of these'),
    body_size_limit: size('Most body bytes read to match the regexps; a longer body fails the probe when a regexp is set', '1MiB'),
    follow_redirects: bool('Follow redirects (at most 10; the phases add up over the hops)', true),
    tls_config: tlsConfig,
    ...ipProtocol,
  })
  .describe('Options of type http; target is the URL (http:// or https://)');

export const tcpOptions = z
  .strictObject({
    tls: bool('Do a TLS handshake after connecting', false),
    tls_config: tlsConfig,
    query_response: z
      .array(
        z
          .strictObject({
            send: z.string().optional().describe('Line written to the server (a newline is added)'),
            expect: z
              .string()
              .optional()
              .describe('Regular expression (RE2) a line read from the server must match; lines are read until one does'),
          })
          .superRefine((s, ctx) => {
            if (s.send === undefined && s.expect === undefined) ctx.addIssue({ code: 'custom', message: 'give send, expect or both' });
            const refused = s.expect === undefined ? undefined : userRegexProblem(s.expect);
            if (refused !== undefined)
              ctx.addIssue({ code: 'custom', path: ['expect'], message: `not a valid regular expression for RE2 (${refused})` });
          }),
      )
      .default([])
      .describe('Dialogue after connecting: each step expects a line (first), then sends one, in order'),
    ...ipProtocol,
  })
  .describe('Options of type tcp; target is host:port ([v6 address]:port)');

/** Query types the DNS probe asks (the common ones; dns-packet encodes and decodes each). */
export const DNS_QUERY_TYPES = ['A', 'AAAA', 'CNAME', 'MX', 'NS', 'PTR', 'SOA', 'SRV', 'TXT', 'CAA', 'ANY'] as const;
export const DNS_RCODES = ['NOERROR', 'FORMERR', 'SERVFAIL', 'NXDOMAIN', 'NOTIMP', 'REFUSED'] as const;

const rrValidator = (section: string) =>
  z
    .strictObject({
      fail_if_matches_regexp: regexList(`The probe fails when a record of the ${section} section matches one of these`),
      fail_if_not_matches_regexp: regexList(
        `The probe fails when a record of the ${section} section does not match one of these (or there is no record)`,
      ),
      fail_if_all_match_regexp: regexList(
        `The probe fails when every record of the ${section} section matches all of these (an empty section too, as in blackbox_exporter)`,
      ),
      fail_if_none_matches_regexp: regexList(
        `The probe fails when no record of the ${section} section matches any of these (or there is no record)`,
      ),
    })
    .prefault({})
    .describe(
      `Checks of the ${section} section; records are matched as text like "example.org.\\t300\\tIN\\tA\\t192.0.2.1" (dig's format)`,
    );

export const dnsOptions = z
  .strictObject({
    query_name: z.string().min(1).describe('Name to ask about'),
    query_type: z.enum(DNS_QUERY_TYPES).default('A').describe('Record type to ask for'),
    transport_protocol: z.enum(['udp', 'tcp']).default('udp').describe('Ask over UDP or TCP'),
    recursion_desired: bool('Set the RD flag (ask a resolver to recurse)', true),
    valid_rcodes: z.array(z.enum(DNS_RCODES)).min(1).default(['NOERROR']).describe('Response codes that count as success'),
    validate_answer_rrs: rrValidator('answer'),
    validate_authority_rrs: rrValidator('authority'),
    validate_additional_rrs: rrValidator('additional'),
    ...ipProtocol,
  })
  .describe('Options of type dns (query_name is required); target is the server, host or host:port (port 53 by default)');

export const icmpOptions = z
  .strictObject({
    ...ipProtocol,
  })
  .describe(
    'Options of type icmp; target is a host name or address. Runs the system ping (see README: may need CAP_NET_RAW or net.ipv4.ping_group_range)',
  );

const DEFAULT_TIMEOUT_MS = 5000;
const NAME = /^[a-zA-Z_][a-zA-Z0-9_.:-]*$/;

const probeEntry = z
  .strictObject({
    name: z
      .string()
      .regex(NAME, 'must start with a letter or _ and hold only letters, digits, _ . : -')
      .describe('Name of the probe, used as the `probe` label'),
    type: z.enum(PROBE_TYPES).describe('http, tcp, dns or icmp'),
    target: z.string().min(1).describe('What to probe: a URL (http), host:port (tcp), a DNS server (dns), a host (icmp)'),
    interval: duration('Time between two probes of this target', '30s'),
    timeout: z
      .union([z.string(), z.number()])
      .optional()
      .transform((v, ctx) => {
        if (v === undefined) return undefined;
        const ms = parseDuration(v);
        if (ms === undefined) ctx.addIssue({ code: 'custom', message: `invalid duration ${JSON.stringify(v)} (use e.g. 250ms, 5s)` });
        return ms;
      })
      .describe('Time a probe may take before it fails, at most the interval (duration, default 5s, or the interval when shorter)'),
    http: httpOptions.optional(),
    tcp: tcpOptions.optional(),
    dns: dnsOptions.optional(),
    icmp: icmpOptions.optional(),
  })
  .superRefine((p, ctx) => {
    for (const t of PROBE_TYPES) {
      if (t !== p.type && p[t] !== undefined)
        ctx.addIssue({ code: 'custom', path: [t], message: `options of type ${t} on a probe of type ${p.type}` });
    }
    if (p.type === 'dns' && p.dns === undefined)
      ctx.addIssue({ code: 'custom', path: ['dns', 'query_name'], message: 'a dns probe needs dns.query_name' });
    if (p.timeout !== undefined && p.timeout <= 0) ctx.addIssue({ code: 'custom', path: ['timeout'], message: 'must be more than 0' });
    if (p.interval <= 0) ctx.addIssue({ code: 'custom', path: ['interval'], message: 'must be more than 0' });
    if (p.timeout !== undefined && p.timeout > p.interval)
      ctx.addIssue({ code: 'custom', path: ['timeout'], message: `must be at most the interval (${formatDuration(p.interval)})` });
    const problem = targetProblem(p.type, p.target);
    if (problem) ctx.addIssue({ code: 'custom', path: ['target'], message: problem });
  })
  .transform((p) => {
    const base = { name: p.name, target: p.target, interval: p.interval, timeout: p.timeout ?? Math.min(DEFAULT_TIMEOUT_MS, p.interval) };
    switch (p.type) {
      case 'http':
        return { ...base, type: p.type, http: p.http ?? httpOptions.parse({}) };
      case 'tcp':
        return { ...base, type: p.type, tcp: p.tcp ?? tcpOptions.parse({}) };
      case 'dns':
        return { ...base, type: p.type, dns: p.dns! };
      case 'icmp':
        return { ...base, type: p.type, icmp: p.icmp ?? icmpOptions.parse({}) };
    }
  });

/** What is wrong with a target for its type, or undefined. */
export function targetProblem(type: ProbeType, target: string): string | undefined {
  if (type === 'http') {
    let url: URL;
    try {
      url = new URL(target);
    } catch {
      return 'not a URL (e.g. https://api.example.org/health)';
    }
    return url.protocol === 'http:' || url.protocol === 'https:' ? undefined : 'the URL must be http:// or https://';
  }
  if (type === 'tcp') return splitHostPort(target) ? undefined : 'must be host:port, e.g. db.example.org:5432 or [2001:db8::1]:5432';
  if (type === 'dns') return splitHostPort(target, 53) ? undefined : 'must be a host, host:port or [v6 address]:port';
  return /^[\w.:-]+$/.test(target) && !target.startsWith('-') ? undefined : 'must be a host name or an address';
}

/** "host:port", "[v6]:port" or (with a default port) "host", "v6": host and port, or undefined. */
export function splitHostPort(target: string, defaultPort?: number): { host: string; port: number } | undefined {
  const m = /^\[([0-9a-fA-F:.]+)\](?::(\d+))?$/.exec(target) ?? /^([\w.-]+)(?::(\d+))?$/.exec(target);
  let host: string;
  let portText: string | undefined;
  if (m) {
    host = m[1];
    portText = m[2];
  } else if (defaultPort !== undefined && /^[0-9a-fA-F:]+$/.test(target) && target.includes(':')) {
    host = target; // a bare IPv6 address
  } else {
    return undefined;
  }
  if (host.startsWith('-')) return undefined;
  const port = portText === undefined ? defaultPort : Number(portText);
  if (port === undefined || !(port >= 1 && port <= 65535)) return undefined;
  return { host, port };
}

export const DEFAULT_PROBE_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

export const probesSchema = z
  .strictObject({
    max_concurrency: posInt(
      'Probes run at the same time at most; the others wait for a free slot (runs that cannot keep to their interval are counted in hostwatch_probe_skipped_runs_total)',
      64,
    ),
    duration_buckets: z
      .array(z.number().positive())
      .default(DEFAULT_PROBE_BUCKETS)
      .describe('Histogram buckets of hostwatch_probe_total_duration_seconds'),
    targets: z.array(probeEntry).default([]).describe('The probes'),
  })
  .superRefine((cfg, ctx) => {
    const seen = new Map<string, number>();
    cfg.targets.forEach((p, i) => {
      const prev = seen.get(p.name);
      if (prev !== undefined)
        ctx.addIssue({ code: 'custom', path: ['targets', i, 'name'], message: `duplicate probe name "${p.name}" (also targets[${prev}])` });
      seen.set(p.name, i);
    });
  })
  .prefault({})
  .describe('Probes of the systems the host depends on (blackbox_exporter semantics), run in the background');

export type ProbesConfig = z.output<typeof probesSchema>;
export type ProbeConfig = ProbesConfig['targets'][number];
export type HttpProbeConfig = Extract<ProbeConfig, { type: 'http' }>;
export type TcpProbeConfig = Extract<ProbeConfig, { type: 'tcp' }>;
export type DnsProbeConfig = Extract<ProbeConfig, { type: 'dns' }>;
export type IcmpProbeConfig = Extract<ProbeConfig, { type: 'icmp' }>;
export type TlsConfig = HttpProbeConfig['http']['tls_config'];
export type RRValidator = DnsProbeConfig['dns']['validate_answer_rrs'];

// The pure parts of the probes: ping's output (golden fixtures, one per program and variant), DNS records
// as dig-style text (through a real encode/decode by dns-packet) and blackbox_exporter's record checks,
// target parsing, and the `probes:` config with its errors.
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import dnsPacket, { type Answer } from 'dns-packet';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/config/errors.js';
import { parseConfig } from '../../src/config/load.js';
import { splitHostPort } from '../../src/probes/config.js';
import { compileValidator, formatRR, rrProblem } from '../../src/probes/dns-records.js';
import { readPingOutput, type PingOutcome } from '../../src/probes/ping-output.js';

const PING = fileURLToPath(new URL('../fixtures/ping/', import.meta.url));
const read = (name: string, ext: string) => (existsSync(`${PING}${name}.${ext}`) ? readFileSync(`${PING}${name}.${ext}`, 'utf8') : '');

describe('ping output', () => {
  const cases: [string, number, PingOutcome['kind'], number?][] = [
    ['iputils-20221126-reply-v4', 0, 'reply', 0.000043],
    ['iputils-20221126-reply-v6', 0, 'reply', 0.000052],
    ['iputils-20221126-reply-slow', 0, 'reply', 0.104],
    ['iputils-20221126-duplicate', 0, 'reply', 0.00005],
    ['iputils-20221126-no-reply', 1, 'no_reply'],
    ['iputils-20221126-unreachable', 1, 'no_reply'],
    ['iputils-20221126-not-permitted', 2, 'not_permitted'],
    ['iputils-20221126-connect-error', 2, 'error'],
    ['iputils-s20161105-reply', 0, 'reply', 0.000031],
    ['iputils-s20161105-not-permitted', 2, 'not_permitted'],
    ['iputils-s20121221-not-permitted', 2, 'not_permitted'],
    ['busybox-reply', 0, 'reply', 0.000062],
    ['busybox-no-reply', 1, 'no_reply'],
    ['busybox-not-permitted', 1, 'not_permitted'],
    ['inetutils-reply', 0, 'reply', 0.000048],
    ['inetutils-not-permitted', 1, 'not_permitted'],
  ];
  for (const [name, code, kind, rtt] of cases) {
    it(`${name}: ${kind}`, () => {
      const out = readPingOutput(read(name, 'stdout'), read(name, 'stderr'), code);
      expect(out.kind).toBe(kind);
      if (out.kind === 'reply') expect(out.rtt).toBeCloseTo(rtt!, 9);
      else expect(out.message).not.toBe('');
    });
  }

  it('names the cause in the message', () => {
    const np = readPingOutput('', read('iputils-20221126-not-permitted', 'stderr'), 2);
    expect(np).toEqual({ kind: 'not_permitted', message: 'ping: socket: Operation not permitted' });
    expect(readPingOutput('', read('iputils-20221126-connect-error', 'stderr'), 2)).toEqual({
      kind: 'error',
      message: 'ping: connect: Invalid argument',
    });
    expect(readPingOutput('', '', null)).toEqual({ kind: 'error', message: 'ping exited on a signal' });
  });

  it('has a fixture for every case', () => {
    for (const [name] of cases) expect(read(name, 'stdout') + read(name, 'stderr'), name).not.toBe('');
  });
});

/** A record as dns-packet decodes it from the wire. */
function wire(rr: Answer): Answer {
  return dnsPacket.decode(dnsPacket.encode({ type: 'response', id: 1, answers: [rr] })).answers![0];
}

describe('DNS records as text', () => {
  it('prints records as dig does', () => {
    expect(formatRR(wire({ type: 'A', name: 'example.org', ttl: 300, class: 'IN', data: '192.0.2.1' }))).toBe(
      'example.org.\t300\tIN\tA\t192.0.2.1',
    );
    expect(formatRR(wire({ type: 'AAAA', name: 'example.org', ttl: 60, data: '2001:db8::1' }))).toBe(
      'example.org.\t60\tIN\tAAAA\t2001:db8::1',
    );
    expect(formatRR(wire({ type: 'CNAME', name: 'www.example.org', ttl: 60, data: 'example.org' }))).toBe(
      'www.example.org.\t60\tIN\tCNAME\texample.org.',
    );
    expect(formatRR(wire({ type: 'MX', name: 'example.org', ttl: 3600, data: { preference: 10, exchange: 'mx1.example.org' } }))).toBe(
      'example.org.\t3600\tIN\tMX\t10 mx1.example.org.',
    );
    expect(formatRR(wire({ type: 'NS', name: 'example.org', ttl: 86400, data: 'a.iana-servers.net' }))).toBe(
      'example.org.\t86400\tIN\tNS\ta.iana-servers.net.',
    );
    expect(formatRR(wire({ type: 'TXT', name: 'example.org', ttl: 60, data: ['v=spf1 -all', 'say "hi"'] }))).toBe(
      'example.org.\t60\tIN\tTXT\t"v=spf1 -all" "say \\"hi\\""',
    );
    expect(
      formatRR(
        wire({
          type: 'SRV',
          name: '_ldap._tcp.example.org',
          ttl: 60,
          data: { priority: 0, weight: 5, port: 389, target: 'ldap.example.org' },
        }),
      ),
    ).toBe('_ldap._tcp.example.org.\t60\tIN\tSRV\t0 5 389 ldap.example.org.');
    expect(
      formatRR(
        wire({
          type: 'SOA',
          name: 'example.org',
          ttl: 3600,
          data: { mname: 'ns.example.org', rname: 'admin.example.org', serial: 7, refresh: 1, retry: 2, expire: 3, minimum: 4 },
        }),
      ),
    ).toBe('example.org.\t3600\tIN\tSOA\tns.example.org. admin.example.org. 7 1 2 3 4');
    expect(formatRR(wire({ type: 'CAA', name: 'example.org', ttl: 60, data: { flags: 0, tag: 'issue', value: 'letsencrypt.org' } }))).toBe(
      'example.org.\t60\tIN\tCAA\t0 issue "letsencrypt.org"',
    );
    expect(formatRR(wire({ type: 'PTR', name: '1.2.0.192.in-addr.arpa', ttl: 60, data: 'host.example.org' }))).toBe(
      '1.2.0.192.in-addr.arpa.\t60\tIN\tPTR\thost.example.org.',
    );
  });

  const rrs = ['a.test.\t60\tIN\tA\t192.0.2.1', 'a.test.\t60\tIN\tA\t192.0.2.2'];
  const check = (records: string[], v: Record<string, string[]>) =>
    rrProblem(
      records,
      compileValidator({
        fail_if_matches_regexp: [],
        fail_if_not_matches_regexp: [],
        fail_if_all_match_regexp: [],
        fail_if_none_matches_regexp: [],
        ...v,
      }),
    );

  it('checks sections with the semantics of blackbox_exporter validRRs', () => {
    expect(check(rrs, {})).toBeUndefined();
    expect(check([], {})).toBeUndefined();
    expect(check(rrs, { fail_if_matches_regexp: ['192\\.0\\.2\\.2$'] })).toContain('matches');
    expect(check(rrs, { fail_if_not_matches_regexp: ['192\\.0\\.2\\.1$'] })).toContain('does not match');
    expect(check(rrs, { fail_if_not_matches_regexp: ['192\\.0\\.2\\.'] })).toBeUndefined();
    expect(check([], { fail_if_not_matches_regexp: ['x'] })).toBe('no record, and a match is required');
    expect(check(rrs, { fail_if_all_match_regexp: ['\\tA\\t'] })).toContain('every record');
    expect(check(rrs, { fail_if_all_match_regexp: ['\\.1$'] })).toBeUndefined();
    expect(check(rrs, { fail_if_none_matches_regexp: ['\\.3$', '\\.4$'] })).toContain('no record matches');
    expect(check(rrs, { fail_if_none_matches_regexp: ['\\.3$', '\\.2$'] })).toBeUndefined();
    expect(check([], { fail_if_none_matches_regexp: ['x'] })).toBe('no record, and a match is required');
  });
});

describe('probe targets', () => {
  it('splits host and port; IPv6 in brackets; a default port for dns', () => {
    expect(splitHostPort('db.example.org:5432')).toEqual({ host: 'db.example.org', port: 5432 });
    expect(splitHostPort('[2001:db8::1]:53')).toEqual({ host: '2001:db8::1', port: 53 });
    expect(splitHostPort('10.0.0.1', 53)).toEqual({ host: '10.0.0.1', port: 53 });
    expect(splitHostPort('2001:db8::1', 53)).toEqual({ host: '2001:db8::1', port: 53 });
    expect(splitHostPort('db.example.org')).toBeUndefined();
    expect(splitHostPort('db:0')).toBeUndefined();
    expect(splitHostPort('db:65536')).toBeUndefined();
    expect(splitHostPort('-oProxyCommand=x:22')).toBeUndefined();
    expect(splitHostPort('a b:22')).toBeUndefined();
  });
});

describe('probes config', () => {
  const problems = (targets: unknown[]): string[] => {
    try {
      parseConfig({ probes: { targets } });
      return [];
    } catch (err) {
      return (err as ConfigError).problems;
    }
  };

  it('fills the defaults: 30s interval, 5s timeout (or the interval when shorter), the options of the type', () => {
    const c = parseConfig({
      probes: {
        targets: [
          { name: 'api', type: 'http', target: 'https://api.example.org/health' },
          { name: 'fast', type: 'tcp', target: 'db:5432', interval: '2s' },
          { name: 'ns', type: 'dns', target: '192.0.2.53', dns: { query_name: 'example.org' } },
        ],
      },
    });
    const [api, fast, ns] = c.probes.targets;
    expect(api).toMatchObject({
      interval: 30_000,
      timeout: 5000,
      type: 'http',
      http: { method: 'GET', follow_redirects: true, preferred_ip_protocol: 'ip4', valid_status_codes: [] },
    });
    expect(fast).toMatchObject({ interval: 2000, timeout: 2000, tcp: { tls: false, query_response: [] } });
    expect(ns).toMatchObject({ dns: { query_type: 'A', transport_protocol: 'udp', valid_rcodes: ['NOERROR'] } });
    expect(c.probes.max_concurrency).toBe(64);
  });

  it('reports every problem at its key', () => {
    expect(
      problems([
        { name: 'api', type: 'http', target: 'ftp://x', tcp: {}, timeout: '1m' },
        { name: 'api', type: 'dns', target: 'x:99999' },
        { name: 'ok', type: 'tcp', target: 'x:1', tcp: { query_response: [{ expect: '(a' }, {}] } },
        { name: 'i', type: 'icmp', target: '-rf' },
        { name: 'h', type: 'http', target: 'http://x/', http: { fail_if_body_matches_regexp: ['(?=x)'], valid_status_codes: [700] } },
      ]),
    ).toEqual([
      'probes.targets[0].tcp: options of type tcp on a probe of type http',
      'probes.targets[0].timeout: must be at most the interval (30s)',
      'probes.targets[0].target: the URL must be http:// or https://',
      'probes.targets[1].dns.query_name: a dns probe needs dns.query_name',
      'probes.targets[1].target: must be a host, host:port or [v6 address]:port',
      'probes.targets[2].tcp.query_response[0].expect: not a valid regular expression for RE2 (missing ): (a)',
      'probes.targets[2].tcp.query_response[1]: give send, expect or both',
      'probes.targets[3].target: must be a host name or an address',
      expect.stringMatching(/^probes\.targets\[4\]\.http\.valid_status_codes\[0\]: /),
      expect.stringMatching(/^probes\.targets\[4\]\.http\.fail_if_body_matches_regexp\[0\]: not a valid regular expression for RE2/),
      'probes.targets[1].name: duplicate probe name "api" (also targets[0])',
    ]);
    expect(problems([{ name: 'bad name', type: 'ping', target: 'x' }])).toEqual([
      'probes.targets[0].name: must start with a letter or _ and hold only letters, digits, _ . : -',
      expect.stringMatching(/^probes\.targets\[0\]\.type: /),
    ]);
  });
});

// Each probe type against real servers on loopback (test/probes/servers.ts): what succeeds, what fails
// and with which reason, the phases timed, and the details reported (status, certificate expiry, answer
// counts). No mock of the network stack: real sockets, real TLS, a real DNS server, the real ping.
import { copyFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/load.js';
import { createTasks } from '../../src/probes/task.js';
import type { ProbeResult } from '../../src/probes/result.js';
import type { PingCommand } from '../../src/probes/icmp.js';
import { startServers, type Servers } from './servers.js';

let s: Servers;
beforeAll(async () => {
  s = await startServers();
});
afterAll(() => s?.close());

async function probe(entry: Record<string, unknown>, opts: { ping?: PingCommand | null } = {}): Promise<ProbeResult> {
  const config = parseConfig({ probes: { targets: [{ name: 'p', timeout: '3s', ...entry }] } });
  const { tasks } = await createTasks(config.probes.targets, opts);
  return tasks[0].run();
}

const http = (path: string, options: Record<string, unknown> = {}, extra: Record<string, unknown> = {}) =>
  probe({ type: 'http', target: `http://127.0.0.1:${s.http}${path}`, http: options, ...extra });

describe('http probe', () => {
  it('succeeds on 200 and times the resolve, connect, processing and transfer phases', async () => {
    const r = await http('/ok');
    expect(r).toMatchObject({ success: true, httpStatus: 200, httpRedirects: 0, ipProtocol: 4 });
    expect(Object.keys(r.phases).sort()).toEqual(['connect', 'processing', 'resolve', 'transfer']);
    const sum = Object.values(r.phases).reduce((a, b) => a + b, 0);
    expect(sum).toBeLessThanOrEqual(r.duration + 1e-6);
    expect(r.certExpiry).toBeUndefined();
  });

  it('processing is the time to the first byte, transfer the rest of the body', async () => {
    // The server waits 300 ms before the headers, or between the headers and the rest of the body.
    // Timers are coarse and a loaded machine slow: the delayed phase is checked against the other one
    // (wider by far), and against the delay with tens of ms of slack, never against a tight bound.
    const slowHeaders = await http('/slow-headers?ms=300');
    expect(slowHeaders.phases.processing).toBeGreaterThan(0.2);
    expect(slowHeaders.phases.processing).toBeGreaterThan(2 * slowHeaders.phases.transfer!);
    const slowBody = await http('/slow-body?ms=300');
    expect(slowBody.phases.transfer).toBeGreaterThan(0.2);
    expect(slowBody.phases.transfer).toBeGreaterThan(2 * slowBody.phases.processing!);
  });

  it('fails on a status outside valid_status_codes (default 2xx) and reports the status', async () => {
    expect(await http('/status?code=503')).toMatchObject({ success: false, failure: 'status_code', httpStatus: 503 });
    expect(await http('/status?code=404', { valid_status_codes: [404] })).toMatchObject({ success: true, httpStatus: 404 });
    expect(await http('/status?code=204')).toMatchObject({ success: true });
  });

  it('follows redirects (phases added up), or not', async () => {
    const r = await http('/redirect/3');
    expect(r).toMatchObject({ success: true, httpStatus: 200, httpRedirects: 3 });
    expect(await http('/redirect/1', { follow_redirects: false })).toMatchObject({
      success: false,
      failure: 'status_code',
      httpStatus: 302,
    });
    expect(await http('/redirect/1', { follow_redirects: false, valid_status_codes: [302] })).toMatchObject({ success: true });
    expect(await http('/loop')).toMatchObject({ success: false, failure: 'redirects', httpRedirects: 10 });
  });

  it('sends the method, headers and body; a 303 turns POST into GET', async () => {
    const ok = await http('/method', {
      method: 'PUT',
      headers: { 'X-Probe': 'yes' },
      body: 'payload',
      fail_if_body_not_matches_regexp: ['^PUT yes 127\\.0\\.0\\.1:\\d+ payload$'],
    });
    expect(ok).toMatchObject({ success: true });
    const seeOther = await http('/see-other', { method: 'POST', body: 'x', fail_if_body_not_matches_regexp: ['^GET '] });
    expect(seeOther).toMatchObject({ success: true, httpRedirects: 1 });
    const host = await http('/method', {
      headers: { Host: 'api.example.test' },
      fail_if_body_not_matches_regexp: [' api\\.example\\.test '],
    });
    expect(host.success).toBe(true);
  });

  it('checks the body with RE2 regexps', async () => {
    expect(await http('/ok', { fail_if_body_not_matches_regexp: ['status: (healthy|degraded)'] })).toMatchObject({ success: true });
    expect(await http('/ok', { fail_if_body_not_matches_regexp: ['status: down'] })).toMatchObject({
      success: false,
      failure: 'body_regexp',
    });
    expect(await http('/ok', { fail_if_body_matches_regexp: ['healthy'] })).toMatchObject({ success: false, failure: 'body_regexp' });
    expect(await http('/big', { fail_if_body_matches_regexp: ['y'], body_size_limit: '1MiB' })).toMatchObject({
      success: false,
      failure: 'body_too_large',
    });
    // Without a regexp the body is drained, whatever its size.
    expect(await http('/big')).toMatchObject({ success: true });
  });

  it('fails with reason connect on a closed port, resolve on an unknown name, timeout on a slow server', async () => {
    expect(await probe({ type: 'http', target: `http://127.0.0.1:${s.closed}/` })).toMatchObject({ success: false, failure: 'connect' });
    const unknown = await probe({ type: 'http', target: 'http://no-such-host.invalid/' });
    expect(unknown).toMatchObject({ success: false, failure: 'resolve' });
    const slow = await http('/slow-headers?ms=2000', {}, { timeout: '300ms' });
    expect(slow).toMatchObject({ success: false, failure: 'timeout' });
    expect(slow.duration).toBeLessThan(1.5);
    expect(slow.phases.connect).toBeDefined();
    expect(slow.phases.processing).toBeUndefined();
  });

  it('resolves a name through the preferred family (localhost: ip4, or ip6 with fallback)', async () => {
    expect(await probe({ type: 'http', target: `http://localhost:${s.http}/ok` })).toMatchObject({ success: true, ipProtocol: 4 });
    // The servers listen on 127.0.0.1 only: preferring IPv6 reaches ::1 when localhost has it (refused), else falls back to IPv4.
    const v6 = await probe({ type: 'http', target: `http://localhost:${s.http}/ok`, http: { preferred_ip_protocol: 'ip6' } });
    if (v6.ipProtocol === 6) expect(v6).toMatchObject({ success: false, failure: 'connect' });
    else expect(v6).toMatchObject({ success: true, ipProtocol: 4 });
  });
});

describe('https probe', () => {
  const https = (port: number, tls: Record<string, unknown>, host = '127.0.0.1') =>
    probe({ type: 'http', target: `https://${host}:${port}/ok`, http: { tls_config: tls } });

  it('refuses a self-signed certificate by default (reason tls), accepts it with its CA or insecure_skip_verify', async () => {
    expect(await https(s.https, {})).toMatchObject({ success: false, failure: 'tls' });
    const trusted = await https(s.https, { ca_file: s.selfSigned.cert });
    expect(trusted).toMatchObject({ success: true, httpStatus: 200 });
    expect(Object.keys(trusted.phases).sort()).toEqual(['connect', 'processing', 'resolve', 'tls', 'transfer']);
    expect(await https(s.https, { insecure_skip_verify: true }, 'localhost')).toMatchObject({ success: true });
  });

  it('reports the earliest certificate expiry of the chain', async () => {
    const r = await https(s.https, { insecure_skip_verify: true });
    const notAfter = Date.parse(new X509Certificate(readFileSync(s.selfSigned.cert)).validTo) / 1000;
    expect(r.certExpiry).toBe(notAfter);
  });

  it('checks the name: server_name must be in the certificate', async () => {
    expect(await https(s.https, { ca_file: s.selfSigned.cert, server_name: 'localhost' })).toMatchObject({ success: true });
    expect(await https(s.https, { ca_file: s.selfSigned.cert, server_name: 'other.example.test' })).toMatchObject({
      success: false,
      failure: 'tls',
    });
  });

  it('presents a client certificate to a server that requires one (mTLS)', async () => {
    const withCert = await https(s.mtls, { ca_file: s.pki.ca.cert, cert_file: s.pki.client.cert, key_file: s.pki.client.key });
    expect(withCert).toMatchObject({ success: true, httpStatus: 200 });
    expect(await https(s.mtls, { ca_file: s.pki.ca.cert })).toMatchObject({ success: false, failure: 'tls' });
    // A client certificate of another CA: Node's server checks it after the TLS 1.3 handshake and
    // closes the connection without an alert, so the client sees a connection closed before the response.
    const rogue = await https(s.mtls, { ca_file: s.pki.ca.cert, cert_file: s.pki.rogue.cert, key_file: s.pki.rogue.key });
    expect(rogue).toMatchObject({ success: false, failure: 'read', message: 'socket hang up' });
    expect(rogue.phases.tls).toBeDefined();
  });

  it('an unreadable ca_file fails the probe with the file named', async () => {
    const r = await https(s.https, { ca_file: '/nonexistent/ca.pem' });
    expect(r).toMatchObject({ success: false, failure: 'error' });
    expect(r.message).toContain('tls_config.ca_file /nonexistent/ca.pem: ENOENT');
  });
});

describe('tcp probe', () => {
  const tcp = (port: number, options: Record<string, unknown> = {}, extra: Record<string, unknown> = {}) =>
    probe({ type: 'tcp', target: `127.0.0.1:${port}`, tcp: options, ...extra });

  it('succeeds on connect, fails with reason connect on a closed port', async () => {
    const r = await tcp(s.tcp);
    expect(r).toMatchObject({ success: true, ipProtocol: 4 });
    expect(r.phases.connect).toBeGreaterThan(0);
    expect(await tcp(s.closed)).toMatchObject({ success: false, failure: 'connect' });
  });

  it('runs the query_response dialogue with RE2 expectations', async () => {
    const steps = [{ expect: '^220 ' }, { send: 'PING' }, { expect: '^\\+PONG$' }, { send: 'QUIT' }, { expect: '^221' }];
    expect(await tcp(s.tcp, { query_response: steps })).toMatchObject({ success: true });
    const wrong = await tcp(s.tcp, { query_response: [{ expect: '^220 ' }, { send: 'QUIT' }, { expect: '^\\+PONG' }] });
    expect(wrong).toMatchObject({ success: false, failure: 'expect' });
    expect(wrong.message).toContain('connection closed before a line matched');
  });

  it('times out on a server that accepts and never answers, and on a connect that hangs', async () => {
    const silent = await tcp(s.silent, { query_response: [{ expect: '^220' }] }, { timeout: '300ms' });
    expect(silent).toMatchObject({ success: false, failure: 'timeout' });
    expect(silent.phases.connect).toBeDefined();
    const hung = await tcp(s.backlogged, {}, { timeout: '300ms' });
    expect(hung).toMatchObject({ success: false, failure: 'timeout' });
    expect(hung.phases.connect).toBeUndefined();
    expect(hung.message).toBe('timed out during connect');
  });

  it('does a TLS handshake and reports the certificate expiry', async () => {
    const r = await tcp(s.https, { tls: true, tls_config: { ca_file: s.selfSigned.cert } });
    expect(r).toMatchObject({ success: true });
    expect(r.phases.tls).toBeGreaterThan(0);
    expect(r.certExpiry).toBeGreaterThan(Date.now() / 1000);
    expect(await tcp(s.https, { tls: true })).toMatchObject({ success: false, failure: 'tls' });
    expect(await tcp(s.tcp, { tls: true, tls_config: { insecure_skip_verify: true } })).toMatchObject({ success: false, failure: 'tls' });
  });
});

describe('dns probe', () => {
  const dns = (dnsOptions: Record<string, unknown>, extra: Record<string, unknown> = {}) =>
    probe({ type: 'dns', target: `127.0.0.1:${s.dns}`, dns: dnsOptions, ...extra });

  for (const transport of ['udp', 'tcp'] as const) {
    it(`asks over ${transport} and counts the records of each section`, async () => {
      const r = await dns({ query_name: 'www.example.test', transport_protocol: transport });
      expect(r).toMatchObject({ success: true, dnsAnswerRrs: 2, dnsAuthorityRrs: 0, dnsAdditionalRrs: 0, ipProtocol: 4 });
      expect(r.phases.processing).toBeGreaterThan(0);
      const aaaa = await dns({ query_name: 'www.example.test', query_type: 'AAAA', transport_protocol: transport });
      expect(aaaa).toMatchObject({ success: true, dnsAnswerRrs: 1 });
    });
  }

  it('checks the response code', async () => {
    const nx = await dns({ query_name: 'missing.example.test' });
    expect(nx).toMatchObject({ success: false, failure: 'rcode', dnsAnswerRrs: 0, dnsAuthorityRrs: 1 });
    expect(await dns({ query_name: 'missing.example.test', valid_rcodes: ['NXDOMAIN'] })).toMatchObject({ success: true });
  });

  it('validates the answers with the regexps of blackbox_exporter, on dig-style record text', async () => {
    const expectAddresses = await dns({
      query_name: 'www.example.test',
      validate_answer_rrs: { fail_if_not_matches_regexp: ['^www\\.example\\.test\\.\\t300\\tIN\\tA\\t192\\.0\\.2\\.1[01]$'] },
    });
    expect(expectAddresses).toMatchObject({ success: true });
    const unexpected = await dns({ query_name: 'www.example.test', validate_answer_rrs: { fail_if_matches_regexp: ['192\\.0\\.2\\.11'] } });
    expect(unexpected).toMatchObject({ success: false, failure: 'answer_rrs' });
    const mx = await dns({
      query_name: 'example.test',
      query_type: 'MX',
      validate_answer_rrs: { fail_if_none_matches_regexp: ['\\tMX\\t10 mail\\.example\\.test\\.$'] },
    });
    expect(mx).toMatchObject({ success: true, dnsAnswerRrs: 1 });
    const noCname = await dns({ query_name: 'alias.example.test', validate_answer_rrs: { fail_if_matches_regexp: ['\\tCNAME\\t'] } });
    expect(noCname).toMatchObject({ success: false, failure: 'answer_rrs' });
    const soa = await dns({
      query_name: 'missing.example.test',
      valid_rcodes: ['NXDOMAIN'],
      validate_authority_rrs: { fail_if_not_matches_regexp: ['SOA\\tns1\\.example\\.test\\. hostmaster'] },
    });
    expect(soa).toMatchObject({ success: true });
  });

  it('times out when the server does not answer (UDP and TCP)', async () => {
    expect(await dns({ query_name: 'x.slow.example.test' }, { timeout: '300ms' })).toMatchObject({ success: false, failure: 'timeout' });
    expect(await dns({ query_name: 'x.slow.example.test', transport_protocol: 'tcp' }, { timeout: '300ms' })).toMatchObject({
      success: false,
      failure: 'timeout',
    });
    expect(await dns({ query_name: 'www.example.test', transport_protocol: 'tcp' }, { target: `127.0.0.1:${s.closed}` })).toMatchObject({
      success: false,
      failure: 'connect',
    });
  });
});

describe('icmp probe (the system ping)', () => {
  it('pings loopback and reports the round trip as the processing phase', async () => {
    const r = await probe({ type: 'icmp', target: '127.0.0.1' });
    expect(r).toMatchObject({ success: true, ipProtocol: 4 });
    expect(r.phases.processing).toBeGreaterThan(0);
    expect(r.phases.processing).toBeLessThan(r.duration);
    const v6 = await probe({ type: 'icmp', target: '::1' });
    expect(v6).toMatchObject({ success: true, ipProtocol: 6 });
    const name = await probe({ type: 'icmp', target: 'localhost' });
    expect(name).toMatchObject({ success: true, ipProtocol: 4 });
  });

  it('fails with no_ping_binary when there is no ping', async () => {
    const r = await probe({ type: 'icmp', target: '127.0.0.1' }, { ping: null });
    expect(r).toMatchObject({ success: false, failure: 'no_ping_binary' });
    expect(r.message).toContain('install iputils-ping');
  });

  it('fails with not_permitted when ping may not open its socket (no CAP_NET_RAW, not in ping_group_range)', async () => {
    // A copy of ping has no file capability; run as nobody, it may open neither a raw nor (with
    // Debian's ping_group_range "1 0") an ICMP datagram socket.
    const dir = await mkdtemp(join(tmpdir(), 'hostwatch-ping-'));
    try {
      const { chmod } = await import('node:fs/promises');
      await chmod(dir, 0o755);
      await copyFile('/usr/bin/ping', join(dir, 'ping'));
      await chmod(join(dir, 'ping'), 0o755);
      const range = readFileSync('/proc/sys/net/ipv4/ping_group_range', 'utf8').trim().split(/\s+/).map(Number);
      expect(range[0] > 65534 || range[1] < 65534, 'nobody is outside ping_group_range on this machine').toBe(true);
      const ping = { file: '/usr/bin/setpriv', args: ['--reuid=65534', '--regid=65534', '--clear-groups', join(dir, 'ping')] };
      const r = await probe({ type: 'icmp', target: '127.0.0.1' }, { ping });
      expect(r).toMatchObject({ success: false, failure: 'not_permitted' });
      expect(r.message).toMatch(/Operation not permitted|cap_net_raw/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('fails with resolve on an unknown name (ping is not even started)', async () => {
    expect(await probe({ type: 'icmp', target: 'no-such-host.invalid' })).toMatchObject({ success: false, failure: 'resolve' });
  });
});

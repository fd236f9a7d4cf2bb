// Top clients of access logs: who the client is (trusted proxies and X-Forwarded-For), the bounded
// hostwatch_http_client_requests_total series, exactly-once across a checkpoint and restore.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../../src/config/errors.js';
import { parseConfig } from '../../../src/config/load.js';
import { ManualClock, systemClock } from '../../../src/core/clock.js';
import { silentLogger } from '../../../src/core/log.js';
import { ClientResolver } from '../../../src/logs/access/clients.js';
import type { AccessLogConfig } from '../../../src/logs/access/config.js';
import { AccessHandler } from '../../../src/logs/access/handler.js';
import { accessLogType } from '../../../src/logs/access/index.js';
import { createAccessParser } from '../../../src/logs/access/parse.js';
import type { AccessState } from '../../../src/logs/access/state.js';

const config = (log: Record<string, unknown> = {}) =>
  parseConfig({ logs: [{ name: 'web', type: 'access', path: '/x', ...log }] }).logs[0] as AccessLogConfig;

function setup(log: Record<string, unknown> = {}) {
  const c = config(log);
  const handler = new AccessHandler({ config: c, clock: new ManualClock(), logger: silentLogger, registry: new Registry() });
  const registry = new Registry();
  let published: AccessState = handler.snapshot();
  accessLogType.registerMetrics(registry, () => new Map([['web', { config: c, state: published }]]), systemClock);
  return {
    handler,
    publish: () => (published = JSON.parse(JSON.stringify(handler.snapshot()))),
    /** client -> value of hostwatch_http_client_requests_total. */
    clients: async () => {
      const text = await registry.metrics();
      const out = new Map<string, number>();
      for (const m of text.matchAll(/^hostwatch_http_client_requests_total\{log="web",client="([^"]*)"\} (\d+)$/gm))
        out.set(m[1], Number(m[2]));
      return out;
    },
  };
}

/** nginx's default `main` format: combined plus the X-Forwarded-For header. */
const MAIN =
  '$remote_addr - $remote_user [$time_local] "$request" $status $body_bytes_sent "$http_referer" "$http_user_agent" "$http_x_forwarded_for"';
const mainLine = (addr: string, xff = '-') =>
  `${addr} - - [05/Mar/2024:14:20:01 +0100] "GET /a/b HTTP/1.1" 200 12 "-" "curl/8.4.0" "${xff}"`;
const combinedLine = (addr: string) => `${addr} - - [05/Mar/2024:14:20:01 +0100] "GET /a/b HTTP/1.1" 200 12 "-" "curl/8.4.0"`;
const sum = (m: Map<string, number>) => [...m.values()].reduce((a, b) => a + b, 0);

describe('client of a request', () => {
  const r = new ClientResolver(['10.0.0.0/8', '192.0.2.1', '2001:db8:f::/48']);

  it('is the connecting address, unless it is a trusted proxy', () => {
    expect(r.client('198.51.100.7', '203.0.113.9')).toBe('198.51.100.7'); // a header from anyone else is ignored
    expect(r.client('10.1.2.3', '203.0.113.9')).toBe('203.0.113.9');
    expect(r.client('192.0.2.1', '203.0.113.9')).toBe('203.0.113.9');
    expect(r.client('2001:db8:f::2', '2001:db8:1::5')).toBe('2001:db8:1::5');
    expect(r.client('10.1.2.3', undefined)).toBe('10.1.2.3');
    expect(r.client('::ffff:10.1.2.3', '203.0.113.9')).toBe('203.0.113.9'); // a dual-stack socket's IPv4
    expect(r.client('::ffff:198.51.100.7', undefined)).toBe('198.51.100.7');
  });

  it('reads X-Forwarded-For from the right, skipping trusted proxies; spoofed entries to the left are never reached', () => {
    // The client claimed to be 1.1.1.1; 203.0.113.9 is what the first trusted proxy saw.
    expect(r.client('10.0.0.1', '1.1.1.1, 203.0.113.9, 10.9.9.9')).toBe('203.0.113.9');
    expect(r.client('10.0.0.1', '203.0.113.9,10.9.9.9,192.0.2.1')).toBe('203.0.113.9');
    // Every hop trusted: the leftmost is the client.
    expect(r.client('10.0.0.1', '10.5.5.5, 10.6.6.6')).toBe('10.5.5.5');
  });

  it('stops at an entry that is not an address: free text never becomes a label', () => {
    expect(r.client('10.0.0.1', 'evil"}label, 10.9.9.9')).toBe('10.9.9.9');
    expect(r.client('10.0.0.1', 'unknown')).toBe('10.0.0.1');
    expect(r.client('10.0.0.1', '')).toBe('10.0.0.1');
  });

  it('takes addresses with a port (IPv4, bracketed IPv6)', () => {
    expect(r.client('10.0.0.1', '203.0.113.9:51234')).toBe('203.0.113.9');
    expect(r.client('10.0.0.1', '[2001:db8:1::5]:443')).toBe('2001:db8:1::5');
  });

  it('matches ranges exactly at their edges (IPv4 and IPv6, prefixes off byte and group boundaries)', () => {
    const edges = new ClientResolver(['192.0.2.64/27', '2001:db8:a::/45', '2001:db8::7', '0.0.0.0/32', '::ffff:0:0/96']);
    const trusted = (a: string) => edges.client(a, '203.0.113.1') === '203.0.113.1';
    expect(['192.0.2.64', '192.0.2.95'].map(trusted)).toEqual([true, true]);
    expect(['192.0.2.63', '192.0.2.96', '10.0.0.1'].map(trusted)).toEqual([false, false, false]);
    // /45: the first 45 bits are 2001:0db8:0000 + the top 13 bits of the fourth group.
    expect(['2001:db8:a::1', '2001:db8:f:ffff::1', '2001:db8:8::'].map(trusted)).toEqual([true, true, true]);
    expect(['2001:db8:10::1', '2001:db8:7:ffff::1', '2001:db9:a::1'].map(trusted)).toEqual([false, false, false]);
    expect(['2001:db8::7', '2001:DB8:0:0:0:0:0:7', '2001:db8::8'].map(trusted)).toEqual([true, true, false]);
    expect(trusted('0.0.0.0')).toBe(true);
    expect(new ClientResolver(['0.0.0.0/0']).client('198.51.100.1', '203.0.113.1')).toBe('203.0.113.1');
    expect(new ClientResolver(['::/0']).client('2001:db8::1', '203.0.113.1')).toBe('203.0.113.1');
    expect(new ClientResolver(['::/0']).client('198.51.100.1', '203.0.113.1')).toBe('198.51.100.1');
  });

  it('without trusted proxies the header is never used', () => {
    const none = new ClientResolver([]);
    expect(none.usesForwardedFor).toBe(false);
    expect(none.client('10.0.0.1', '203.0.113.9')).toBe('10.0.0.1');
    expect(none.client('-', undefined)).toBeUndefined();
    expect(none.client(undefined, undefined)).toBeUndefined();
  });
});

describe('X-Forwarded-For in the access formats', () => {
  const fwd = (format: string, line: string, opts = {}) => {
    const b = Buffer.from(line);
    return createAccessParser(format, { source: true, forwarded: true, ...opts }).parse(b, 0, b.length);
  };

  it('nginx $http_x_forwarded_for and $proxy_add_x_forwarded_for, Apache %{X-Forwarded-For}i', () => {
    expect(fwd(MAIN, mainLine('10.0.0.1', '203.0.113.9, 10.0.0.2'))).toMatchObject({
      source: '10.0.0.1',
      forwardedFor: '203.0.113.9, 10.0.0.2',
    });
    expect(fwd(MAIN, mainLine('10.0.0.1'))?.forwardedFor).toBeUndefined(); // "-": no header
    expect(
      fwd('$remote_addr "$request" $status "$proxy_add_x_forwarded_for"', '10.0.0.1 "GET / HTTP/1.1" 200 "203.0.113.9, 10.0.0.1"')
        ?.forwardedFor,
    ).toBe('203.0.113.9, 10.0.0.1');
    const apache = '%h %l %u %t \\"%r\\" %>s %b \\"%{Referer}i\\" \\"%{User-agent}i\\" \\"%{X-Forwarded-For}i\\"';
    expect(fwd(apache, mainLine('10.0.0.1', '203.0.113.9'))).toMatchObject({ source: '10.0.0.1', forwardedFor: '203.0.113.9' });
    expect(fwd(apache.replace('X-Forwarded-For', 'x-forwarded-for'), mainLine('10.0.0.1', '203.0.113.9'))?.forwardedFor).toBe(
      '203.0.113.9',
    );
  });

  it('a line of the main format without the trailing header field still parses (as it did before the header was read)', () => {
    expect(fwd(MAIN, combinedLine('10.0.0.1'))).toMatchObject({ source: '10.0.0.1', status: 200, section: '/a', forwardedFor: undefined });
    // ... and the header of the previous line is not carried over to it.
    const p = createAccessParser(MAIN, { source: true, forwarded: true });
    const a = Buffer.from(mainLine('10.0.0.1', '203.0.113.9'));
    const b = Buffer.from(combinedLine('10.0.0.1'));
    expect(p.parse(a, 0, a.length)?.forwardedFor).toBe('203.0.113.9');
    expect(p.parse(b, 0, b.length)?.forwardedFor).toBeUndefined();
  });

  it('reading the header changes nothing else: every golden edge line parses to the same record', () => {
    const cases: { format?: string; lines: [string, unknown][] }[] = JSON.parse(
      readFileSync(join(import.meta.dirname, '../../fixtures/access/parser-cases.expected.json'), 'utf8'),
    );
    let compared = 0;
    for (const c of cases.filter((k) => k.format !== undefined)) {
      const plain = createAccessParser(c.format!, { source: true });
      const withHeader = createAccessParser(c.format!, { source: true, forwarded: true });
      for (const [line] of c.lines) {
        const b = Buffer.from(line);
        const r = withHeader.parse(b, 0, b.length);
        expect({ line, r: r && { ...r, forwardedFor: undefined } }).toEqual({ line, r: plain.parse(b, 0, b.length) });
        compared++;
      }
    }
    expect(compared).toBeGreaterThan(500);
  });

  it('JSON: a string field, Caddy lists of header values, Traefik request_ headers', () => {
    expect(
      fwd('json', '{"request":"GET / HTTP/1.1","status":200,"remote_addr":"10.0.0.1","http_x_forwarded_for":"203.0.113.9"}')?.forwardedFor,
    ).toBe('203.0.113.9');
    const caddy =
      '{"level":"info","ts":1709644801.5,"logger":"http.log.access","msg":"handled request","request":{"remote_ip":"10.0.0.1","remote_port":"50000","proto":"HTTP/1.1",' +
      '"method":"GET","host":"example.com","uri":"/a","headers":{"X-Forwarded-For":["203.0.113.9, 10.0.0.3"]}},"duration":0.001,"size":12,"status":200}';
    expect(fwd('caddy', caddy)).toMatchObject({ source: '10.0.0.1', forwardedFor: '203.0.113.9, 10.0.0.3' });
    const traefik =
      '{"ClientHost":"10.0.0.1","DownstreamStatus":200,"DownstreamContentSize":12,"Duration":1000000,"RequestMethod":"GET","RequestPath":"/a",' +
      '"StartUTC":"2024-03-05T13:20:01Z","request_X-Forwarded-For":"203.0.113.9"}';
    expect(fwd('traefik', traefik)).toMatchObject({ source: '10.0.0.1', forwardedFor: '203.0.113.9' });
  });
});

describe('hostwatch_http_client_requests_total', () => {
  it('counts each request once: at most top_clients series plus __other__, whose sum is the number of requests', async () => {
    const t = setup({ top_clients: 3 });
    const lines: string[] = [];
    // Five heavy clients, and a crawler rotating through 5,000 addresses once each.
    for (let i = 0; i < 5000; i++) {
      lines.push(combinedLine(`198.51.100.${i % 5}`));
      lines.push(combinedLine(`203.0.${Math.floor(i / 250)}.${i % 250}`));
    }
    lines.push('garbage');
    for (const l of lines) t.handler.processLine(l);
    t.publish();
    const m = await t.clients();
    expect(m.size).toBe(4);
    expect(m.has('__other__')).toBe(true);
    // Only the frequent clients got a series: none of the addresses seen once.
    for (const client of m.keys()) if (client !== '__other__') expect(client).toMatch(/^198\.51\.100\.[0-4]$/);
    expect(sum(m)).toBe(10_000);
    // A promoted client's series counts everything it did after its promotion (PROMOTE_AT - 1 before).
    for (const [client, v] of m) if (client !== '__other__') expect(v).toBe(1000 - 2);
  });

  it('behind trusted proxies counts the forwarded client; lines without an address count in __other__', async () => {
    const t = setup({ format: MAIN, trusted_proxies: ['10.0.0.0/8'] });
    for (let i = 0; i < 10; i++) {
      t.handler.processLine(mainLine('10.0.0.1', `1.1.1.1, 203.0.113.${i % 2}`)); // via the proxy
      t.handler.processLine(mainLine('198.51.100.1', '1.1.1.1')); // direct: its header is not believed
      t.handler.processLine(mainLine('-'));
    }
    t.publish();
    const m = await t.clients();
    expect(Object.fromEntries(m)).toEqual({ '203.0.113.0': 3, '203.0.113.1': 3, '198.51.100.1': 8, __other__: 2 + 2 + 2 + 10 });
    expect(sum(m)).toBe(30);
  });

  it('a client label is never attacker text, and "__proto__" from a JSON log is a key like any other', async () => {
    const t = setup({ format: 'json', trusted_proxies: ['10.0.0.0/8'] });
    for (let i = 0; i < 5; i++) {
      t.handler.processLine('{"request":"GET / HTTP/1.1","status":200,"remote_addr":"__proto__"}');
      t.handler.processLine('{"request":"GET / HTTP/1.1","status":200,"remote_addr":"10.0.0.1","http_x_forwarded_for":"x\\"} 1\\nfake 2"}');
    }
    t.publish();
    expect(Object.fromEntries(await t.clients())).toEqual({ ['__proto__']: 3, '10.0.0.1': 3, __other__: 4 });
  });

  it('is off with top_clients: 0 (no series), and absent from states written before it existed', async () => {
    const off = setup({ top_clients: 0 });
    off.handler.processLine(combinedLine('198.51.100.1'));
    off.publish();
    expect((await off.clients()).size).toBe(0);
    expect(off.handler.snapshot().clients).toBeUndefined();
    const old = off.handler.snapshot(); // the shape of a checkpoint from before top clients
    const t = setup();
    t.handler.restore(JSON.parse(JSON.stringify(old)));
    for (let i = 0; i < 4; i++) t.handler.processLine(combinedLine('198.51.100.1'));
    t.publish();
    expect(Object.fromEntries(await t.clients())).toEqual({ '198.51.100.1': 2, __other__: 2 });
    expect(t.handler.snapshot().requests.reduce((a, b) => a + b, 0)).toBe(5);
  });

  it('a restored handler continues exactly like one that never stopped: counters stay monotonic, series stay', async () => {
    const feed = (h: AccessHandler, from: number, to: number) => {
      for (let i = from; i < to; i++) h.processLine(combinedLine(i % 3 === 0 ? `203.0.113.${i % 40}` : `198.51.100.${i % 7}`));
    };
    const a = setup({ top_clients: 4 });
    feed(a.handler, 0, 3000);
    a.publish();
    const before = await a.clients();
    const b = setup({ top_clients: 4 });
    b.handler.restore(JSON.parse(JSON.stringify(a.handler.snapshot())));
    feed(a.handler, 3000, 6000);
    feed(b.handler, 3000, 6000);
    expect(b.handler.snapshot()).toEqual(a.handler.snapshot());
    b.publish();
    const after = await b.clients();
    for (const [client, v] of before) expect(after.get(client)).toBeGreaterThanOrEqual(v);
    expect(after.size).toBe(5);
    expect(sum(after)).toBe(6000);
  });

  it('rejects a checkpoint whose clients are not counters', () => {
    const t = setup();
    const s = JSON.parse(JSON.stringify(t.handler.snapshot()));
    for (const clients of [
      { top: { a: -1 }, other: 0, candidates: [] },
      { top: {}, other: 'x', candidates: [] },
      { top: {}, other: 0, candidates: [[1, 1]] },
    ]) {
      expect(() => t.handler.restore({ ...s, clients })).toThrow(/access state: bad clients/);
    }
  });
});

describe('top clients config', () => {
  it('defaults to 20 clients and no trusted proxy', () => {
    expect(config()).toMatchObject({ top_clients: 20, trusted_proxies: [], json_fields: { forwarded_for: 'http_x_forwarded_for' } });
  });

  it('reports a bad trusted proxy at its key', () => {
    let err: unknown;
    try {
      parseConfig({
        logs: [{ name: 'web', type: 'access', path: '/x', trusted_proxies: ['10.0.0.0/8', 'proxy.local', '10.0.0.0/33'], top_clients: -1 }],
      });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigError);
    const text = (err as ConfigError).problems.join('\n');
    expect(text).toMatch(/logs\[0\]\.trusted_proxies\[1\]: .*"proxy\.local" is not an IP address or a CIDR range/);
    expect(text).toMatch(/logs\[0\]\.trusted_proxies\[2\]: .*prefix length must be 0 to 32/);
    expect(text).toMatch(/logs\[0\]\.top_clients/);
  });
});

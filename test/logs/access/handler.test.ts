// The access handler and its metrics, rendered through a real prom-client registry from the
// published (snapshot) state, as the logs collector does.
import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../../src/config/load.js';
import type { AccessLogConfig } from '../../../src/logs/access/config.js';
import { ManualClock, systemClock } from '../../../src/core/clock.js';
import { createLogger } from '../../../src/core/log.js';
import { accessLogType } from '../../../src/logs/access/index.js';
import type { AccessState } from '../../../src/logs/access/state.js';
import type { LogHandler } from '../../../src/logs/handler.js';

function setup(log: Record<string, unknown> = {}) {
  const config = parseConfig({ logs: [{ name: 'web', type: 'access', path: '/x', ...log }] }).logs[0] as AccessLogConfig;
  const registry = new Registry();
  const handler = accessLogType.createHandler({ config, clock: new ManualClock(), logger: createLogger({ write: () => {} }), registry });
  let published: AccessState = handler.snapshot();
  accessLogType.registerMetrics(registry, () => new Map([['web', { config, state: published }]]), systemClock);
  return {
    handler,
    registry,
    /** What a scrape shows after the pipeline checkpointed: the snapshot, not the live state. */
    publish: () => {
      published = JSON.parse(JSON.stringify(handler.snapshot()));
    },
    metrics: () => registry.metrics(),
  };
}

const line = (path: string, status = 200, bytes = 10, method = 'GET') =>
  `10.0.0.1 - - [05/Mar/2024:14:20:01 +0100] "${method} ${path} HTTP/1.1" ${status} ${bytes} "-" "curl/8.4.0"`;

/** Sample lines of one metric name, without HELP/TYPE. */
const samples = (text: string, name: string) => text.split('\n').filter((l) => l.startsWith(name + '{') || l.startsWith(name + ' '));

describe('access handler', () => {
  it('counts requests by section, method and status class; bytes by section; metrics show only what was published', async () => {
    const t = setup();
    const h = t.handler;
    expect(h.processLine(line('/pages/create', 201, 100, 'POST'))).toEqual({ parsed: true, timestamp: Date.parse('2024-03-05T13:20:01Z') });
    h.processLine(line('/pages/x', 404, 5));
    h.processLine(line('/pages/y', 404, 5));
    h.processLine(line('/', 200, 7, 'PROPFIND'));
    expect(h.processLine('garbage').parsed).toBe(false);
    expect(samples(await t.metrics(), 'hostwatch_http_requests_total')).toEqual([]);
    t.publish();
    h.processLine(line('/late', 200)); // not published: must not show
    const text = await t.metrics();
    expect(samples(text, 'hostwatch_http_requests_total').sort()).toEqual(
      [
        'hostwatch_http_requests_total{log="web",section="/pages",method="POST",status="2xx"} 1',
        'hostwatch_http_requests_total{log="web",section="/pages",method="GET",status="4xx"} 2',
        'hostwatch_http_requests_total{log="web",section="/",method="OTHER",status="2xx"} 1',
      ].sort(),
    );
    expect(samples(text, 'hostwatch_http_response_bytes_total')).toEqual([
      'hostwatch_http_response_bytes_total{log="web",section="/pages"} 110',
      'hostwatch_http_response_bytes_total{log="web",section="/"} 7',
    ]);
    // combined has no request time: no histogram series at all.
    expect(samples(text, 'hostwatch_http_request_duration_seconds_count')).toEqual([]);
    expect(text).toContain('# TYPE hostwatch_http_request_duration_seconds histogram');
  });

  it('exports the duration histogram for a timed format, with the configured buckets', async () => {
    const t = setup({
      format: '$remote_addr "$request" $status $body_bytes_sent $request_time',
      duration_buckets: [1, 0.1, 0.5, 0.1],
    });
    for (const d of ['0.05', '0.1', '0.3', '2.0', '-']) t.handler.processLine(`1.2.3.4 "GET /api/x HTTP/1.1" 200 5 ${d}`);
    t.handler.processLine('1.2.3.4 "GET /empty HTTP/1.1" 200 5 -');
    t.publish();
    const text = await t.metrics();
    expect(samples(text, 'hostwatch_http_request_duration_seconds_bucket').filter((l) => l.includes('/api'))).toEqual([
      'hostwatch_http_request_duration_seconds_bucket{log="web",section="/api",le="0.1"} 2',
      'hostwatch_http_request_duration_seconds_bucket{log="web",section="/api",le="0.5"} 3',
      'hostwatch_http_request_duration_seconds_bucket{log="web",section="/api",le="1"} 3',
      'hostwatch_http_request_duration_seconds_bucket{log="web",section="/api",le="+Inf"} 4',
    ]);
    expect(samples(text, 'hostwatch_http_request_duration_seconds_sum')).toContain(
      'hostwatch_http_request_duration_seconds_sum{log="web",section="/api"} 2.45',
    );
    // A section whose lines all had "-" still has its (empty) histogram: the format is timed.
    expect(samples(text, 'hostwatch_http_request_duration_seconds_count')).toContain(
      'hostwatch_http_request_duration_seconds_count{log="web",section="/empty"} 0',
    );
    // The "-" line is still a request.
    expect(samples(text, 'hostwatch_http_requests_total')).toContain(
      'hostwatch_http_requests_total{log="web",section="/api",method="GET",status="2xx"} 5',
    );
  });

  it('JSON logs get the histogram once a line carries a duration', async () => {
    const t = setup({ format: 'json' });
    t.handler.processLine('{"request":"GET /a HTTP/1.1","status":200}');
    t.publish();
    expect(samples(await t.metrics(), 'hostwatch_http_request_duration_seconds_count')).toEqual([]);
    t.handler.processLine('{"request":"GET /a HTTP/1.1","status":200,"request_time":0.2}');
    t.publish();
    expect(samples(await t.metrics(), 'hostwatch_http_request_duration_seconds_count')).toEqual([
      'hostwatch_http_request_duration_seconds_count{log="web",section="/a"} 1',
    ]);
  });

  it('bounds sections: 1,000,000 distinct paths give at most max_sections + 1 series per (method, status)', async () => {
    const t = setup({ max_sections: 50 });
    const N = 1_000_000;
    const head = '10.0.0.1 - - [05/Mar/2024:14:20:01 +0100] "GET /p';
    for (let i = 0; i < N; i++) {
      t.handler.processLine(`${head}${i}/x HTTP/1.1" ${i % 2 ? 200 : 404} 1 "-" "-"`);
    }
    t.publish();
    const text = await t.metrics();
    const requests = samples(text, 'hostwatch_http_requests_total');
    for (const status of ['2xx', '4xx']) {
      const series = requests.filter((l) => l.includes(`status="${status}"`));
      expect(series.length).toBeLessThanOrEqual(51);
      expect(series.some((l) => l.includes('section="__other__"'))).toBe(true);
    }
    const sections = new Set(requests.map((l) => /section="([^"]*)"/.exec(l)![1]));
    expect(sections.size).toBe(51);
    const total = requests.reduce((a, l) => a + Number(l.split(' ').pop()), 0);
    expect(total).toBe(N);
    const other = requests.filter((l) => l.includes('section="__other__"')).reduce((a, l) => a + Number(l.split(' ').pop()), 0);
    expect(other).toBe(N - 50);
    expect(samples(text, 'hostwatch_http_response_bytes_total')).toHaveLength(51);
    // The snapshot stays small whatever arrived.
    expect(JSON.stringify(t.handler.snapshot()).length).toBeLessThan(20_000);
  });

  it('a path section gets a slot once it is served (1xx, 2xx, 5xx): scanner 404s, 403s and redirects do not fill the slots', async () => {
    const t = setup({ max_sections: 3 });
    for (const p of ['/wp-admin', '/.env', '/phpmyadmin', '/cgi-bin', '/vendor']) t.handler.processLine(line(p + '/x', 404));
    t.handler.processLine(line('/.git/config', 403));
    t.handler.processLine(line('/xmlrpc.php', 301));
    t.handler.processLine(line('/api/a', 404)); // before /api is served: __other__
    t.handler.processLine(line('/api/a', 200));
    t.handler.processLine(line('/api/b', 404)); // after: its own series
    t.handler.processLine(line('/broken', 502));
    t.handler.processLine('10.0.0.1 - - [05/Mar/2024:14:20:01 +0100] "-" 400 0 "-" "-"'); // special sections always
    t.handler.processLine(line('/late', 200)); // the 3 slots are taken
    t.publish();
    expect(samples(await t.metrics(), 'hostwatch_http_requests_total').sort()).toEqual(
      [
        'hostwatch_http_requests_total{log="web",section="__other__",method="GET",status="4xx"} 7',
        'hostwatch_http_requests_total{log="web",section="__other__",method="GET",status="3xx"} 1',
        'hostwatch_http_requests_total{log="web",section="__other__",method="GET",status="2xx"} 1',
        'hostwatch_http_requests_total{log="web",section="/api",method="GET",status="2xx"} 1',
        'hostwatch_http_requests_total{log="web",section="/api",method="GET",status="4xx"} 1',
        'hostwatch_http_requests_total{log="web",section="/broken",method="GET",status="5xx"} 1',
        'hostwatch_http_requests_total{log="web",section="__none__",method="OTHER",status="4xx"} 1',
      ].sort(),
    );
  });

  it('a section longer than 128 characters is counted as __other__', async () => {
    const t = setup();
    t.handler.processLine(line('/' + 'x'.repeat(128) + '/y'));
    t.handler.processLine(line('/' + 'x'.repeat(127) + '/y'));
    t.publish();
    const sections = samples(await t.metrics(), 'hostwatch_http_response_bytes_total').map((l) => /section="([^"]*)"/.exec(l)![1]);
    expect(sections).toEqual(['__other__', '/' + 'x'.repeat(127)]);
  });
});

describe('access snapshot and restore', () => {
  const feed = (h: LogHandler<AccessState>, from: number, to: number) => {
    for (let i = from; i < to; i++) h.processLine(`1.2.3.4 "GET /s${i % 7}/x HTTP/1.1" ${200 + (i % 4) * 100} ${i} ${(i % 13) / 10}`);
  };
  const format = '$remote_addr "$request" $status $body_bytes_sent $request_time';

  it('a restored handler continues exactly where the snapshot was taken', () => {
    const a = setup({ format, max_sections: 5 }).handler;
    feed(a, 0, 1000);
    const saved = JSON.parse(JSON.stringify(a.snapshot()));
    const b = setup({ format, max_sections: 5 }).handler;
    b.restore(saved);
    expect(b.snapshot()).toEqual(a.snapshot());
    feed(a, 1000, 2000);
    feed(b, 1000, 2000);
    expect(b.snapshot()).toEqual(a.snapshot());
    // The __other__ slot survived the restart: new sections still go there, the bound still holds.
    expect(b.snapshot().sections).toHaveLength(6);
    expect(b.snapshot().sections).toContain('__other__');
  });

  it('a snapshot is a copy: later lines do not change it', () => {
    const a = setup().handler;
    a.processLine(line('/a'));
    const snap = a.snapshot();
    a.processLine(line('/a'));
    a.processLine(line('/b'));
    expect(snap.sections).toEqual(['/a']);
    expect(snap.requests.reduce((x, y) => x + y, 0)).toBe(1);
  });

  it('changed buckets restart the histogram only; the counters are kept', () => {
    const a = setup({ format }).handler;
    feed(a, 0, 100);
    const b = setup({ format, duration_buckets: [0.5, 1] }).handler;
    b.restore(JSON.parse(JSON.stringify(a.snapshot())));
    const s = b.snapshot();
    expect(s.requests).toEqual(a.snapshot().requests);
    expect(s.bounds).toEqual([0.5, 1]);
    expect(s.hist.every((v) => v === 0)).toBe(true);
    expect(s.hist).toHaveLength(s.sections.length * 3);
  });

  it('rejects a state that is not an access state (the pipeline then moves the checkpoint aside)', () => {
    const h = setup().handler;
    for (const bad of [
      null,
      {},
      { v: 2 },
      { v: 1, sections: ['/a'], requests: [], bytes: [0], bounds: [], hist: [], sums: [] },
      { v: 1, sections: ['/a', '/a'], requests: new Array(100).fill(0), bytes: [0, 0], bounds: [], hist: [], sums: [] },
      { v: 1, sections: ['/a'], requests: new Array(50).fill(-1), bytes: [0], bounds: [], hist: [], sums: [] },
    ]) {
      expect(() => h.restore(bad as never)).toThrow(/access state/);
    }
  });

  it('rejects absurd counts: beyond safe integers (1e300), fractional, or a section name longer than any kept', () => {
    const h = setup({ format }).handler;
    feed(h, 0, 10);
    const good = JSON.parse(JSON.stringify(h.snapshot())) as AccessState;
    for (const bad of [
      { ...good, requests: good.requests.map((x, i) => (i === 0 ? 1e300 : x)) },
      { ...good, bytes: good.bytes.map((x, i) => (i === 0 ? 0.5 : x)) },
      { ...good, sections: good.sections.map((x, i) => (i === 0 ? '/' + 'a'.repeat(300) : x)) },
    ]) {
      expect(() => h.restore(bad)).toThrow(/access state/);
    }
  });

  it('a checkpoint with 20,000 sections (hand-written, or max_sections lowered since) is folded into __other__: bounded, nothing lost', async () => {
    const wide = setup({ format, max_sections: 20_000 }).handler;
    for (let i = 0; i < 20_000; i++) wide.processLine(`1.2.3.4 "GET /s${i}/x HTTP/1.1" 200 ${i} 0.1`);
    const saved = JSON.parse(JSON.stringify(wide.snapshot())) as AccessState;
    expect(saved.sections).toHaveLength(20_000);
    const t = setup({ format, max_sections: 50 });
    t.handler.restore(saved);
    const s = t.handler.snapshot();
    expect(s.sections).toHaveLength(51);
    expect(s.sections[50]).toBe('__other__');
    const sum = (a: number[]) => a.reduce((x, y) => x + y, 0);
    expect(sum(s.requests)).toBe(20_000);
    expect(sum(s.bytes)).toBe(sum(saved.bytes));
    expect(sum(s.hist)).toBe(20_000);
    t.publish();
    expect(samples(await t.metrics(), 'hostwatch_http_requests_total').length).toBeLessThanOrEqual(51 * 4);
  });
});

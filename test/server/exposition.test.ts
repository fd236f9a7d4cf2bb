// The exporter conventions of the telemetry path over real HTTP: the text format and OpenMetrics
// chosen from `Accept` as client_golang does, gzip when accepted, 405 for other methods; the
// renderer's escaping in both formats; and a real Prometheus (the Debian binary, from the same
// package as promtool) scraping the exporter with its own OpenMetrics negotiation.
import { spawn, type ChildProcess } from 'node:child_process';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Counter, Histogram, Summary } from 'prom-client';
import { createApp } from '../../src/server/app.js';
import { Runner, type RunningCollector } from '../../src/exporter/runner.js';
import { SharedScrapes } from '../../src/exporter/scrape.js';
import { renderFamilies, type ExposedFamily } from '../../src/exporter/exposition.js';
import { acceptsGzip, negotiateFormat } from '../../src/server/negotiate.js';
import { defineMetric } from '../../src/core/metric.js';
import { silentLogger } from '../../src/core/log.js';
import { Registry } from 'prom-client';
import { freePort } from '../e2e/harness/ports.js';
import { metricFamilies } from '../../scripts/catalogue.js';

/** The Accept header Prometheus 2.42 (Debian 12) sends when it scrapes. */
const PROMETHEUS_ACCEPT =
  'application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1';

/** A collector whose metrics exercise every escape and special value of both formats. */
function trickyCollector(): RunningCollector {
  const registry = new Registry();
  const c = new Counter({
    name: 'test_requests_total',
    help: 'Requests "quoted", a \\ backslash\nand a newline.',
    labelNames: ['path'],
    registers: [registry],
  });
  c.inc({ path: 'a"b\\c\nd' }, 3);
  c.inc({ path: '/plain' }, 1);
  const h = new Histogram({ name: 'test_latency_seconds', help: 'Latency.', buckets: [0.1, 1], registers: [registry] });
  h.observe(0.05);
  h.observe(2);
  const s = new Summary({ name: 'test_size_bytes', help: 'Sizes.', percentiles: [0.5], registers: [registry] });
  s.observe(10);
  defineMetric(registry, {
    name: 'test_special',
    help: 'Special values.',
    type: 'gauge',
    labelNames: ['kind'],
    samples: () => [
      { labels: { kind: 'nan' }, value: NaN },
      { labels: { kind: 'inf' }, value: Infinity },
      { labels: { kind: 'ninf' }, value: -Infinity },
      { labels: { kind: 'small' }, value: 1e-7 },
    ],
  });
  return { name: 'tricky', collector: { update: async () => {} }, registry };
}

const runner = new Runner([trickyCollector()], silentLogger, 5000);
let server: http.Server;
let port: number;
/** The Accept header, content type and number of samples of every telemetry request served, in order. */
const served: { accept?: string; contentType?: string; samples?: number }[] = [];

beforeAll(async () => {
  const app = createApp({
    telemetryPath: '/metrics',
    scrapes: new SharedScrapes(() => runner.collect()),
    ready: () => true,
    middleware: [
      (req, res, next) => {
        if (req.path === '/metrics') {
          const entry: (typeof served)[number] = { accept: req.headers.accept };
          served.push(entry);
          res.on('finish', () => (entry.contentType = String(res.getHeader('content-type'))));
          const send = res.send.bind(res);
          res.send = (body: unknown) => {
            if (Buffer.isBuffer(body)) {
              const text = (res.getHeader('content-encoding') === 'gzip' ? gunzipSync(body) : body).toString();
              entry.samples = text.split('\n').filter((l) => l !== '' && !l.startsWith('#')).length;
            }
            return send(body);
          };
        }
        next();
      },
    ],
  });
  server = http.createServer(app);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
});

afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

/** A raw HTTP request (no automatic decompression), resolving with status, headers and body bytes. */
function request(
  method: string,
  path: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, path, method, headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (d: Buffer) => chunks.push(d));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks) }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('content negotiation', () => {
  it('the Accept header picks the format as client_golang does', () => {
    expect(negotiateFormat(undefined).format).toBe('text');
    expect(negotiateFormat('').format).toBe('text');
    expect(negotiateFormat('*/*').format).toBe('text');
    expect(negotiateFormat(PROMETHEUS_ACCEPT)).toEqual({
      format: 'openmetrics',
      contentType: 'application/openmetrics-text; version=1.0.0; charset=utf-8',
    });
    expect(negotiateFormat('application/openmetrics-text').contentType).toBe('application/openmetrics-text; version=0.0.1; charset=utf-8');
    expect(negotiateFormat('application/openmetrics-text; version="1.0.0"').contentType).toMatch(/version=1\.0\.0/);
    expect(negotiateFormat('application/openmetrics-text;version=2.0.0').format).toBe('text');
    expect(negotiateFormat('text/plain;version=0.0.4;q=1,application/openmetrics-text;version=1.0.0;q=0.5').format).toBe('text');
    expect(negotiateFormat('text/plain;q=0.2,application/openmetrics-text;version=1.0.0;q=0.9').format).toBe('openmetrics');
    expect(negotiateFormat('application/openmetrics-text;version=1.0.0;q=0').format).toBe('text');
    // Protobuf (what newer Prometheus asks for first) is not offered: the next acceptable one wins.
    expect(
      negotiateFormat('application/vnd.google.protobuf;proto=io.prometheus.client.MetricFamily;encoding=delimited,' + PROMETHEUS_ACCEPT)
        .format,
    ).toBe('openmetrics');
    expect(negotiateFormat('x'.repeat(10_000)).format).toBe('text');
  });

  it('gzip only when accepted with q > 0', () => {
    expect(acceptsGzip(undefined)).toBe(false);
    expect(acceptsGzip('gzip')).toBe(true);
    expect(acceptsGzip('br, gzip;q=0.5')).toBe(true);
    expect(acceptsGzip('GZIP')).toBe(true);
    expect(acceptsGzip('gzip;q=0, identity')).toBe(false);
    expect(acceptsGzip('identity')).toBe(false);
  });

  it('no Accept header: text format 0.0.4', async () => {
    const res = await request('GET', '/metrics');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('text/plain; version=0.0.4; charset=utf-8');
    expect(res.headers['content-encoding']).toBeUndefined();
    expect(res.headers.vary).toBe('Accept, Accept-Encoding');
    const text = res.body.toString();
    expect(text).toContain('# TYPE test_requests_total counter\ntest_requests_total{path="a\\"b\\\\c\\nd"} 3\n');
    expect(text).toContain('# HELP test_requests_total Requests "quoted", a \\\\ backslash\\nand a newline.\n');
    expect(text).not.toContain('# EOF');
  });

  it("Prometheus's Accept header: OpenMetrics 1.0.0, counters named without _total, samples with it, # EOF once", async () => {
    const res = await request('GET', '/metrics', { Accept: PROMETHEUS_ACCEPT });
    expect(res.headers['content-type']).toBe('application/openmetrics-text; version=1.0.0; charset=utf-8');
    const text = res.body.toString();
    expect(text).toContain('# TYPE test_requests counter\ntest_requests_total{path="a\\"b\\\\c\\nd"} 3\n');
    expect(text).toContain('# HELP test_requests Requests \\"quoted\\", a \\\\ backslash\\nand a newline.\n');
    expect(text).toContain('# TYPE process_cpu_seconds counter\nprocess_cpu_seconds_total ');
    expect(text).toMatch(/^test_latency_seconds_bucket\{le="\+Inf"\} 2$/m);
    expect(text).toMatch(/^test_size_bytes\{quantile="0\.5"\} 10$/m);
    expect(text).toContain(
      'test_special{kind="nan"} NaN\ntest_special{kind="inf"} +Inf\ntest_special{kind="ninf"} -Inf\ntest_special{kind="small"} 1e-7\n',
    );
    expect(text.endsWith('\n# EOF\n')).toBe(true);
    expect(text.match(/# EOF/g)).toHaveLength(1);
    expect(text).not.toMatch(/\n\n/);
  });

  it('gzip when accepted: the same body, compressed, for both formats', async () => {
    for (const accept of [undefined, PROMETHEUS_ACCEPT]) {
      const headers: Record<string, string> = accept ? { Accept: accept } : {};
      const plain = await request('GET', '/metrics', headers);
      const zipped = await request('GET', '/metrics', { ...headers, 'Accept-Encoding': 'gzip' });
      expect(zipped.headers['content-encoding']).toBe('gzip');
      expect(zipped.headers['content-type']).toBe(plain.headers['content-type']);
      const unzipped = gunzipSync(zipped.body).toString();
      // process_* values move between two scrapes; the families and the test samples do not.
      const stable = (t: string) => t.split('\n').filter((l) => !/^(process|nodejs)_/.test(l) && !/collector_duration/.test(l));
      expect(stable(unzipped)).toEqual(stable(plain.body.toString()));
      expect(zipped.body.length).toBeLessThan(plain.body.length / 3);
      const refused = await request('GET', '/metrics', { ...headers, 'Accept-Encoding': 'gzip;q=0' });
      expect(refused.headers['content-encoding']).toBeUndefined();
    }
  });

  it('HEAD: headers only; other methods: 405 with Allow, on /metrics and the other pages', async () => {
    const head = await request('HEAD', '/metrics', { 'Accept-Encoding': 'gzip' });
    expect(head.status).toBe(200);
    expect(head.headers['content-encoding']).toBe('gzip');
    expect(head.body.length).toBe(0);
    for (const path of ['/metrics', '/-/healthy', '/-/ready', '/']) {
      for (const method of ['POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS']) {
        const res = await request(method, path);
        expect(res.status, `${method} ${path}`).toBe(405);
        expect(res.headers.allow).toBe('GET, HEAD');
      }
    }
    expect((await request('POST', '/nothing-here')).status).toBe(404);
  });
});

describe('renderer', () => {
  const fam = (f: Partial<ExposedFamily> & { name: string }): ExposedFamily => ({ help: 'h', type: 'gauge', values: [], ...f });

  it('untyped is unknown in OpenMetrics; a counter without _total gets it there, as client_golang does', () => {
    const families = [
      fam({ name: 'x', type: 'untyped', values: [{ labels: {}, value: 1 }] }),
      fam({ name: 'legacy_counter', type: 'counter', values: [{ labels: { a: 'b' }, value: 2 }] }),
    ];
    expect(renderFamilies(families, 'text')).toBe(
      '# HELP x h\n# TYPE x untyped\nx 1\n# HELP legacy_counter h\n# TYPE legacy_counter counter\nlegacy_counter{a="b"} 2\n',
    );
    expect(renderFamilies(families, 'openmetrics')).toBe(
      '# HELP x h\n# TYPE x unknown\nx 1\n# HELP legacy_counter h\n# TYPE legacy_counter counter\nlegacy_counter_total{a="b"} 2\n# EOF\n',
    );
  });

  it('every counter of the exporter ends in _total, so its series names are the same in both formats', () => {
    const families = metricFamilies();
    expect(families.length).toBeGreaterThan(50);
    expect(families.filter((f) => f.type === 'counter' && !f.name.endsWith('_total')).map((f) => f.name)).toEqual([]);
    // And no two families share a name once OpenMetrics strips the counters' suffix.
    const omNames = families.map((f) => (f.type === 'counter' ? f.name.slice(0, -'_total'.length) : f.name));
    expect(new Set(omNames).size).toBe(omNames.length);
  });

  it('an empty exposition is valid in both formats', () => {
    expect(renderFamilies([], 'text')).toBe('\n');
    expect(renderFamilies([], 'openmetrics')).toBe('# EOF\n');
  });
});

describe('a real Prometheus scrape', () => {
  let dir: string;
  let prometheus: ChildProcess | undefined;
  afterAll(async () => {
    prometheus?.kill('SIGKILL');
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('negotiates OpenMetrics and ingests every sample with its exact labels and values', async () => {
    dir = await mkdtemp(join(tmpdir(), 'hostwatch-om-'));
    const promPort = await freePort();
    await writeFile(
      join(dir, 'prometheus.yml'),
      `global:\n  scrape_interval: 1s\n  scrape_timeout: 1s\nscrape_configs:\n  - job_name: hw\n    static_configs:\n      - targets: ['127.0.0.1:${port}']\n`,
    );
    const output: string[] = [];
    prometheus = spawn(
      'prometheus',
      [
        `--config.file=${join(dir, 'prometheus.yml')}`,
        `--storage.tsdb.path=${join(dir, 'data')}`,
        `--web.listen-address=127.0.0.1:${promPort}`,
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    prometheus.stdout!.on('data', (d) => output.push(String(d)));
    prometheus.stderr!.on('data', (d) => output.push(String(d)));
    const query = async (q: string) => {
      const res = await fetch(`http://127.0.0.1:${promPort}/api/v1/query?query=${encodeURIComponent(q)}`);
      return ((await res.json()) as { data: { result: { metric: Record<string, string>; value: [number, string] }[] } }).data.result;
    };
    // Until Prometheus has scraped the exporter at least twice (up is written at every scrape).
    const deadline = Date.now() + 60_000;
    for (;;) {
      const up = await query('count_over_time(up{job="hw"}[1m])').catch(() => []);
      if (up.length > 0 && Number(up[0].value[1]) >= 2) break;
      if (Date.now() > deadline) throw new Error(`Prometheus did not scrape in time:\n${output.join('')}`);
      await new Promise((r) => setTimeout(r, 250));
    }
    const promAccepts = served.filter((s) => s.accept === PROMETHEUS_ACCEPT);
    expect(promAccepts.length).toBeGreaterThan(0);
    for (const s of promAccepts) expect(s.contentType).toMatch(/^application\/openmetrics-text; version=1\.0\.0/);

    expect(Number((await query('up{job="hw"}'))[0].value[1])).toBe(1);
    // Every sample of each OpenMetrics body was ingested, none dropped by the parser (the process
    // metrics vary a little from scrape to scrape, so each scrape is matched with a body served).
    const counts = new Set(promAccepts.map((s) => s.samples));
    const res = await fetch(
      `http://127.0.0.1:${promPort}/api/v1/query?query=${encodeURIComponent('scrape_samples_scraped{job="hw"}[1m]')}`,
    );
    const scraped = ((await res.json()) as { data: { result: { values: [number, string][] }[] } }).data.result[0].values.map((v) =>
      Number(v[1]),
    );
    expect(scraped.length).toBeGreaterThanOrEqual(2);
    for (const n of scraped) expect(counts.has(n), `${n} samples ingested; bodies had ${[...counts].join(', ')}`).toBe(true);
    expect(Math.min(...scraped)).toBeGreaterThan(50);
    // The counter keeps its text-format series name, with label values unescaped exactly.
    const counter = await query('test_requests_total{job="hw"}');
    expect(counter.map((r) => [r.metric.path, r.value[1]]).sort()).toEqual([
      ['/plain', '1'],
      ['a"b\\c\nd', '3'],
    ]);
    expect((await query('test_special{job="hw",kind="inf"}'))[0].value[1]).toBe('+Inf');
    expect((await query('test_special{job="hw",kind="nan"}'))[0].value[1]).toBe('NaN');
    expect((await query('test_latency_seconds_bucket{job="hw",le="+Inf"}'))[0].value[1]).toBe('2');
  }, 90_000);
});

// Collector isolation through real HTTP (supertest on createApp with a Runner): a collector that
// throws, one whose file is missing, and one that hangs past the timeout each get
// hostwatch_collector_success 0 and are left out, while the other collectors' metrics are served.
import { Counter, Registry } from 'prom-client';
import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { HOST_COLLECTORS } from '../../src/collectors/host.js';
import { loadCollectors } from '../../src/collectors/index.js';
import type { Collector } from '../../src/collectors/collector.js';
import { createCollectors, Runner, type RunningCollector } from '../../src/exporter/runner.js';
import { SharedScrapes } from '../../src/exporter/scrape.js';
import { silentLogger } from '../../src/core/log.js';
import { createApp } from '../../src/server/app.js';
import { makeCtx, samples } from './helpers.js';

const HOST_DEFINITIONS = await loadCollectors(HOST_COLLECTORS);

function fixtureCollectors(): RunningCollector[] {
  const ctx = makeCtx();
  return createCollectors(
    HOST_DEFINITIONS.filter((c) => c.name !== 'updates'),
    { config: ctx.config, stateDir: ctx.stateDir, logger: silentLogger, clock: ctx.clock },
  );
}

/** A test collector with a metric of its own, whose update() does what it is told. */
function testCollector(name: string, update: () => Promise<void>): RunningCollector {
  const registry = new Registry();
  new Counter({
    name: `hostwatch_test_${name}_total`,
    help: 'A metric that must not appear when the collector fails.',
    registers: [registry],
  }).inc(42);
  const collector: Collector = { update };
  return { name, collector, registry };
}

function missingFileCollector(): RunningCollector {
  const ctx = makeCtx({ proc_path: '/nonexistent/proc' });
  const def = HOST_DEFINITIONS.find((c) => c.name === 'meminfo')!;
  return { name: 'meminfo_missing', collector: def.create(ctx), registry: ctx.registry };
}

describe('collector isolation over HTTP', () => {
  it('a throwing collector and a collector with a missing file get success 0; the rest is served with 200', async () => {
    const runner = new Runner(
      [...fixtureCollectors(), testCollector('broken', async () => Promise.reject(new Error('boom'))), missingFileCollector()],
      silentLogger,
      30_000, // generous: the fixture collectors must not time out on a loaded machine
    );
    const app = createApp({ telemetryPath: '/metrics', scrapes: new SharedScrapes(() => runner.collect()), ready: () => true });
    const res = await request(app).get('/metrics');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/plain/);
    const s = samples(res.text);
    expect(s.get('hostwatch_collector_success{collector="broken"}')).toBe(0);
    expect(s.get('hostwatch_collector_success{collector="meminfo_missing"}')).toBe(0);
    expect(res.text).not.toContain('hostwatch_test_broken_total');
    for (const name of ['cpu', 'stat', 'loadavg', 'meminfo', 'diskstats', 'filesystem', 'netdev', 'os', 'tls']) {
      expect(s.get(`hostwatch_collector_success{collector="${name}"}`)).toBe(1);
    }
    expect(s.get('hostwatch_cpu_seconds_total{cpu="0",mode="user"}')).toBe(71.4);
    expect(s.get('hostwatch_memory_total_bytes')).toBe(24684092 * 1024);
    expect(s.get('hostwatch_network_receive_bytes_total{device="eth0"}')).toBe(288574944);
  });

  it('a collector that hangs past the timeout gets success 0 and does not hold the scrape', async () => {
    const timeoutMs = 300;
    let hangCalls = 0;
    const hang = () => {
      hangCalls++;
      return new Promise<void>(() => {});
    };
    // The healthy collectors here answer from memory: they settle in microtasks, before any timer
    // can fire, so the result does not depend on the machine's speed. The hung one can only lose.
    const runner = new Runner(
      [testCollector('hang', hang), testCollector('fine', async () => {}), testCollector('also_fine', async () => {})],
      silentLogger,
      timeoutMs,
    );
    const app = createApp({ telemetryPath: '/metrics', scrapes: new SharedScrapes(() => runner.collect()), ready: () => true });
    const res = await request(app).get('/metrics');
    expect(res.status).toBe(200);
    const s = samples(res.text);
    expect(s.get('hostwatch_collector_success{collector="hang"}')).toBe(0);
    expect(s.get('hostwatch_collector_duration_seconds{collector="hang"}')).toBeGreaterThanOrEqual(timeoutMs / 1000 - 0.01);
    expect(res.text).not.toContain('hostwatch_test_hang_total');
    expect(s.get('hostwatch_collector_success{collector="fine"}')).toBe(1);
    expect(s.get('hostwatch_test_fine_total')).toBe(42);
    expect(s.get('hostwatch_collector_success{collector="also_fine"}')).toBe(1);
    expect(s.get('hostwatch_test_also_fine_total')).toBe(42);

    // The next scrape does not pile a second update on the hung one, and still answers.
    const again = await request(app).get('/metrics');
    expect(again.status).toBe(200);
    expect(samples(again.text).get('hostwatch_collector_success{collector="hang"}')).toBe(0);
    expect(hangCalls).toBe(1);
  });
});

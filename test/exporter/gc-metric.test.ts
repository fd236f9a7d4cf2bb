// nodejs_gc_duration_seconds counts every collection, also when many come between two turns of the
// event loop (prom-client's own observed only the first of each batch: ~1 in 100 under load).
import { describe, expect, it } from 'vitest';
import { PerformanceObserver } from 'node:perf_hooks';
import { Registry, collectDefaultMetrics } from 'prom-client';
import { observeEveryCollection } from '../../src/exporter/gc-metric.js';

/** Allocates in one synchronous stretch: many young-generation collections before the loop turns. */
function allocate(): number {
  let kept: { i: number }[] = [];
  let n = 0;
  for (let i = 0; i < 1_000_000; i++) {
    kept.push({ i });
    if (kept.length > 1000) {
      n += kept.length;
      kept = [];
    }
  }
  return n;
}

async function collections(registry: Registry): Promise<number> {
  const json = await registry.getMetricsAsJSON();
  const gc = json.find((m) => m.name === 'nodejs_gc_duration_seconds')!;
  // Histogram values carry the sample's name (the _bucket, _sum and _count series); the typings omit it.
  const values = gc.values as { metricName?: string; value: number }[];
  return values.filter((v) => v.metricName === 'nodejs_gc_duration_seconds_count').reduce((a, v) => a + v.value, 0);
}

describe('nodejs_gc_duration_seconds', () => {
  it("counts every collection, each under its kind, with prom-client's name, help and buckets", async () => {
    const registry = new Registry();
    collectDefaultMetrics({ register: registry });
    let seen = 0;
    let batches = 0;
    const reference = new PerformanceObserver((list) => {
      batches++;
      seen += list.getEntries().length;
    });
    reference.observe({ entryTypes: ['gc'] });
    const stop = observeEveryCollection(registry);
    // From here both observers get every entry, in callbacks run together: compare what they got
    // between two points where neither has a callback pending.
    await new Promise((r) => setTimeout(r, 20));
    const [seen0, batches0, counted0] = [seen, batches, await collections(registry)];
    try {
      for (let k = 0; k < 10; k++) {
        allocate();
        await new Promise((r) => setImmediate(r));
      }
      await new Promise((r) => setTimeout(r, 50));
    } finally {
      reference.disconnect();
      stop();
    }
    seen -= seen0;
    batches -= batches0;
    // Enough collections per batch that counting one per batch would show.
    expect(seen).toBeGreaterThan(2 * batches);
    expect((await collections(registry)) - counted0).toBe(seen);
    const text = await registry.metrics();
    expect(text).toContain(
      '# HELP nodejs_gc_duration_seconds Garbage collection duration by kind, one of major, minor, incremental or weakcb.',
    );
    expect(text).toMatch(/nodejs_gc_duration_seconds_bucket\{le="0\.001",kind="minor"\} \d+/);
    expect(text).toMatch(/nodejs_gc_duration_seconds_bucket\{le="5",kind="minor"\} \d+/);
    expect(text.match(/^# TYPE nodejs_gc_duration_seconds /gm)).toHaveLength(1);
  });
});

// nodejs_gc_duration_seconds, observed for every collection. prom-client's default metric (15.1.3)
// observes only the first entry of each batch its PerformanceObserver receives, and Node hands an
// observer all the collections since its last callback at once: a process that allocates in long
// synchronous stretches (a log flood: hundreds of young-generation collections a second, delivered
// a few times a second) had ~1 collection in 100 counted. Same name, help, label and buckets.
import { PerformanceObserver, constants, type PerformanceEntry } from 'node:perf_hooks';
import { Histogram, type Registry } from 'prom-client';

const NAME = 'nodejs_gc_duration_seconds';
const KINDS: Record<number, string> = {
  [constants.NODE_PERFORMANCE_GC_MAJOR]: 'major',
  [constants.NODE_PERFORMANCE_GC_MINOR]: 'minor',
  [constants.NODE_PERFORMANCE_GC_INCREMENTAL]: 'incremental',
  [constants.NODE_PERFORMANCE_GC_WEAKCB]: 'weakcb',
};

/**
 * Replaces prom-client's histogram in `registry` (collectDefaultMetrics registered it; its observer
 * cannot be removed, and now feeds a histogram nobody renders). Returns what stops observing.
 */
export function observeEveryCollection(registry: Registry): () => void {
  registry.removeSingleMetric(NAME);
  const histogram = new Histogram({
    name: NAME,
    help: 'Garbage collection duration by kind, one of major, minor, incremental or weakcb.',
    labelNames: ['kind'],
    buckets: [0.001, 0.01, 0.1, 1, 2, 5],
    registers: [registry],
  });
  const observer = new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) {
      const kind = KINDS[(entry as PerformanceEntry & { detail?: { kind?: number } }).detail?.kind ?? -1] ?? 'unknown';
      histogram.observe({ kind }, entry.duration / 1000);
    }
  });
  observer.observe({ entryTypes: ['gc'] });
  return () => observer.disconnect();
}

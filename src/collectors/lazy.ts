// Collectors whose code is imported only when they are enabled. The logs collector brings the tailer,
// every log type, chokidar and the native re2 addon; the FIM collector its scanner and store: ~3 MB
// of resident memory that a host-metrics-only exporter does not need (an ES module, once imported,
// stays for the life of the process). The definition in the registration list carries the name, help
// and default (for --help and the flags) and loads the real definition before the first create().
import type { Collector, CollectorContext, CollectorDefinition } from '../core/collector.js';

export interface LazyCollectorDefinition extends CollectorDefinition {
  /** Imports the implementation; create() may be called once it has resolved. */
  load(): Promise<void>;
}

export function lazyCollector(
  meta: Pick<CollectorDefinition, 'name' | 'help' | 'defaultEnabled'>,
  importDefinition: () => Promise<CollectorDefinition>,
): LazyCollectorDefinition {
  let loaded: CollectorDefinition | undefined;
  let loading: Promise<void> | undefined;
  return {
    ...meta,
    load() {
      loading ??= importDefinition().then((def) => {
        if (def.name !== meta.name) throw new Error(`lazy collector ${meta.name}: the module defines collector ${def.name}`);
        loaded = def;
      });
      return loading;
    },
    create(ctx: CollectorContext): Collector {
      if (!loaded) throw new Error(`collector ${meta.name}: create() before load() (call loadCollectors first)`);
      return loaded.create(ctx);
    },
  };
}

/** Imports the implementation of every lazy definition among `defs` (the enabled collectors). */
export async function loadCollectors(defs: readonly CollectorDefinition[]): Promise<void> {
  await Promise.all(defs.map((d) => (d as Partial<LazyCollectorDefinition>).load?.()));
}

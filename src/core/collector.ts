// The collector contract, after node_exporter: each collector owns its metrics, registered once in
// its own prom-client Registry, and refreshes them in update(). The runner calls update() for every
// scrape, isolated: a collector that throws or times out is reported with
// hostwatch_collector_success{collector} 0 and its metrics are left out; the rest are served.
import type { Registry } from 'prom-client';
import type { Logger } from './log.js';
import type { Clock } from './clock.js';

/** What a collector is given; `C` is the configuration (src/collectors/collector.ts binds hostwatch's). */
export interface CollectorContext<C> {
  config: C;
  /** The collector's own registry: register every metric here, at construction time. */
  registry: Registry;
  /** Directory for persistent state (checkpoints, FIM baseline). */
  stateDir: string;
  logger: Logger;
  clock: Clock;
}

export interface Collector {
  /** Refreshes the metrics for a scrape. Must not spawn processes or block the event loop. */
  update(): Promise<void>;
  /** Starts background work (tailing, scheduled checks). Called once after construction. */
  start?(): Promise<void>;
  /** Stops background work and flushes state; called at shutdown and before a reload. */
  stop?(): Promise<void>;
}

export interface CollectorDefinition<C> {
  /** Name used in --collector.<name> and in the collector label. */
  name: string;
  help: string;
  /** Whether the collector runs when no flag names it. */
  defaultEnabled: boolean;
  create(ctx: CollectorContext<C>): Collector;
}

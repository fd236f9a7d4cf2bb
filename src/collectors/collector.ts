// The collector contract (src/core/collector.ts) bound to hostwatch's configuration: what every
// collector, the runner and the tests import. core/ stays a leaf that knows no Config.
import type { Config } from '../config/schema.js';
import type * as Core from '../core/collector.js';

export type { Collector } from '../core/collector.js';
export type CollectorContext = Core.CollectorContext<Config>;
export type CollectorDefinition = Core.CollectorDefinition<Config>;

/**
 * An entry of the one list of collectors (collectors/index.ts): what the command line needs (the
 * name, help and default of the --collector.<name> flag) without the collector's code, which `load`
 * imports when the exporter runs the collector.
 */
export interface CollectorEntry extends Pick<CollectorDefinition, 'name' | 'help' | 'defaultEnabled'> {
  load(): Promise<CollectorDefinition>;
}

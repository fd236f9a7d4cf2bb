// The collector contract (src/core/collector.ts) bound to hostwatch's configuration: what every
// collector, the runner and the tests import. core/ stays a leaf that knows no Config.
import type { Config } from '../config/schema.js';
import type * as Core from '../core/collector.js';

export type { Collector } from '../core/collector.js';
export type CollectorContext = Core.CollectorContext<Config>;
export type CollectorDefinition = Core.CollectorDefinition<Config>;

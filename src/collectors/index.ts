// The one list of collectors, like node_exporter's: adding a collector is adding a line here.
// Order is the order of the scrape output.
import type { CollectorDefinition } from './collector.js';
import { HOST_COLLECTORS } from './host.js';
import { logsCollector } from './logs/index.js';
import { fimCollector } from './fim/index.js';
import { textfileCollector } from './textfile/index.js';
import { inventoryCollector } from './inventory/index.js';
import { probesCollector } from './probes/index.js';
import { auditCollector } from './audit/index.js';

export const COLLECTORS: CollectorDefinition[] = [
  ...HOST_COLLECTORS,
  textfileCollector,
  logsCollector,
  fimCollector,
  inventoryCollector,
  auditCollector,
  probesCollector,
];

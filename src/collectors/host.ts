// The host collectors, in scrape-output order. Registered in index.ts.
import type { CollectorDefinition } from './collector.js';
import { cpuCollector } from './cpu/index.js';
import { diskstatsCollector } from './diskstats/index.js';
import { filefdCollector } from './filefd/index.js';
import { filesystemCollector } from './filesystem/index.js';
import { loadavgCollector } from './loadavg/index.js';
import { meminfoCollector } from './meminfo/index.js';
import { netdevCollector } from './netdev/index.js';
import { osCollector } from './os/index.js';
import { pressureCollector } from './pressure/index.js';
import { processesCollector } from './processes/index.js';
import { rebootCollector } from './reboot/index.js';
import { statCollector } from './stat/index.js';
import { timeCollector } from './time/index.js';
import { tlsCollector } from './tls/index.js';
import { updatesCollector } from './updates/index.js';

export const HOST_COLLECTORS: CollectorDefinition[] = [
  cpuCollector,
  statCollector,
  loadavgCollector,
  pressureCollector,
  meminfoCollector,
  diskstatsCollector,
  filesystemCollector,
  netdevCollector,
  processesCollector,
  filefdCollector,
  timeCollector,
  osCollector,
  updatesCollector,
  rebootCollector,
  tlsCollector,
];

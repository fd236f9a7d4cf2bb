// An Exporter for the tests that run the real server: loopback port 0, hostwatch.yml and the state
// directory under the test's temp dir, no collectors unless given.
import { join } from 'node:path';
import { Exporter, type ExporterOptions } from '../../src/exporter/exporter.js';
import { silentLogger } from '../../src/core/log.js';

export function testExporter(dir: string, opts: Partial<ExporterOptions> = {}): Exporter {
  return new Exporter({
    configFile: join(dir, 'hostwatch.yml'),
    listenAddress: '127.0.0.1:0',
    telemetryPath: '/metrics',
    stateDir: join(dir, 'state'),
    collectors: [],
    logger: silentLogger,
    ...opts,
  });
}

// The promtool unit test files written to prometheus/tests/, one per rule file; each loads the
// recording rules too, since alerts read recorded series.
import type { MixinConfig } from '../config.js';
import { ruleFiles } from '../rules/index.js';
import { AlertCatalog, type PromtoolFile, type PromtoolGroup } from './dsl.js';
import { hostTests } from './host.js';
import { trafficTests } from './traffic.js';
import { securityTests } from './security.js';
import { anomalyTests } from './anomaly.js';
import { fleetTests } from './fleet.js';
import { probeTests } from './probes.js';
import { auditTests } from './audit.js';

const SUITES: [string, (c: AlertCatalog) => PromtoolGroup[]][] = [
  ['hostwatch-host.yml', hostTests],
  ['hostwatch-traffic.yml', trafficTests],
  ['hostwatch-security.yml', securityTests],
  ['hostwatch-anomaly.yml', anomalyTests],
  ['hostwatch-fleet.yml', fleetTests],
  ['hostwatch-probes.yml', probeTests],
  ['hostwatch-audit.yml', auditTests],
];

export function ruleTestFiles(cfg: MixinConfig): Map<string, PromtoolFile> {
  const files = ruleFiles(cfg);
  const catalog = new AlertCatalog(
    cfg,
    [...files.values()].flatMap((f) => f.groups),
  );
  const out = new Map<string, PromtoolFile>();
  for (const [ruleFile, suite] of SUITES) {
    out.set(ruleFile.replace(/\.yml$/, '.test.yml'), {
      rule_files: ['../rules/hostwatch-recording.yml', `../rules/${ruleFile}`],
      evaluation_interval: '1m',
      tests: suite(catalog),
    });
  }
  return out;
}

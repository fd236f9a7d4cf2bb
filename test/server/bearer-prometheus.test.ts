// Debian's Prometheus scrapes the exporter with its `authorization` setting (a bearer token from a
// credentials file): the scrape succeeds with the configured token and fails (401) with another.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import YAML from 'yaml';
import type { Exporter } from '../../src/exporter/exporter.js';
import { testExporter } from '../support/test-exporter.js';
import { Prometheus } from '../e2e/harness/prometheus.js';
import { freePort } from '../e2e/harness/ports.js';
import { waitFor } from '../e2e/harness/wait.js';
import { requireTool } from '../stack/tools.js';

let dir: string;
let exporter: Exporter;
let prom: Prometheus | undefined;

beforeAll(async () => {
  requireTool('promtool'); // same Debian package as the prometheus binary
  dir = await mkdtemp(join(tmpdir(), 'hostwatch-bearer-prom-'));
  await writeFile(join(dir, 'scrape.token'), 'prometheus-scrape-token-0123456789\n');
  await writeFile(join(dir, 'wrong.token'), 'some-other-token-000000000000\n');
  await writeFile(join(dir, 'web.yml'), 'bearer_tokens:\n  - file: scrape.token\n');
  await writeFile(join(dir, 'hostwatch.yml'), '');
  exporter = testExporter(dir, { webConfigFile: join(dir, 'web.yml') });
  await exporter.start();
  const target = `127.0.0.1:${exporter.address.port}`;
  const job = (name: string, file: string) => ({
    job_name: name,
    scrape_interval: '1s',
    authorization: { credentials_file: join(dir, file) },
    static_configs: [{ targets: [target] }],
  });
  const configFile = join(dir, 'prometheus.yml');
  await writeFile(configFile, YAML.stringify({ scrape_configs: [job('good', 'scrape.token'), job('bad', 'wrong.token')] }));
  prom = await Prometheus.start({ configFile, dataDir: join(dir, 'data'), address: `127.0.0.1:${await freePort()}` });
}, 60_000);

afterAll(async () => {
  await prom?.proc.stop();
  await exporter?.stop();
  await rm(dir, { recursive: true, force: true });
});

describe("Prometheus's authorization setting", () => {
  it('scrapes /metrics with the bearer token from its credentials file', async () => {
    const up = await waitFor(
      async () => {
        const good = await prom!.scalar('up{job="good"}');
        const bad = await prom!.scalar('up{job="bad"}');
        return good !== undefined && bad !== undefined ? { good, bad } : undefined;
      },
      { what: 'both jobs scraped once', timeoutMs: 30_000, diagnostics: () => prom!.targetsSummary() },
    );
    expect(up).toEqual({ good: 1, bad: 0 });
    expect(await prom!.scalar('hostwatch_build_info{job="good"}')).toBe(1);
  });
});

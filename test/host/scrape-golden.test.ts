// The whole host scrape as a golden file, after node_exporter's end-to-end test: every host collector
// (but `updates`, which runs the package manager) pointed at the fixture tree, scraped once through
// the real runner, and the exposition compared line by line with test/fixtures/scrape/host.prom.
// The one input that is not a file is statfs(2) of each mount point: it answers here with fixed
// figures per mount point, so that the golden file does not depend on the disks of the test machine.
// A change of a metric name, label, help text, type or value shows up as a diff to review.
// After an intended change: UPDATE_GOLDEN=1 npx vitest run test/host/scrape-golden.test.ts
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { HOST_COLLECTORS } from '../../src/collectors/host.js';
import { loadCollectors } from '../../src/collectors/index.js';
import { FilesystemCollector, type StatfsFn } from '../../src/collectors/filesystem/index.js';
import type { CollectorDefinition } from '../../src/collectors/collector.js';
import { createCollectors, Runner } from '../../src/exporter/runner.js';
import { renderFamilies } from '../../src/exporter/exposition.js';
import { ManualClock } from '../../src/core/clock.js';
import { silentLogger } from '../../src/core/log.js';
import { makeCtx, ROOTFS } from './helpers.js';

const GOLDEN = fileURLToPath(new URL('../fixtures/scrape/host.prom', import.meta.url));

/**
 * Lines that depend on the machine running the test rather than on the fixtures: the exporter's own
 * process and runtime metrics, build info, and how long each collector took.
 */
const MACHINE_DEPENDENT = /^(# (HELP|TYPE) )?(process_|nodejs_|hostwatch_build_info|hostwatch_collector_duration_seconds)/;

/**
 * statfs with figures that depend only on the mount point (its length, so mounts differ). The path
 * it is given is under the fixture rootfs, whose own length depends on where the repository is
 * checked out: only the part below it counts.
 */
const fixedStatfs: StatfsFn = async (path) => {
  const n = path.length - ROOTFS.length;
  return { bsize: 4096, blocks: 1_000_000 * n, bfree: 400_000 * n, bavail: 300_000 * n, files: 65_536 * n, ffree: 50_000 * n };
};

const withFixedStatfs = (d: CollectorDefinition): CollectorDefinition =>
  d.name === 'filesystem' ? { ...d, create: (ctx) => new FilesystemCollector(ctx, { statfs: fixedStatfs }) } : d;

async function hostScrape(): Promise<string> {
  const clock = new ManualClock(1_790_000_000_000);
  const { config } = makeCtx({ tls: { cert_files: [] } }, { clock });
  const defs = (await loadCollectors(HOST_COLLECTORS)).filter((c) => c.name !== 'updates').map(withFixedStatfs);
  const runner = new Runner(createCollectors(defs, { config, stateDir: '/nonexistent', logger: silentLogger, clock }), silentLogger, 5000);
  const body = renderFamilies(await runner.collect(), 'text');
  return body
    .split('\n')
    .filter((l) => !MACHINE_DEPENDENT.test(l))
    .join('\n');
}

describe('host scrape golden file', () => {
  it('the exposition of every host collector on the fixture tree equals test/fixtures/scrape/host.prom', async () => {
    const got = await hostScrape();
    if (process.env.UPDATE_GOLDEN) writeFileSync(GOLDEN, got);
    const want = readFileSync(GOLDEN, 'utf8');
    // Line arrays: a failure shows the lines that differ, not two walls of text.
    expect(got.split('\n')).toEqual(want.split('\n'));
  });

  it('is deterministic: two scrapes of the fixtures render the same text', async () => {
    expect(await hostScrape()).toBe(await hostScrape());
  });
});

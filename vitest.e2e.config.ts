import { defineConfig } from 'vitest/config';

// The end-to-end suite: the built exporter, Debian's prometheus and prometheus-alertmanager, started
// once for the whole file on loopback ports (see test/e2e/harness/). Run with `npm run test:e2e`.
// One fork, files one after another: the stacks are heavy for a 2-core machine, and scenarios inside
// a file decide themselves what runs concurrently.
export default defineConfig({
  test: {
    include: ['test/e2e/**/*.e2e.test.ts'],
    pool: 'forks',
    maxWorkers: 1,
    fileParallelism: false,
    sequence: { concurrent: false, shuffle: false },
    // Each wait inside a test has its own, shorter timeout that fails with a precise message; these
    // outer limits only catch a harness bug.
    testTimeout: 180_000,
    hookTimeout: 120_000,
    teardownTimeout: 30_000,
    reporters: ['verbose'],
  },
});

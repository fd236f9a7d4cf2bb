import { defineConfig } from 'vitest/config';

// Unit and integration tests. The end-to-end suite (real Prometheus + Alertmanager) has its own
// config, vitest.e2e.config.ts, and runs with `npm run test:e2e`.
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    exclude: ['test/e2e/**', 'node_modules/**'],
    // Generous: a test that runs the real command line several times in a row waits for each child,
    // and on a busy 2-core machine one start can take seconds. A slow machine must not fail a test.
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // Vitest runs one worker fewer than the cores, one worker on this 2-core machine. Most of the
    // slow files wait on what they start (the exporter, promtool, setpriv, tmux, apt-get) rather than
    // compute, so three workers share the two cores better.
    maxWorkers: 3,
    // Test files share their worker's module cache instead of importing src/ (and vitest) anew for
    // each of the ~130 files: a fifth of the suite's CPU time. Tests therefore keep no state in
    // modules between files: each one creates its own registries, directories and servers.
    isolate: false,
    globalSetup: ['test/support/global-setup.ts'],
    // CI=true (as .ci/run is run) makes ink print only its last frame; the view tests render as in a
    // terminal. hostwatch top itself ignores CI when its output is a terminal (src/top/command.ts).
    env: { CI: 'false', CONTINUOUS_INTEGRATION: 'false' },
  },
});

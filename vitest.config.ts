import { defineConfig } from 'vitest/config';

// Unit and integration tests. The end-to-end suite (real Prometheus + Alertmanager) has its own
// config, vitest.e2e.config.ts, and runs with `npm run test:e2e`.
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    exclude: ['test/e2e/**', 'node_modules/**'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    pool: 'forks',
    globalSetup: ['test/support/global-setup.ts'],
    // CI=true (as .ci/run is run) makes ink print only its last frame; the view tests render as in a
    // terminal. hostwatch top itself ignores CI when its output is a terminal (src/top/command.ts).
    env: { CI: 'false', CONTINUOUS_INTEGRATION: 'false' },
  },
});

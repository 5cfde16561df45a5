import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['{src,workflows,activities,api,test}/**/*.test.ts'],
    globalSetup: ['test/setup/global.ts'],
    reporters: ['default', './test/setup/summary-reporter.ts'],
    pool: 'forks',
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // Integration tests share one Temporal dev server and one SCIM server; two cores.
    maxWorkers: 2,
  },
});

import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Tests that need servers run in `npm run test:integration` (vitest.integration.config.ts).
    exclude: ['test/integration/**', 'node_modules/**'],
    // chDB allows one data directory per process: every test file gets its own process.
    pool: 'forks',
    fileParallelism: true,
    maxWorkers: 2,
    testTimeout: 60_000,
    hookTimeout: 60_000,
    allowOnly: false,
  },
});

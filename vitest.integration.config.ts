import { defineConfig } from 'vitest/config';

// `npm run test:integration`: tests against real servers (PostgreSQL, RabbitMQ, ClickHouse server,
// ZooKeeper, Prometheus), each test starting its own private instances on free loopback ports.
export default defineConfig({
  test: {
    include: ['test/integration/**/*.test.ts'],
    pool: 'forks',
    // Server instances are heavy on a 2-core machine: one test file at a time.
    fileParallelism: false,
    maxWorkers: 1,
    testTimeout: 300_000,
    hookTimeout: 180_000,
    allowOnly: false,
  },
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, startServer, type ServerProcess } from '../../helpers/server.ts';
import { serverTarget, startLoad } from '../load-run.ts';
import { createTestDatabase, type TestDatabase } from '../servers/postgres.ts';
import { startRabbitNode, type RabbitNode } from '../servers/rabbitmq.ts';

let database: TestDatabase;
let broker: RabbitNode;
let server: ServerProcess;

beforeAll(async () => {
  [database, broker] = await Promise.all([createTestDatabase(), startRabbitNode()]);
  server = await startServer({
    STEPLOG_DATABASE_URL: database.url,
    STEPLOG_AMQP_URL: broker.url,
    STEPLOG_FLUSH_INTERVAL: '500ms',
    STEPLOG_BATCH_SIZE: '1000',
  });
});
afterAll(async () => {
  await server?.stop();
  await broker?.destroy();
  await database?.drop();
});

describe('steplog serve on PostgreSQL and RabbitMQ', () => {
  it('loads 20,000 events exactly once through a broker killed and restarted during the load', async () => {
    const load = startLoad(serverTarget(server), 20_000);
    // Kill the broker once part of the run is in ClickHouse and part is still on its way.
    await expect
      .poll(
        async () =>
          (await api(server.url, 'GET', '/api/imports?limit=50')).body.jobs.some((j: { rows: number }) => j.rows > 0),
        {
          timeout: 120_000,
          interval: 200,
        },
      )
      .toBe(true);
    await broker.stop('SIGKILL');
    await new Promise((r) => setTimeout(r, 3_000));
    await broker.start();
    await load.settle();
    expect(server.output()).toMatch(/broker connection lost/);
  });
});

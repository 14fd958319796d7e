import amqp from 'amqplib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SITE_EVENTS_QUEUE } from '../../../src/queue/rabbitmq/amqp-link.ts';
import { api, startServer, type ServerProcess } from '../../helpers/server.ts';
import { serverTarget, startLoad } from '../load-run.ts';
import { startRabbitNode, type RabbitNode } from '../servers/rabbitmq.ts';

/** Site events travel through the broker as learning events do when STEPLOG_AMQP_URL is set. */
let broker: RabbitNode;
let server: ServerProcess;

beforeAll(async () => {
  broker = await startRabbitNode();
  server = await startServer({
    STEPLOG_AMQP_URL: broker.url,
    STEPLOG_FLUSH_INTERVAL: '500ms',
    STEPLOG_BATCH_SIZE: '500',
  });
});
afterAll(async () => {
  await server?.stop();
  await broker?.destroy();
});

const siteBacklog = async () =>
  (await api(server.url, 'GET', '/api/imports?limit=1')).body.backlog.families.site as number;
const stored = async (userId: number) =>
  (await api(server.url, 'POST', '/api/verify/site-run', { user_id_from: userId, user_id_to: userId })).body.days
    .length as number;

describe('site events on RabbitMQ', () => {
  it('wait in the outbox while the broker is down, and load once it is back: the loader reads them from the queue', async () => {
    await broker.stop('SIGTERM');
    const visitor = 424_242;
    const events = Array.from({ length: 5 }, (_, i) => ({
      dt: new Date(Date.now() - i * 1000).toISOString(),
      name: 'view',
      user_id: visitor,
      url: 'https://shop.example/',
      obj: 'page',
    }));
    expect((await api(server.url, 'POST', '/api/site-events/batch', { events })).body).toMatchObject({ accepted: 5 });
    expect((await api(server.url, 'POST', '/api/imports')).body).toMatchObject({ rows: 0 });
    expect(await siteBacklog()).toBe(5);
    expect(await stored(visitor)).toBe(0);

    await broker.start();
    await expect.poll(siteBacklog, { timeout: 60_000, interval: 250 }).toBe(0);
    expect(await stored(visitor)).toBe(1);
    const connection = await amqp.connect(broker.url);
    try {
      const channel = await connection.createChannel();
      // The site family's own queue, drained, with the loader's consumer on it.
      const queue = await channel.checkQueue(SITE_EVENTS_QUEUE);
      expect(queue.messageCount).toBe(0);
      expect(queue.consumerCount).toBeGreaterThanOrEqual(1);
    } finally {
      await connection.close();
    }
  });

  it('delivers a steplog load --family site run exactly once, through both site routes', async () => {
    await startLoad(serverTarget(server), 3_000, ['--family', 'site', '--users', '100', '--days', '5']).settle();
    await startLoad(serverTarget(server), 300, [
      '--family',
      'site',
      '--users',
      '20',
      '--days',
      '2',
      '--route',
      'compat',
    ]).settle();
  });
});

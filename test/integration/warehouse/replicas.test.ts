import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ClickHouseServerWarehouse } from '../../../src/warehouse/drivers/clickhouse-server/clickhouse-server-warehouse.ts';
import { WarehouseError } from '../../../src/warehouse/warehouse.ts';
import { freePort } from '../../helpers/server.ts';
import { startClickHouse, type ClickHouseServer } from '../servers/clickhouse.ts';

/**
 * A stand-in server that answers `SELECT version()` and reads each INSERT whole, then drops the
 * connection without an answer: for the client, that INSERT may have run.
 */
async function droppingServer(): Promise<{ url: string; inserts: () => number; close(): Promise<void> }> {
  let inserts = 0;
  const server = http.createServer((request, response) => {
    request.resume();
    request.on('end', () => {
      if (!decodeURIComponent(request.url ?? '').includes('INSERT')) {
        response.end('{"version":"18.16.1"}\n');
        return;
      }
      inserts += 1;
      request.socket.destroy();
    });
  });
  const port = await freePort();
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return {
    url: `http://default:x@127.0.0.1:${port}/`,
    inserts: () => inserts,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

let clickhouse: ClickHouseServer;
beforeAll(async () => {
  clickhouse = await startClickHouse();
});
afterAll(() => clickhouse?.destroy());

describe('failover across the listed servers', () => {
  it('moves on at once past a server that refuses connections, for reads and writes', async () => {
    const refusing = `http://default:x@127.0.0.1:${await freePort()}/`;
    const w = await ClickHouseServerWarehouse.connect([refusing, clickhouse.url], { requestTimeoutMs: 10_000 });
    try {
      expect(w.version).toBe('18.16.1');
      await w.exec('CREATE TABLE default.replica_rows (id UInt32) ENGINE = MergeTree() ORDER BY id');
      await w.insert('default.replica_rows', [{ id: 1 }]);
      expect(await clickhouse.query('SELECT count() FROM default.replica_rows')).toBe('1\n');
    } finally {
      await w.close();
    }
  });

  it('never sends an insert again after it may have run: it fails, and the next call goes on', async () => {
    const dropping = await droppingServer();
    const w = await ClickHouseServerWarehouse.connect([dropping.url, clickhouse.url], { requestTimeoutMs: 10_000 });
    try {
      const rows = async () => Number((await clickhouse.query('SELECT count() FROM default.replica_rows')).trim());
      const before = await rows();
      await expect(w.insert('default.replica_rows', [{ id: 2 }])).rejects.toThrow(WarehouseError);
      expect(dropping.inserts()).toBe(1);
      expect(await rows()).toBe(before);
      await w.insert('default.replica_rows', [{ id: 3 }]);
      expect(await rows()).toBe(before + 1);
      expect(dropping.inserts()).toBe(1);
    } finally {
      await w.close();
      await dropping.close();
    }
  });
});

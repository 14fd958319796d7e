import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import { HttpClient } from '../../src/loadgen/http-client.ts';
import { freePort } from '../helpers/server.ts';

/** A real HTTP server that answers `status` and counts what it was asked. */
async function countingServer(status: number) {
  const server = http.createServer((request, response) => {
    seen += 1;
    response.writeHead(status, { 'content-type': 'application/json', 'retry-after': '0' });
    response.end(JSON.stringify({ status }));
  });
  let seen = 0;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  servers.push(server);
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, seen: () => seen };
}
const servers: http.Server[] = [];
afterAll(() => servers.forEach((server) => server.close()));

describe('HttpClient over several api URLs', () => {
  it('takes turns: n requests over two servers give each n/2', async () => {
    const [a, b] = [await countingServer(202), await countingServer(202)];
    const client = new HttpClient({ baseUrls: [a.url, b.url], apiKey: null, timeoutMs: 5_000, giveUpAfterMs: 5_000 });
    await Promise.all(Array.from({ length: 10 }, () => client.request('POST', '/api/events', {})));
    expect([a.seen(), b.seen()]).toEqual([5, 5]);
  });

  it('sends a request that found a server dead or busy to the other one', async () => {
    const alive = await countingServer(202);
    const busy = await countingServer(503);
    const dead = `http://127.0.0.1:${await freePort()}`;
    for (const failing of [dead, busy.url]) {
      const retried: string[] = [];
      const client = new HttpClient({
        baseUrls: [failing, alive.url],
        apiKey: null,
        timeoutMs: 5_000,
        giveUpAfterMs: 5_000,
        onRetry: (reason) => retried.push(reason),
      });
      const answers = await Promise.all(Array.from({ length: 4 }, () => client.request('POST', '/api/events', {})));
      expect(answers.map((a) => a.status)).toEqual([202, 202, 202, 202]);
      // Half the requests started on the failing server: each cost one attempt there, no more.
      expect(retried).toHaveLength(2);
    }
    expect(busy.seen()).toBe(2);
  });
});

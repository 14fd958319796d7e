import { describe, expect, it } from 'vitest';
import { startServer } from '../helpers/server.ts';

describe('STEPLOG_LOG_FORMAT=pretty', () => {
  it('prints readable lines instead of JSON, the request id included', async () => {
    const server = await startServer({ STEPLOG_LOG_LEVEL: 'info', STEPLOG_LOG_FORMAT: 'pretty', NO_COLOR: '1' });
    try {
      await fetch(`${server.url}/api/users`, { headers: { 'x-request-id': 'pretty-1' } });
      for (const deadline = Date.now() + 10_000; !server.output().includes('pretty-1');) {
        if (Date.now() > deadline) throw new Error(`no line with the request id:\n${server.output()}`);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      const lines = server.output().split('\n');
      const serving = lines.find((line) => line.includes('steplog is serving'));
      expect(serving).toMatch(/^\[[\d:.]+\] INFO \(\d+\): steplog is serving$/);
      expect(lines.filter((line) => line.startsWith('{'))).toEqual([]);
      expect(server.output()).toMatch(/WARN \(\d+\): request refused\n\s+reqId: "pretty-1"/);
    } finally {
      await server.stop();
    }
  });
});

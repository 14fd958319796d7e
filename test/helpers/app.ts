import { loadConfig } from '../../src/config/config.ts';
import { openRuntime } from '../../src/main.ts';
import { issueKey } from '../../src/runtime/issue-keys.ts';
import { buildApp } from '../../src/server/app.ts';
import { tempDataDir } from './server.ts';

/**
 * The HTTP shell over a fresh runtime in a temp data dir, for route tests through `inject()`
 * (nothing listens), with an admin key's Authorization header. One per test file (chDB's rule).
 */
export async function openApp(env: Record<string, string> = {}) {
  const config = loadConfig({
    STEPLOG_DATA_DIR: tempDataDir(),
    STEPLOG_LOG_LEVEL: 'silent',
    STEPLOG_FLUSH_INTERVAL: '1h',
    ...env,
  });
  const runtime = await openRuntime(config);
  const app = await buildApp(config, runtime);
  const authorization = `Bearer ${(await issueKey(runtime.store.apiKeys, 'admin', 'route test')).key}`;
  return {
    runtime,
    app,
    authorization,
    close: async () => {
      await app.close();
      await runtime.close();
    },
  };
}

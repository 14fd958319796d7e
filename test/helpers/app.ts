import type { Scope } from '../../src/auth/api-key.ts';
import { loadConfig, type Role } from '../../src/config/config.ts';
import { openRuntime, type RuntimeHooks } from '../../src/main.ts';
import { issueKey } from '../../src/runtime/issue-keys.ts';
import { buildApp } from '../../src/server/app.ts';
import { tempDataDir } from './server.ts';

/**
 * The HTTP shell over a fresh runtime in a temp data dir, for route tests through `inject()`
 * (nothing listens), with an admin key's Authorization header and keys of any scope on demand.
 * Loads run only on demand. One per test file (chDB's rule).
 */
export async function openApp(env: Record<string, string> = {}, hooks: RuntimeHooks = {}, role: Role = 'all') {
  const config = loadConfig({
    STEPLOG_DATA_DIR: tempDataDir(),
    STEPLOG_LOG_LEVEL: 'silent',
    STEPLOG_FLUSH_INTERVAL: '1h',
    ...env,
  });
  const runtime = await openRuntime(config, hooks, role);
  const app = await buildApp(config, runtime);
  const authorization = `Bearer ${(await issueKey(runtime.store.apiKeys, 'admin', 'route test')).key}`;
  return {
    config,
    runtime,
    app,
    authorization,
    key: async (scope: Scope) => (await issueKey(runtime.store.apiKeys, scope, `${scope} test key`)).key,
    close: async () => {
      await app.close();
      await runtime.close();
    },
  };
}

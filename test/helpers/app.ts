import { buildApp } from '../../src/api/app.ts';
import type { Scope } from '../../src/auth/api-key.ts';
import { issueKey } from '../../src/auth/keys.ts';
import { loadConfig } from '../../src/config/config.ts';
import type { LoaderOptions } from '../../src/loader/loader.ts';
import { openRuntime } from '../../src/main.ts';
import { tempDataDir } from './server.ts';

/** The whole pipeline in-process on a temp data dir (loads only on demand), its app, and keys of any scope. */
export async function openTestApp(env: Record<string, string> = {}, loaderHooks: Partial<LoaderOptions> = {}) {
  const config = loadConfig({
    STEPLOG_DATA_DIR: tempDataDir(),
    STEPLOG_LOG_LEVEL: 'silent',
    STEPLOG_FLUSH_INTERVAL: '1h',
    ...env,
  });
  const runtime = await openRuntime(config, loaderHooks);
  const app = await buildApp(config, runtime);
  return {
    runtime,
    app,
    key: async (scope: Scope) => (await issueKey(runtime.store.apiKeys, scope, `${scope} test key`)).key,
    close: async () => {
      await app.close();
      await runtime.close();
    },
  };
}

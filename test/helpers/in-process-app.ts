import { afterAll, beforeAll } from 'vitest';
import { loadConfig } from '../../src/config/config.ts';
import { openRuntime, type Runtime } from '../../src/main.ts';
import { issueKey } from '../../src/runtime/issue-keys.ts';
import { buildApp, type App } from '../../src/server/app.ts';
import { tempDataDir } from './server.ts';

/** The whole app in the test's process on a temp data dir, for `inject()`, with an admin key's header. */
export interface InProcessApp {
  readonly runtime: Runtime;
  readonly app: App;
  readonly authorization: string;
}

/** Opens the app before the file's tests (no scheduled loads: the flush interval is an hour) and closes it after. */
export function useInProcessApp(keyName: string): () => InProcessApp {
  let opened: InProcessApp | undefined;
  beforeAll(async () => {
    const config = loadConfig({
      STEPLOG_DATA_DIR: tempDataDir(),
      STEPLOG_LOG_LEVEL: 'silent',
      STEPLOG_FLUSH_INTERVAL: '1h',
    });
    const runtime = await openRuntime(config);
    const app = await buildApp(config, runtime);
    const { key } = await issueKey(runtime.store.apiKeys, 'admin', keyName);
    opened = { runtime, app, authorization: `Bearer ${key}` };
  });
  afterAll(async () => {
    await opened?.app.close();
    await opened?.runtime.close();
  });
  return () => {
    if (!opened) throw new Error('the app opens in beforeAll');
    return opened;
  };
}

import { roleRefusal, type Config, type Role } from '../config/config.ts';
import { openRuntime, type Runtime, type RuntimeHooks } from '../main.ts';
import { scheduleDedupHorizon } from '../ops/dedup-horizon.ts';
import { scheduleRetention } from '../ops/retention.ts';
import { closeOnSignals } from '../runtime/graceful-shutdown.ts';
import { createFirstKeys } from '../runtime/issue-keys.ts';
import { buildApp, type App } from '../server/app.ts';

/**
 * `steplog serve`, until SIGINT/SIGTERM: `all` is the API and the loader in one process; `api`
 * serves HTTP and commits events; `loader` moves them into the warehouse and serves only
 * /healthz, /readyz and /metrics on STEPLOG_PORT. Split roles share one ClickHouse server (see
 * roleRefusal).
 */
export async function serve(config: Config, role: Role = 'all', hooks: RuntimeHooks = {}): Promise<App> {
  const refusal = roleRefusal(role, config);
  if (refusal !== null) throw new Error(refusal);
  const runtime = await openRuntime(config, hooks, role);
  const app = role === 'loader' ? await buildApp(config, runtime, 'probes') : await openApi(config, runtime);
  if (role !== 'api') runtime.scheduler.start();
  // Retention drops warehouse partitions between loads: it runs where loads run.
  const stopRetention =
    role === 'api' || config.retentionMs === null
      ? () => undefined
      : scheduleRetention(
          { ...runtime, retention: runtime.store.retention, mutationTimeoutMs: config.mutationTimeoutMs },
          config.retentionMs,
          runtime.log,
        );
  // The dedup horizon deletes store rows only: it runs where loads settle them, as the retention.
  const stopDedupHorizon =
    role === 'api' ? () => undefined : scheduleDedupHorizon(runtime.store.retention, config.dedupWindowMs, runtime.log);
  closeOnSignals(runtime.log, config.shutdownTimeoutMs, async () => {
    stopRetention();
    stopDedupHorizon();
    // First the load (an import request in flight waits for it), then the requests, then the stores.
    runtime.loads.stop();
    await runtime.scheduler.stop();
    await app.close();
    await runtime.close();
  });
  await app.listen({ host: config.host, port: config.port });
  runtime.log.info(
    { role, dataDir: config.dataDir, flushIntervalMs: config.flushIntervalMs, batchSize: config.batchSize },
    'steplog is serving',
  );
  return app;
}

async function openApi(config: Config, runtime: Runtime): Promise<App> {
  const firstKeys = await createFirstKeys(runtime.store.apiKeys, config.dataDir);
  if (firstKeys !== null) process.stdout.write(firstKeys.message);
  const app = await buildApp(config, runtime);
  for (const key of firstKeys?.keys ?? []) {
    app.log.info({ audit: 'key_created', keyId: key.id, name: key.name, scope: key.scope }, 'API key created');
  }
  return app;
}

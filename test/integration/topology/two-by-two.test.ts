import pg from 'pg';
import { uuidv7 } from 'uuidv7';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JOB_STALE_MS } from '../../../src/loader/job-heartbeat.ts';
import { startLoad, type LoadTarget } from '../load-run.ts';
import { startTopology, type RoleProcess, type Topology } from '../topology.ts';

/**
 * Issue 14's "done when" on private servers: 2 `--role api` + 2 `--role loader` processes over one
 * PostgreSQL cluster, one RabbitMQ node and one ClickHouse 18.16 server; `steplog load` spreads
 * 50,000 events over both api URLs and its verifier finds each in ClickHouse exactly once. Then one
 * more 50,000-event load through every fault in turn (they share the servers: starting them is
 * most of this file's time): kill -9 of an api, a PostgreSQL crash, a RabbitMQ outage past the
 * backlog bound, kill -9 of a loader inside a load, a RabbitMQ crash and restart.
 */
const EVENTS = 50_000;
/** Small enough that an outage of the broker reaches it within seconds. */
const MAX_BACKLOG = 8_000;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

let topology: Topology;
let target: LoadTarget;

beforeAll(async () => {
  topology = await startTopology(
    { apis: 2, loaders: 2 },
    { STEPLOG_FLUSH_INTERVAL: '500ms', STEPLOG_BATCH_SIZE: '2000', STEPLOG_MAX_BACKLOG: String(MAX_BACKLOG) },
  );
  target = {
    urls: topology.apis.map((api) => api.url),
    adminKey: topology.keys.admin,
    output: () => topology.output(),
  };
}, 180_000);
afterAll(async () => {
  await topology?.destroy();
});

/** One statement on the private PostgreSQL (null while it is down). */
async function queryPg<T extends pg.QueryResultRow>(text: string): Promise<T[] | null> {
  const client = new pg.Client(topology.postgres.url);
  client.on('error', () => undefined);
  try {
    await client.connect();
    return (await client.query<T>(text)).rows;
  } catch {
    return null;
  } finally {
    await client.end().catch(() => undefined);
  }
}
const committedEvents = async () => Number((await queryPg<{ n: string }>('SELECT count(*) AS n FROM events'))?.[0]?.n);
const reconciledRows = async () =>
  Number((await queryPg<{ n: string }>('SELECT coalesce(sum(reconciled), 0) AS n FROM import_jobs'))?.[0]?.n);

/** Waits until `events` more events than now are committed in PostgreSQL. */
async function afterMoreEvents(events: number): Promise<void> {
  const from = await committedEvents();
  await expect.poll(committedEvents, { timeout: 120_000, interval: 100 }).toBeGreaterThanOrEqual(from + events);
}

/**
 * An ingest request that can write nothing: one event of a user that does not exist. It answers
 * 202 with the event rejected when steplog can take events, 503 when it cannot.
 */
async function probe(api: RoleProcess): Promise<{ status: number; error: string; retryAfter: string | null }> {
  const response = await fetch(`${api.url}/api/events/batch`, {
    method: 'POST',
    headers: { authorization: `Bearer ${topology.keys.ingest}`, 'content-type': 'application/json' },
    body: JSON.stringify({ events: [{ event_id: uuidv7(), user_id: 2_000_000_000, step_id: 1, action_id: 0 }] }),
    signal: AbortSignal.timeout(30_000),
  });
  const body = (await response.json()) as { error?: string };
  return { status: response.status, error: body.error ?? '', retryAfter: response.headers.get('retry-after') };
}

describe('2 api + 2 loader processes on PostgreSQL, RabbitMQ and ClickHouse 18.16', () => {
  it(`${EVENTS.toLocaleString('en')} events spread over both api URLs arrive exactly once`, async () => {
    const started = Date.now();
    const verdict = await startLoad(target, EVENTS, ['--seed', '1']).settle();
    console.info(
      `2x2 clean: ${EVENTS} events verified in ${(Date.now() - started) / 1000} s, ` +
        `ingest ${verdict.ingestEventsPerSecond} events/s`,
    );
  }, 600_000);
});

describe('the same topology through every fault during one load', () => {
  // Slower requests than the default: ingest has to last through the faults meant to hit it.
  const load = () => startLoad(target, EVENTS, ['--seed', '2', '--concurrency', '2', '--batch', '100']);
  let running: ReturnType<typeof load>;
  const [api, otherApi] = [() => topology.apis[0]!, () => topology.apis[1]!];

  it('a RabbitMQ outage longer than the flush interval: ingest goes on into PostgreSQL up to the bound, then 503', async () => {
    running = load();
    await afterMoreEvents(2_000);
    await topology.broker.stop('SIGKILL');
    const before = await committedEvents();
    // Past the bound, ingest refuses before it writes: what the clients see is 503 + Retry-After.
    let refusal = await probe(api());
    for (const deadline = Date.now() + 90_000; refusal.status !== 503 && Date.now() < deadline; await sleep(250)) {
      refusal = await probe(api());
    }
    const during = await committedEvents();
    await topology.broker.start();
    expect(refusal).toMatchObject({ status: 503, error: 'backlog_full' });
    expect(Number(refusal.retryAfter)).toBeGreaterThan(0);
    expect(during - before, 'events committed while the broker was down').toBeGreaterThan(0);
  }, 180_000);

  it('kill -9 of an api process during ingest: the load goes on at the other URL', async () => {
    await afterMoreEvents(1_000);
    await api().stop('SIGKILL');
    await afterMoreEvents(1_000);
    await api().start();
  }, 180_000);

  it('a PostgreSQL crash during ingest: 503 + Retry-After while it is down, then ingest resumes', async () => {
    await afterMoreEvents(1_000);
    await topology.postgres.stop('SIGKILL');
    const down = await Promise.all([probe(api()), probe(otherApi())]);
    await sleep(1_000);
    await topology.postgres.start();
    for (const answer of down) {
      expect(answer).toMatchObject({ status: 503, error: 'store_unavailable' });
      expect(Number(answer.retryAfter)).toBeGreaterThan(0);
    }
    await afterMoreEvents(1_000);
  }, 180_000);

  it('kill -9 of a loader in the middle of a load: another loader takes its batch, another process fails its job', async () => {
    const loader = topology.loaders[0]!;
    // Leases and jobs name their process (host:pid:random): the killed loader's are known exactly.
    const client = new pg.Client(topology.postgres.url);
    await client.connect();
    const holdsBatch = async (pid: number) =>
      (
        await client.query(`SELECT 1 FROM outbox_batches WHERE leased_by LIKE '%:${pid}:%' AND lease_expires_at > $1`, [
          Date.now(),
        ])
      ).rowCount! > 0;
    const runningOf = async (pid: number) =>
      (
        await client.query<{ id: string }>(
          `SELECT id FROM import_jobs WHERE status = 'running' AND owner LIKE '%:${pid}:%'`,
        )
      ).rows.map((r) => r.id);
    const interrupted: string[] = [];
    try {
      for (let kills = 0; kills < 10 && interrupted.length === 0 && !running.finished(); kills++) {
        const pid = loader.pid()!;
        // The loader holds a batch: it is loading it (or about to), so the kill leaves it in doubt.
        await expect.poll(() => holdsBatch(pid), { timeout: 60_000, interval: 2 }).toBe(true);
        await sleep(kills * 20);
        await loader.stop('SIGKILL');
        // Its jobs still 'running' were cut off mid-load.
        interrupted.push(...(await runningOf(pid)));
        await sleep(2_000);
        await loader.start();
      }
    } finally {
      await client.end();
    }
    expect(interrupted.length, 'a kill landed inside a running load').toBeGreaterThan(0);
    // The killed loader's job does not stay 'running': once its heartbeat is stale, another process fails it.
    const from = Date.now();
    const statusOf = async () =>
      (await queryPg<{ status: string; error: string | null }>(
        `SELECT status, error FROM import_jobs WHERE id IN (${interrupted.join(',')})`,
      )) ?? [];
    await expect
      .poll(statusOf, { timeout: JOB_STALE_MS + 30_000, interval: 500 })
      .toEqual(interrupted.map(() => ({ status: 'failed', error: expect.stringMatching(/^interrupted/) })));
    console.info(`2x2 loader kill: the killed loader's job failed ${(Date.now() - from) / 1000} s after the restart`);
  }, 300_000);

  it('a RabbitMQ crash and restart while loaders consume, then every event exactly once', async () => {
    await sleep(500);
    await topology.broker.stop('SIGKILL');
    await sleep(2_000);
    await topology.broker.start();
    const verdict = await running.settle();
    const reconciled = await reconciledRows();
    console.info(
      `2x2 faults: ${EVENTS} events, retries ${JSON.stringify(verdict.retries)}, ${reconciled} rows reconciled`,
    );
    // The kill of an api was survived by going to the other URL: refused connections were retried.
    expect(verdict.retries.network).toBeGreaterThan(0);
    // No request was answered 500: a PostgreSQL crash is a 503 with Retry-After.
    const failed = topology.apis.flatMap((api) => api.output().split('\n')).filter((l) => l.includes('request failed'));
    expect(verdict.retries.server, failed.join('\n')).toBe(0);
  }, 600_000);
});

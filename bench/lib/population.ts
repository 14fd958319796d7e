import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import { api, startServer, tempDataDir } from '../../test/helpers/server.ts';

/** Users and steps of the "many users" loads: creating them takes ~30 s, so it is done once, in a template. */
export const USERS = 10_000;
export const STEPS = 1_000;

/** A stopped server's data dir holding USERS users and STEPS steps (ids 1..N, the server's). */
export interface Population {
  readonly dir: string;
  readonly users: number;
  readonly steps: number;
  /** Removes the template. */
  remove(): void;
}

/**
 * Creates the population through the API of a throw-away `steplog serve` (16 requests at a time),
 * then stops it: each load then starts on a copy of that data dir (`startSteplog`'s `template`).
 */
export async function createPopulation(users = USERS, steps = STEPS): Promise<Population> {
  const dir = tempDataDir('steplog-bench-population-');
  try {
    const server = await startServer({ STEPLOG_LOG_LEVEL: 'error' }, dir);
    try {
      await create(server.url, steps, (i) => ['/api/tasks', { title: `Step ${i}`, text: '' }]);
      await create(server.url, users, (i) => [
        '/api/users',
        {
          name: `user ${i}`,
          email: `user${i}@example.com`,
          join_date: new Date(Date.UTC(2025, 0, 1) + (i % 365) * 86_400_000).toISOString(),
          // A fifth are guests, as in the queries phase's history.
          registration_date: i % 5 === 0 ? null : new Date(Date.UTC(2025, 6, 1)).toISOString(),
        },
      ]);
    } finally {
      await server.stop();
    }
  } catch (error) {
    fs.rmSync(dir, { recursive: true, force: true });
    throw error;
  }
  return { dir, users, steps, remove: () => fs.rmSync(dir, { recursive: true, force: true }) };
}

/** POSTs `count` creations, 16 at a time, and checks the server gave ids 1..count in order of creation. */
async function create(base: string, count: number, body: (i: number) => [string, object]): Promise<void> {
  const ids = new Set<number>();
  let next = 1;
  await Promise.all(
    Array.from({ length: 16 }, async () => {
      for (let i = next++; i <= count; i = next++) {
        const [route, payload] = body(i);
        const res = await api<{ id: number }>(base, 'POST', route, payload);
        if (res.status !== 201) throw new Error(`POST ${route}: ${res.status} ${JSON.stringify(res.body)}`);
        ids.add(res.body.id);
      }
    }),
  );
  if (ids.size !== count || Math.max(...ids) !== count) throw new Error(`the server's ids are not 1..${count}`);
}

/** 1..n (Math.random: the load generator must not be what limits a load). */
const pick = (n: number) => 1 + Math.floor(Math.random() * n);

/**
 * One event of a random user on a random step, as JSON; with `clientId`, a client random UUIDv4
 * `event_id`. Written as text: a third of JSON.stringify's cost, so the load generator (which
 * shares the machine) takes little from the server it measures.
 */
export function randomEvent(population: Pick<Population, 'users' | 'steps'>, clientId: boolean): string {
  const ids = `"user_id":${pick(population.users)},"step_id":${pick(population.steps)},"action_id":${pick(3) - 1}`;
  return clientId ? `{"event_id":"${randomUUID()}",${ids}}` : `{${ids}}`;
}

/** A batch body of `size` random events. */
export function randomBatch(population: Pick<Population, 'users' | 'steps'>, size: number, clientId: boolean): string {
  const events: string[] = [];
  for (let i = 0; i < size; i++) events.push(randomEvent(population, clientId));
  return `{"events":[${events.join(',')}]}`;
}

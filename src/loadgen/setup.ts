import type { HttpClient } from './http-client.ts';
import { forEachConcurrently } from './pool.ts';
import type { PlannedUser, Population } from './population.ts';

interface ApiUser {
  id: number;
  name: string;
  email: string;
  join_date: string;
  registration_date: string | null;
}

/**
 * Creates the population's tasks and users through the API. The server assigns the ids, so the
 * answer is the population as stored: its ids and attributes are what events and checks use.
 */
export async function createPopulation(
  client: HttpClient,
  population: Population,
  concurrency: number,
): Promise<Population> {
  const taskIds: number[] = [];
  await forEachConcurrently(population.taskIds, concurrency, async (planned) => {
    const task = await client.ok<{ id: number }>('POST', '/api/tasks', { title: `Step ${planned}`, text: '' });
    taskIds.push(task.id);
  });
  const users: PlannedUser[] = [];
  await forEachConcurrently(population.users, concurrency, async (user) => {
    const stored = await client.ok<ApiUser>('POST', '/api/users', {
      name: user.name,
      email: user.email,
      join_date: new Date(user.joinDate).toISOString(),
      registration_date: user.registrationDate === null ? null : new Date(user.registrationDate).toISOString(),
    });
    users.push(fromApi(stored));
  });
  return { users: users.sort((a, b) => a.id - b.id), taskIds: taskIds.sort((a, b) => a - b) };
}

const fromApi = (user: ApiUser): PlannedUser => ({
  id: user.id,
  name: user.name,
  email: user.email,
  joinDate: Date.parse(user.join_date),
  registrationDate: user.registration_date === null ? null : Date.parse(user.registration_date),
});

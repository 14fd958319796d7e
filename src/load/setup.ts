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
 * Creates the population's tasks and users through the API. A user that already exists (an
 * earlier run) is used as the server holds it, so the attributes checked later are the stored ones.
 */
export async function createPopulation(
  client: HttpClient,
  population: Population,
  concurrency: number,
): Promise<PlannedUser[]> {
  await forEachConcurrently(population.taskIds, concurrency, async (id) => {
    const answer = await client.request('POST', '/api/tasks', { id, title: `Step ${id}`, text: '' });
    if (answer.status !== 201 && answer.status !== 409) throw new Error(`creating task ${id}: ${answer.status}`);
  });
  const users: PlannedUser[] = [];
  await forEachConcurrently(population.users, concurrency, async (user) => {
    const answer = await client.request<ApiUser>('POST', '/api/users', {
      id: user.id,
      name: user.name,
      email: user.email,
      join_date: new Date(user.joinDate).toISOString(),
      registration_date: user.registrationDate === null ? null : new Date(user.registrationDate).toISOString(),
    });
    if (answer.status === 201) return void users.push(user);
    if (answer.status !== 409) throw new Error(`creating user ${user.id}: ${answer.status}`);
    users.push(fromApi(await client.ok<ApiUser>('GET', `/api/users/${user.id}`)));
  });
  return users.sort((a, b) => a.id - b.id);
}

const fromApi = (user: ApiUser): PlannedUser => ({
  id: user.id,
  name: user.name,
  email: user.email,
  joinDate: Date.parse(user.join_date),
  registrationDate: user.registration_date === null ? null : Date.parse(user.registration_date),
});

import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashToken } from '../../src/auth/api-key.ts';
import { SESSION_COOKIE } from '../../src/auth/session-cookie.ts';
import { openApp } from '../helpers/app.ts';

/** Past the old cap of 1,000 rows per list. */
const COUNT = 1_050;

const { runtime, app, authorization, close } = await openApp();
let cookie = '';
beforeAll(async () => {
  const { store } = runtime;
  const admin = await store.admins.create('lists', 'not a usable hash');
  const token = randomBytes(32).toString('base64url');
  await store.admins.createSession(hashToken(token), admin.id, Date.now() + 3600_000);
  cookie = `${SESSION_COOKIE}=${token}`;
  for (let i = 1; i <= COUNT; i++) {
    await store.catalog.createUser({ name: `u${i}`, email: '', joinDate: 0, registrationDate: null });
    await store.catalog.createTask({ title: `t${i}`, text: '' });
    const job = await store.importJobs.start('manual');
    await store.importJobs.save({ ...job, finishedAt: job.startedAt, status: 'succeeded' });
  }
});
afterAll(close);

const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);
const unescape = (href: string) => href.replaceAll('&amp;', '&');

/** Follows a page's `next` link from `first` until there is none; answers the ids shown, in order. */
async function walkPages(first: string, row: RegExp, next: RegExp): Promise<{ ids: number[]; pages: number }> {
  const ids: number[] = [];
  let pages = 0;
  for (let url: string | undefined = first; url !== undefined; pages++) {
    const { statusCode, body }: { statusCode: number; body: string } = await app.inject({
      method: 'GET',
      url,
      headers: { cookie },
    });
    expect(statusCode, url).toBe(200);
    ids.push(...[...body.matchAll(row)].map((m) => Number(m[1])));
    const link: string | undefined = next.exec(body)?.[1];
    url = link === undefined ? undefined : unescape(link);
  }
  return { ids, pages };
}

/** Follows an API list's `after` cursor from the last id of each page until a page comes back empty. */
async function walkApi(route: string, list: string): Promise<number[]> {
  const ids: number[] = [];
  for (let after: number | undefined; ;) {
    const url = after === undefined ? route : `${route}&after=${after}`;
    const answer = await app.inject({ method: 'GET', url, headers: { authorization } });
    expect(answer.statusCode, url).toBe(200);
    const page = (answer.json()[list] as { id: number }[]).map((item) => item.id);
    // A cursor that does not move would repeat pages forever: stop and let the comparison fail.
    if (page.length === 0 || ids.length > 2 * COUNT) return ids;
    ids.push(...page);
    after = page.at(-1);
  }
}

describe('admin lists past 1,000 rows', () => {
  it('pages through every user, task and import job with a next link', async () => {
    const users = await walkPages(
      '/admin/users',
      /<a href="\/admin\/users\/(\d+)">/g,
      /<a href="([^"]+)">Next page<\/a>/,
    );
    expect(users.ids).toEqual(range(1, COUNT));
    expect(users.pages).toBeGreaterThan(1);
    const tasks = await walkPages(
      '/admin/tasks',
      /<a href="\/admin\/tasks\/(\d+)">/g,
      /<a href="([^"]+)">Next page<\/a>/,
    );
    expect(tasks.ids).toEqual(range(1, COUNT));
    const jobs = await walkPages(
      '/admin/imports',
      /<tr class="succeeded">\s*<td>(\d+)<\/td>/g,
      /<a href="([^"]+)">Older jobs<\/a>/,
    );
    expect(jobs.ids).toEqual(range(1, COUNT).reverse());
  });

  it('pages through every user, task and import job of the API with the after cursor', async () => {
    expect(await walkApi('/api/users?limit=1000', 'users')).toEqual(range(1, COUNT));
    expect(await walkApi('/api/tasks?limit=1000', 'tasks')).toEqual(range(1, COUNT));
    expect(await walkApi('/api/imports?limit=400', 'jobs')).toEqual(range(1, COUNT).reverse());
  });
});

import path from 'node:path';
import SQLite from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, runCli, startServer, type ServerProcess } from '../helpers/server.ts';

/**
 * Issue 9's reproductions against the real process: nothing a client can send may stop loading.
 * Each test sends its odd input, then a valid event, runs a load and requires both to be settled:
 * the odd input refused at the door or loaded, the valid event loaded, the backlog empty.
 */
let server: ServerProcess;

beforeAll(async () => {
  server = await startServer({ STEPLOG_FLUSH_INTERVAL: '1h' });
  expect((await api(server.url, 'POST', '/api/users', { name: 'Ann', join_date: '1970-01-01T00:00:00Z' })).status).toBe(
    201,
  );
  expect((await api(server.url, 'POST', '/api/tasks', { title: 'Step 1' })).status).toBe(201);
});
afterAll(async () => {
  await server?.stop();
});

const copies = async (eventIds: string[]) =>
  (await api(server.url, 'POST', '/api/verify/events', { event_ids: eventIds })).body.events as {
    event_id: string;
    rows: number;
    copies: number;
  }[];

/** Runs a load and answers its job; the backlog must be empty after it. */
async function load() {
  const { status, body } = await api(server.url, 'POST', '/api/imports');
  expect(status).toBe(200);
  const { body: imports } = await api(server.url, 'GET', '/api/imports');
  expect(imports.backlog.events).toBe(0);
  return body;
}

async function validEvent(): Promise<string> {
  const res = await api(server.url, 'POST', '/api/events', { user_id: 1, step_id: 1, action_id: 0 });
  expect(res.status).toBe(202);
  return res.body.event_id as string;
}

describe('no accepted input stalls the pipeline', () => {
  it.each(['urn:uuid:a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a12', 'URN:UUID:A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A13'])(
    'an event_id in the %s form is refused at the door, naming event_id',
    async (eventId) => {
      const res = await api(server.url, 'POST', '/api/events', {
        event_id: eventId,
        user_id: 1,
        step_id: 1,
        action_id: 0,
      });
      const valid = await validEvent();
      expect(await load()).toMatchObject({ status: 'succeeded' });
      expect(res.status).toBe(400);
      expect(res.body.field).toBe('event_id');
      expect(await copies([valid])).toEqual([{ event_id: valid, rows: 1, copies: 1 }]);
    },
  );

  it('a batch of 101 events, one per month from 1970-01, loads (more partitions than one insert may touch)', async () => {
    const events = Array.from({ length: 101 }, (_, month) => ({
      user_id: 1,
      step_id: 1,
      action_id: month % 3,
      time: new Date(Date.UTC(1970, month, 15)).toISOString(),
    }));
    const res = await api(server.url, 'POST', '/api/events/batch', { events });
    expect(res.status).toBe(202);
    expect(res.body.accepted).toBe(101);
    const valid = await validEvent();
    expect(await load()).toMatchObject({ status: 'succeeded' });
    const ids = [...(res.body.results as { event_id: string }[]).map((r) => r.event_id), valid];
    const loaded = await copies(ids);
    expect(loaded).toHaveLength(102);
    expect(loaded.filter((e) => e.rows !== 1 || e.copies !== 1)).toEqual([]);
  });

  it.each(['/api/users', '/api/tasks'])('%s: a client cannot choose the id (id squatting)', async (route) => {
    const body = route === '/api/users' ? { id: 4_294_967_295, name: 'x' } : { id: 4_294_967_295, title: 'x' };
    const res = await api(server.url, 'POST', route, body);
    expect(res.status).toBe(400);
    expect(res.body.field).toBe('id');
    const next = await api(server.url, 'POST', route, { ...body, id: undefined });
    expect(next.status).toBe(201);
    expect(next.body.id).toBeLessThan(1000);
  });

  it.each([
    ['join_date', '2016-12-31T23:59:60Z'],
    ['join_date', '0001-01-01T00:00:00Z'],
    ['join_date', '1969-12-31T23:59:59Z'],
    ['registration_date', '9999-12-31T00:00:00Z'],
    ['registration_date', '2106-02-07T06:28:16Z'],
  ])('a user %s of %s that ClickHouse cannot hold is a 400 naming it', async (field, value) => {
    const res = await api(server.url, 'POST', '/api/users', { name: 'y', [field]: value });
    expect(res.status).toBe(400);
    expect(res.body.field).toBe(field);
  });

  it('an event time with a leap second is a 400 naming time', async () => {
    const res = await api(server.url, 'POST', '/api/events', {
      user_id: 1,
      step_id: 1,
      action_id: 0,
      time: '2016-12-31T23:59:60Z',
    });
    expect(res.status).toBe(400);
    expect(res.body.field).toBe('time');
  });

  it('a poison pill stored before these checks is dead-lettered, listed, and delivered once after a fix and a retry', async () => {
    // What a store written by an earlier version can hold: an accepted `urn:uuid:` event in the outbox.
    const sqlite = new SQLite(path.join(server.dataDir, 'steplog.sqlite'));
    const pill = 'urn:uuid:0b5e1c9a-7d2f-4e8a-9c3b-5a6d7e8f9a0b';
    const pk = sqlite
      .prepare(
        'INSERT INTO events (event_id, time, action_id, step_id, user_id, received_at) VALUES (?, ?, 0, 1, 1, ?)',
      )
      .run(pill, Date.now(), Date.now()).lastInsertRowid;
    sqlite.prepare('INSERT INTO outbox (event_pk) VALUES (?)').run(pk);
    const valid = await validEvent();

    expect(await load()).toMatchObject({ status: 'succeeded', dead_lettered: 1, rows: 1 });
    expect(await copies([valid])).toEqual([{ event_id: valid, rows: 1, copies: 1 }]);
    const listed = (await api(server.url, 'GET', '/api/dead-letters')).body;
    expect(listed.total).toBe(1);
    expect(listed.dead_letters[0]).toMatchObject({ id: Number(pk), event_id: pill, user_id: 1, step_id: 1 });
    expect(listed.dead_letters[0].error).toMatch(/UUID/);
    const env = { STEPLOG_DATA_DIR: server.dataDir, STEPLOG_LOG_LEVEL: 'silent' };
    const cliList = await runCli(['dead-letters', 'list'], env);
    expect(cliList.stdout).toContain(pill);
    expect(cliList.stdout).toContain('1 dead letter(s)');

    // The operator fixes the stored id, then retries from the CLI while the server runs.
    sqlite.prepare('UPDATE events SET event_id = ? WHERE id = ?').run(pill.slice('urn:uuid:'.length), pk);
    sqlite.close();
    expect((await runCli(['dead-letters', 'retry', '--all'], env)).stdout).toContain('1 dead letter(s) back');
    expect(await load()).toMatchObject({ status: 'succeeded', dead_lettered: 0, rows: 1 });
    const fixed = pill.slice('urn:uuid:'.length);
    expect(await copies([fixed])).toEqual([{ event_id: fixed, rows: 1, copies: 1 }]);
    expect((await api(server.url, 'GET', '/api/dead-letters')).body.total).toBe(0);
    expect((await api(server.url, 'POST', '/api/dead-letters/drop', { ids: [] })).status).toBe(400);
  });
});

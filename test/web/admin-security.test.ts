import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, runCli, type ServerProcess } from '../helpers/server.ts';
import { startServerWithAdmin, WebClient as Client } from '../helpers/web-client.ts';

let server: ServerProcess;
const PASSWORD = 'long enough password';

const warehouseRows = async (client: Client) =>
  JSON.parse(
    (await client.request('POST', '/admin/sql/run', { json: { sql: 'SELECT count() AS n FROM steplog.events' } })).text,
  ).rows[0][0] as number;

beforeAll(async () => {
  server = await startServerWithAdmin(
    {
      STEPLOG_FLUSH_INTERVAL: '1h',
      STEPLOG_LOGIN_MAX_PER_IP: '40',
      STEPLOG_LOGIN_MAX_PER_USERNAME: '10',
      STEPLOG_CHECK_MAX: '5',
    },
    PASSWORD,
  );
});
afterAll(() => server?.stop());

describe('steplog admin create', () => {
  it('refuses a short password and a taken username, naming the problem', async () => {
    const env = { STEPLOG_DATA_DIR: server.dataDir };
    const short = await runCli(['admin', 'create', '--username', 'other', '--password', 'short'], env);
    expect(short).toMatchObject({ code: 1 });
    expect(short.stderr).toContain('at least 8 characters');
    const taken = await runCli(['admin', 'create', '--username', 'root', '--password', 'another password'], env);
    expect(taken).toMatchObject({ code: 1 });
    expect(taken.stderr).toContain('admin root already exists');
  });
});

describe('admin login and sessions', () => {
  it('refuses a login form without a valid CSRF token', async () => {
    const client = new Client(server.url, PASSWORD);
    await client.request('GET', '/admin/login');
    const forged = await client.request('POST', '/admin/login', {
      form: { username: 'root', password: PASSWORD, _csrf: 'forged' },
    });
    expect(forged.status).toBe(403);
    expect(client.has('steplog_session')).toBe(false);
  });

  it('answers a wrong password with 401 and sets no session', async () => {
    const client = new Client(server.url, PASSWORD);
    expect((await client.logIn('not the password')).status).toBe(401);
    expect(client.has('steplog_session')).toBe(false);
  });

  it('sets a Secure, HttpOnly, SameSite=Strict session cookie and logs out', async () => {
    const client = new Client(server.url, PASSWORD);
    const login = await client.logIn();
    expect(login.status).toBe(303);
    const cookie = login.headers.getSetCookie().find((c) => c.startsWith('steplog_session='))!;
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/Secure/);
    expect(cookie).toMatch(/SameSite=Strict/);
    expect((await client.request('GET', '/admin/users')).status).toBe(200);

    await client.request('POST', '/admin/logout', { form: { _csrf: client.csrf } });
    const after = await client.request('GET', '/admin/users');
    expect(after.status).toBe(302);
    expect(after.headers.get('location')).toBe('/admin/login?next=%2Fadmin%2Fusers');
  });

  it('keeps every admin page and action behind the session', async () => {
    const anonymous = new Client(server.url, PASSWORD);
    for (const page of ['/admin/users', '/admin/tasks', '/admin/imports', '/admin/sql']) {
      expect((await anonymous.request('GET', page)).status).toBe(302);
    }
    const run = await anonymous.request('POST', '/admin/sql/run', { json: { sql: 'SELECT 1' } });
    expect(run.status).toBe(401);
  });

  it('checks the session before reading the body: an anonymous caller learns nothing of its schema', async () => {
    const anonymous = new Client(server.url, PASSWORD);
    for (const route of ['/admin/sql/csv', '/admin/sql/run', '/admin/users', '/admin/tasks', '/admin/imports']) {
      const answer = await anonymous.request('POST', route, { json: { unexpected: 1 } });
      expect(answer.status, route).toBe(401);
      expect(JSON.parse(answer.text), route).toEqual({
        error: 'unauthenticated',
        message: 'log in at /admin/login first',
      });
    }
  });
});

describe('the SQL console', () => {
  let client: Client;
  beforeAll(async () => {
    client = new Client(server.url, PASSWORD);
    await client.logIn();
    await client.request('GET', '/admin/sql');
    await api(server.url, 'POST', '/api/users', { name: 'u1' });
    await api(server.url, 'POST', '/api/tasks', { title: 't1', answer: 'Paris' });
    await api(server.url, 'POST', '/api/events', { user_id: 1, step_id: 1, action_id: 0 });
    await api(server.url, 'POST', '/api/imports');
  });

  it('needs the CSRF header even with a session', async () => {
    const token = client.csrf;
    client.csrf = '';
    const run = await client.request('POST', '/admin/sql/run', { json: { sql: 'SELECT 1' } });
    client.csrf = token;
    expect(run.status).toBe(403);
  });

  it('binds the CSRF token to the session: a token and CSRF cookie of another session fail', async () => {
    const attacker = new Client(server.url, PASSWORD);
    await attacker.logIn();
    await attacker.request('GET', '/admin/sql');
    const victim = new Client(server.url, PASSWORD);
    await victim.logIn();
    await victim.request('GET', '/admin/sql');
    const own = await victim.request('POST', '/admin/sql/run', { json: { sql: 'SELECT 1' } });
    expect(own.status).toBe(200);
    victim.adopt(attacker, 'steplog_csrf');
    victim.csrf = attacker.csrf;
    const tossed = await victim.request('POST', '/admin/sql/run', { json: { sql: 'SELECT 1' } });
    expect(tossed.status).toBe(403);
  });

  it('neutralises CSV cells a spreadsheet would run as formulas', async () => {
    const sql = `SELECT '=1+1' AS a, '+x' AS b, '-y' AS c, '@z' AS d, '\\tt' AS e, '\\rr' AS f, 'a "q"' AS g, -5 AS n`;
    const csv = await client.request('POST', '/admin/sql/csv', { form: { sql, name: '', _csrf: client.csrf } });
    expect(csv.status).toBe(200);
    expect(csv.text).toBe(
      '"a","b","c","d","e","f","g","n"\n' + `"'=1+1","'+x","'-y","'@z","'\tt","'\rr","a ""q""",-5\n`,
    );
  });

  it('answers columns with types and rows', async () => {
    const run = await client.request('POST', '/admin/sql/run', {
      json: { sql: 'SELECT user_id, action_id FROM steplog.events' },
    });
    expect(JSON.parse(run.text)).toEqual({
      columns: [
        { name: 'user_id', type: 'UInt32' },
        { name: 'action_id', type: 'UInt8' },
      ],
      rows: [[1, 0]],
      truncated: false,
    });
  });

  it('lets the engine refuse writes, DDL and file access, and nothing changes', async () => {
    for (const sql of [
      'INSERT INTO steplog.events (user_id) VALUES (2)',
      'DROP TABLE steplog.events',
      "SELECT * FROM file('/etc/hostname', 'LineAsString')",
      "SELECT * FROM file('/etc/hostname', 'LineAsString') SETTINGS readonly = 0",
      "SELECT * FROM (SELECT * FROM file('/etc/hostname', 'LineAsString') SETTINGS readonly = 0)",
      'SELECT 1; DROP TABLE steplog.events',
    ]) {
      const refused = await client.request('POST', '/admin/sql/run', { json: { sql } });
      expect(refused.status, sql).toBe(400);
      expect(JSON.parse(refused.text)).toMatchObject({ error: 'query_failed', field: 'sql' });
    }
    expect(await warehouseRows(client)).toBe(1);
  });

  it('downloads a result as CSV with a header row', async () => {
    const csv = await client.request('POST', '/admin/sql/csv', {
      form: { sql: 'SELECT user_id, step_id FROM steplog.events', name: '', _csrf: client.csrf },
    });
    expect(csv.status).toBe(200);
    expect(csv.headers.get('content-disposition')).toContain('attachment');
    expect(csv.text).toBe('"user_id","step_id"\n1,1\n');
  });

  it('saves a named query, replaces it under the same name, and comes with the seed Part 4 query', async () => {
    const form = (sql: string) => ({ form: { name: 'Users', sql, _csrf: client.csrf } });
    expect((await client.request('POST', '/admin/sql/saved', form('SELECT 1'))).status).toBe(303);
    expect((await client.request('POST', '/admin/sql/saved', form('SELECT 2'))).status).toBe(303);
    const page = (await client.request('GET', '/admin/sql')).text;
    expect(page.match(/data-name="Users"/g)).toHaveLength(1);
    expect(page).toContain('data-sql="SELECT 2"');
    expect(page).toContain(
      'SELECT toDate(time) AS day, name, action_id, count() AS events FROM steplog.events GROUP BY day, name, action_id ORDER BY day',
    );
  });
});

describe('tasks with answers', () => {
  it('checks an answer trimmed and ignoring case, and never shows it through the API', async () => {
    const { id } = (await api(server.url, 'POST', '/api/tasks', { title: 'Capital of France', answer: 'Paris' })).body;
    expect((await api(server.url, 'POST', `/api/tasks/${id}/check`, { answer: ' paris ' })).body).toEqual({
      correct: true,
    });
    expect((await api(server.url, 'POST', `/api/tasks/${id}/check`, { answer: 'Lyon' })).body).toEqual({
      correct: false,
    });
    expect((await api(server.url, 'GET', `/api/tasks/${id}`)).body).toEqual({
      id,
      title: 'Capital of France',
      text: '',
    });
    const missing = await api(server.url, 'POST', '/api/tasks/99/check', { answer: 'x' });
    expect(missing).toMatchObject({ status: 404, body: { field: 'id' } });
  });

  it('refuses to delete a task that events refer to', async () => {
    const client = new Client(server.url, PASSWORD);
    await client.logIn();
    await client.request('GET', '/admin/tasks/1');
    const deleted = await client.request('POST', '/admin/tasks/1/delete', { form: { _csrf: client.csrf } });
    expect(deleted.status).toBe(409);
    expect((await api(server.url, 'GET', '/api/tasks/1')).status).toBe(200);
  });
});

describe('limits', () => {
  it('limits answer checks per key and task: 429 with Retry-After', async () => {
    const guessed = (await api(server.url, 'POST', '/api/tasks', { title: 'Guess me', answer: 'secret' })).body.id;
    const other = (await api(server.url, 'POST', '/api/tasks', { title: 'Other', answer: 'Paris' })).body.id;
    const statuses = [];
    for (let i = 0; i < 6; i++) {
      statuses.push((await api(server.url, 'POST', `/api/tasks/${guessed}/check`, { answer: `guess ${i}` })).status);
    }
    expect(statuses).toEqual([200, 200, 200, 200, 200, 429]);
    const limited = await api(server.url, 'POST', `/api/tasks/${guessed}/check`, { answer: 'secret' });
    expect(limited).toMatchObject({ status: 429, body: { error: 'rate_limited' } });
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    expect((await api(server.url, 'POST', `/api/tasks/${other}/check`, { answer: 'Paris' })).status).toBe(200);
  });

  // Last in the file: it spends this IP's login budget.
  it('limits logins per username and per IP: 429 with Retry-After', async () => {
    const attempt = async (username: string) => {
      const client = new Client(server.url, PASSWORD);
      await client.request('GET', '/admin/login');
      return client.request('POST', '/admin/login', {
        form: { username, password: 'wrong password', _csrf: client.csrf },
      });
    };
    const answers = await Promise.all(Array.from({ length: 30 }, () => attempt('victim')));
    const statuses = answers.map((a) => a.status);
    expect(statuses.filter((s) => s === 401)).toHaveLength(10);
    expect(statuses.filter((s) => s === 429)).toHaveLength(20);
    expect(Number(answers.find((a) => a.status === 429)!.headers.get('retry-after'))).toBeGreaterThan(0);
    expect((await attempt('VICTIM')).status).toBe(429);
    // Another username from the same IP: the per-IP budget (40) runs out.
    const others = [];
    for (let i = 0; i < 10; i++) others.push((await attempt(`other${i}`)).status);
    expect(others).toContain(429);
    // Audited: refused and limited logins, never a password.
    expect(server.output()).toContain('"audit":"login_refused"');
    expect(server.output()).toContain('"audit":"login_limited"');
    expect(server.output()).not.toContain('wrong password');
  });
});

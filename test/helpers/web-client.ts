import { runCli, startServer, type ServerProcess } from './server.ts';

/** A server with one admin, `root`, who logs in with `password`. */
export async function startServerWithAdmin(env: Record<string, string>, password: string): Promise<ServerProcess> {
  const server = await startServer(env);
  const created = await runCli(
    ['admin', 'create', '--username', 'root', '--password-stdin'],
    { STEPLOG_DATA_DIR: server.dataDir },
    `${password}\n`,
  );
  if (!created.stdout.includes('created admin root')) throw new Error(`admin create failed: ${created.stderr}`);
  return server;
}

/** A tiny cookie jar over fetch, as a browser would keep one. */
export class WebClient {
  constructor(
    private readonly base: string,
    private readonly password: string,
  ) {}

  private readonly cookies = new Map<string, string>();
  csrf = '';

  async request(
    method: string,
    route: string,
    init: { form?: Record<string, string>; json?: unknown; signal?: AbortSignal } = {},
  ) {
    const headers: Record<string, string> = {
      cookie: [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; '),
    };
    let body: string | undefined;
    if (init.form) {
      headers['content-type'] = 'application/x-www-form-urlencoded';
      body = new URLSearchParams(init.form).toString();
    } else if (init.json !== undefined) {
      headers['content-type'] = 'application/json';
      body = JSON.stringify(init.json);
    }
    if (this.csrf) headers['x-csrf-token'] = this.csrf;
    const response = await fetch(`${this.base}${route}`, {
      method,
      headers,
      body,
      redirect: 'manual',
      signal: init.signal,
    });
    for (const line of response.headers.getSetCookie()) {
      const [pair] = line.split(';');
      const [name, value] = pair!.split('=');
      this.cookies.set(name!, value!);
    }
    const text = await response.text();
    const token = /name="csrf-token" content="([^"]+)"/.exec(text);
    if (token) this.csrf = token[1]!;
    return { status: response.status, text, headers: response.headers };
  }

  /** Takes another client's cookie, as an attacker tossing a cookie into a victim's browser would. */
  adopt(other: WebClient, cookie: string): void {
    this.cookies.set(cookie, other.cookies.get(cookie) ?? '');
  }

  has(cookie: string): boolean {
    return (this.cookies.get(cookie) ?? '') !== '';
  }

  async logIn(password = this.password) {
    await this.request('GET', '/admin/login');
    return this.request('POST', '/admin/login', { form: { username: 'root', password, _csrf: this.csrf } });
  }
}

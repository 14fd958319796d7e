import type { HttpClient } from './http-client.ts';

const POLL_MS = 250;

/**
 * Waits until the server's backlog is empty: first for its own scheduled loads, then, after
 * `triggerAfterMs`, by asking for loads (POST /api/imports) until the backlog drains.
 */
export async function waitForLoad(client: HttpClient, triggerAfterMs: number, timeoutMs: number): Promise<void> {
  const started = Date.now();
  for (;;) {
    const { backlog } = await client.ok<{ backlog: { events: number } }>('GET', '/api/imports?limit=1');
    if (backlog.events === 0) return;
    if (Date.now() - started > timeoutMs) {
      throw new Error(`the backlog still holds ${backlog.events} events after ${timeoutMs} ms: is the warehouse down?`);
    }
    // An api process of a split topology refuses (409 not_a_loader): its loaders load on their own.
    const asked = Date.now() - started >= triggerAfterMs && (await askForLoad(client));
    if (!asked) await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
}

/** Asks for a load; false when the server does not load itself (an api process: 409 not_a_loader). */
async function askForLoad(client: HttpClient): Promise<boolean> {
  const answer = await client.request<{ error?: string; message?: string }>('POST', '/api/imports');
  if (answer.status === 409 && answer.body?.error === 'not_a_loader') return false;
  if (answer.status >= 300) throw new Error(`POST /api/imports: ${answer.status} ${answer.body?.message ?? ''}`);
  return true;
}

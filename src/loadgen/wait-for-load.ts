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
    if (Date.now() - started >= triggerAfterMs) await client.ok('POST', '/api/imports');
    else await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
}

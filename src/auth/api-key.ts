import { createHash, randomBytes } from 'node:crypto';

/**
 * What a key may do. `ingest` appends events only (safe to ship in a browser or an app), `read`
 * reads the analytics, `metrics` reads `/metrics` only (a Prometheus scraper), `admin` does
 * everything else — and everything the others do.
 */
export const SCOPES = ['ingest', 'read', 'metrics', 'admin'] as const;
export type Scope = (typeof SCOPES)[number];

export const isScope = (value: string): value is Scope => (SCOPES as readonly string[]).includes(value);

/** Whether a credential of scope `held` may call a route that needs `needed`. */
export const grants = (held: Scope, needed: Scope): boolean => held === 'admin' || held === needed;

/** SHA-256 of a secret token: what the database keeps of API keys and session tokens. */
export const hashToken = (token: string): string => createHash('sha256').update(token).digest('hex');

export interface NewKey {
  /** The secret, shown once: `sl_<scope>_<43 base64url characters>` (256 random bits). */
  readonly key: string;
  readonly hash: string;
  /** The first characters, kept in clear so `keys list` can tell keys apart. */
  readonly prefix: string;
}

export function generateKey(scope: Scope): NewKey {
  const key = `sl_${scope}_${randomBytes(32).toString('base64url')}`;
  return { key, hash: hashToken(key), prefix: key.slice(0, scope.length + 8) };
}

import type { Scope } from '../auth/api-key.ts';

export interface ApiKey {
  readonly id: number;
  readonly name: string;
  readonly scope: Scope;
  readonly prefix: string;
  readonly createdAt: number;
  /** Epoch ms; null while the key works. */
  readonly revokedAt: number | null;
}

/** API keys, stored as the SHA-256 of the key: a copy of the database authenticates nobody. */
export interface NewApiKey {
  readonly name: string;
  readonly scope: Scope;
  readonly hash: string;
  readonly prefix: string;
}

export interface ApiKeyStore {
  create(key: NewApiKey): Promise<ApiKey>;
  /**
   * Stores `keys` only when the store holds no key at all, atomically: of processes starting at
   * once on an empty store, one stores its keys and the others none. Answers them, or null.
   */
  createFirst(keys: readonly NewApiKey[]): Promise<ApiKey[] | null>;
  /** The live (not revoked) key with this hash. */
  findLive(hash: string): Promise<ApiKey | undefined>;
  list(): Promise<ApiKey[]>;
  /** False when no live key has this id. */
  revoke(id: number, now: number): Promise<boolean>;
}

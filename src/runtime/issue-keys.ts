import fs from 'node:fs';
import path from 'node:path';
import type { ApiKey, ApiKeyStore } from '../store/api-keys.ts';
import { generateKey, type Scope } from '../auth/api-key.ts';

/** Makes a key and stores its hash: the returned `key` is the only copy of the secret. */
export async function issueKey(keys: ApiKeyStore, scope: Scope, name: string): Promise<ApiKey & { key: string }> {
  const made = generateKey(scope);
  const stored = await keys.create({ name, scope, hash: made.hash, prefix: made.prefix });
  return { ...stored, key: made.key };
}

/** Where the first start writes its keys, readable by the owner only; a shell can `source` it. */
export const firstKeysFile = (dataDir: string) => path.join(dataDir, 'api-keys.env');

/**
 * On the first start of a data dir (no key yet), an admin key and an ingest key, written to
 * `api-keys.env` (mode 0600). Answers the text to print once and the keys, or null when keys already exist.
 */
export async function createFirstKeys(
  keys: ApiKeyStore,
  dataDir: string,
): Promise<{ message: string; keys: ApiKey[] } | null> {
  if ((await keys.list()).length > 0) return null;
  const admin = await issueKey(keys, 'admin', 'first start: admin');
  const ingest = await issueKey(keys, 'ingest', 'first start: ingest');
  const file = firstKeysFile(dataDir);
  const body =
    '# steplog API keys made on the first start of this data dir. Only their hashes are stored:\n' +
    '# keep this file private, or delete it once the keys are kept elsewhere.\n' +
    `STEPLOG_API_KEY=${admin.key}\nSTEPLOG_INGEST_KEY=${ingest.key}\n`;
  fs.rmSync(file, { force: true });
  fs.writeFileSync(file, body, { mode: 0o600, flag: 'wx' });
  const message =
    `First start: two API keys were made (shown only this once; also in ${file}, mode 0600).\n` +
    `  admin key  (everything):           ${admin.key}\n` +
    `  ingest key (POST /api/events only): ${ingest.key}\n`;
  return { message, keys: [admin, ingest] };
}

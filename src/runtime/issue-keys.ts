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
 * On the first start of a store (no key yet), an admin key and an ingest key, written to
 * `api-keys.env` (mode 0600) in the data dir. Answers the text to print once and the keys, or null
 * when keys already exist. Processes starting at once on one store make one pair between them.
 */
export async function createFirstKeys(
  keys: ApiKeyStore,
  dataDir: string,
): Promise<{ message: string; keys: ApiKey[] } | null> {
  const made = [generateKey('admin'), generateKey('ingest')];
  const stored = await keys.createFirst([
    { name: 'first start: admin', scope: 'admin', hash: made[0]!.hash, prefix: made[0]!.prefix },
    { name: 'first start: ingest', scope: 'ingest', hash: made[1]!.hash, prefix: made[1]!.prefix },
  ]);
  if (stored === null) return null;
  const [admin, ingest] = stored.map((key, i) => ({ ...key, key: made[i]!.key }));
  if (!admin || !ingest) throw new Error('first-start keys: expected an admin and an ingest key');
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

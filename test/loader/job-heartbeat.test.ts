import path from 'node:path';
import { openSqliteStore } from '../../src/store/sqlite/sqlite-store.ts';
import { tempDataDir } from '../helpers/server.ts';
import { jobHeartbeatContract } from './job-heartbeat-contract.ts';

// Two processes on one SQLite data dir (WAL): the contract's second store is a second connection.
jobHeartbeatContract('SQLite', async () => {
  const file = path.join(tempDataDir(), 'steplog.sqlite');
  const [a, b] = [openSqliteStore(file), openSqliteStore(file)];
  await a.migrate();
  return [a, b] as const;
});

import { SqliteStore } from '../../src/store/sqlite/sqlite-store.ts';
import { GroupCommitter } from '../../src/ingest/group-commit.ts';
import { normalizeEvent } from '../../src/ingest/normalize.ts';
const store = SqliteStore.open('/tmp/sc/g' + Date.now() + '.sqlite');
await store.migrate();
await store.createUser({ id: 1, name: 'u', email: '', joinDate: 0, registrationDate: null });
await store.createTask({ id: 1, title: 't', text: '' });
const gc = new GroupCommitter(store);
let n = 0;
const end = performance.now() + 3000;
async function worker() {
  while (performance.now() < end) {
    const r = normalizeEvent({ user_id: 1, step_id: 1, action_id: 0 }, Date.now());
    if (r.ok) await gc.append([r.event]);
    n++;
  }
}
await Promise.all(Array.from({ length: 32 }, worker));
console.log('group-commit singles/s', Math.round(n / 3));

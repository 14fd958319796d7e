/**
 * `steplog serve` for tests that need a warehouse outage on demand: the composition root's own
 * runtime, with its warehouse wrapped so that every call fails while the file named by the first
 * argument exists. Started by startServer({ warehouseDownFile }).
 */
import { loadConfig } from '../../src/config/config.ts';
import { serve } from '../../src/cli/serve.ts';
import { downWhileFileExists } from './warehouse-wrappers.ts';

const downFile = process.argv[2];
if (downFile === undefined) throw new Error('usage: serve-with-outage.ts <file that means "warehouse down">');
try {
  await serve(loadConfig(), 'all', { wrapWarehouse: (warehouse) => downWhileFileExists(warehouse, downFile) });
} catch (error) {
  console.error(`error: ${(error as Error).message}`);
  process.exitCode = 1;
}

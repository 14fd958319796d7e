import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { lockOwnerDir } from '../../../../src/warehouse/drivers/chdb/owner-lock.ts';
import { WarehouseInUseError } from '../../../../src/warehouse/warehouse.ts';
import { tempDataDir } from '../../../helpers/server.ts';

const other = spawn('sleep', ['60']);
afterAll(() => other.kill('SIGKILL'));

describe('the chDB owner lock', () => {
  it('refuses a directory a live process owns, naming it, and takes one a dead process left', () => {
    const dir = tempDataDir();
    fs.writeFileSync(path.join(dir, 'steplog.pid'), `${other.pid}\n`);
    expect(() => lockOwnerDir(dir)).toThrow(WarehouseInUseError);
    expect(() => lockOwnerDir(dir)).toThrow(`in use by process ${other.pid}`);

    const dead = spawn('true');
    const stale = tempDataDir();
    fs.writeFileSync(path.join(stale, 'steplog.pid'), `${dead.pid}\n`);
    return new Promise<void>((resolve) =>
      dead.on('exit', () => {
        const release = lockOwnerDir(stale);
        expect(fs.readFileSync(path.join(stale, 'steplog.pid'), 'utf8')).toBe(`${process.pid}\n`);
        release();
        expect(fs.existsSync(path.join(stale, 'steplog.pid'))).toBe(false);
        resolve();
      }),
    );
  });
});

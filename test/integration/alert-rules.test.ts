import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { tempDataDir } from '../helpers/server.ts';
import { PROMTOOL_BIN } from './servers/prometheus.ts';
import { requireBinary } from './servers/require-binary.ts';

const DEPLOY = path.resolve(import.meta.dirname, '../../deploy/prometheus');
const run = promisify(execFile);

async function promtool(...args: string[]): Promise<{ code: number; output: string }> {
  const binary = requireBinary(PROMTOOL_BIN, 'prometheus');
  try {
    const { stdout, stderr } = await run(binary, args, { cwd: DEPLOY });
    return { code: 0, output: stdout + stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, output: failed.stdout + failed.stderr };
  }
}

describe('deploy/prometheus', () => {
  it('alerts.yml passes promtool check rules', async () => {
    const checked = await promtool('check', 'rules', 'alerts.yml');
    expect(checked.code, checked.output).toBe(0);
    expect(checked.output).toContain('SUCCESS: 4 rules found');
  });

  it('alerts.yml passes its unit tests (promtool test rules alerts.test.yml)', async () => {
    const tested = await promtool('test', 'rules', 'alerts.test.yml');
    expect(tested.code, tested.output).toBe(0);
    expect(tested.output).toContain('SUCCESS');
  });

  it('prometheus.yml passes promtool check config once its key file exists', async () => {
    const dir = tempDataDir('steplog-promconfig-');
    try {
      const keyFile = path.join(dir, 'steplog-metrics-key');
      fs.writeFileSync(keyFile, 'sl_metrics_x', { mode: 0o600 });
      const config = fs
        .readFileSync(path.join(DEPLOY, 'prometheus.yml'), 'utf8')
        .replace('/etc/prometheus/steplog-metrics-key', keyFile);
      fs.writeFileSync(path.join(dir, 'prometheus.yml'), config);
      fs.copyFileSync(path.join(DEPLOY, 'alerts.yml'), path.join(dir, 'alerts.yml'));
      const checked = await promtool('check', 'config', path.join(dir, 'prometheus.yml'));
      expect(checked.code, checked.output).toBe(0);
      expect(checked.output).toContain('SUCCESS: 4 rules found');
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

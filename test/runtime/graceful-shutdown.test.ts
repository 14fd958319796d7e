import { EventEmitter } from 'node:events';
import { pino } from 'pino';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { closeOnSignals } from '../../src/runtime/graceful-shutdown.ts';

/** A stand-in for `process`: signals are emitted by the test, exits are recorded. */
function fakeProcess() {
  const target = Object.assign(new EventEmitter(), {
    exits: [] as number[],
    exit: (code: number) => void target.exits.push(code),
  });
  return target;
}
const lines: string[] = [];
const log = pino({ level: 'info' }, { write: (line: string) => void lines.push(line) });
afterEach(() => {
  vi.useRealTimers();
  lines.length = 0;
});

describe('closeOnSignals', () => {
  it('exits 0 once the close settles', async () => {
    const target = fakeProcess();
    closeOnSignals(log, 1_000, () => Promise.resolve(), target);
    target.emit('SIGTERM', 'SIGTERM');
    await vi.waitFor(() => expect(target.exits).toEqual([0]));
  });

  it('exits 1 at the bound when the close hangs', async () => {
    vi.useFakeTimers();
    const target = fakeProcess();
    closeOnSignals(log, 1_000, () => new Promise(() => undefined), target);
    target.emit('SIGINT', 'SIGINT');
    await vi.advanceTimersByTimeAsync(999);
    expect(target.exits).toEqual([]);
    await vi.advanceTimersByTimeAsync(1);
    expect(target.exits).toEqual([1]);
    expect(lines.join('')).toContain('shutdown took too long');
  });

  it('a second signal exits 1 at once, while the close still runs', () => {
    const target = fakeProcess();
    closeOnSignals(log, 60_000, () => new Promise(() => undefined), target);
    target.emit('SIGTERM', 'SIGTERM');
    expect(target.exits).toEqual([]);
    target.emit('SIGTERM', 'SIGTERM');
    expect(target.exits).toEqual([1]);
    expect(lines.join('')).toContain('second signal: exiting now');
  });

  it('exits 1 when the close fails', async () => {
    const target = fakeProcess();
    closeOnSignals(log, 1_000, () => Promise.reject(new Error('disk gone')), target);
    target.emit('SIGTERM', 'SIGTERM');
    await vi.waitFor(() => expect(target.exits).toEqual([1]));
    expect(lines.join('')).toContain('shutdown failed');
  });
});

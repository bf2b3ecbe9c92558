/** The serial queue: tasks run one at a time in queue order; a failed task rejects alone and the next still runs. */
import { describe, expect, it } from 'vitest';
import { serialQueue } from '../../src/engine/serial';

/** A promise with its resolve/reject outside. */
function deferred<T>() {
  let resolve!: (v: T) => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<T>((res, rej) => ((resolve = res), (reject = rej)));
  return { promise, resolve, reject };
}

describe('serialQueue', () => {
  it('starts a task only after the one before it settled, in queue order', async () => {
    const serial = serialQueue();
    const log: string[] = [];
    const first = deferred<string>();
    const a = serial(async () => {
      log.push('a start');
      const v = await first.promise;
      log.push('a end');
      return v;
    });
    const b = serial(() => {
      log.push('b');
      return 2;
    });
    await Promise.resolve();
    await Promise.resolve();
    expect(log).toEqual(['a start']);
    first.resolve('one');
    expect(await Promise.all([a, b])).toEqual(['one', 2]);
    expect(log).toEqual(['a start', 'a end', 'b']);
  });

  it('a rejected task rejects its own promise and the next task still runs', async () => {
    const serial = serialQueue();
    const failed = serial(() => Promise.reject(new Error('boom')));
    const thrown = serial(() => {
      throw new Error('sync boom');
    });
    const next = serial(async () => 'ran');
    await expect(failed).rejects.toThrow('boom');
    await expect(thrown).rejects.toThrow('sync boom');
    expect(await next).toBe('ran');
  });

  it('two queues do not wait for each other', async () => {
    const [one, two] = [serialQueue(), serialQueue()];
    const held = deferred<void>();
    const blocked = one(() => held.promise);
    expect(await two(async () => 'free')).toBe('free');
    held.resolve();
    await blocked;
  });
});

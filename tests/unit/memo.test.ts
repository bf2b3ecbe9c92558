/** Memoised loaders: one load shared by every caller; a rejected load is forgotten and the next call retries; forget() drops the value. */
import { describe, expect, it } from 'vitest';
import { memoIn, memoise } from '../../src/engine/memo';

/** A loader that fails its first `failures` calls and counts every call. */
function flaky(failures: number) {
  const calls = { n: 0 };
  const load = async () => {
    calls.n++;
    if (calls.n <= failures) throw new Error(`load ${calls.n} failed`);
    return `value ${calls.n}`;
  };
  return { calls, load };
}

describe('memoise', () => {
  it('loads once for every caller, concurrent or later', async () => {
    const { calls, load } = flaky(0);
    const m = memoise(load);
    expect(m.started).toBe(false);
    expect(await Promise.all([m.get(), m.get()])).toEqual(['value 1', 'value 1']);
    expect(await m.get()).toBe('value 1');
    expect([calls.n, m.started]).toEqual([1, true]);
  });

  it('forgets a rejected load, so the next call loads again', async () => {
    const { calls, load } = flaky(1);
    const m = memoise(load);
    await expect(m.get()).rejects.toThrow('load 1 failed');
    expect(m.started).toBe(false);
    expect(await m.get()).toBe('value 2');
    expect(await m.get()).toBe('value 2');
    expect(calls.n).toBe(2);
  });

  it('forget() hands back the held promise; a stale rejection does not drop a newer load', async () => {
    let fail!: (e: Error) => void;
    let n = 0;
    const m = memoise(() =>
      ++n === 1 ? new Promise<string>((_, rej) => (fail = rej)) : Promise.resolve(`load ${n}`),
    );
    const first = m.get();
    expect(m.forget()).toBe(first);
    const second = m.get();
    fail(new Error('late'));
    await expect(first).rejects.toThrow('late');
    expect(m.get()).toBe(second);
    expect(await second).toBe('load 2');
    expect(m.forget()).toBe(second);
    expect(m.forget()).toBeUndefined();
  });
});

describe('memoIn', () => {
  it('keeps one promise per key and removes a rejected one', async () => {
    const map = new Map<string, Promise<string>>();
    const { calls, load } = flaky(1);
    await expect(memoIn(map, 'a', load)).rejects.toThrow('load 1 failed');
    expect(map.has('a')).toBe(false);
    expect(await memoIn(map, 'a', load)).toBe('value 2');
    expect(await memoIn(map, 'a', load)).toBe('value 2');
    expect(await memoIn(map, 'b', async () => 'other')).toBe('other');
    expect([calls.n, [...map.keys()]]).toEqual([2, ['a', 'b']]);
  });

  it('a rejection does not remove a newer entry for the same key', async () => {
    const map = new Map<string, Promise<string>>();
    let fail!: (e: Error) => void;
    const old = memoIn(map, 'k', () => new Promise<string>((_, rej) => (fail = rej)));
    map.delete('k'); // evicted by the caller
    const fresh = memoIn(map, 'k', async () => 'fresh');
    fail(new Error('old'));
    await expect(old).rejects.toThrow('old');
    expect(map.get('k')).toBe(fresh);
  });
});

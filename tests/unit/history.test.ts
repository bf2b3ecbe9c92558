/** Run history records (src/engine/queue/history.ts): settingsHash is a stable sha256 of the
 * canonical request JSON, and toJsonLines writes one parseable object per line with ISO times. */
import { describe, expect, it } from 'vitest';
import { settingsHash, toJsonLines } from '../../src/engine/queue/history';
import type { TaskRequest } from '../../src/engine/request';
import { runRecord, smallRequest } from '../helpers/requests';

const run = runRecord;

describe('settingsHash', () => {
  it('is 64 lowercase hex chars', async () => {
    expect(await settingsHash(smallRequest('demo-t2v'))).toMatch(/^[0-9a-f]{64}$/);
  });

  it('does not depend on key order', async () => {
    const req = smallRequest('demo-t2v');
    const reversed = Object.fromEntries(Object.entries(req).reverse()) as unknown as TaskRequest;
    expect(Object.keys(reversed)).not.toEqual(Object.keys(req));
    expect(await settingsHash(reversed)).toBe(await settingsHash(req));
  });

  it('changes when any value changes', async () => {
    const base = await settingsHash(smallRequest('demo-t2v'));
    expect(await settingsHash(smallRequest('demo-t2v', { seed: 43 }))).not.toBe(base);
    expect(await settingsHash(smallRequest('demo-t2v', { prompt: 'a blue ball' }))).not.toBe(base);
    expect(await settingsHash(smallRequest('demo-t2v', { shift: 3.5 }))).not.toBe(base);
  });
});

describe('toJsonLines', () => {
  it('writes one parseable object per line with ISO times, newline-terminated', () => {
    const records = [
      run('a', Date.UTC(2025, 0, 2, 3, 4, 5, 678)),
      run('b', Date.UTC(2025, 0, 3), { status: 'failed', error: 'Out of GPU memory.', artifacts: [] }),
    ];
    const text = toJsonLines(records);
    expect(text.endsWith('\n')).toBe(true);
    const lines = text.slice(0, -1).split('\n');
    expect(lines).toHaveLength(2);
    const parsed = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(parsed[0]).toMatchObject({
      runId: 'a',
      startedAt: '2025-01-02T03:04:05.678Z',
      endedAt: '2025-01-02T03:04:07.178Z',
      status: 'done',
    });
    expect(parsed[0]?.request).toEqual(records[0]?.request);
    expect(parsed[0]?.artifacts).toEqual(records[0]?.artifacts);
    expect(parsed[1]).toMatchObject({
      runId: 'b',
      startedAt: '2025-01-03T00:00:00.000Z',
      status: 'failed',
      error: 'Out of GPU memory.',
      artifacts: [],
    });
  });

  it('leaves the records untouched', () => {
    const r = run('a', 1000);
    toJsonLines([r]);
    expect(r.startedAt).toBe(1000);
  });

  it('returns an empty string for no records', () => {
    expect(toJsonLines([])).toBe('');
  });
});

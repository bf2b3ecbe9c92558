/** The run history store (src/storage/history-store.ts) on fake-indexeddb: append and list oldest
 * first, unknown record versions skipped, clear, and QuotaExceededError → 'storage-full'. */
import 'fake-indexeddb/auto';
import { beforeEach, describe, expect, it } from 'vitest';
import { db } from '../../src/storage/db';
import { appendRun, clearHistory, listRuns } from '../../src/storage/history-store';
import { rejection } from '../helpers/errors';
import { failNextWrite } from '../helpers/idb-faults';
import { runRecord } from '../helpers/requests';

const run = runRecord;

beforeEach(() => clearHistory());

describe('history store', () => {
  it('appends runs and lists them oldest first', async () => {
    await appendRun(run('late', 3000));
    await appendRun(run('early', 1000));
    await appendRun(run('mid', 2000));
    const runs = await listRuns();
    expect(runs.map((r) => r.runId)).toEqual(['early', 'mid', 'late']);
    expect(runs[1]?.request).toMatchObject({ prompt: 'clip mid' });
    expect(runs[1]?.artifacts[0]?.fileName).toBe('mid.mp4');
  });

  it('skips records of unknown versions when listing', async () => {
    await appendRun(run('known', 1000));
    await (await db()).put('runs', { ...run('future', 500), version: 2 } as never, 'future');
    expect((await listRuns()).map((r) => r.runId)).toEqual(['known']);
  });

  it('clears every record', async () => {
    await appendRun(run('a', 1));
    await appendRun(run('b', 2));
    await clearHistory();
    expect(await listRuns()).toEqual([]);
  });

  it('maps QuotaExceededError to storage-full and keeps existing records', async () => {
    await appendRun(run('kept', 1));
    failNextWrite();
    const err = await rejection(appendRun(run('big', 2)));
    expect(err.code).toBe('storage-full');
    expect(err.message).toMatch(/storage is full, so the run history could not be saved/);
    expect((await listRuns()).map((r) => r.runId)).toEqual(['kept']);
  });

  it('passes other storage errors through unchanged', async () => {
    failNextWrite(0, new DOMException('boom', 'InvalidStateError'));
    const err = await rejection(appendRun(run('x', 1)));
    expect(err.name).toBe('InvalidStateError');
    expect(err.message).toBe('boom');
  });
});

/** The queue store (src/storage/queue-store.ts) on fake-indexeddb, fed by the pure reducer: rank
 * order after add/move/duplicate/remove, the paused flag, unknown record versions skipped,
 * replaceQueue, checkpoints kept while a task is active and dropped when it ends or goes, and
 * QuotaExceededError → 'storage-full' with the stored queue intact. */
import 'fake-indexeddb/auto';
import { beforeEach, describe, expect, it } from 'vitest';
import { smallRequest } from '../helpers/requests';
import type { TaskRequest } from '../../src/engine/request';
import { type Checkpoint, newTask, type OutputSnapshot } from '../../src/engine/queue/task';
import {
  applyCommand,
  applyRunnerEvent,
  emptyQueue,
  type QueueCommand,
  type QueueState,
  type RunnerEvent,
} from '../../src/engine/queue/transitions';
import {
  clearCheckpoints,
  loadCheckpoint,
  loadQueue,
  replaceQueue,
  saveCheckpoint,
  saveTransition,
} from '../../src/storage/queue-store';
import { rejection } from '../helpers/errors';
import { failNextWrite } from '../helpers/idb-faults';
import { db } from '../../src/storage/db';

// A real full disk aborts the write transaction with QuotaExceededError (helpers/idb-faults).

const T0 = 1_700_000_000_000;
const SNAP: OutputSnapshot = {
  metadataMode: 'embedded',
  embedSourceImages: false,
  namingTemplate: '{prompt}-{seed}',
};

const req = (prompt = 'a cat on a skateboard', patch: Partial<TaskRequest> = {}): TaskRequest =>
  smallRequest('demo-t2v', { prompt, negativePrompt: 'blurry', steps: 4, guidance: 5, ...patch });

/** The in-memory queue the store mirrors: every step goes through the reducer and is persisted. */
class Mirror {
  state: QueueState = emptyQueue();
  private now = T0;

  async cmd(c: QueueCommand): Promise<this> {
    const t = applyCommand(this.state, c, this.now++);
    await saveTransition(t);
    this.state = t.state;
    return this;
  }

  async ev(e: RunnerEvent): Promise<this> {
    const t = applyRunnerEvent(this.state, e, this.now++);
    await saveTransition(t);
    this.state = t.state;
    return this;
  }

  async add(...ids: string[]): Promise<this> {
    for (const id of ids) await this.cmd({ kind: 'add', id, request: req(`prompt ${id}`) });
    return this;
  }

  start(id: string, fromStep = 0): Promise<this> {
    return this.ev({ kind: 'start', id, snapshot: SNAP, fromStep });
  }

  status(id: string) {
    return this.state.tasks.find((t) => t.id === id)?.status;
  }
}

const ids = (s: QueueState) => s.tasks.map((t) => t.id);

function checkpoint(taskId: string, step: number): Checkpoint {
  const latent = new Float32Array(2 * 3 * 4);
  for (let i = 0; i < latent.length; i++) latent[i] = Math.sin(i + step) * 1e3 + i / 7;
  return { taskId, step, shape: [1, 2, 3, 4], latent };
}

beforeEach(async () => {
  await replaceQueue(emptyQueue());
  await clearCheckpoints();
});

describe('queue store: tasks', () => {
  it('starts empty and unpaused', async () => {
    expect(await loadQueue()).toEqual(emptyQueue());
  });

  it('loads tasks in rank order after add/move/duplicate/remove, equal to the in-memory state', async () => {
    const q = await new Mirror().add('a', 'b', 'c', 'd');
    expect(await loadQueue()).toEqual(q.state);

    await q.cmd({ kind: 'move', id: 'd', delta: -1 });
    await q.cmd({ kind: 'move', id: 'a', delta: 1 });
    expect(ids(q.state)).toEqual(['b', 'a', 'd', 'c']);
    expect(await loadQueue()).toEqual(q.state);

    await q.cmd({ kind: 'duplicate', id: 'b', newId: 'b2' });
    await q.cmd({ kind: 'duplicate', id: 'c', newId: 'c2' });
    expect(ids(q.state)).toEqual(['b', 'b2', 'a', 'd', 'c', 'c2']);
    expect(await loadQueue()).toEqual(q.state);

    await q.cmd({ kind: 'remove', id: 'a' });
    await q.cmd({ kind: 'move', id: 'c2', delta: -1 });
    await q.add('e');
    expect(ids(q.state)).toEqual(['b', 'b2', 'd', 'c2', 'c', 'e']);
    expect(await loadQueue()).toEqual(q.state);
  });

  it('stays in order when repeated duplicates at one spot force a renumber', async () => {
    const q = await new Mirror().add('a', 'z');
    // Each copy lands right after 'a', halving the gap until the reducer renumbers everything.
    for (let i = 0; i < 60; i++) await q.cmd({ kind: 'duplicate', id: 'a', newId: `copy${i}` });
    expect(ids(q.state)).toEqual(['a', ...Array.from({ length: 60 }, (_, i) => `copy${59 - i}`), 'z']);
    expect(await loadQueue()).toEqual(q.state);
  });

  it('persists runner progress and outcomes', async () => {
    const q = await new Mirror().add('a', 'b');
    await q.start('a');
    await q.ev({ kind: 'step', id: 'a', step: 3 });
    await q.ev({ kind: 'done', id: 'a', outputId: 'out-a' });
    await q.start('b');
    await q.ev({ kind: 'failed', id: 'b', error: 'GPU device lost', retryable: true });
    const loaded = await loadQueue();
    expect(loaded).toEqual(q.state);
    expect(loaded.tasks.map((t) => [t.status, t.step])).toEqual([
      ['done', 3],
      ['failed', 0],
    ]);
    expect(loaded.tasks[0]?.snapshot).toEqual(SNAP);
  });

  it('persists the paused flag', async () => {
    const q = await new Mirror().add('a');
    await q.cmd({ kind: 'pause' });
    expect((await loadQueue()).paused).toBe(true);
    await q.cmd({ kind: 'resume' });
    expect((await loadQueue()).paused).toBe(false);
    await q.cmd({ kind: 'pause' });
    await q.cmd({ kind: 'clear' });
    expect(await loadQueue()).toEqual({ tasks: [], paused: true });
  });

  it('skips records of unknown versions', async () => {
    const q = await new Mirror().add('a', 'b');
    const future = { ...newTask(req('from the future'), { id: 'future', rank: 1.5, now: T0 }), version: 2 };
    const d = await db();
    await d.put('tasks', future, 'future');
    await d.put('tasks', 'not a task', 'junk');
    await d.put('tasks', null, 'nothing');
    expect(await loadQueue()).toEqual(q.state);
  });

  it('replaceQueue replaces every task and the paused flag', async () => {
    await new Mirror().add('a', 'b', 'c');
    const next: QueueState = {
      tasks: [
        newTask(req('x'), { id: 'x', rank: 1, now: T0 }),
        newTask(req('y'), { id: 'y', rank: 2, now: T0 }),
      ],
      paused: true,
    };
    await replaceQueue(next);
    expect(await loadQueue()).toEqual(next);
    await replaceQueue(emptyQueue());
    expect(await loadQueue()).toEqual(emptyQueue());
  });

  it('loads 10,000 tasks in rank order after replaceQueue', async () => {
    const n = 10_000;
    // Ids sort differently from ranks as keys ("t10" < "t2", and reversed), so order must come from rank.
    const tasks = Array.from({ length: n }, (_, i) =>
      newTask(req(`p${i}`), { id: `t${n - i}`, rank: i + 1, now: T0 + i }),
    );
    await replaceQueue({ tasks, paused: false });
    const loaded = await loadQueue();
    expect(loaded.tasks).toHaveLength(n);
    expect(ids(loaded)).toEqual(tasks.map((t) => t.id));
  }, 60_000);
});

describe('queue store: checkpoints', () => {
  it('round-trips a Float32Array latent', async () => {
    const cp = checkpoint('a', 3);
    await saveCheckpoint(cp);
    const got = await loadCheckpoint('a');
    expect(got?.latent).toBeInstanceOf(Float32Array);
    expect(got).toEqual(cp);
    expect(await loadCheckpoint('missing')).toBeUndefined();

    await saveCheckpoint(checkpoint('a', 4));
    expect((await loadCheckpoint('a'))?.step).toBe(4);
  });

  it('keeps a checkpoint while its task is running, paused, or interrupted', async () => {
    const q = await new Mirror().add('a', 'b');
    await q.start('a');
    await saveCheckpoint(checkpoint('a', 2));
    await q.ev({ kind: 'step', id: 'a', step: 2 });
    expect(await loadCheckpoint('a')).toEqual(checkpoint('a', 2));

    await q.cmd({ kind: 'pause' });
    expect(q.status('a')).toBe('paused');
    expect(await loadCheckpoint('a')).toEqual(checkpoint('a', 2));

    await q.cmd({ kind: 'resume' });
    expect(q.status('a')).toBe('running');
    await q.ev({ kind: 'interrupted', id: 'a' });
    await q.start('a', 2);
    expect(await loadCheckpoint('a')).toEqual(checkpoint('a', 2));

    // Unrelated writes (another task, moves) leave it alone.
    await q.cmd({ kind: 'move', id: 'b', delta: -1 });
    await q.cmd({ kind: 'remove', id: 'b' });
    expect(await loadCheckpoint('a')).toEqual(checkpoint('a', 2));
  });

  it.each([
    ['done', { kind: 'done', id: 'a', outputId: 'out-a' }],
    ['failed', { kind: 'failed', id: 'a', error: 'boom', retryable: false }],
    ['aborted', { kind: 'aborted', id: 'a' }],
  ] as const)('deletes the checkpoint when its task is %s', async (status, e) => {
    const q = await new Mirror().add('a');
    await q.start('a');
    await saveCheckpoint(checkpoint('a', 1));
    await q.ev(e);
    expect(q.status('a')).toBe(status);
    expect(await loadCheckpoint('a')).toBeUndefined();
  });

  it('deletes the checkpoint when the user aborts a paused task', async () => {
    const q = await new Mirror().add('a');
    await q.start('a');
    await q.cmd({ kind: 'pause' });
    await saveCheckpoint(checkpoint('a', 1));
    await q.cmd({ kind: 'abort' });
    expect(q.status('a')).toBe('aborted');
    expect(await loadCheckpoint('a')).toBeUndefined();
  });

  it('deletes the checkpoint when its task is removed or the queue cleared', async () => {
    const q = await new Mirror().add('a', 'b');
    await q.start('a');
    await saveCheckpoint(checkpoint('a', 1));
    await saveCheckpoint(checkpoint('b', 1));
    await q.cmd({ kind: 'remove', id: 'a' });
    expect(await loadCheckpoint('a')).toBeUndefined();
    expect(await loadCheckpoint('b')).toBeDefined();
    await q.cmd({ kind: 'clear' });
    expect(await loadCheckpoint('b')).toBeUndefined();
  });

  it('clearCheckpoints removes them all', async () => {
    await saveCheckpoint(checkpoint('a', 1));
    await saveCheckpoint(checkpoint('b', 1));
    await clearCheckpoints();
    expect(await loadCheckpoint('a')).toBeUndefined();
    expect(await loadCheckpoint('b')).toBeUndefined();
  });
});

describe('queue store: full storage', () => {
  it('maps QuotaExceededError in saveTransition to storage-full and keeps the stored queue', async () => {
    const q = await new Mirror().add('a', 'b');
    await q.start('a');
    await saveCheckpoint(checkpoint('a', 1));
    const before = await loadQueue();

    failNextWrite();
    const t = applyRunnerEvent(
      applyCommand(q.state, { kind: 'pause' }, T0 + 50).state,
      { kind: 'done', id: 'a', outputId: 'out-a' },
      T0 + 51,
    );
    const err = await rejection(saveTransition({ ...t, pausedChanged: true }));
    expect(err.name).toBe('EngineError');
    expect(err.code).toBe('storage-full');
    expect(err.message).toMatch(/storage is full, so the queue could not be saved/);
    expect(await loadQueue()).toEqual(before);
    // The write failed, so the task is not done as far as storage knows: its checkpoint stays.
    expect(await loadCheckpoint('a')).toEqual(checkpoint('a', 1));

    // A later write goes through.
    await q.cmd({ kind: 'remove', id: 'b' });
    expect(await loadQueue()).toEqual(q.state);
  });

  it('keeps the stored queue when a multi-record write (remove + add) hits the quota', async () => {
    const q = await new Mirror().add('a', 'b', 'c');
    const removeB = applyCommand(q.state, { kind: 'remove', id: 'b' }, T0 + 50);
    const t = applyCommand(removeB.state, { kind: 'add', id: 'd', request: req('d') }, T0 + 51);
    failNextWrite();
    const err = await rejection(saveTransition({ ...t, removed: removeB.removed }));
    expect(err.code).toBe('storage-full');
    expect(await loadQueue()).toEqual(q.state);
  });

  // The clear and the new records share one transaction, so a full disk keeps the old queue.
  it('keeps the stored queue when replaceQueue hits the quota', async () => {
    const q = await new Mirror().add('a', 'b');
    failNextWrite();
    const err = await rejection(
      replaceQueue({ tasks: [newTask(req('x'), { id: 'x', rank: 1, now: T0 })], paused: false }),
    );
    expect(err.code).toBe('storage-full');
    expect(await loadQueue()).toEqual(q.state);
  });

  it('maps QuotaExceededError in saveCheckpoint to storage-full', async () => {
    await saveCheckpoint(checkpoint('a', 1));
    failNextWrite();
    const err = await rejection(saveCheckpoint(checkpoint('a', 2)));
    expect(err.code).toBe('storage-full');
    expect(err.message).toMatch(/storage is full, so the task checkpoint could not be saved/);
    expect(await loadCheckpoint('a')).toEqual(checkpoint('a', 1));
  });

  it('passes other storage errors through unchanged', async () => {
    failNextWrite(0, new DOMException('boom', 'InvalidStateError'));
    const err = await rejection(saveCheckpoint(checkpoint('a', 1)));
    expect(err.name).toBe('InvalidStateError');
    expect(err.message).toBe('boom');
  });
});

/**
 * The queue store (object stores `tasks` and `checkpoints` of the one database): one versioned
 * record per task, keyed by id, plus the queue's paused flag; and each active task's latest
 * latent. A transition is written in one transaction (with the checkpoints it ends), so a crash
 * leaves either the old or the new queue.
 */
import type { IDBPTransaction } from 'idb';
import { type Checkpoint, type Task, TASK_RECORD_VERSION } from '../engine/queue/task';
import type { QueueState, Transition } from '../engine/queue/transitions';
import { committed, db, putOne, type WebgpSchema } from './db';
import { guardQuota } from './quota';

const META = '~meta';

interface QueueMeta {
  paused: boolean;
}

/** A transaction that may write the queue's stores (and others, e.g. outputs). */
export type QueueTx = IDBPTransaction<WebgpSchema, ('tasks' | 'checkpoints' | 'outputs')[], 'readwrite'>;

/** The persisted queue in order; records of unknown versions are skipped. */
export async function loadQueue(): Promise<QueueState> {
  const tx = (await db()).transaction('tasks');
  const [keys, values] = await Promise.all([tx.store.getAllKeys(), tx.store.getAll()]);
  let paused = false;
  const list: Task[] = [];
  for (const [i, key] of keys.entries()) {
    const value = values[i] as Task | QueueMeta;
    if (key === META) paused = (value as QueueMeta).paused === true;
    else if ((value as Task)?.version === TASK_RECORD_VERSION) list.push(value as Task);
  }
  list.sort((a, b) => a.rank - b.rank);
  return { tasks: list, paused };
}

/**
 * Queues `t`'s writes on `tx` (changed and removed tasks, the paused flag, the checkpoints of
 * tasks it ends) and returns their requests, for committed().
 */
export function writeTransition(tx: QueueTx, t: Transition): Promise<unknown>[] {
  const tasks = tx.objectStore('tasks');
  const checkpoints = tx.objectStore('checkpoints');
  // A checkpoint only matters while its task is active; a pending task always starts afresh.
  const finished = t.changed
    .filter((x) => x.status === 'done' || x.status === 'failed' || x.status === 'aborted')
    .map((x) => x.id);
  return [
    ...t.changed.map((task) => tasks.put(task, task.id)),
    ...t.removed.map((id) => tasks.delete(id)),
    ...(t.pausedChanged ? [tasks.put({ paused: t.state.paused } satisfies QueueMeta, META)] : []),
    ...[...t.removed, ...finished].map((id) => checkpoints.delete(id)),
  ];
}

/** Writes a transition's changed and removed records (and the paused flag) in one transaction. */
export async function saveTransition(t: Transition): Promise<void> {
  if (!t.changed.length && !t.removed.length && !t.pausedChanged) return;
  const d = await db();
  await guardQuota('the queue', async () => {
    const tx = d.transaction(['tasks', 'checkpoints'], 'readwrite');
    await committed(tx, writeTransition(tx as unknown as QueueTx, t));
  });
}

/** Replaces the whole queue in one transaction (a full disk keeps the old one); drops all checkpoints. */
export async function replaceQueue(state: QueueState): Promise<void> {
  const d = await db();
  await guardQuota('the queue', async () => {
    const tx = d.transaction(['tasks', 'checkpoints'], 'readwrite');
    const tasks = tx.objectStore('tasks');
    await committed(tx, [
      tasks.clear(),
      ...state.tasks.map((task) => tasks.put(task, task.id)),
      tasks.put({ paused: state.paused } satisfies QueueMeta, META),
      tx.objectStore('checkpoints').clear(),
    ]);
  });
}

export async function saveCheckpoint(cp: Checkpoint): Promise<void> {
  await guardQuota('the task checkpoint', () => putOne('checkpoints', cp, cp.taskId));
}

export async function loadCheckpoint(taskId: string): Promise<Checkpoint | undefined> {
  return (await db()).get('checkpoints', taskId);
}

export async function clearCheckpoints(): Promise<void> {
  await (await db()).clear('checkpoints');
}

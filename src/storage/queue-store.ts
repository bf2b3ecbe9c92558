/**
 * The queue store (IndexedDB via idb-keyval): one versioned record per task, keyed by id, plus
 * the queue's paused flag; and a checkpoint store holding each active task's latest latent.
 * A transition is written in one transaction, so a crash leaves either the old or the new queue.
 */
import { clear, createStore, delMany, entries, get, promisifyRequest, set } from 'idb-keyval';
import { type Checkpoint, type Task, TASK_RECORD_VERSION } from '../engine/queue/task';
import type { QueueState, Transition } from '../engine/queue/transitions';
import { guardQuota } from './quota';

const tasks = createStore('webgp-queue', 'tasks');
const checkpoints = createStore('webgp-checkpoints', 'checkpoints');
const META = '~meta';

interface QueueMeta {
  paused: boolean;
}

/** The persisted queue in order; records of unknown versions are skipped. */
export async function loadQueue(): Promise<QueueState> {
  let paused = false;
  const list: Task[] = [];
  for (const [key, value] of await entries<IDBValidKey, Task | QueueMeta>(tasks)) {
    if (key === META) paused = (value as QueueMeta).paused === true;
    else if ((value as Task)?.version === TASK_RECORD_VERSION) list.push(value as Task);
  }
  list.sort((a, b) => a.rank - b.rank);
  return { tasks: list, paused };
}

/** Writes a transition's changed and removed records (and the paused flag) in one transaction. */
export async function saveTransition(t: Transition): Promise<void> {
  if (!t.changed.length && !t.removed.length && !t.pausedChanged) return;
  await guardQuota('the queue', () =>
    tasks('readwrite', (os) => {
      for (const task of t.changed) os.put(task, task.id);
      for (const id of t.removed) os.delete(id);
      if (t.pausedChanged) os.put({ paused: t.state.paused } satisfies QueueMeta, META);
      return promisifyRequest(os.transaction);
    }),
  );
  // A checkpoint only matters while its task is active; a pending task always starts afresh.
  const finished = t.changed
    .filter((x) => x.status === 'done' || x.status === 'failed' || x.status === 'aborted')
    .map((x) => x.id);
  if (t.removed.length || finished.length) await delMany([...t.removed, ...finished], checkpoints);
}

/** Replaces the whole queue in one transaction (a full disk keeps the old one); drops all checkpoints. */
export async function replaceQueue(state: QueueState): Promise<void> {
  await guardQuota('the queue', () =>
    tasks('readwrite', (os) => {
      os.clear();
      for (const task of state.tasks) os.put(task, task.id);
      os.put({ paused: state.paused } satisfies QueueMeta, META);
      return promisifyRequest(os.transaction);
    }),
  );
  await clear(checkpoints);
}

export function saveCheckpoint(cp: Checkpoint): Promise<void> {
  return guardQuota('the task checkpoint', () => set(cp.taskId, cp, checkpoints));
}

export function loadCheckpoint(taskId: string): Promise<Checkpoint | undefined> {
  return get<Checkpoint>(taskId, checkpoints);
}

export function clearCheckpoints(): Promise<void> {
  return clear(checkpoints);
}

/**
 * The queue control protocol (docs/queue-protocol.md): messages on the BroadcastChannel
 * "webgp-queue" between any page and the one runner tab — the browser twin of the seeds'
 * TCP control server (pause | resume | status | abort), plus full-state sync for live views.
 */
import type { Progress } from '../progress';
import { type Task, type TaskStatus, taskTitle, taskTotal } from './task';
import { activeTask, type QueueCommand, type QueueState } from './transitions';

export const QUEUE_CHANNEL = 'webgp-queue';
export const RUNNER_LOCK = 'webgp-queue-runner';
export const PROTOCOL_VERSION = 1;

/** Sent by any page to the runner. */
export type QueueRequest =
  | { v: 1; type: 'pause' }
  | { v: 1; type: 'resume' }
  | { v: 1; type: 'abort' }
  | { v: 1; type: 'status'; requestId: string }
  | { v: 1; type: 'command'; cmd: QueueCommand }
  /** Asks the runner to broadcast its full state (a page that just opened). */
  | { v: 1; type: 'sync' };

/** Sent by the runner to every page. */
export type QueueBroadcast =
  | { v: 1; type: 'state'; runnerId: string; state: QueueState }
  | { v: 1; type: 'progress'; taskId: string; progress: Progress }
  | { v: 1; type: 'status-reply'; requestId: string; status: QueueStatus };

export type QueueMessage = QueueRequest | QueueBroadcast;

export interface QueueStatus {
  paused: boolean;
  running: {
    id: string;
    prompt: string;
    packId: string;
    status: TaskStatus;
    step: number;
    total: number;
  } | null;
  /** Tasks not yet finished (pending + the active one). */
  queueLength: number;
  counts: Record<TaskStatus, number>;
  /** The next pending tasks, in order (at most 10). */
  pending: { id: string; prompt: string; packId: string }[];
}

const brief = (t: Task) => ({ id: t.id, prompt: taskTitle(t).slice(0, 80), packId: t.request.packId });

/** The JSON summary a `status` request returns. */
export function queueStatus(s: QueueState): QueueStatus {
  const counts: Record<TaskStatus, number> = {
    pending: 0,
    running: 0,
    paused: 0,
    done: 0,
    failed: 0,
    aborted: 0,
  };
  for (const t of s.tasks) counts[t.status]++;
  const active = activeTask(s);
  return {
    paused: s.paused,
    running: active
      ? { ...brief(active), status: active.status, step: active.step, total: taskTotal(active) }
      : null,
    queueLength: counts.pending + counts.running + counts.paused,
    counts,
    pending: s.tasks
      .filter((t) => t.status === 'pending')
      .slice(0, 10)
      .map(brief),
  };
}

/** Narrows an unknown channel message to a protocol message of this version (others are ignored). */
export function isQueueMessage(m: unknown): m is QueueMessage {
  return (
    typeof m === 'object' &&
    m !== null &&
    (m as { v?: unknown }).v === PROTOCOL_VERSION &&
    typeof (m as { type?: unknown }).type === 'string'
  );
}

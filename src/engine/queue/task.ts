/**
 * Queue task records: what the queue store persists (versioned), plus the per-task snapshot of
 * output settings taken when a task starts (the seeds' MetadataState / MediaPersistenceContext).
 */
import type { LatentCheckpoint } from '../pipeline/generate';
import type { TaskRequest } from '../request';

export const TASK_RECORD_VERSION = 1;

export const TASK_STATUSES = ['pending', 'running', 'paused', 'done', 'failed', 'aborted'] as const;
export type TaskStatus = (typeof TASK_STATUSES)[number];

export type MetadataMode = 'embedded' | 'json' | 'none';

/** Output settings frozen into a task when it starts, so later changes do not affect it. */
export interface OutputSnapshot {
  metadataMode: MetadataMode;
  embedSourceImages: boolean;
  namingTemplate: string;
}

/** One try at running a task. */
export interface Attempt {
  startedAt: number;
  endedAt?: number;
  /** The step this attempt started from (0, or the checkpoint it resumed). */
  fromStep: number;
  outcome?: 'done' | 'failed' | 'aborted' | 'interrupted' | 'paused';
  error?: string;
}

export interface Task {
  version: typeof TASK_RECORD_VERSION;
  id: string;
  /** Queue order: ascending. Fractional ranks let a move rewrite one record. */
  rank: number;
  createdAt: number;
  request: TaskRequest;
  status: TaskStatus;
  /** Denoise progress of the current/last attempt (step of total). */
  step: number;
  /** Input media by role (e.g. image_start), kept with the task for export. */
  media?: Record<string, Blob>;
  snapshot?: OutputSnapshot;
  attempts: Attempt[];
  /** Last error message (failed tasks). */
  error?: string;
  /** Whether Retry makes sense (storage-full, device-lost, …). */
  retryable?: boolean;
  /** Output record id of a done task. */
  outputId?: string;
}

/** A denoise checkpoint of a task: the latent after `step` steps (and the solver's history for multistep solvers). */
export interface Checkpoint extends LatentCheckpoint {
  taskId: string;
}

export function newTask(request: TaskRequest, opts: { id: string; rank: number; now: number; media?: Record<string, Blob> }): Task {
  return { version: TASK_RECORD_VERSION, id: opts.id, rank: opts.rank, createdAt: opts.now, request, status: 'pending', step: 0, attempts: [], ...(opts.media ? { media: opts.media } : {}) };
}

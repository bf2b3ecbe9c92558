/**
 * Queue task records: what the queue store persists (versioned), plus the per-task snapshot of
 * output settings taken when a task starts (the seeds' MetadataState / MediaPersistenceContext).
 */
import { mattingFrameCount, type MattingRequest } from '../matting/request';
import type { LatentCheckpoint } from '../pipeline/generate';
import type { TaskRequest } from '../request';

/** What a task runs: a generation (records without `kind`, as before) or a matting run. */
export type TaskInput = TaskRequest | MattingRequest;

export function isMatting(r: TaskInput): r is MattingRequest {
  return 'kind' in r && r.kind === 'matting';
}

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
  request: TaskInput;
  status: TaskStatus;
  /** Progress of the current/last attempt: denoise step, or frames matted for a matting task. */
  step: number;
  /** Input media by role (e.g. image_start; video_source and image_mask for matting), kept with the task. */
  media?: Record<string, Blob>;
  snapshot?: OutputSnapshot;
  attempts: Attempt[];
  /** Last error message (failed tasks). */
  error?: string;
  /** Whether Retry makes sense (storage-full, device-lost, …). */
  retryable?: boolean;
  /** The enhanced prompt, stored once the enhance stage ends: a resumed or retried task does not enhance again. */
  enhancedPrompt?: string;
  /** What the enhanced prompt was made from (engine/enhancer/enhancement-key.ts): it is reused only while the inputs give the same key. */
  enhancedFor?: string;
  /** Output record id of a done task. */
  outputId?: string;
}

/** A denoise checkpoint of a task: the latent after `step` steps (and the solver's history for multistep solvers). */
export interface Checkpoint extends LatentCheckpoint {
  taskId: string;
}

export function newTask(
  request: TaskInput,
  opts: { id: string; rank: number; now: number; media?: Record<string, Blob> },
): Task {
  return {
    version: TASK_RECORD_VERSION,
    id: opts.id,
    rank: opts.rank,
    createdAt: opts.now,
    request,
    status: 'pending',
    step: 0,
    attempts: [],
    ...(opts.media ? { media: opts.media } : {}),
  };
}

/** A short title for queue rows and alerts: the prompt, or "Matting <video>". */
export function taskTitle(t: Pick<Task, 'request'>): string {
  return isMatting(t.request) ? `Matting ${t.request.videoName}` : t.request.prompt;
}

/** What `step` counts to: denoise steps, or the frames of a matting run. */
export function taskTotal(t: Pick<Task, 'request'>): number {
  return isMatting(t.request) ? mattingFrameCount(t.request) : t.request.steps;
}

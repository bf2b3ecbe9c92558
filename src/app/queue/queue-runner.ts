/**
 * The queue runner: lives only in the tab that holds the runner lock. It applies commands (its
 * own tab's and other tabs'), persists each transition, drains tasks one at a time, forwards
 * pause/resume/abort to the engine job at step boundaries, checkpoints every step, resumes an
 * interrupted task from its checkpoint, and appends a run-history record per finished run.
 */
import { errorCode, isAbortError } from '../../engine/errors';
import { type Artifact, RUN_RECORD_VERSION, type RunRecord, settingsHash } from '../../engine/queue/history';
import type { QueueBroadcast } from '../../engine/queue/protocol';
import type { OutputSnapshot, Task } from '../../engine/queue/task';
import {
  activeTask,
  applyCommand,
  applyRunnerEvent,
  nextRunnable,
  type QueueCommand,
  type QueueState,
  type RunnerEvent,
  type Transition,
} from '../../engine/queue/transitions';
import type { Progress } from '../../engine/progress';
import { appendRun } from '../../storage/history-store';
import { findOutputOfTask, type OutputRecord, saveOutput } from '../../storage/outputs-store';
import { loadEnhancerSettings } from '../../storage/enhancer-settings-store';
import { loadCheckpoint, saveCheckpoint, saveTransition } from '../../storage/queue-store';
import type { AppSettings } from '../../storage/settings-store';
import { pauseJob, resumeJob } from '../bridges/engine-bridge';
import { keepAwake, notifyDrained } from './attention';
import { PauseGate } from '../../engine/pause-gate';
import { serialQueue } from '../../engine/serial';
import { runTask } from './run-task';

/** What the runner needs from the tab it lives in. */
export interface RunnerHost {
  readonly state: QueueState;
  setState(s: QueueState): void;
  broadcast(m: QueueBroadcast): void;
  setProgress(taskId: string, p: Progress | undefined): void;
  settings(): AppSettings;
  snapshot(): OutputSnapshot;
  onOutput(record: OutputRecord, backendReason: string): void;
  onError(message: string): void;
}

interface Job {
  taskId: string;
  jobId: string;
  abort: AbortController;
  /** Pauses a matting loop between frames (generation pauses inside the engine). */
  gate: PauseGate;
}

const FINISHED = new Set(['done', 'failed', 'aborted']);

/** How a run ended, for its history record. */
type Outcome = Pick<RunRecord, 'status' | 'error' | 'transfers' | 'ortBuild'> & { artifacts: Artifact[] };

export class QueueRunner {
  private job: Job | undefined;
  /** Store writes, one after another in the order the state changed. */
  private readonly writes = serialQueue();
  private draining = false;
  private broadcastQueued = false;
  /** Called with the task after each runner event that changed its status. */
  onTaskEvent: (task: Task) => void = () => {};

  constructor(private readonly host: RunnerHost) {}

  /** Applies a user command from any tab and reacts: pause/resume/cancel the job, start work. */
  command(cmd: QueueCommand): void {
    this.commit(applyCommand(this.host.state, cmd, Date.now()));
    const job = this.job;
    if (job) {
      const task = this.host.state.tasks.find((t) => t.id === job.taskId);
      if (!task || task.status === 'aborted') job.abort.abort();
      else if (task.status === 'paused') {
        job.gate.pause();
        void pauseJob(job.jobId);
      } else if (task.status === 'running' && cmd.kind === 'resume') {
        job.gate.resume();
        void resumeJob(job.jobId);
      }
    }
    void this.drain();
  }

  /** Sends the full state to every tab (coalesced to one message per task turn). */
  announce(): void {
    if (this.broadcastQueued) return;
    this.broadcastQueued = true;
    queueMicrotask(() => {
      this.broadcastQueued = false;
      this.host.broadcast({ v: 1, type: 'state', runnerId: RUNNER_ID, state: this.host.state });
    });
  }

  /** Runs tasks until none is runnable (queue empty, all finished, or paused). */
  async drain(): Promise<void> {
    if (this.draining) return;
    this.draining = true;
    let ran = false;
    try {
      for (let t = nextRunnable(this.host.state); t; t = nextRunnable(this.host.state)) {
        keepAwake(true);
        ran = true;
        await this.run(t);
      }
    } finally {
      this.draining = false;
      keepAwake(false);
    }
    const s = this.host.state;
    if (ran && !s.paused && !activeTask(s) && !s.tasks.some((t) => t.status === 'pending')) {
      notifyDrained(
        s.tasks.filter((t) => t.status === 'done').length,
        s.tasks.filter((t) => t.status === 'failed' || t.status === 'aborted').length,
      );
    }
  }

  private commit(t: Transition, announce = true, write = saveTransition): void {
    const known = new Set(this.host.state.tasks.map((x) => x.id));
    this.host.setState(t.state);
    void this.writes(() => write(t)).catch((err: Error) => {
      // A task the store refused (storage full) was never queued: take it off the list again.
      const refused = new Set(t.changed.filter((x) => !known.has(x.id)).map((x) => x.id));
      const s = this.host.state;
      if (refused.size) {
        this.host.setState({
          ...s,
          tasks: s.tasks.filter((x) => !refused.has(x.id) || x.status !== 'pending'),
        });
        this.announce();
      }
      this.host.onError(
        `The queue could not be saved: ${err.message}${refused.size ? ` The task${refused.size === 1 ? ' was' : 's were'} not added.` : ''}`,
      );
    });
    if (announce) this.announce();
  }

  private event(
    ev: RunnerEvent,
    announce = true,
    write = saveTransition,
    now = Date.now(),
  ): Task | undefined {
    const before = this.host.state.tasks.find((t) => t.id === ev.id)?.status;
    this.commit(applyRunnerEvent(this.host.state, ev, now), announce, write);
    const task = this.host.state.tasks.find((t) => t.id === ev.id);
    if (task && task.status !== before) this.onTaskEvent(task);
    return task;
  }

  /**
   * Saves a task's output and marks the task done in ONE transaction, after the queue's earlier
   * writes: a crash keeps both or neither. A failed save (storage full) rejects, so the task fails.
   */
  private saveDone(id: string, record: OutputRecord): Promise<void> {
    const ev: RunnerEvent = { kind: 'done', id, outputId: record.id };
    const now = Date.now();
    return this.writes(async () => {
      await saveOutput(record, applyRunnerEvent(this.host.state, ev, now));
      this.event(ev, true, async () => {}, now); // already on disk
    });
  }

  private async run(task: Task): Promise<void> {
    const resuming = task.status === 'running' || task.status === 'paused';
    const checkpoint = resuming ? await loadCheckpoint(task.id).catch(() => undefined) : undefined;
    if (resuming) this.event({ kind: 'interrupted', id: task.id });
    const saved = resuming ? await findOutputOfTask(task.id).catch(() => undefined) : undefined;
    if (saved) {
      // The last runner saved the output but closed before marking the task done.
      this.event({ kind: 'done', id: task.id, outputId: saved.id });
      return;
    }
    const fromStep = checkpoint?.step ?? 0;
    const started = this.event({ kind: 'start', id: task.id, snapshot: this.host.snapshot(), fromStep });
    if (!started || FINISHED.has(started.status)) return;
    const job: Job = {
      taskId: task.id,
      jobId: `${task.id}#${started.attempts.length}`,
      abort: new AbortController(),
      gate: new PauseGate(),
    };
    this.job = job;
    this.host.setProgress(task.id, undefined);
    if (started.status === 'paused') {
      job.gate.pause();
      void pauseJob(job.jobId);
    }
    const startedAt = Date.now();
    const { backend, encoder } = this.host.settings();
    let outcome: Outcome;
    try {
      const res = await runTask(started, started.snapshot ?? this.host.snapshot(), {
        jobId: job.jobId,
        backend,
        encoder,
        signal: job.abort.signal,
        resumeFrom: checkpoint,
        gate: job.gate,
        onProgress: (p) => {
          this.host.setProgress(task.id, p);
          this.host.broadcast({ v: 1, type: 'progress', taskId: task.id, progress: p });
          if (p.stage === 'denoise') this.event({ kind: 'step', id: task.id, step: p.step }, false);
          // A matting frame updates the shown state only: the task record holds the source video
          // (rewriting it per frame would copy the video each time), and a restart begins at frame 0.
          else if (p.stage === 'matting')
            this.host.setState(
              applyRunnerEvent(this.host.state, { kind: 'step', id: task.id, step: p.frame }, Date.now())
                .state,
            );
        },
        onCheckpoint: (cp) => saveCheckpoint({ taskId: task.id, ...cp }),
        enhancer: {
          settings: await loadEnhancerSettings(),
          onEnhanced: (prompt, key) =>
            this.event(
              { kind: 'enhanced', id: task.id, prompt, ...(key !== undefined ? { key } : {}) },
              false,
            ),
        },
        save: (record) => this.saveDone(task.id, record),
      });
      this.host.onOutput(res.record, res.backendReason);
      outcome = {
        status: 'done',
        artifacts: res.artifacts,
        ...(res.transfers ? { transfers: res.transfers } : {}),
        ...(res.ortBuild ? { ortBuild: res.ortBuild } : {}),
      };
    } catch (err) {
      this.host.setProgress(task.id, undefined);
      if (isAbortError(err)) {
        this.event({ kind: 'aborted', id: task.id });
        outcome = { status: 'aborted', artifacts: [] };
      } else {
        const message = (err as Error).message;
        this.event({
          kind: 'failed',
          id: task.id,
          error: message,
          retryable: errorCode(err) !== 'invalid-request',
        });
        outcome = { status: 'failed', error: message, artifacts: [] };
      }
    } finally {
      this.job = undefined;
    }
    await this.record(started, job.jobId, startedAt, fromStep, outcome);
  }

  private async record(
    task: Task,
    runId: string,
    startedAt: number,
    fromStep: number,
    o: Outcome,
  ): Promise<void> {
    try {
      await appendRun({
        version: RUN_RECORD_VERSION,
        runId,
        taskId: task.id,
        startedAt,
        endedAt: Date.now(),
        status: o.status,
        ...(o.error ? { error: o.error } : {}),
        settingsHash: await settingsHash(task.request),
        request: task.request,
        fromStep,
        artifacts: o.artifacts,
        ...(o.transfers ? { transfers: o.transfers } : {}),
        ...(o.ortBuild ? { ortBuild: o.ortBuild } : {}),
      });
    } catch (err) {
      this.host.onError(`The run history could not be saved: ${(err as Error).message}`);
    }
  }
}

/** Identifies this tab in state broadcasts. */
export const RUNNER_ID = crypto.randomUUID();

/**
 * Queue state as every tab sees it: the task list (from IndexedDB, then live from the runner's
 * broadcasts), the active task's progress, and the commands the Queue region sends. The tab
 * holding the runner lock also hosts the QueueRunner; other tabs forward commands to it.
 */
import type { PreviewFrame } from '../../engine/pipeline/preview';
import type { Progress } from '../../engine/progress';
import {
  type QueueBroadcast,
  queueStatus,
  type QueueMessage,
  type QueueRequest,
} from '../../engine/queue/protocol';
import { type OutputSnapshot, type Task, type TaskInput, taskTitle } from '../../engine/queue/task';
import {
  activeTask,
  applyRunnerEvent,
  emptyQueue,
  type QueueCommand,
  type QueueState,
} from '../../engine/queue/transitions';
import type { OutputRecord } from '../../storage/outputs-store';
import { loadQueue } from '../../storage/queue-store';
import type { AppSettings } from '../../storage/settings-store';
import { askToNotify } from '../queue/attention';
import { holdRunnerLock, QueueChannel } from '../queue/queue-channel';
import { readQueueFile } from '../queue/queue-files';
import { QueueRunner } from '../queue/queue-runner';
import type { GalleryItem, GalleryState } from './gallery.svelte';

export class QueueModel {
  state = $state.raw<QueueState>(emptyQueue());
  /** Progress of the active task (any tab). */
  progress = $state.raw<Progress | undefined>(undefined);
  /** The latest live preview of the active task's latent. */
  preview = $state.raw<PreviewFrame | undefined>(undefined);
  isRunner = $state(false);
  /** The output this tab saw finish last (plays in the progress area). */
  latest = $state.raw<GalleryItem | undefined>(undefined);
  backendInfo = $state('');
  error = $state('');
  /** The last task failure this tab saw happen (shown as an alert until the next run starts). */
  failure = $state('');
  /** Outcome of the last queue import (per-task problems listed). */
  importNotice = $state.raw<{ ok: boolean; text: string; problems: string[] } | undefined>(undefined);
  private channel: QueueChannel | undefined;
  private runner: QueueRunner | undefined;

  constructor(
    private readonly gallery: GalleryState,
    private readonly appSettings: () => AppSettings,
  ) {}

  get active() {
    return activeTask(this.state);
  }

  /** Loads the persisted queue, joins the channel and queues for the runner lock. */
  async init(): Promise<void> {
    const t0 = performance.now();
    try {
      this.state = await loadQueue();
    } catch (err) {
      this.error = `Could not read the saved queue: ${(err as Error).message}`;
    }
    performance.measure('webgp-queue-loaded', { start: t0 });
    this.channel = new QueueChannel((m) => this.receive(m));
    this.channel.post({ v: 1, type: 'sync' });
    holdRunnerLock(() => void this.becomeRunner());
  }

  /** Adds a task (it starts at once when the queue is idle); returns its id. `enhanced`: a loaded enhanced prompt and its key, reused while the task's inputs match. */
  add(request: TaskInput, media?: Record<string, Blob>, enhanced?: { prompt: string; key?: string }): string {
    askToNotify();
    const id = crypto.randomUUID();
    this.send({
      kind: 'add',
      id,
      request,
      ...(media ? { media } : {}),
      ...(enhanced !== undefined ? { enhancedPrompt: enhanced.prompt } : {}),
      ...(enhanced?.key !== undefined ? { enhancedFor: enhanced.key } : {}),
    });
    return id;
  }

  /** Imports a queue.zip: every valid task is added; each invalid one is reported. */
  async importFile(file: File): Promise<void> {
    try {
      const { items, errors } = await readQueueFile(file);
      for (const it of items)
        this.send({
          kind: 'add',
          id: crypto.randomUUID(),
          request: it.request,
          ...(it.media ? { media: it.media } : {}),
        });
      const text = `Imported ${items.length} task${items.length === 1 ? '' : 's'} from ${file.name}.${errors.length ? ` ${errors.length} could not be imported:` : ''}`;
      this.importNotice = { ok: errors.length === 0, text, problems: errors.map((e) => e.message) };
    } catch (err) {
      this.importNotice = { ok: false, text: (err as Error).message, problems: [] };
    }
  }

  send(cmd: QueueCommand): void {
    if (this.runner) return this.runner.command(cmd);
    const simple = cmd.kind === 'pause' || cmd.kind === 'resume' || cmd.kind === 'abort';
    this.channel?.post(simple ? ({ v: 1, type: cmd.kind } as QueueRequest) : { v: 1, type: 'command', cmd });
  }

  private async becomeRunner(): Promise<void> {
    // The previous runner (if any) is gone: the store holds its last committed state.
    try {
      this.state = await loadQueue();
    } catch (err) {
      this.error = `Could not read the saved queue: ${(err as Error).message}`;
    }
    // eslint-disable-next-line @typescript-eslint/no-this-alias -- the host's `state` getter must read the live field
    const model = this;
    this.runner = new QueueRunner({
      get state() {
        return model.state;
      },
      setState: (s) => (this.state = s),
      broadcast: (m) => this.channel?.post(m),
      setProgress: (_id, p) => this.showProgress(p),
      settings: this.appSettings,
      snapshot: (): OutputSnapshot => {
        const a = this.appSettings();
        return {
          metadataMode: a.metadataMode,
          embedSourceImages: a.embedSourceImages,
          namingTemplate: a.nameTemplate,
        };
      },
      onOutput: (record, reason) => this.onOutput(record, reason),
      onError: (message) => (this.error = message),
    });
    this.runner.onTaskEvent = (task) => this.noteOutcome(task);
    this.isRunner = true;
    this.runner.announce();
    void this.runner.drain();
  }

  /** Previews go to their own slot so the progress text keeps showing the step. */
  private showProgress(p: Progress | undefined): void {
    if (p?.stage === 'preview') {
      this.preview = p;
      return;
    }
    if (!p) this.preview = undefined;
    this.progress = p;
  }

  /** Keeps the alert in step with the latest task outcome: a failure shows, a new run clears it. */
  private noteOutcome(task: Task): void {
    if (task.status === 'failed')
      this.failure = `Task "${taskTitle(task).slice(0, 60)}" failed: ${task.error ?? 'unknown error'}`;
    else if (task.status === 'running') this.failure = '';
  }

  private onOutput(record: OutputRecord, backendReason: string): void {
    this.latest = this.gallery.add(record);
    this.backendInfo = backendReason;
  }

  private receive(m: QueueMessage): void {
    if (this.runner) return this.serve(m);
    this.follow(m);
  }

  /** Runner side: requests from other tabs and pages. */
  private serve(m: QueueMessage): void {
    const runner = this.runner as QueueRunner;
    switch (m.type) {
      case 'pause':
      case 'resume':
      case 'abort':
        return runner.command({ kind: m.type });
      case 'command':
        return runner.command(m.cmd);
      case 'sync':
        return runner.announce();
      case 'status':
        return this.channel?.post({
          v: 1,
          type: 'status-reply',
          requestId: m.requestId,
          status: queueStatus(this.state),
        });
    }
  }

  /** Follower side: mirror the runner's state and progress. */
  private follow(m: QueueBroadcast | QueueRequest): void {
    if (m.type === 'state') {
      // eslint-disable-next-line svelte/prefer-svelte-reactivity -- a local lookup table, not state
      const before = new Map(this.state.tasks.map((t) => [t.id, t.status]));
      for (const t of m.state.tasks) if (before.get(t.id) !== t.status) this.noteOutcome(t);
      // eslint-disable-next-line svelte/prefer-svelte-reactivity -- a local lookup table, not state
      const shown = new Set(this.gallery.items.map((i) => i.record.id));
      const newlyDone = m.state.tasks.some(
        (t) => t.status === 'done' && t.outputId && !shown.has(t.outputId),
      );
      this.state = m.state;
      if (newlyDone) void this.gallery.load();
      if (!activeTask(m.state) && this.progress?.stage !== 'done') this.progress = undefined;
    } else if (m.type === 'progress') {
      this.showProgress(m.progress);
      const step =
        m.progress.stage === 'denoise'
          ? m.progress.step
          : m.progress.stage === 'matting'
            ? m.progress.frame
            : undefined;
      if (step !== undefined)
        this.state = applyRunnerEvent(this.state, { kind: 'step', id: m.taskId, step }, Date.now()).state;
    }
  }
}

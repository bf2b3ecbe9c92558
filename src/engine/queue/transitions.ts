/**
 * Pure queue state transitions (the seeds' QueueController rules without I/O): user commands
 * (add, remove, reorder, edit, duplicate, retry, clear, pause, resume, abort) and runner events
 * (start, step, done, failed, aborted, interrupted). Each returns the next state plus which
 * records changed, so the store writes only those.
 */
import type { TaskRequest } from '../request';
import { type Attempt, isMatting, newTask, type OutputSnapshot, type Task, type TaskInput } from './task';

export interface QueueState {
  /** In queue order (ascending rank). */
  tasks: Task[];
  paused: boolean;
}

export type QueueCommand =
  | {
      kind: 'add';
      id: string;
      request: TaskInput;
      media?: Record<string, Blob>;
      /** An enhanced prompt reused from loaded settings: the task does not enhance again. */
      enhancedPrompt?: string;
      /** Its key (enhancement-key.ts), when the loaded settings had one. */
      enhancedFor?: string;
    }
  | { kind: 'remove'; id: string }
  | { kind: 'move'; id: string; delta: -1 | 1 }
  | { kind: 'edit'; id: string; request: TaskRequest }
  | { kind: 'duplicate'; id: string; newId: string }
  | { kind: 'retry'; id: string }
  | { kind: 'clear' }
  | { kind: 'pause' }
  | { kind: 'resume' }
  | { kind: 'abort' };

export type RunnerEvent =
  | { kind: 'start'; id: string; snapshot: OutputSnapshot; fromStep: number }
  | { kind: 'step'; id: string; step: number }
  /** The enhance stage finished: the task keeps the enhanced prompt (never enhanced again). */
  | { kind: 'enhanced'; id: string; prompt: string; key?: string }
  | { kind: 'done'; id: string; outputId: string }
  | { kind: 'failed'; id: string; error: string; retryable: boolean }
  | { kind: 'aborted'; id: string }
  /** The runner found a task left running by a closed/crashed tab. */
  | { kind: 'interrupted'; id: string };

export interface Transition {
  state: QueueState;
  /** Records to write (new or changed). */
  changed: Task[];
  /** Record ids to delete. */
  removed: string[];
  /** Whether `paused` changed. */
  pausedChanged: boolean;
}

export const emptyQueue = (): QueueState => ({ tasks: [], paused: false });

/** The task the runner is working on (running, or paused mid-run), if any. */
export function activeTask(s: QueueState): Task | undefined {
  return s.tasks.find((t) => t.status === 'running' || t.status === 'paused');
}

/** What the runner should run next: the active task first, then the first pending one; none while paused. */
export function nextRunnable(s: QueueState): Task | undefined {
  if (s.paused) return undefined;
  return activeTask(s) ?? s.tasks.find((t) => t.status === 'pending');
}

const isActive = (t: Task) => t.status === 'running' || t.status === 'paused';

function result(
  prev: QueueState,
  tasks: Task[],
  changed: Task[],
  removed: string[] = [],
  paused = prev.paused,
): Transition {
  return { state: { tasks, paused }, changed, removed, pausedChanged: paused !== prev.paused };
}

function replace(s: QueueState, next: Task): Transition {
  return result(
    s,
    s.tasks.map((t) => (t.id === next.id ? next : t)),
    [next],
  );
}

function endAttempt(t: Task, now: number, outcome: Attempt['outcome'], error?: string): Attempt[] {
  const last = t.attempts.at(-1);
  if (!last || last.endedAt !== undefined) return t.attempts;
  return [...t.attempts.slice(0, -1), { ...last, endedAt: now, outcome, ...(error ? { error } : {}) }];
}

const unchanged = (s: QueueState): Transition => result(s, s.tasks, []);

/** Gives `tasks` (already in order) ranks 1..n; every record whose rank changed is written. */
function renumber(s: QueueState, tasks: Task[]): Transition {
  const changed: Task[] = [];
  const next = tasks.map((t, i) => {
    if (t.rank === i + 1 && s.tasks.includes(t)) return t;
    const r = { ...t, rank: i + 1 };
    changed.push(r);
    return r;
  });
  return result(s, next, changed);
}

/** Pauses/resumes the queue; the active task follows (running ⇄ paused at its next step boundary). */
function setPaused(s: QueueState, paused: boolean): Transition {
  const active = activeTask(s);
  const from = paused ? 'running' : 'paused';
  if (active?.status !== from) return result(s, s.tasks, [], [], paused);
  const t: Task = { ...active, status: paused ? 'paused' : 'running' };
  return result(
    s,
    s.tasks.map((x) => (x.id === t.id ? t : x)),
    [t],
    [],
    paused,
  );
}

/** Applies a user command. Unknown ids and commands that do not apply leave the state as it was. */
export function applyCommand(s: QueueState, cmd: QueueCommand, now: number): Transition {
  const index = 'id' in cmd ? s.tasks.findIndex((t) => t.id === cmd.id) : -1;
  const task = s.tasks[index];
  switch (cmd.kind) {
    case 'add': {
      if (s.tasks.some((t) => t.id === cmd.id)) return unchanged(s);
      const rank = (s.tasks.at(-1)?.rank ?? 0) + 1;
      const t = newTask(cmd.request, { id: cmd.id, rank, now, ...(cmd.media ? { media: cmd.media } : {}) });
      if (cmd.enhancedPrompt !== undefined && !isMatting(cmd.request)) {
        t.enhancedPrompt = cmd.enhancedPrompt;
        if (cmd.enhancedFor !== undefined) t.enhancedFor = cmd.enhancedFor;
      }
      return result(s, [...s.tasks, t], [t]);
    }
    case 'remove':
      if (!task) return unchanged(s);
      return result(
        s,
        s.tasks.filter((t) => t.id !== cmd.id),
        [],
        [cmd.id],
      );
    case 'move': {
      const other = s.tasks[index + cmd.delta];
      if (!task || !other) return unchanged(s);
      const a = { ...task, rank: other.rank };
      const b = { ...other, rank: task.rank };
      const tasks = [...s.tasks];
      tasks[index] = b;
      tasks[index + cmd.delta] = a;
      return result(s, tasks, [a, b]);
    }
    case 'edit':
      if (!task || task.status !== 'pending') return unchanged(s);
      return replace(s, withoutStaleEnhancement({ ...task, request: cmd.request }, task));
    case 'duplicate': {
      if (!task || s.tasks.some((t) => t.id === cmd.newId)) return unchanged(s);
      const after = s.tasks[index + 1];
      const rank = after ? (task.rank + after.rank) / 2 : task.rank + 1;
      const copy = newTask(task.request, {
        id: cmd.newId,
        rank,
        now,
        ...(task.media ? { media: task.media } : {}),
      });
      const tasks = [...s.tasks.slice(0, index + 1), copy, ...s.tasks.slice(index + 1)];
      // Halving the gap runs out of float precision after ~50 inserts at one spot: renumber then.
      if (after && !(rank > task.rank && rank < after.rank)) return renumber(s, tasks);
      return result(s, tasks, [copy]);
    }
    case 'retry': {
      if (!task || (task.status !== 'failed' && task.status !== 'aborted')) return unchanged(s);
      const rest = { ...task, status: 'pending' as const, step: 0 };
      delete rest.error;
      delete rest.retryable;
      return replace(s, rest);
    }
    case 'clear':
      return result(
        s,
        [],
        [],
        s.tasks.map((t) => t.id),
        s.paused,
      );
    case 'pause':
      return setPaused(s, true);
    case 'resume':
      return setPaused(s, false);
    case 'abort': {
      const active = activeTask(s);
      if (!active) return unchanged(s);
      return replace(s, { ...active, status: 'aborted', attempts: endAttempt(active, now, 'aborted') });
    }
  }
}

/** Applies a runner event. Events for tasks the user removed meanwhile are ignored. */
/** An edited task whose prompt or Enhance mode changed enhances again. */
function withoutStaleEnhancement(edited: Task, before: Task): Task {
  if (edited.enhancedPrompt === undefined || isMatting(edited.request) || isMatting(before.request))
    return edited;
  if (edited.request.prompt === before.request.prompt && edited.request.enhance === before.request.enhance)
    return edited;
  const fresh = { ...edited };
  delete fresh.enhancedPrompt;
  delete fresh.enhancedFor;
  return fresh;
}

export function applyRunnerEvent(s: QueueState, ev: RunnerEvent, now: number): Transition {
  const task = s.tasks.find((t) => t.id === ev.id);
  if (!task) return unchanged(s);
  // The user aborted it: a late outcome from the worker does not override that.
  if (task.status === 'aborted' && ev.kind !== 'start') return unchanged(s);
  switch (ev.kind) {
    case 'start': {
      if (task.status !== 'pending' && !isActive(task)) return unchanged(s);
      const status = s.paused ? 'paused' : 'running';
      return replace(s, {
        ...task,
        status,
        snapshot: task.snapshot ?? ev.snapshot,
        step: ev.fromStep,
        attempts: [...task.attempts, { startedAt: now, fromStep: ev.fromStep }],
      });
    }
    case 'step':
      return isActive(task) ? replace(s, { ...task, step: ev.step }) : unchanged(s);
    case 'enhanced':
      return isActive(task)
        ? replace(s, {
            ...task,
            enhancedPrompt: ev.prompt,
            ...(ev.key !== undefined ? { enhancedFor: ev.key } : {}),
          })
        : unchanged(s);
    case 'done':
      return replace(s, {
        ...task,
        status: 'done',
        outputId: ev.outputId,
        attempts: endAttempt(task, now, 'done'),
      });
    case 'failed':
      return replace(s, {
        ...task,
        status: 'failed',
        error: ev.error,
        retryable: ev.retryable,
        attempts: endAttempt(task, now, 'failed', ev.error),
      });
    case 'aborted':
      return replace(s, { ...task, status: 'aborted', attempts: endAttempt(task, now, 'aborted') });
    case 'interrupted':
      if (!isActive(task)) return unchanged(s);
      return replace(s, { ...task, attempts: endAttempt(task, now, 'interrupted') });
  }
}

/** Pure queue reducer (src/engine/queue/transitions.ts): user commands and runner events, checked on
 * the next state and on what the store must write (`changed`, `removed`, `pausedChanged`). */
import { describe, expect, it } from 'vitest';
import { mulberry32 } from '../../src/engine/random';
import { smallRequest } from '../helpers/requests';
import type { TaskRequest } from '../../src/engine/request';
import type { OutputSnapshot, Task } from '../../src/engine/queue/task';
import {
  activeTask,
  applyCommand,
  applyRunnerEvent,
  emptyQueue,
  nextRunnable,
  type QueueCommand,
  type QueueState,
  type RunnerEvent,
  type Transition,
} from '../../src/engine/queue/transitions';

const T0 = 1_700_000_000_000;

const req = (prompt = 'a cat on a skateboard', patch: Partial<TaskRequest> = {}): TaskRequest =>
  smallRequest('demo-t2v', { prompt, negativePrompt: 'blurry', steps: 4, guidance: 5, ...patch });

const SNAP: OutputSnapshot = {
  metadataMode: 'embedded',
  embedSourceImages: false,
  namingTemplate: '{prompt}-{seed}',
};
const OTHER_SNAP: OutputSnapshot = { metadataMode: 'none', embedSourceImages: true, namingTemplate: 'x' };

const cmd = (s: QueueState, c: QueueCommand, now = T0): Transition => applyCommand(s, c, now);
const ev = (s: QueueState, e: RunnerEvent, now = T0): Transition => applyRunnerEvent(s, e, now);

/** A queue holding one pending task per id, added at T0, T0+1, … */
function queue(...ids: string[]): QueueState {
  return ids.reduce(
    (s, id, i) => cmd(s, { kind: 'add', id, request: req(`prompt ${id}`) }, T0 + i).state,
    emptyQueue(),
  );
}

function get(s: QueueState, id: string): Task {
  const t = s.tasks.find((x) => x.id === id);
  if (!t) throw new Error(`no task ${id}`);
  return t;
}

const ids = (s: QueueState) => s.tasks.map((t) => t.id);

const start = (s: QueueState, id: string, fromStep = 0, now = T0 + 100): QueueState =>
  ev(s, { kind: 'start', id, snapshot: SNAP, fromStep }, now).state;

/** Task `id` started and then failed (or aborted by the runner). */
function ended(kind: 'failed' | 'aborted', id = 'a'): QueueState {
  const s = ev(start(queue(id, 'z'), id), { kind: 'step', id, step: 2 }).state;
  const e: RunnerEvent =
    kind === 'failed' ? { kind, id, error: 'GPU device lost', retryable: true } : { kind, id };
  return ev(s, e, T0 + 200).state;
}

function expectNoop(s: QueueState, t: Transition) {
  expect(t.state).toEqual(s);
  expect(t.changed).toEqual([]);
  expect(t.removed).toEqual([]);
  expect(t.pausedChanged).toBe(false);
}

function expectRanksAscending(s: QueueState) {
  const ranks = s.tasks.map((t) => t.rank);
  for (let i = 1; i < ranks.length; i++)
    expect(ranks[i], `rank of task ${i} (${ids(s)[i]})`).toBeGreaterThan(ranks[i - 1] ?? Infinity);
}

describe('add and nextRunnable', () => {
  it('appends pending tasks at step 0 with increasing rank', () => {
    const t1 = cmd(emptyQueue(), { kind: 'add', id: 'a', request: req('one') }, T0);
    expect(t1.changed).toEqual([get(t1.state, 'a')]);
    expect(t1.removed).toEqual([]);
    expect(t1.pausedChanged).toBe(false);
    const a = get(t1.state, 'a');
    expect(a).toMatchObject({
      version: 1,
      id: 'a',
      status: 'pending',
      step: 0,
      createdAt: T0,
      attempts: [],
      request: req('one'),
    });
    expect(a).not.toHaveProperty('media');

    const s = cmd(
      cmd(t1.state, { kind: 'add', id: 'b', request: req('two') }, T0 + 5).state,
      { kind: 'add', id: 'c', request: req('three') },
      T0 + 9,
    ).state;
    expect(ids(s)).toEqual(['a', 'b', 'c']);
    expect(get(s, 'c').createdAt).toBe(T0 + 9);
    expect(s.tasks.every((t) => t.status === 'pending' && t.step === 0)).toBe(true);
    expectRanksAscending(s);
  });

  it('keeps the media with the task', () => {
    const media = { image_start: new Blob([new Uint8Array([1, 2, 3])], { type: 'image/png' }) };
    const s = cmd(emptyQueue(), { kind: 'add', id: 'a', request: req(), media }).state;
    expect(get(s, 'a').media).toBe(media);
  });

  it('ranks after the last task even after the first was removed', () => {
    const s = cmd(queue('a', 'b'), { kind: 'remove', id: 'a' }).state;
    const next = cmd(s, { kind: 'add', id: 'c', request: req() }).state;
    expect(ids(next)).toEqual(['b', 'c']);
    expectRanksAscending(next);
  });

  it('picks the first pending task, and none while paused or when nothing is pending', () => {
    expect(nextRunnable(emptyQueue())).toBeUndefined();
    const s = queue('a', 'b');
    expect(nextRunnable(s)?.id).toBe('a');
    expect(activeTask(s)).toBeUndefined();
    expect(nextRunnable(cmd(s, { kind: 'pause' }).state)).toBeUndefined();

    const aDone = ev(start(s, 'a'), { kind: 'done', id: 'a', outputId: 'out-a' }).state;
    expect(nextRunnable(aDone)?.id).toBe('b');
    const bothDone = ev(start(aDone, 'b'), { kind: 'done', id: 'b', outputId: 'out-b' }).state;
    expect(nextRunnable(bothDone)).toBeUndefined();
  });

  it('prefers the active task over an earlier pending one', () => {
    const s = start(queue('a', 'b'), 'b');
    expect(activeTask(s)?.id).toBe('b');
    expect(nextRunnable(s)?.id).toBe('b');
  });
});

describe('move', () => {
  it('moves a task down: swaps order and ranks, writes both records', () => {
    const s = queue('a', 'b', 'c');
    const [ra, rb] = [get(s, 'a').rank, get(s, 'b').rank];
    const t = cmd(s, { kind: 'move', id: 'a', delta: 1 });
    expect(ids(t.state)).toEqual(['b', 'a', 'c']);
    expect(get(t.state, 'a').rank).toBe(rb);
    expect(get(t.state, 'b').rank).toBe(ra);
    expect(get(t.state, 'c')).toBe(get(s, 'c'));
    expect(t.changed).toHaveLength(2);
    expect(t.changed).toEqual(expect.arrayContaining([get(t.state, 'a'), get(t.state, 'b')]));
    expect(t.removed).toEqual([]);
    expect(t.pausedChanged).toBe(false);
    expectRanksAscending(t.state);
  });

  it('moves a task up', () => {
    const s = queue('a', 'b', 'c');
    const t = cmd(s, { kind: 'move', id: 'c', delta: -1 });
    expect(ids(t.state)).toEqual(['a', 'c', 'b']);
    expect(t.changed.map((x) => x.id).sort()).toEqual(['b', 'c']);
    expect(get(t.state, 'c').rank).toBe(get(s, 'b').rank);
    expectRanksAscending(t.state);
  });

  it('is a no-op for the first task up, the last task down, and unknown ids', () => {
    const s = queue('a', 'b', 'c');
    expectNoop(s, cmd(s, { kind: 'move', id: 'a', delta: -1 }));
    expectNoop(s, cmd(s, { kind: 'move', id: 'c', delta: 1 }));
    expectNoop(s, cmd(s, { kind: 'move', id: 'nope', delta: 1 }));
    expectNoop(s, cmd(s, { kind: 'move', id: 'nope', delta: -1 }));
  });

  it('moving down then up restores the original state', () => {
    const s = queue('a', 'b', 'c');
    const back = cmd(cmd(s, { kind: 'move', id: 'b', delta: 1 }).state, {
      kind: 'move',
      id: 'b',
      delta: -1,
    }).state;
    expect(back).toEqual(s);
  });
});

describe('duplicate', () => {
  it('inserts a pending copy right after the original, ranked strictly between neighbours', () => {
    const s = start(queue('a', 'b', 'c'), 'b');
    const t = cmd(s, { kind: 'duplicate', id: 'b', newId: 'b2' }, T0 + 50);
    expect(ids(t.state)).toEqual(['a', 'b', 'b2', 'c']);
    const copy = get(t.state, 'b2');
    expect(copy.rank).toBeGreaterThan(get(s, 'b').rank);
    expect(copy.rank).toBeLessThan(get(s, 'c').rank);
    expect(copy).toMatchObject({
      id: 'b2',
      status: 'pending',
      step: 0,
      attempts: [],
      createdAt: T0 + 50,
      request: get(s, 'b').request,
    });
    expect(copy).not.toHaveProperty('snapshot');
    expect(t.changed).toEqual([copy]);
    expect(t.removed).toEqual([]);
    expect(t.pausedChanged).toBe(false);
    // The original (running) is untouched.
    expect(get(t.state, 'b')).toBe(get(s, 'b'));
    expectRanksAscending(t.state);
  });

  it('duplicates the last task after it', () => {
    const s = queue('a', 'b');
    const t = cmd(s, { kind: 'duplicate', id: 'b', newId: 'b2' });
    expect(ids(t.state)).toEqual(['a', 'b', 'b2']);
    expect(get(t.state, 'b2').rank).toBeGreaterThan(get(s, 'b').rank);
    expectRanksAscending(t.state);
  });

  it('duplicates a done task as pending and carries its media', () => {
    const media = { image_start: new Blob(['x']) };
    let s = cmd(emptyQueue(), { kind: 'add', id: 'a', request: req(), media }).state;
    s = ev(start(s, 'a'), { kind: 'done', id: 'a', outputId: 'out' }).state;
    const copy = get(cmd(s, { kind: 'duplicate', id: 'a', newId: 'a2' }).state, 'a2');
    expect(copy.status).toBe('pending');
    expect(copy.media).toBe(media);
    expect(copy).not.toHaveProperty('outputId');
  });

  it('is a no-op for an unknown id', () => {
    const s = queue('a');
    expectNoop(s, cmd(s, { kind: 'duplicate', id: 'nope', newId: 'x' }));
  });

  it('keeps ranks strictly between neighbours over repeated duplicates of one task', () => {
    let s = queue('a', 'b');
    for (let i = 0; i < 20; i++) s = cmd(s, { kind: 'duplicate', id: 'a', newId: `a${i}` }).state;
    expect(ids(s)[0]).toBe('a');
    expect(ids(s)[1]).toBe('a19');
    expect(ids(s).at(-1)).toBe('b');
    expectRanksAscending(s);
  });

  // Each duplicate takes the midpoint of the gap after the original, halving it; after ~53 the
  // midpoint rounds onto a neighbour, so the reducer must renumber (the store sorts by rank).
  it('keeps ranks distinct after 60 duplicates of the same task', () => {
    let s = queue('a', 'b');
    for (let i = 0; i < 60; i++) s = cmd(s, { kind: 'duplicate', id: 'a', newId: `a${i}` }).state;
    expectRanksAscending(s);
    expect(new Set(s.tasks.map((t) => t.rank)).size).toBe(s.tasks.length);
  });
});

describe('edit', () => {
  it('replaces the request of a pending task', () => {
    const s = queue('a', 'b');
    const edited = req('a new prompt', { seed: 7, steps: 8 });
    const t = cmd(s, { kind: 'edit', id: 'b', request: edited });
    expect(get(t.state, 'b').request).toEqual(edited);
    expect(get(t.state, 'b').rank).toBe(get(s, 'b').rank);
    expect(get(t.state, 'b').status).toBe('pending');
    expect(t.changed).toEqual([get(t.state, 'b')]);
    expect(get(t.state, 'a')).toBe(get(s, 'a'));
    expect(ids(t.state)).toEqual(['a', 'b']);
  });

  it('leaves running, paused, done, failed and aborted tasks unchanged', () => {
    const edited = req('edited');
    const running = start(queue('a'), 'a');
    expectNoop(running, cmd(running, { kind: 'edit', id: 'a', request: edited }));
    const paused = cmd(running, { kind: 'pause' }).state;
    expectNoop(paused, cmd(paused, { kind: 'edit', id: 'a', request: edited }));
    const done = ev(running, { kind: 'done', id: 'a', outputId: 'o' }).state;
    expectNoop(done, cmd(done, { kind: 'edit', id: 'a', request: edited }));
    for (const kind of ['failed', 'aborted'] as const) {
      const s = ended(kind);
      expectNoop(s, cmd(s, { kind: 'edit', id: 'a', request: edited }));
    }
    const s = queue('a');
    expectNoop(s, cmd(s, { kind: 'edit', id: 'nope', request: edited }));
  });
});

describe('retry', () => {
  it.each(['failed', 'aborted'] as const)(
    'puts a %s task back to pending with step 0 and no error',
    (kind) => {
      const s = ended(kind);
      const before = get(s, 'a');
      expect(before.step).toBe(2);
      if (kind === 'failed') expect(before).toMatchObject({ error: 'GPU device lost', retryable: true });
      const t = cmd(s, { kind: 'retry', id: 'a' });
      const a = get(t.state, 'a');
      expect(a.status).toBe('pending');
      expect(a.step).toBe(0);
      expect(a).not.toHaveProperty('error');
      expect(a).not.toHaveProperty('retryable');
      // History of attempts and queue position are kept.
      expect(a.attempts).toEqual(before.attempts);
      expect(a.rank).toBe(before.rank);
      expect(t.changed).toEqual([a]);
      expect(t.removed).toEqual([]);
      expect(nextRunnable(t.state)?.id).toBe('a');
    },
  );

  it('is a no-op for pending, running, paused, done and unknown tasks', () => {
    const pending = queue('a');
    expectNoop(pending, cmd(pending, { kind: 'retry', id: 'a' }));
    expectNoop(pending, cmd(pending, { kind: 'retry', id: 'nope' }));
    const running = start(pending, 'a');
    expectNoop(running, cmd(running, { kind: 'retry', id: 'a' }));
    const paused = cmd(running, { kind: 'pause' }).state;
    expectNoop(paused, cmd(paused, { kind: 'retry', id: 'a' }));
    const done = ev(running, { kind: 'done', id: 'a', outputId: 'o' }).state;
    expectNoop(done, cmd(done, { kind: 'retry', id: 'a' }));
  });
});

describe('remove and clear', () => {
  it('removes a task and reports its id', () => {
    const s = queue('a', 'b', 'c');
    const t = cmd(s, { kind: 'remove', id: 'b' });
    expect(ids(t.state)).toEqual(['a', 'c']);
    expect(t.removed).toEqual(['b']);
    expect(t.changed).toEqual([]);
    expect(t.pausedChanged).toBe(false);
  });

  it('removes the running task, after which nothing is active', () => {
    const s = start(queue('a', 'b'), 'a');
    const t = cmd(s, { kind: 'remove', id: 'a' });
    expect(t.removed).toEqual(['a']);
    expect(activeTask(t.state)).toBeUndefined();
    expect(nextRunnable(t.state)?.id).toBe('b');
  });

  it('ignores an unknown id', () => {
    const s = queue('a');
    expectNoop(s, cmd(s, { kind: 'remove', id: 'nope' }));
  });

  it('clears every task and keeps the paused flag', () => {
    const s = cmd(start(queue('a', 'b', 'c'), 'a'), { kind: 'pause' }).state;
    const t = cmd(s, { kind: 'clear' });
    expect(t.state).toEqual({ tasks: [], paused: true });
    expect(t.removed).toEqual(['a', 'b', 'c']);
    expect(t.changed).toEqual([]);
    expect(t.pausedChanged).toBe(false);

    const unpaused = cmd(queue('a'), { kind: 'clear' });
    expect(unpaused.state).toEqual({ tasks: [], paused: false });
    expect(unpaused.pausedChanged).toBe(false);
    expectNoop(emptyQueue(), cmd(emptyQueue(), { kind: 'clear' }));
  });
});

describe('pause and resume', () => {
  it('pauses the running task and the queue, and resume runs it again', () => {
    const s = start(queue('a', 'b'), 'a');
    const p = cmd(s, { kind: 'pause' });
    expect(p.state.paused).toBe(true);
    expect(p.pausedChanged).toBe(true);
    expect(get(p.state, 'a').status).toBe('paused');
    expect(p.changed).toEqual([get(p.state, 'a')]);
    expect(p.removed).toEqual([]);
    expect(activeTask(p.state)?.id).toBe('a');
    expect(nextRunnable(p.state)).toBeUndefined();
    // The open attempt stays open: the run is suspended, not ended.
    expect(get(p.state, 'a').attempts).toEqual(get(s, 'a').attempts);

    const r = cmd(p.state, { kind: 'resume' });
    expect(r.state.paused).toBe(false);
    expect(r.pausedChanged).toBe(true);
    expect(get(r.state, 'a').status).toBe('running');
    expect(r.changed).toEqual([get(r.state, 'a')]);
    expect(r.state).toEqual(s);
    expect(activeTask(r.state)?.id).toBe('a');
    expect(nextRunnable(r.state)?.id).toBe('a');
  });

  it('only sets the flag when idle', () => {
    const s = queue('a');
    const p = cmd(s, { kind: 'pause' });
    expect(p.state).toEqual({ tasks: s.tasks, paused: true });
    expect(p.changed).toEqual([]);
    expect(p.pausedChanged).toBe(true);
    expect(get(p.state, 'a').status).toBe('pending');

    const r = cmd(p.state, { kind: 'resume' });
    expect(r.state).toEqual(s);
    expect(r.changed).toEqual([]);
    expect(r.pausedChanged).toBe(true);
  });

  it('pausing twice or resuming a running queue changes nothing', () => {
    const p = cmd(start(queue('a'), 'a'), { kind: 'pause' }).state;
    expectNoop(p, cmd(p, { kind: 'pause' }));
    const running = start(queue('a'), 'a');
    expectNoop(running, cmd(running, { kind: 'resume' }));
  });

  it('returns a paused task before earlier pending tasks once resumed', () => {
    // b runs while a is still pending ahead of it.
    let s = start(queue('a', 'b'), 'b');
    s = cmd(s, { kind: 'pause' }).state;
    expect(get(s, 'b').status).toBe('paused');
    expect(nextRunnable(s)).toBeUndefined();
    expect(activeTask(s)?.id).toBe('b');
    s = cmd(s, { kind: 'resume' }).state;
    expect(activeTask(s)?.id).toBe('b');
    expect(nextRunnable(s)?.id).toBe('b');
  });

  it('nextRunnable returns a paused task first when the queue flag is off', () => {
    // A task can be left paused while the queue is not (e.g. records restored from the store).
    const s = start(queue('a', 'b'), 'b');
    const leftPaused: QueueState = {
      paused: false,
      tasks: s.tasks.map((t) => (t.id === 'b' ? { ...t, status: 'paused' } : t)),
    };
    expect(activeTask(leftPaused)?.id).toBe('b');
    expect(nextRunnable(leftPaused)?.id).toBe('b');
  });
});

describe('abort', () => {
  it('aborts the running task and ends its open attempt', () => {
    const s = ev(start(queue('a', 'b'), 'a', 0, T0 + 100), { kind: 'step', id: 'a', step: 3 }).state;
    const t = cmd(s, { kind: 'abort' }, T0 + 500);
    const a = get(t.state, 'a');
    expect(a.status).toBe('aborted');
    expect(a.step).toBe(3);
    expect(a.attempts).toEqual([{ startedAt: T0 + 100, fromStep: 0, endedAt: T0 + 500, outcome: 'aborted' }]);
    expect(t.changed).toEqual([a]);
    expect(t.removed).toEqual([]);
    expect(t.pausedChanged).toBe(false);
    expect(activeTask(t.state)).toBeUndefined();
    expect(nextRunnable(t.state)?.id).toBe('b');
  });

  it('aborts a paused task and keeps the queue paused', () => {
    const s = cmd(start(queue('a', 'b'), 'a'), { kind: 'pause' }).state;
    const t = cmd(s, { kind: 'abort' }, T0 + 500);
    expect(get(t.state, 'a').status).toBe('aborted');
    expect(get(t.state, 'a').attempts.at(-1)?.outcome).toBe('aborted');
    expect(t.state.paused).toBe(true);
    expect(t.pausedChanged).toBe(false);
  });

  it('is a no-op with no active task', () => {
    expectNoop(emptyQueue(), cmd(emptyQueue(), { kind: 'abort' }));
    const s = queue('a', 'b');
    expectNoop(s, cmd(s, { kind: 'abort' }));
    const done = ev(start(s, 'a'), { kind: 'done', id: 'a', outputId: 'o' }).state;
    expectNoop(done, cmd(done, { kind: 'abort' }));
  });
});

describe('runner events', () => {
  it('start: running, snapshot taken, step and a new attempt from fromStep', () => {
    const s = queue('a');
    const t = ev(s, { kind: 'start', id: 'a', snapshot: SNAP, fromStep: 0 }, T0 + 100);
    const a = get(t.state, 'a');
    expect(a).toMatchObject({ status: 'running', snapshot: SNAP, step: 0 });
    expect(a.attempts).toEqual([{ startedAt: T0 + 100, fromStep: 0 }]);
    expect(t.changed).toEqual([a]);
    expect(t.removed).toEqual([]);
    expect(t.pausedChanged).toBe(false);
  });

  it('start keeps a snapshot already set and resumes from a checkpoint', () => {
    let s = start(queue('a'), 'a', 0, T0 + 100);
    s = ev(s, { kind: 'interrupted', id: 'a' }, T0 + 200).state;
    const t = ev(s, { kind: 'start', id: 'a', snapshot: OTHER_SNAP, fromStep: 2 }, T0 + 300);
    const a = get(t.state, 'a');
    expect(a.snapshot).toEqual(SNAP);
    expect(a.step).toBe(2);
    expect(a.status).toBe('running');
    expect(a.attempts).toEqual([
      { startedAt: T0 + 100, fromStep: 0, endedAt: T0 + 200, outcome: 'interrupted' },
      { startedAt: T0 + 300, fromStep: 2 },
    ]);
  });

  it('start while the queue is paused leaves the task paused', () => {
    const s = cmd(queue('a'), { kind: 'pause' }).state;
    const t = ev(s, { kind: 'start', id: 'a', snapshot: SNAP, fromStep: 0 });
    expect(get(t.state, 'a').status).toBe('paused');
    expect(get(t.state, 'a').attempts).toHaveLength(1);
    expect(t.state.paused).toBe(true);
    expect(t.pausedChanged).toBe(false);
    const r = cmd(t.state, { kind: 'resume' }).state;
    expect(get(r, 'a').status).toBe('running');
  });

  it('step updates running and paused tasks only', () => {
    const running = start(queue('a', 'b'), 'a');
    const t = ev(running, { kind: 'step', id: 'a', step: 3 });
    expect(get(t.state, 'a').step).toBe(3);
    expect(t.changed).toEqual([get(t.state, 'a')]);

    const paused = cmd(running, { kind: 'pause' }).state;
    expect(get(ev(paused, { kind: 'step', id: 'a', step: 1 }).state, 'a').step).toBe(1);

    expectNoop(running, ev(running, { kind: 'step', id: 'b', step: 3 }));
    const done = ev(running, { kind: 'done', id: 'a', outputId: 'o' }).state;
    expectNoop(done, ev(done, { kind: 'step', id: 'a', step: 4 }));
    const aborted = cmd(running, { kind: 'abort' }).state;
    expectNoop(aborted, ev(aborted, { kind: 'step', id: 'a', step: 4 }));
  });

  it('done sets the output id and ends the attempt', () => {
    const s = ev(start(queue('a', 'b'), 'a', 0, T0 + 100), { kind: 'step', id: 'a', step: 4 }).state;
    const t = ev(s, { kind: 'done', id: 'a', outputId: 'out-1' }, T0 + 900);
    const a = get(t.state, 'a');
    expect(a).toMatchObject({ status: 'done', outputId: 'out-1', step: 4 });
    expect(a.attempts).toEqual([{ startedAt: T0 + 100, fromStep: 0, endedAt: T0 + 900, outcome: 'done' }]);
    expect(t.changed).toEqual([a]);
    expect(activeTask(t.state)).toBeUndefined();
    expect(nextRunnable(t.state)?.id).toBe('b');
  });

  it('failed sets error and retryable and ends the attempt with the error', () => {
    const s = start(queue('a'), 'a', 0, T0 + 100);
    const t = ev(s, { kind: 'failed', id: 'a', error: 'Out of GPU memory', retryable: false }, T0 + 400);
    const a = get(t.state, 'a');
    expect(a).toMatchObject({ status: 'failed', error: 'Out of GPU memory', retryable: false });
    expect(a.attempts).toEqual([
      { startedAt: T0 + 100, fromStep: 0, endedAt: T0 + 400, outcome: 'failed', error: 'Out of GPU memory' },
    ]);
    expect(t.changed).toEqual([a]);
    expect(nextRunnable(t.state)).toBeUndefined();
  });

  it('aborted from the runner ends the attempt; after an abort command it is a no-op', () => {
    const s = start(queue('a'), 'a', 0, T0 + 100);
    const fromRunner = ev(s, { kind: 'aborted', id: 'a' }, T0 + 300);
    expect(get(fromRunner.state, 'a').status).toBe('aborted');
    expect(get(fromRunner.state, 'a').attempts.at(-1)).toEqual({
      startedAt: T0 + 100,
      fromStep: 0,
      endedAt: T0 + 300,
      outcome: 'aborted',
    });

    const afterCommand = cmd(s, { kind: 'abort' }, T0 + 200).state;
    const t = ev(afterCommand, { kind: 'aborted', id: 'a' }, T0 + 300);
    expectNoop(afterCommand, t);
    expect(get(t.state, 'a').attempts.at(-1)?.endedAt).toBe(T0 + 200);
  });

  it('interrupted ends the attempt but keeps the task active, so it runs again', () => {
    const s = ev(start(queue('a', 'b'), 'a', 0, T0 + 100), { kind: 'step', id: 'a', step: 2 }).state;
    const t = ev(s, { kind: 'interrupted', id: 'a' }, T0 + 700);
    const a = get(t.state, 'a');
    expect(a.status).toBe('running');
    expect(a.step).toBe(2);
    expect(a.attempts).toEqual([
      { startedAt: T0 + 100, fromStep: 0, endedAt: T0 + 700, outcome: 'interrupted' },
    ]);
    expect(t.changed).toEqual([a]);
    expect(activeTask(t.state)?.id).toBe('a');
    expect(nextRunnable(t.state)?.id).toBe('a');
  });

  it('interrupted is a no-op for tasks that are not active', () => {
    const pending = queue('a');
    expectNoop(pending, ev(pending, { kind: 'interrupted', id: 'a' }));
    const done = ev(start(pending, 'a'), { kind: 'done', id: 'a', outputId: 'o' }).state;
    expectNoop(done, ev(done, { kind: 'interrupted', id: 'a' }));
  });

  it('ignores events for removed or unknown tasks', () => {
    const running = start(queue('a', 'b'), 'a');
    const s = cmd(running, { kind: 'remove', id: 'a' }).state;
    const events: RunnerEvent[] = [
      { kind: 'start', id: 'a', snapshot: SNAP, fromStep: 0 },
      { kind: 'step', id: 'a', step: 1 },
      { kind: 'done', id: 'a', outputId: 'o' },
      { kind: 'failed', id: 'a', error: 'x', retryable: true },
      { kind: 'aborted', id: 'a' },
      { kind: 'interrupted', id: 'a' },
    ];
    for (const e of events) expectNoop(s, ev(s, e));
    const cleared = cmd(running, { kind: 'clear' }).state;
    for (const e of events) expectNoop(cleared, ev(cleared, e));
  });
});

// ---- Sequences: invariants over mixed operations, and purity ----

type Op = { type: 'cmd'; c: QueueCommand; now: number } | { type: 'ev'; e: RunnerEvent; now: number };

/** Generates `n` plausible operations (the runner only starts what nextRunnable returns), applying them as it goes. */
function randomOps(seed: number, n: number): Op[] {
  const r = mulberry32(seed);
  const pick = <T>(xs: readonly T[]): T | undefined => xs[Math.floor(r() * xs.length)];
  const ops: Op[] = [];
  let s = emptyQueue();
  let nextId = 0;
  for (let i = 0; i < n; i++) {
    const now = T0 + i * 10;
    const anyId = pick(ids(s)) ?? 'missing';
    const active = activeTask(s);
    const runnable = nextRunnable(s);
    const roll = Math.floor(r() * 14);
    let op: Op;
    switch (roll) {
      case 0:
      case 1:
        op = { type: 'cmd', c: { kind: 'add', id: `t${nextId++}`, request: req(`p${i}`, { seed: i }) }, now };
        break;
      case 2:
        op = { type: 'cmd', c: { kind: 'remove', id: anyId }, now };
        break;
      case 3:
      case 4:
        op = { type: 'cmd', c: { kind: 'move', id: anyId, delta: r() < 0.5 ? -1 : 1 }, now };
        break;
      case 5:
        op = { type: 'cmd', c: { kind: 'duplicate', id: anyId, newId: `t${nextId++}` }, now };
        break;
      case 6:
        op = { type: 'cmd', c: { kind: 'edit', id: anyId, request: req(`edited ${i}`) }, now };
        break;
      case 7:
        op = { type: 'cmd', c: { kind: 'retry', id: anyId }, now };
        break;
      case 8:
        op = {
          type: 'cmd',
          c: pick([{ kind: 'pause' }, { kind: 'resume' }, { kind: 'abort' }] as const) ?? { kind: 'pause' },
          now,
        };
        break;
      case 9:
      case 10:
        op =
          runnable && runnable.status === 'pending'
            ? { type: 'ev', e: { kind: 'start', id: runnable.id, snapshot: SNAP, fromStep: 0 }, now }
            : { type: 'cmd', c: { kind: 'resume' }, now };
        break;
      default: {
        const id = active?.id ?? anyId;
        const events: RunnerEvent[] = [
          { kind: 'step', id, step: i % 5 },
          { kind: 'done', id, outputId: `out-${i}` },
          { kind: 'failed', id, error: `err ${i}`, retryable: r() < 0.5 },
          { kind: 'aborted', id },
          { kind: 'interrupted', id },
        ];
        op = { type: 'ev', e: pick(events) ?? { kind: 'step', id, step: 1 }, now };
      }
    }
    ops.push(op);
    s = applyOp(s, op).state;
  }
  return ops;
}

const applyOp = (s: QueueState, op: Op): Transition =>
  op.type === 'cmd' ? applyCommand(s, op.c, op.now) : applyRunnerEvent(s, op.e, op.now);

describe('sequences of mixed operations', () => {
  const ops = randomOps(20240611, 400);

  it('keep ranks sorted, ids unique, at most one active task, and changed/removed in step with the state', () => {
    let s = emptyQueue();
    // What the store would hold if it wrote only `changed` and deleted only `removed`.
    const store = new Map<string, Task>();
    let storedPaused = false;
    const kinds = new Set<string>();
    for (const op of ops) {
      const t = applyOp(s, op);
      kinds.add(op.type === 'cmd' ? op.c.kind : op.e.kind);
      expectRanksAscending(t.state);
      expect(new Set(ids(t.state)).size).toBe(t.state.tasks.length);
      expect(
        t.state.tasks.filter((x) => x.status === 'running' || x.status === 'paused').length,
      ).toBeLessThanOrEqual(1);
      expect(t.pausedChanged).toBe(t.state.paused !== s.paused);
      for (const id of t.removed) store.delete(id);
      for (const c of t.changed) store.set(c.id, c);
      if (t.pausedChanged) storedPaused = t.state.paused;
      expect([...store.values()].sort((a, b) => a.rank - b.rank)).toEqual(t.state.tasks);
      expect(storedPaused).toBe(t.state.paused);
      s = t.state;
    }
    // The sequence really exercised the reducer.
    expect(kinds.size).toBeGreaterThanOrEqual(14);
    expect(s.tasks.length).toBeGreaterThan(0);
  });

  it('is pure: the same sequence gives deep-equal states, and inputs are never mutated', () => {
    const replay = (): QueueState[] => {
      const states: QueueState[] = [];
      let s = emptyQueue();
      for (const op of ops) {
        const before = structuredClone(s);
        const next = applyOp(s, op).state;
        expect(s).toEqual(before);
        states.push(next);
        s = next;
      }
      return states;
    };
    const first = replay();
    const second = replay();
    expect(second).toEqual(first);
    expect(randomOps(20240611, 400)).toEqual(ops);
  });
});

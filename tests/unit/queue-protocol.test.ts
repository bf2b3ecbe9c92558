/** The queue control protocol (src/engine/queue/protocol.ts): the `status` summary (counts,
 * queue length, the active task's step, the next pending tasks) and the message guard. */
import { describe, expect, it } from 'vitest';
import { isQueueMessage, PROTOCOL_VERSION, queueStatus } from '../../src/engine/queue/protocol';
import type { TaskRequest } from '../../src/engine/request';
import type { OutputSnapshot } from '../../src/engine/queue/task';
import {
  applyCommand,
  applyRunnerEvent,
  emptyQueue,
  type QueueCommand,
  type QueueState,
  type RunnerEvent,
} from '../../src/engine/queue/transitions';

const T0 = 1_700_000_000_000;
const SNAP: OutputSnapshot = {
  metadataMode: 'embedded',
  embedSourceImages: false,
  namingTemplate: '{prompt}-{seed}',
};

const req = (prompt: string, packId = 'demo-t2v'): TaskRequest => ({
  packId,
  prompt,
  negativePrompt: '',
  seed: 1,
  steps: 8,
  frames: 9,
  resolution: '64x64',
  solver: 'euler',
  shift: 3,
  guidance: 5,
});

const cmd = (s: QueueState, c: QueueCommand): QueueState => applyCommand(s, c, T0).state;
const ev = (s: QueueState, e: RunnerEvent): QueueState => applyRunnerEvent(s, e, T0).state;
const add = (s: QueueState, id: string, prompt = `prompt ${id}`, packId?: string) =>
  cmd(s, { kind: 'add', id, request: req(prompt, packId) });
const queue = (...ids: string[]) => ids.reduce((s, id) => add(s, id), emptyQueue());
const start = (s: QueueState, id: string, fromStep = 0) =>
  ev(s, { kind: 'start', id, snapshot: SNAP, fromStep });

describe('queueStatus', () => {
  it('reports an empty queue', () => {
    expect(queueStatus(emptyQueue())).toEqual({
      paused: false,
      running: null,
      queueLength: 0,
      counts: { pending: 0, running: 0, paused: 0, done: 0, failed: 0, aborted: 0 },
      pending: [],
    });
  });

  it('counts every status and sums pending + active into queueLength', () => {
    let s = queue('done1', 'done2', 'fail', 'abort', 'run', 'p1', 'p2');
    for (const id of ['done1', 'done2']) s = ev(start(s, id), { kind: 'done', id, outputId: `out-${id}` });
    s = ev(start(s, 'fail'), { kind: 'failed', id: 'fail', error: 'boom', retryable: false });
    s = ev(start(s, 'abort'), { kind: 'aborted', id: 'abort' });
    s = ev(start(s, 'run'), { kind: 'step', id: 'run', step: 3 });

    const st = queueStatus(s);
    expect(st.counts).toEqual({ pending: 2, running: 1, paused: 0, done: 2, failed: 1, aborted: 1 });
    expect(st.queueLength).toBe(3);
    expect(st.paused).toBe(false);
    expect(st.running).toEqual({
      id: 'run',
      prompt: 'prompt run',
      packId: 'demo-t2v',
      status: 'running',
      step: 3,
      total: 8,
    });
    expect(st.pending.map((p) => p.id)).toEqual(['p1', 'p2']);
  });

  it('reports a paused active task with its step, and the paused flag', () => {
    let s = ev(start(queue('a', 'b'), 'a'), { kind: 'step', id: 'a', step: 5 });
    s = cmd(s, { kind: 'pause' });
    const st = queueStatus(s);
    expect(st.paused).toBe(true);
    expect(st.running).toEqual({
      id: 'a',
      prompt: 'prompt a',
      packId: 'demo-t2v',
      status: 'paused',
      step: 5,
      total: 8,
    });
    expect(st.counts.paused).toBe(1);
    expect(st.counts.running).toBe(0);
    expect(st.queueLength).toBe(2);
  });

  it('reports the paused flag with no active task', () => {
    const st = queueStatus(cmd(queue('a'), { kind: 'pause' }));
    expect(st.paused).toBe(true);
    expect(st.running).toBeNull();
    expect(st.queueLength).toBe(1);
  });

  it('lists at most 10 pending tasks, in queue order, without the active one', () => {
    const ids = Array.from({ length: 14 }, (_, i) => `t${i}`);
    let s = start(queue(...ids), 't0');
    s = cmd(s, { kind: 'move', id: 't5', delta: -1 });
    const st = queueStatus(s);
    expect(st.pending).toHaveLength(10);
    expect(st.pending.map((p) => p.id)).toEqual([
      't1',
      't2',
      't3',
      't5',
      't4',
      't6',
      't7',
      't8',
      't9',
      't10',
    ]);
    expect(st.queueLength).toBe(14);
    expect(st.counts.pending).toBe(13);
  });

  it('cuts prompts to 80 characters and keeps the pack id', () => {
    const long = 'x'.repeat(79) + 'yz' + '!'.repeat(100);
    let s = add(add(emptyQueue(), 'a', long, 'pack-a'), 'b', long, 'pack-b');
    s = add(s, 'c', 'short', 'pack-c');
    s = start(s, 'a');
    const st = queueStatus(s);
    expect(st.running?.prompt).toBe('x'.repeat(79) + 'y');
    expect(st.running?.packId).toBe('pack-a');
    expect(st.pending).toEqual([
      { id: 'b', prompt: 'x'.repeat(79) + 'y', packId: 'pack-b' },
      { id: 'c', prompt: 'short', packId: 'pack-c' },
    ]);
  });

  it('is plain JSON (survives a round-trip unchanged)', () => {
    const s = cmd(ev(start(queue('a', 'b'), 'a'), { kind: 'step', id: 'a', step: 2 }), { kind: 'pause' });
    const st = queueStatus(s);
    expect(JSON.parse(JSON.stringify(st))).toEqual(st);
  });
});

describe('isQueueMessage', () => {
  it('accepts version-1 objects with a string type', () => {
    expect(PROTOCOL_VERSION).toBe(1);
    expect(isQueueMessage({ v: 1, type: 'pause' })).toBe(true);
    expect(isQueueMessage({ v: 1, type: 'status', requestId: 'r1' })).toBe(true);
    expect(isQueueMessage({ v: 1, type: 'state', runnerId: 'x', state: emptyQueue() })).toBe(true);
    // Unknown types of this version pass the guard; the receiver's switch ignores them.
    expect(isQueueMessage({ v: 1, type: 'something-new' })).toBe(true);
  });

  it.each([
    ['null', null],
    ['undefined', undefined],
    ['a string', 'pause'],
    ['a number', 1],
    ['an array', [1, 'pause']],
    ['another version', { v: 2, type: 'pause' }],
    ['version as a string', { v: '1', type: 'pause' }],
    ['no version', { type: 'pause' }],
    ['no type', { v: 1 }],
    ['a non-string type', { v: 1, type: 42 }],
    ['a null type', { v: 1, type: null }],
  ])('rejects %s', (_, m) => {
    expect(isQueueMessage(m)).toBe(false);
  });
});

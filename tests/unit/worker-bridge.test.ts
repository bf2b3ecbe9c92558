/**
 * WorkerBridge (src/app/bridges/worker-bridge.ts) with a fake worker (comlink over a real
 * MessageChannel) and a fake Web Locks manager: pending calls reject with worker-lost when the
 * worker dies, the next call starts a fresh worker, an idle worker is terminated after idleMs
 * (fake timers) but not while a call is pending or a session is open.
 */
import { expose } from 'comlink';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { WorkerBridge } from '../../src/app/bridges/worker-bridge';
import { errorCode } from '../../src/engine/errors';

/** Exclusive locks only, granted in request order, released when the callback's promise settles. */
class FakeLocks {
  private readonly queues = new Map<string, (() => void)[]>();
  request(name: string, cb: () => unknown): Promise<unknown> {
    return new Promise((done) => {
      const grant = () =>
        void Promise.resolve(cb())
          .then(done, done)
          .finally(() => {
            const q = this.queues.get(name) ?? [];
            q.shift();
            q[0]?.();
          });
      const q = this.queues.get(name) ?? [];
      this.queues.set(name, q);
      q.push(grant);
      if (q.length === 1) grant();
    });
  }
}

interface FakeApi {
  holdAliveLock(name: string): Promise<void>;
  echo(x: number): number;
  hang(): Promise<void>;
  openThing(id: string): string;
  closeThing(id: string): void;
}

/** A "worker": the API exposed on one end of a MessageChannel; terminate() ends it like the browser would. */
class FakeWorker {
  static started: FakeWorker[] = [];
  readonly port: MessagePort;
  terminated = false;
  private end: () => void = () => {};
  constructor() {
    const { port1, port2 } = new MessageChannel();
    this.port = port1;
    const died = new Promise<void>((r) => (this.end = r));
    const api: FakeApi = {
      holdAliveLock: (name) =>
        new Promise((held) => {
          void navigator.locks.request(name, () => {
            held();
            return died;
          });
        }),
      echo: (x) => x * 2,
      hang: () => new Promise<void>(() => {}),
      openThing: (id) => id,
      closeThing: () => {},
    };
    expose(api, port2);
    FakeWorker.started.push(this);
  }
  postMessage(m: unknown, t?: Transferable[]) {
    this.port.postMessage(m, t as never);
  }
  addEventListener(type: string, l: EventListener) {
    this.port.addEventListener(type, l);
  }
  removeEventListener(type: string, l: EventListener) {
    this.port.removeEventListener(type, l);
  }
  start() {
    this.port.start();
  }
  /** Ends the worker: its lock is released, its port closed. */
  terminate() {
    this.terminated = true;
    this.end();
    this.port.close();
  }
}

const bridge = (idleMs = 0) =>
  new WorkerBridge<FakeApi>(() => new FakeWorker() as unknown as Worker, 'test worker', {
    idleMs,
    sessions: { closeThing: 'openThing' },
  });

beforeEach(() => {
  FakeWorker.started = [];
  vi.stubGlobal('navigator', { locks: new FakeLocks() });
});
afterEach(() => {
  vi.useRealTimers();
  vi.unstubAllGlobals();
  for (const w of FakeWorker.started) w.terminate();
});

/** Lets queued messages and promise callbacks run (MessagePort delivery is a macrotask). */
const settle = async () => {
  for (let i = 0; i < 5; i++) await new Promise((r) => setImmediate(r));
};

describe('WorkerBridge', () => {
  it('starts the worker lazily and answers calls', async () => {
    const b = bridge();
    expect(FakeWorker.started).toHaveLength(0);
    expect(await b.api.echo(21)).toBe(42);
    expect(FakeWorker.started).toHaveLength(1);
    expect(b.epoch).toBe(1);
  });

  it('rejects a pending call with worker-lost when the worker dies, and restarts on the next call', async () => {
    const b = bridge();
    const hung = b.api.hang();
    await settle();
    FakeWorker.started[0]!.terminate();
    const err = await hung.catch((e: unknown) => e);
    expect(errorCode(err)).toBe('worker-lost');
    expect((err as Error).message).toMatch(/^The test worker stopped while working .*press Retry/);
    expect(await b.api.echo(2)).toBe(4);
    expect(FakeWorker.started).toHaveLength(2);
    expect(b.epoch).toBe(2);
  });

  it('terminate() rejects what is pending with worker-lost and the next call starts afresh', async () => {
    const b = bridge();
    const hung = b.api.hang();
    b.terminate();
    expect(errorCode(await hung.catch((e: unknown) => e))).toBe('worker-lost');
    expect(FakeWorker.started[0]!.terminated).toBe(true);
    expect(await b.api.echo(3)).toBe(6);
  });

  it('terminates an idle worker after idleMs, not before, and restarts it on the next call', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const b = bridge(1000);
    expect(await b.api.echo(1)).toBe(2);
    vi.advanceTimersByTime(999);
    expect(FakeWorker.started[0]!.terminated).toBe(false);
    vi.advanceTimersByTime(1);
    expect(FakeWorker.started[0]!.terminated).toBe(true);
    expect(await b.api.echo(5)).toBe(10);
    expect(FakeWorker.started).toHaveLength(2);
  });

  it('keeps the worker while a call is pending or a session is open', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const b = bridge(1000);
    const hung = b.api.hang();
    hung.catch(() => undefined);
    await b.api.openThing('a');
    vi.advanceTimersByTime(5000);
    expect(FakeWorker.started[0]!.terminated).toBe(false);
    b.terminate();
    await b.api.openThing('b');
    vi.advanceTimersByTime(5000);
    expect(FakeWorker.started[1]!.terminated).toBe(false);
    await b.api.closeThing('b');
    vi.advanceTimersByTime(1000);
    expect(FakeWorker.started[1]!.terminated).toBe(true);
  });

  it('a session whose opening call failed does not keep the worker', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const b = bridge(1000);
    const opening = b.api.openThing('x');
    b.terminate();
    expect(errorCode(await opening.catch((e: unknown) => e))).toBe('worker-lost');
    expect(await b.api.echo(1)).toBe(2);
    vi.advanceTimersByTime(1000);
    expect(FakeWorker.started[1]!.terminated).toBe(true);
  });
});

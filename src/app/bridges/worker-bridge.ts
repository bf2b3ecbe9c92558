/**
 * One bridge per worker (the Squoosh WorkerBridge): starts it lazily on first use, exposes its
 * comlink API, terminates it after `idleMs` with no call pending and no session open, and can
 * terminate it at once; the next call starts a fresh worker. A worker that dies (crashed, out of
 * memory, closed or terminated from outside) is noticed through its liveness lock
 * (src/workers/alive-lock.ts): every call still pending rejects with EngineError('worker-lost')
 * within moments, and the next call starts a fresh worker. A device-lost error also ends the
 * worker, so the next run gets a new GPUDevice.
 */
import { type Remote, releaseProxy, wrap } from 'comlink';
import { installErrorTransfer } from '../../browser/comlink-errors';
import { EngineError, errorCode } from '../../engine/errors';

installErrorTransfer();

/** What a worker must expose for the bridge to watch it. */
export interface Watchable {
  holdAliveLock(name: string): Promise<void>;
}

export interface BridgeOptions {
  /** Terminate the worker after this long with nothing pending and no session open (0: never). */
  idleMs?: number;
  /**
   * Calls that open state in the worker which later calls use, keyed by the closing method:
   * `{ closeVideo: 'openVideo' }` keeps the worker from idling out between `openVideo(id, …)`
   * and `closeVideo(id)` (matched on the first argument).
   */
  sessions?: Record<string, string>;
}

interface Running<T> {
  worker: Worker;
  remote: Remote<T>;
  /** Rejects when this worker dies; every call races it. */
  lost: Promise<never>;
  die: (err: EngineError) => void;
}

export class WorkerBridge<T extends Watchable> {
  private running: Running<T> | undefined;
  private guarded: Remote<T> | undefined;
  private pending = 0;
  private readonly open = new Set<string>();
  private idleTimer: ReturnType<typeof setTimeout> | undefined;
  private readonly openers: Set<string>;
  private launches = 0;

  /** `label` names the worker in messages ("The engine worker stopped…"). */
  constructor(
    private readonly start: () => Worker,
    private readonly label = 'worker',
    private readonly options: BridgeOptions = {},
  ) {
    this.openers = new Set(Object.values(options.sessions ?? {}));
  }

  /** Counts worker starts: state a caller keeps in the worker (an encoded frame) is gone once it changes. */
  get epoch(): number {
    return this.launches;
  }

  /** The worker's API; each method call rejects with EngineError('worker-lost') if the worker dies before it answers. */
  get api(): Remote<T> {
    const run = this.running ?? this.launch();
    this.guarded ??= new Proxy(run.remote as object, {
      get: (_, prop) => {
        const current = this.running ?? this.launch();
        const value = (current.remote as Record<string | symbol, unknown>)[prop];
        if (typeof prop === 'symbol' || prop === 'then' || typeof value !== 'function') return value;
        return (...args: unknown[]) =>
          this.call(current, prop, value as (...a: unknown[]) => Promise<unknown>, args);
      },
    }) as Remote<T>;
    return this.guarded;
  }

  private call(
    current: Running<T>,
    method: string,
    fn: (...a: unknown[]) => Promise<unknown>,
    args: unknown[],
  ): Promise<unknown> {
    clearTimeout(this.idleTimer);
    const closes = this.options.sessions?.[method];
    if (closes) this.open.delete(`${closes}:${String(args[0])}`);
    const session = this.openers.has(method) ? `${method}:${String(args[0])}` : undefined;
    if (session) this.open.add(session);
    this.pending++;
    return Promise.race([fn(...args), current.lost])
      .catch((err: unknown) => {
        if (session) this.open.delete(session);
        // ORT keeps a lost GPUDevice for the worker's life: a fresh worker gets a new one.
        if (errorCode(err) === 'device-lost' && this.running === current) this.terminate();
        throw err;
      })
      .finally(() => {
        this.pending--;
        this.armIdle();
      });
  }

  private armIdle(): void {
    const ms = this.options.idleMs ?? 0;
    if (!ms || !this.running || this.pending || this.open.size) return;
    clearTimeout(this.idleTimer);
    this.idleTimer = setTimeout(() => {
      if (!this.pending && !this.open.size) this.terminate();
    }, ms);
  }

  private launch(): Running<T> {
    const worker = this.start();
    this.launches++;
    const remote = wrap<T>(worker);
    let die: (err: EngineError) => void = () => {};
    const lost = new Promise<never>((_, reject) => (die = reject));
    lost.catch(() => undefined);
    const run: Running<T> = { worker, remote, lost, die };
    this.running = run;
    const stopped = (why: string) => {
      if (this.running !== run) return;
      run.die(
        new EngineError(
          'worker-lost',
          `The ${this.label} stopped while working (${why}). Nothing was saved from that step: press Retry to run the task again; the ${this.label} restarts by itself.`,
        ),
      );
      this.terminate();
    };
    const name = `webgp-alive:${this.label}:${crypto.randomUUID()}`;
    let ready = false;
    // Before the lock is held, an error event means the worker never started (a failed module load).
    worker.addEventListener('error', (e) => {
      if (!ready) stopped(`it failed to start: ${e.message || 'script error'}`);
    });
    void (remote as unknown as Watchable).holdAliveLock(name).then(() => {
      ready = true;
      void navigator.locks.request(name, () => stopped('it crashed, ran out of memory or was closed'));
    });
    return run;
  }

  /** Ends the worker; calls still pending reject with worker-lost, open sessions are forgotten. */
  terminate(): void {
    clearTimeout(this.idleTimer);
    const run = this.running;
    if (!run) return;
    this.running = undefined;
    this.open.clear();
    run.die(
      new EngineError('worker-lost', `The ${this.label} was stopped. Press Retry to run the task again.`),
    );
    run.remote[releaseProxy]();
    run.worker.terminate();
  }
}

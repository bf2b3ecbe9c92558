/**
 * One bridge per worker: starts it lazily on first use, exposes its comlink API, and can
 * terminate it (after which the next call starts a fresh worker). A worker that dies (crashed,
 * out of memory, closed or terminated from outside) is noticed through its liveness lock
 * (src/workers/alive-lock.ts): every call still pending rejects with EngineError('worker-lost')
 * within moments, and the next call starts a fresh worker. A device-lost error also ends the
 * worker, so the next run gets a new GPUDevice.
 */
import { type Remote, releaseProxy, wrap } from 'comlink';
import { installErrorTransfer } from '../../engine/comlink-errors';
import { EngineError, errorCode } from '../../engine/errors';

installErrorTransfer();

/** What a worker must expose for the bridge to watch it. */
export interface Watchable {
  holdAliveLock(name: string): Promise<void>;
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

  /** `label` names the worker in messages ("The engine worker stopped…"). */
  constructor(
    private readonly start: () => Worker,
    private readonly label = 'worker',
  ) {}

  /** The worker's API; each method call rejects with EngineError('worker-lost') if the worker dies before it answers. */
  get api(): Remote<T> {
    const run = this.running ?? this.launch();
    this.guarded ??= new Proxy(run.remote as object, {
      get: (_, prop) => {
        const current = this.running ?? this.launch();
        const value = (current.remote as Record<string | symbol, unknown>)[prop];
        if (typeof prop === 'symbol' || prop === 'then' || typeof value !== 'function') return value;
        return (...args: unknown[]) =>
          Promise.race([(value as (...a: unknown[]) => Promise<unknown>)(...args), current.lost]).catch(
            (err: unknown) => {
              // ORT keeps a lost GPUDevice for the worker's life: a fresh worker gets a new one.
              if (errorCode(err) === 'device-lost' && this.running === current) this.terminate();
              throw err;
            },
          );
      },
    }) as Remote<T>;
    return this.guarded;
  }

  private launch(): Running<T> {
    const worker = this.start();
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

  /** Ends the worker; calls still pending reject with worker-lost. */
  terminate(): void {
    const run = this.running;
    if (!run) return;
    this.running = undefined;
    run.die(
      new EngineError('worker-lost', `The ${this.label} was stopped. Press Retry to run the task again.`),
    );
    run.remote[releaseProxy]();
    run.worker.terminate();
  }
}

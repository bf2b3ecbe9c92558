/**
 * The pause gate: a flag a loop awaits between units of work (the engine's denoise steps, the
 * page's matting frames): pause() holds the next wait(), resume() releases it, and an abort of
 * the signal given to wait() rejects it with the signal's reason. Pure TS, used on both sides.
 */
export class PauseGate {
  private held: { promise: Promise<void>; release: () => void } | undefined;

  pause(): void {
    if (this.held) return;
    let release = () => {};
    const promise = new Promise<void>((r) => (release = r));
    this.held = { promise, release };
  }

  resume(): void {
    this.held?.release();
    this.held = undefined;
  }

  get paused(): boolean {
    return this.held !== undefined;
  }

  /** Resolves at once unless paused; rejects when `signal` aborts. */
  async wait(signal?: AbortSignal): Promise<void> {
    signal?.throwIfAborted();
    const held = this.held;
    if (!held) return;
    if (!signal) return held.promise;
    await new Promise<void>((resolve, reject) => {
      const onAbort = () => reject(signal.reason as Error);
      signal.addEventListener('abort', onAbort, { once: true });
      void held.promise.then(() => {
        signal.removeEventListener('abort', onAbort);
        resolve();
      });
    });
    signal.throwIfAborted();
  }
}

/**
 * A pause flag that a loop on the page awaits between units of work (matting frames): pause()
 * holds the next wait(), resume() releases it, and an abort releases it with an AbortError.
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

  /** Resolves at once unless paused; rejects when `signal` aborts. */
  async wait(signal: AbortSignal): Promise<void> {
    signal.throwIfAborted();
    const held = this.held;
    if (!held) return;
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

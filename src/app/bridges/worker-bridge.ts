/**
 * One bridge per worker: starts it lazily on first use, exposes its comlink API, and can
 * terminate it (after which the next call starts a fresh worker).
 */
import { type Remote, releaseProxy, wrap } from 'comlink';
import { installErrorTransfer } from '../../engine/comlink-errors';

installErrorTransfer();

export class WorkerBridge<T> {
  private worker: Worker | undefined;
  private remote: Remote<T> | undefined;

  constructor(private readonly start: () => Worker) {}

  get api(): Remote<T> {
    if (!this.remote) {
      this.worker = this.start();
      this.remote = wrap<T>(this.worker);
    }
    return this.remote;
  }

  terminate(): void {
    this.remote?.[releaseProxy]();
    this.worker?.terminate();
    this.worker = undefined;
    this.remote = undefined;
  }
}

/**
 * Worker liveness through the Web Locks API: the worker takes an exclusive lock and never lets
 * it go, so the browser releases it exactly when the worker ends (terminated, closed, crashed,
 * out of memory). The bridge on the main thread queues for the same lock and so learns of the
 * death at once, without polling a worker that may be busy in a long wasm call.
 */

/** Takes lock `name` for the worker's lifetime; resolves once it is held. */
export function holdAliveLock(name: string): Promise<void> {
  return new Promise((held) => {
    void navigator.locks.request(name, () => {
      held();
      return new Promise<never>(() => {});
    });
  });
}

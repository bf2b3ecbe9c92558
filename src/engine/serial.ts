/**
 * The serial queue: runs async tasks one after another in the order they were queued (an ORT
 * session, an ffmpeg instance, a decoder or a store that must not be re-entered). A task that
 * fails rejects its own promise only; the next task still runs. Pure TS, used on both sides.
 */

/** Queues a task: it starts once every task queued before it has settled. */
export type Serial = <T>(task: () => T | Promise<T>) => Promise<T>;

/** A new, empty queue. */
export function serialQueue(): Serial {
  let tail: Promise<unknown> = Promise.resolve();
  return <T>(task: () => T | Promise<T>): Promise<T> => {
    const run = tail.then(task, task);
    tail = run.catch(() => undefined);
    return run;
  };
}

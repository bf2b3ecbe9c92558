/**
 * A full disk for IndexedDB on fake-indexeddb: once armed, the next readwrite transaction (after
 * `pass` others) issues its writes and is then aborted with QuotaExceededError (or `error`),
 * the way a browser aborts a commit that does not fit. Import after 'fake-indexeddb/auto'.
 */
const original = IDBDatabase.prototype.transaction;
let armed: { pass: number; error: DOMException } | undefined;

IDBDatabase.prototype.transaction = function (this: IDBDatabase, ...args: Parameters<typeof original>) {
  const tx = original.apply(this, args);
  if (armed && args[1] === 'readwrite') {
    if (armed.pass > 0) armed.pass--;
    else {
      const error = armed.error;
      armed = undefined;
      Object.defineProperty(tx, 'error', { get: () => error, set: () => undefined });
      queueMicrotask(() => tx.abort());
    }
  }
  return tx;
} as typeof original;

/** Makes the next readwrite transaction (after `pass` others) fail with `error`. */
export function failNextWrite(
  pass = 0,
  error = new DOMException('The quota has been exceeded.', 'QuotaExceededError'),
): void {
  armed = { pass, error };
}

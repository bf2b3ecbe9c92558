/**
 * Memoised async loaders: a load runs once and every caller shares its promise, but a load that
 * rejects is forgotten, so the next call tries again (a failed fetch or session creation is not
 * cached for the page's life). `memoise` holds one value, `memoIn` one value per key of a Map the
 * caller keeps (and may evict from). Pure TS, used on both sides.
 */

/** One lazily loaded value. */
export interface Memo<T> {
  /** The value: the running or finished load, or a new load when there is none. */
  get(): Promise<T>;
  /** Whether a load is running or has finished (a rejected one counts until it is forgotten). */
  readonly started: boolean;
  /** Forgets the value (the next get() loads again); returns the promise it held, e.g. to release what it made. */
  forget(): Promise<T> | undefined;
}

/** A memo over `load`; a rejected load is forgotten (unless forget() or a newer load came first). */
export function memoise<T>(load: () => Promise<T>): Memo<T> {
  let held: Promise<T> | undefined;
  return {
    get() {
      if (!held) {
        const p = load();
        held = p;
        p.catch(() => {
          if (held === p) held = undefined;
        });
      }
      return held;
    },
    get started() {
      return held !== undefined;
    },
    forget() {
      const was = held;
      held = undefined;
      return was;
    },
  };
}

/** `map`'s promise for `key`, loading it with `load` when absent; a rejected load leaves the map again. */
export function memoIn<K, V>(map: Map<K, Promise<V>>, key: K, load: () => Promise<V>): Promise<V> {
  let p = map.get(key);
  if (!p) {
    const loading = load();
    p = loading;
    map.set(key, loading);
    loading.catch(() => {
      if (map.get(key) === loading) map.delete(key);
    });
  }
  return p;
}

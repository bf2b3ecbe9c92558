/**
 * Writes records the way WebGP kept them before the one database: one IndexedDB database per
 * store, made by idb-keyval 6's createStore(db, store) (open without a version, create the
 * object store on upgrade, no key path) and set(key, value) (put with an out-of-line key).
 * Self-contained, so an e2e can run it in the page; `{ $blob: [text, type] }` values become Blobs.
 */
export interface LegacyWrite {
  db: string;
  store: string;
  entries: [IDBValidKey, unknown][];
}

/** Writes `writes` (or their JSON, as a page is handed them) into the per-store databases. */
export async function writeLegacyDatabases(writes: LegacyWrite[] | string): Promise<void> {
  const revive = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(revive);
    if (!v || typeof v !== 'object' || v instanceof Blob) return v;
    const blob = (v as { $blob?: [string, string] }).$blob;
    if (blob) return new Blob([blob[0]], { type: blob[1] });
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, revive(x)]));
  };
  for (const w of typeof writes === 'string' ? (JSON.parse(writes) as LegacyWrite[]) : writes) {
    const db = await new Promise<IDBDatabase>((resolve, reject) => {
      const r = indexedDB.open(w.db);
      r.onupgradeneeded = () => r.result.createObjectStore(w.store);
      r.onsuccess = () => resolve(r.result);
      r.onerror = () => reject(r.error);
    });
    await new Promise<void>((resolve, reject) => {
      const tx = db.transaction(w.store, 'readwrite');
      for (const [key, value] of w.entries) tx.objectStore(w.store).put(revive(value), key);
      tx.oncomplete = () => resolve();
      tx.onerror = tx.onabort = () => reject(tx.error);
    });
    db.close();
  }
}

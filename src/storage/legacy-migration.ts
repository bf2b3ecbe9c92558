/**
 * Moves the per-store IndexedDB databases of earlier versions (idb-keyval, one database per
 * store) into the one `webgp` database. Per old database: copy every record whose key the new
 * store lacks (so a retry never overwrites newer data), verify that the old count is unchanged
 * and every old key is in the new store, and only then delete the old database. A failure keeps
 * the old database, which the next start copies again: nothing the user made is lost.
 */
import { committed, type StoreName, type WebgpDB } from './db';
import { outputNames } from './output-names';

/** [old database, its object store, the store of the new database]: the layout idb-keyval gave each store. */
export const LEGACY_DATABASES: readonly (readonly [string, string, StoreName])[] = [
  ['webgp-queue', 'tasks', 'tasks'],
  ['webgp-checkpoints', 'checkpoints', 'checkpoints'],
  ['webgp-outputs', 'outputs', 'outputs'],
  ['webgp-history', 'runs', 'runs'],
  ['webgp-loras', 'records', 'loras'],
  ['webgp-lora-presets', 'presets', 'presets'],
  ['webgp-packs', 'records', 'packs'],
  ['webgp-settings', 'settings', 'settings'],
  ['webgp-enhancer', 'settings', 'settings'],
];

const request = <T>(r: IDBRequest<T>): Promise<T> =>
  new Promise((resolve, reject) => {
    r.onsuccess = () => resolve(r.result);
    r.onerror = () => reject(r.error);
  });

/** Opens database `name` if it exists; undefined (and nothing created) when it does not. */
function openExisting(name: string): Promise<IDBDatabase | undefined> {
  return new Promise((resolve, reject) => {
    const r = indexedDB.open(name);
    let absent = false;
    r.onupgradeneeded = () => {
      absent = true;
      r.transaction?.abort();
    };
    r.onsuccess = () => resolve(r.result);
    r.onerror = (e) => {
      e.preventDefault();
      if (absent) resolve(undefined);
      else reject(r.error);
    };
  });
}

interface Legacy {
  keys: IDBValidKey[];
  values: unknown[];
}

async function readLegacy(name: string, store: string): Promise<Legacy | undefined> {
  const old = await openExisting(name);
  if (!old) return undefined;
  try {
    if (!old.objectStoreNames.contains(store)) return { keys: [], values: [] };
    const os = old.transaction(store).objectStore(store);
    const [keys, values] = await Promise.all([request(os.getAllKeys()), request(os.getAll())]);
    return { keys, values };
  } finally {
    old.close();
  }
}

const transform = (target: StoreName, value: unknown): unknown =>
  target === 'outputs' && value && typeof value === 'object'
    ? { ...value, names: outputNames(value as Parameters<typeof outputNames>[0]) }
    : value;

function deleteLegacy(name: string): Promise<void> {
  return new Promise((resolve) => {
    const r = indexedDB.deleteDatabase(name);
    // Blocked: an open tab of an earlier version holds it; the delete completes when that tab closes.
    r.onsuccess = r.onerror = r.onblocked = () => resolve();
  });
}

async function migrateOne(d: WebgpDB, name: string, store: string, target: StoreName): Promise<void> {
  const old = await readLegacy(name, store);
  if (!old) return;
  const has = async () => new Set<IDBValidKey>(await d.getAllKeys(target));
  const existing = await has();
  const tx = d.transaction(target, 'readwrite');
  await committed(
    tx,
    old.keys.flatMap((key, i) =>
      existing.has(key) ? [] : [tx.store.put(transform(target, old.values[i]) as never, key as string)],
    ),
  );
  const present = await has();
  const again = await readLegacy(name, store);
  if (!again) return; // another page or worker finished this one meanwhile
  if (old.keys.some((k) => !present.has(k)) || again.keys.length !== old.keys.length) {
    throw new Error(
      `copy of ${name} did not verify (${old.keys.length} records); it is kept and copied again on the next start`,
    );
  }
  await deleteLegacy(name);
}

/** Copies every old database into `d` and deletes each one once its copy is verified. */
export async function migrateLegacyDatabases(d: WebgpDB): Promise<void> {
  const run = async () => {
    for (const [name, store, target] of LEGACY_DATABASES) {
      try {
        await migrateOne(d, name, store, target);
      } catch (err) {
        console.warn(`WebGP storage: moving ${name} into the one database failed: ${(err as Error).message}`);
      }
    }
  };
  const locks = typeof navigator === 'undefined' ? undefined : navigator.locks;
  await (locks ? locks.request('webgp-db-migration', run) : run());
}

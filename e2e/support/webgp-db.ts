/**
 * Reading WebGP's one IndexedDB database (`webgp`, src/storage/db.ts) from a page: a record by
 * key, a store's record count, and the names `indexedDB.databases()` lists. Opening never
 * creates the database (that would stop the app's own schema upgrade from running).
 */
import type { Page } from '@playwright/test';

/** The value under `key` in object store `store`, or undefined (also when there is no database yet). */
export function dbGet<T>(page: Page, store: string, key: string): Promise<T | undefined> {
  return page.evaluate(
    ({ store, key }) =>
      new Promise<T | undefined>((resolve, reject) => {
        const open = indexedDB.open('webgp');
        open.onupgradeneeded = () => open.transaction?.abort();
        open.onerror = (e) => {
          e.preventDefault();
          resolve(undefined);
        };
        open.onsuccess = () => {
          const db = open.result;
          if (!db.objectStoreNames.contains(store)) return resolve(undefined);
          const get = db.transaction(store).objectStore(store).get(key);
          get.onsuccess = () => resolve(get.result as T | undefined);
          get.onerror = () => reject(get.error);
          db.close();
        };
      }),
    { store, key },
  );
}

/** How many records object store `store` holds (0 when there is no database yet). */
export function dbCount(page: Page, store: string): Promise<number> {
  return page.evaluate(
    (store) =>
      new Promise<number>((resolve, reject) => {
        const open = indexedDB.open('webgp');
        open.onupgradeneeded = () => open.transaction?.abort();
        open.onerror = (e) => {
          e.preventDefault();
          resolve(0);
        };
        open.onsuccess = () => {
          const db = open.result;
          if (!db.objectStoreNames.contains(store)) return resolve(0);
          const q = db.transaction(store).objectStore(store).count();
          q.onsuccess = () => resolve(q.result);
          q.onerror = () => reject(q.error);
          db.close();
        };
      }),
    store,
  );
}

/** The IndexedDB databases of the page's origin, by name. */
export async function databaseNames(page: Page): Promise<string[]> {
  return (await page.evaluate(() => indexedDB.databases())).map((d) => d.name ?? '').sort();
}

/**
 * The one IndexedDB database of WebGP (`webgp`, on idb): one object store per concern, a
 * versioned schema, and indexes for the lookups the app makes (a task's output, free file names,
 * newest first), so several records can change in one transaction. The first open of a page
 * copies the databases earlier versions kept per store into it (legacy-migration.ts).
 */
import { type DBSchema, type IDBPDatabase, openDB } from 'idb';
import type { Checkpoint } from '../engine/queue/task';
import type { RunRecord } from '../engine/queue/history';
import { memoise } from '../engine/memo';
import { migrateLegacyDatabases } from './legacy-migration';

export const DB_NAME = 'webgp';
export const DB_VERSION = 1;

/** Every store's records; keys are out-of-line (as the per-store databases had them), so a copy keeps each key. */
export interface WebgpSchema extends DBSchema {
  /** Queue tasks by id, plus the `~meta` record (the paused flag). */
  tasks: { key: string; value: unknown };
  checkpoints: { key: string; value: Checkpoint };
  /** Outputs by id; `names` holds the lower-cased file names the record takes (output, sidecar, files). */
  outputs: {
    key: string;
    value: { taskId?: string; createdAt: number; names?: string[] } & Record<string, unknown>;
    indexes: { taskId: string; createdAt: number; names: string };
  };
  runs: { key: string; value: RunRecord; indexes: { startedAt: number } };
  loras: { key: string; value: unknown };
  presets: { key: string; value: unknown };
  packs: { key: string; value: unknown };
  /** `app` (app settings) and `enhancer` (prompt enhancer settings). */
  settings: { key: string; value: unknown };
}

export type StoreName =
  'tasks' | 'checkpoints' | 'outputs' | 'runs' | 'loras' | 'presets' | 'packs' | 'settings';
export type WebgpDB = IDBPDatabase<WebgpSchema>;

function upgrade(db: WebgpDB, oldVersion: number): void {
  if (oldVersion < 1) {
    for (const name of ['tasks', 'checkpoints', 'loras', 'presets', 'packs', 'settings'] as const) {
      db.createObjectStore(name);
    }
    const outputs = db.createObjectStore('outputs');
    outputs.createIndex('taskId', 'taskId');
    outputs.createIndex('createdAt', 'createdAt');
    outputs.createIndex('names', 'names', { multiEntry: true });
    db.createObjectStore('runs').createIndex('startedAt', 'startedAt');
  }
}

/** The open connection, with the legacy databases migrated into it; forgotten when another tab upgrades. */
const opening = memoise(() =>
  openSchema().then(async (d) => {
    await migrateLegacyDatabases(d);
    return d;
  }),
);

/** Opens the schema only (no migration); a newer version opened in another tab closes this connection. */
export function openSchema(): Promise<WebgpDB> {
  return openDB<WebgpSchema>(DB_NAME, DB_VERSION, {
    upgrade: (db, oldVersion) => upgrade(db, oldVersion),
    blocking() {
      void opening.forget()?.then((db) => db.close());
    },
    terminated() {
      opening.forget();
    },
  });
}

/** The database, opened once per page or worker, with the legacy databases migrated into it. */
export function db(): Promise<WebgpDB> {
  return opening.get();
}

/** Closes the connection (tests reopen on the next call). */
export async function closeDb(): Promise<void> {
  (await opening.forget()?.catch(() => undefined))?.close();
}

/**
 * Waits for a write transaction: its requests settle, then it commits or rejects with the
 * transaction's own error (a full disk aborts it with QuotaExceededError after the writes).
 */
export async function committed(tx: { done: Promise<void> }, requests: Promise<unknown>[]): Promise<void> {
  await Promise.all([...requests.map((r) => r.catch(() => undefined)), tx.done]);
}

/** Writes one record in its own transaction (see committed). */
export async function putOne<S extends StoreName>(
  store: S,
  value: WebgpSchema[S]['value'],
  key: string,
): Promise<void> {
  const tx = (await db()).transaction(store, 'readwrite');
  await committed(tx, [tx.store.put(value, key)]);
}

/**
 * The run history store (IndexedDB via idb-keyval): one versioned RunRecord per finished, failed
 * or aborted queue task, keyed by runId. A full disk surfaces as a named 'storage-full' error.
 */
import { clear, createStore, set, values } from 'idb-keyval';
import { RUN_RECORD_VERSION, type RunRecord } from '../engine/queue/history';
import { guardQuota } from './quota';

const store = createStore('webgp-history', 'runs');

/** Appends one run to the history. */
export function appendRun(record: RunRecord): Promise<void> {
  return guardQuota('the run history', () => set(record.runId, record, store));
}

/** All runs, oldest first (by startedAt); records of unknown versions are skipped. */
export async function listRuns(): Promise<RunRecord[]> {
  const all = (await values<RunRecord>(store)).filter((r) => r?.version === RUN_RECORD_VERSION);
  return all.sort((a, b) => a.startedAt - b.startedAt);
}

/** Deletes every run record. */
export function clearHistory(): Promise<void> {
  return clear(store);
}

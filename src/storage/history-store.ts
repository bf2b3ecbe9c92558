/**
 * The run history store (object store `runs` of the one database, indexed by start time): one
 * versioned RunRecord per finished, failed or aborted queue task, keyed by runId. A full disk
 * surfaces as a named 'storage-full' error.
 */
import { RUN_RECORD_VERSION, type RunRecord } from '../engine/queue/history';
import { db, putOne } from './db';
import { guardQuota } from './quota';

/** Appends one run to the history. */
export async function appendRun(record: RunRecord): Promise<void> {
  await guardQuota('the run history', () => putOne('runs', record, record.runId));
}

/** All runs, oldest first (by startedAt); records of unknown versions are skipped. */
export async function listRuns(): Promise<RunRecord[]> {
  const all = await (await db()).getAllFromIndex('runs', 'startedAt');
  return all.filter((r) => r?.version === RUN_RECORD_VERSION);
}

/** Deletes every run record. */
export async function clearHistory(): Promise<void> {
  await (await db()).clear('runs');
}

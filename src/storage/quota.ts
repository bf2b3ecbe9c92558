/** Storage quota: QuotaExceededError becomes EngineError('storage-full') for every store, and the origin's usage estimate. */
import { EngineError } from '../engine/errors';

export function isQuotaError(err: unknown): boolean {
  const name = (err as { name?: string } | null)?.name;
  return name === 'QuotaExceededError' || name === 'NS_ERROR_DOM_QUOTA_REACHED';
}

/** Runs a write; a full disk rejects with a storage-full error that names what was not saved. */
export async function guardQuota<T>(what: string, write: () => Promise<T>): Promise<T> {
  try {
    return await write();
  } catch (err) {
    if (isQuotaError(err)) {
      throw new EngineError(
        'storage-full',
        `Browser storage is full, so ${what} could not be saved. Delete old outputs from the Gallery (or free disk space) and try again.`,
      );
    }
    throw err;
  }
}

/** Bytes this origin uses and may use (navigator.storage.estimate); undefined where the browser gives no estimate. */
export async function storageEstimate(): Promise<{ usage: number; quota: number } | undefined> {
  if (typeof navigator === 'undefined' || typeof navigator.storage?.estimate !== 'function') return undefined;
  try {
    const { usage, quota } = await navigator.storage.estimate();
    return usage === undefined || quota === undefined ? undefined : { usage, quota };
  } catch {
    return undefined;
  }
}

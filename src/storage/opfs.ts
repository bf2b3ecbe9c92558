/** Small OPFS helpers shared by the stores: "not there" errors, and writing a whole file (aborted on failure so no partial file stays). */

/** True for the errors OPFS raises for a missing entry (or one of the other kind). */
export const isNotFound = (err: unknown): boolean =>
  ['NotFoundError', 'TypeMismatchError'].includes((err as { name?: string } | null)?.name ?? '');

/** Replaces the content of `handle` with `data`; on failure the write is aborted and the error rethrown. */
export async function writeWholeFile(handle: FileSystemFileHandle, data: Blob | string): Promise<void> {
  const writable = await handle.createWritable();
  try {
    await writable.write(data);
    await writable.close();
  } catch (err) {
    await writable.abort().catch(() => undefined);
    throw err;
  }
}

/** Web Lock held (shared) while a file is stored before its record, and (exclusive) by the orphan collector. */
export const OPFS_WRITE_LOCK = 'webgp-opfs-write';

/** Runs `write` under the shared OPFS write lock, so the collector never takes a file whose record is on its way. */
export function whileStoring<T>(write: () => Promise<T>): Promise<T> {
  const locks = typeof navigator === 'undefined' ? undefined : navigator.locks;
  return locks ? locks.request(OPFS_WRITE_LOCK, { mode: 'shared' }, write) : write();
}

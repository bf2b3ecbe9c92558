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

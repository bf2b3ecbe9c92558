/**
 * Queue and history files on the page: export the queue as queue.zip, read an imported
 * queue.zip against the packs in the registry, and export the run history as JSON Lines.
 */
import type { PackManifest } from '../../engine/pack/manifest';
import { toJsonLines } from '../../engine/queue/history';
import { exportQueue, importQueue, type QueueImport } from '../../engine/queue/queue-file';
import { isMatting, type Task } from '../../engine/queue/task';
import type { TaskRequest } from '../../engine/request';
import { listRuns } from '../../storage/history-store';
import { engineBridge } from '../bridges/engine-bridge';
import { saveFile } from '../save-file';
import { formatDate } from '../../engine/naming';

/** Today's local date for export file names (as the Gallery's zip export names it). */
const today = () => formatDate(new Date(), 'YYYY-MM-DD');

/**
 * Saves the generation tasks as queue.zip; matting tasks are left out (queue files carry
 * WanGP-style generation params only). Returns how many were left out, for the page to say so.
 */
export async function downloadQueue(tasks: Task[]): Promise<number> {
  const generation = tasks.filter((t): t is Task & { request: TaskRequest } => !isMatting(t.request));
  const bytes = await exportQueue(generation);
  saveFile(
    new Blob([bytes as Uint8Array<ArrayBuffer>], { type: 'application/zip' }),
    `webgp-queue-${today()}.zip`,
  );
  return tasks.length - generation.length;
}

/** Validates every task of a queue file; packs whose manifest cannot be read count as unknown. */
export async function readQueueFile(file: File): Promise<QueueImport> {
  const packs = (await engineBridge.api.listPacks()).filter((p) => !p.remote);
  const manifests = new Map<string, PackManifest>();
  await Promise.all(
    packs.map(async (p) => {
      const m = await engineBridge.api.describePack(p.id).catch(() => undefined);
      if (m) manifests.set(p.id, m);
    }),
  );
  return importQueue(new Uint8Array(await file.arrayBuffer()), file.name, (id) => manifests.get(id), [
    ...manifests.keys(),
  ]);
}

export async function downloadHistory(): Promise<number> {
  const runs = await listRuns();
  saveFile(new Blob([toJsonLines(runs)], { type: 'application/x-ndjson' }), `webgp-history-${today()}.jsonl`);
  return runs.length;
}

/**
 * Queue and history files on the page: export the queue as queue.zip, read an imported
 * queue.zip against the packs in the registry, and export the run history as JSON Lines.
 */
import type { PackManifest } from '../../engine/pack/manifest';
import { toJsonLines } from '../../engine/queue/history';
import { exportQueue, importQueue, type QueueImport } from '../../engine/queue/queue-file';
import type { Task } from '../../engine/queue/task';
import { listRuns } from '../../storage/history-store';
import { engineBridge } from '../bridges/engine-bridge';
import { saveFile } from '../save-file';
import { formatDate } from '../../engine/naming';

/** Today's local date for export file names (as the Gallery's zip export names it). */
const today = () => formatDate(new Date(), 'YYYY-MM-DD');

export async function downloadQueue(tasks: Task[]): Promise<void> {
  const bytes = await exportQueue(tasks);
  saveFile(new Blob([bytes as Uint8Array<ArrayBuffer>], { type: 'application/zip' }), `webgp-queue-${today()}.zip`);
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
  return importQueue(new Uint8Array(await file.arrayBuffer()), file.name, (id) => manifests.get(id), [...manifests.keys()]);
}

export async function downloadHistory(): Promise<number> {
  const runs = await listRuns();
  saveFile(new Blob([toJsonLines(runs)], { type: 'application/x-ndjson' }), `webgp-history-${today()}.jsonl`);
  return runs.length;
}

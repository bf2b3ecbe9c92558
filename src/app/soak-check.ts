/**
 * The soak check page (soak.html): reads the stored queue and outputs through src/storage's
 * public functions and prints what `npm run soak` (tools/soak/) compares — each task's status,
 * title and output id, and each output record's task and the sizes of the files it holds, read
 * back byte by byte so a record whose file is gone or unreadable shows as -1.
 */
import { taskTitle } from '../engine/queue/task';
import { listOutputs } from '../storage/outputs-store';
import { loadQueue } from '../storage/queue-store';

/** One stored task as the soak sees it. */
export interface SoakTask {
  id: string;
  title: string;
  status: string;
  outputId?: string;
}

/** One stored output record: its task and the byte count of each file it holds (-1: unreadable). */
export interface SoakOutput {
  id: string;
  taskId?: string;
  fileName: string;
  fileBytes: number[];
}

export interface SoakSnapshot {
  tasks: SoakTask[];
  outputs: SoakOutput[];
}

async function readBytes(blob: Blob | undefined): Promise<number> {
  try {
    return blob ? (await blob.arrayBuffer()).byteLength : -1;
  } catch {
    return -1;
  }
}

async function snapshot(): Promise<SoakSnapshot> {
  const queue = await loadQueue();
  const tasks = queue.tasks.map((t) => ({
    id: t.id,
    title: taskTitle(t),
    status: t.status,
    ...(t.outputId ? { outputId: t.outputId } : {}),
  }));
  const outputs: SoakOutput[] = [];
  for (const r of await listOutputs()) {
    const blobs = [r.media, r.thumbnail, ...(r.files ?? []).map((f) => f.blob)];
    outputs.push({
      id: r.id,
      ...(r.taskId ? { taskId: r.taskId } : {}),
      fileName: r.fileName,
      fileBytes: await Promise.all(blobs.map(readBytes)),
    });
  }
  return { tasks, outputs };
}

const result = document.getElementById('result') as HTMLElement;
snapshot().then(
  (s) => {
    result.textContent = JSON.stringify(s);
    document.body.dataset.done = 'ok';
  },
  (err: unknown) => {
    result.textContent = String(err);
    document.body.dataset.done = 'error';
  },
);

/**
 * What the soak counts, from the queued titles and the stored snapshot (soak.html): tasks lost
 * (queued, not stored), duplicated (a title stored twice, or two outputs for one task), stuck
 * (not finished once the queue drained), failed, outputs whose files are missing (a done task
 * without its record, or a record with an empty or unreadable file) and orphan outputs (a record
 * no done task points to).
 */
import type { SoakSnapshot } from '../../src/app/soak-check';

export interface SoakCounts {
  kills: number;
  byPoint: Record<string, number>;
  tasks: number;
  done: number;
  lost: number;
  duplicated: number;
  stuck: number;
  failed: number;
  missingFiles: number;
  orphans: number;
}

const FINISHED = new Set(['done', 'failed', 'aborted']);

function countBy<T>(items: T[], key: (t: T) => string | undefined): Map<string, number> {
  const m = new Map<string, number>();
  for (const it of items) {
    const k = key(it);
    if (k !== undefined) m.set(k, (m.get(k) ?? 0) + 1);
  }
  return m;
}

const extra = (m: Map<string, number>) => [...m.values()].reduce((n, c) => n + c - 1, 0);

export function soakCounts(titles: string[], s: SoakSnapshot): Omit<SoakCounts, 'kills' | 'byPoint'> {
  const stored = countBy(s.tasks, (t) => t.title);
  const outputs = new Map(s.outputs.map((o) => [o.id, o]));
  const done = s.tasks.filter((t) => t.status === 'done');
  const pointed = new Set(done.map((t) => t.outputId));
  return {
    tasks: s.tasks.length,
    done: done.length,
    lost: titles.filter((t) => !stored.has(t)).length,
    duplicated: extra(stored) + extra(countBy(s.outputs, (o) => o.taskId)),
    stuck: s.tasks.filter((t) => !FINISHED.has(t.status)).length,
    failed: s.tasks.filter((t) => t.status === 'failed' || t.status === 'aborted').length,
    missingFiles:
      done.filter((t) => !t.outputId || !outputs.has(t.outputId)).length +
      s.outputs.filter((o) => o.fileBytes.some((b) => b <= 0)).length,
    orphans: s.outputs.filter((o) => !pointed.has(o.id)).length,
  };
}

/** The counts as the lines `npm run soak` prints. */
export function formatCounts(c: SoakCounts): string {
  const points = Object.entries(c.byPoint)
    .map(([k, v]) => `${k} ${v}`)
    .join(', ');
  return [
    `kills       ${c.kills} (${points})`,
    `tasks       ${c.tasks} (${c.done} done)`,
    `lost        ${c.lost}`,
    `duplicated  ${c.duplicated}`,
    `stuck       ${c.stuck}`,
    `failed      ${c.failed}`,
    `missing     ${c.missingFiles} (output records without their file)`,
    `orphans     ${c.orphans} (output files without their task)`,
  ].join('\n');
}

/** True when nothing was lost, duplicated, stuck, failed or orphaned. */
export function soakClean(c: SoakCounts): boolean {
  return !c.lost && !c.duplicated && !c.stuck && !c.failed && !c.missingFiles && !c.orphans;
}

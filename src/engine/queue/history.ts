/**
 * Run history records: one versioned record per finished, failed or aborted queue task (its
 * request, a hash of the settings, and the artifacts it wrote), plus the JSON Lines export.
 * Pure TS: runs in Node tests, workers and the page.
 */
import { sha256Hex } from '../hash';
import type { OrtBuild } from '../ort-build';
import type { TransferReport } from '../transfers';
import type { TaskInput } from './task';

export const RUN_RECORD_VERSION = 1;

export type ArtifactRole =
  'video' | 'image' | 'thumbnail' | 'sidecar' | 'mask_foreground' | 'mask_alpha' | 'rgba_archive' | 'audio';

/** One file a run produced. */
export interface Artifact {
  role: ArtifactRole;
  fileName: string;
  /** 'mp4' | 'png' | 'json' | 'zip' … */
  container: string;
  codec?: string;
  frames?: number;
  durationSeconds?: number;
  bytes: number;
  outputId?: string;
}

/** What the history store keeps per run; times are epoch milliseconds. */
export interface RunRecord {
  version: typeof RUN_RECORD_VERSION;
  runId: string;
  taskId: string;
  startedAt: number;
  endedAt: number;
  status: 'done' | 'failed' | 'aborted';
  error?: string;
  settingsHash: string;
  request: TaskInput;
  fromStep: number;
  artifacts: Artifact[];
  /** Host↔device uploads and readbacks (calls, bytes) in total, per stage and per denoise step; generation runs only. */
  transfers?: TransferReport;
  /** The onnxruntime-web build that ran (engine/ort-build.ts); generation runs only. */
  ortBuild?: OrtBuild;
}

/** The value with object keys sorted recursively, so equal settings stringify identically. */
function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value === null || typeof value !== 'object') return value;
  const obj = value as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(obj).sort()) out[key] = sortKeys(obj[key]);
  return out;
}

/** sha256 (hex) of the request's canonical JSON (keys sorted recursively), via crypto.subtle. */
export async function settingsHash(request: TaskInput): Promise<string> {
  return sha256Hex(new TextEncoder().encode(JSON.stringify(sortKeys(request))));
}

/** One JSON object per line, times as ISO strings (startedAt/endedAt → ISO 8601), newline-terminated. */
export function toJsonLines(records: RunRecord[]): string {
  return records
    .map(
      (r) =>
        JSON.stringify({
          ...r,
          startedAt: new Date(r.startedAt).toISOString(),
          endedAt: new Date(r.endedAt).toISOString(),
        }) + '\n',
    )
    .join('');
}

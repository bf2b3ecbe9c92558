/**
 * Runs one queue task end to end: engine worker (resuming from its checkpoint when it has one)
 * → media worker (MP4 with the settings comment) → outputs store. Returns the saved record and
 * the artifacts for the run history.
 */
import type { BackendPreference } from '../../engine/capabilities';
import type { VideoEncoderChoice } from '../../engine/media/encode-mp4';
import { outputFileName } from '../../engine/naming';
import type { LatentCheckpoint } from '../../engine/pipeline/t2v-flow';
import type { ProgressCallback } from '../../engine/progress';
import type { Artifact } from '../../engine/queue/history';
import type { Task } from '../../engine/queue/task';
import { outputSettings } from '../../engine/settings';
import { OUTPUT_RECORD_VERSION, type OutputRecord, saveOutput } from '../../storage/outputs-store';
import { generateClip } from '../bridges/engine-bridge';
import { encodeVideo } from '../bridges/media-bridge';

export interface TaskRunOptions {
  jobId: string;
  backend: BackendPreference;
  encoder: VideoEncoderChoice;
  signal: AbortSignal;
  onProgress: ProgressCallback;
  resumeFrom?: LatentCheckpoint;
  onCheckpoint: (cp: LatentCheckpoint) => Promise<void>;
}

export interface TaskRunResult {
  record: OutputRecord;
  artifacts: Artifact[];
  backendReason: string;
}

export async function runTask(task: Task, o: TaskRunOptions): Promise<TaskRunResult> {
  const started = performance.now();
  const request = task.request;
  const out = await generateClip(request, o);
  o.signal.throwIfAborted();
  const createdAt = new Date();
  const settings = outputSettings(request, out.manifest, { backend: out.backend, generationSeconds: (performance.now() - started) / 1000, createdAt });
  const { width, height, count } = out.frames;
  const fps = out.manifest.defaults.fps;
  o.onProgress({ stage: 'mux', frame: 0, total: count });
  const media = await encodeVideo(out.frames, { fps, comment: JSON.stringify(settings), encoder: o.encoder });
  o.signal.throwIfAborted(); // aborted while muxing: nothing is saved
  const record: OutputRecord = {
    version: OUTPUT_RECORD_VERSION,
    id: crypto.randomUUID(),
    createdAt: createdAt.getTime(),
    fileName: outputFileName({ date: createdAt, seed: request.seed, prompt: request.prompt, ext: 'mp4' }),
    kind: 'video',
    settings,
    media: media.video,
    thumbnail: media.thumbnail,
    width,
    height,
    frames: count,
    encoder: media.encoder,
    taskId: task.id,
  };
  await saveOutput(record);
  o.onProgress({ stage: 'done', elapsedMs: performance.now() - started });
  const artifacts: Artifact[] = [{ role: 'video', fileName: record.fileName, container: 'mp4', codec: 'h264', frames: count, durationSeconds: count / fps, bytes: media.video.size, outputId: record.id }];
  return { record, artifacts, backendReason: out.backendReason };
}

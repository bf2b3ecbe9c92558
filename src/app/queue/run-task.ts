/**
 * Runs one queue task end to end: engine worker (resuming from its checkpoint when it has one)
 * → media worker (MP4, or PNG for a single frame; settings embedded, in a JSON sidecar, or not
 * at all, per the task's snapshot) → outputs store under a collision-free templated name.
 * Returns the saved record and the artifacts for the run history. Matting tasks go to run-matting.
 */
import type { BackendPreference } from '../../engine/capabilities';
import type { VideoEncoderChoice } from '../../engine/media/encoder-choice';
import { availableFileName, renderName } from '../../engine/naming';
import type { LatentCheckpoint } from '../../engine/pipeline/generate';
import type { ProgressCallback } from '../../engine/progress';
import type { Artifact } from '../../engine/queue/history';
import type { OrtBuild } from '../../engine/ort-build';
import type { TransferReport } from '../../engine/transfers';
import { isMatting, type OutputSnapshot, type Task } from '../../engine/queue/task';
import { outputSettings } from '../../engine/settings';
import {
  OUTPUT_RECORD_VERSION,
  type OutputRecord,
  outputFileNames,
  saveOutput,
} from '../../storage/outputs-store';
import { generateClip } from '../bridges/engine-bridge';
import { resetEnhancer } from '../bridges/enhancer-bridge';
import { encodeImage, encodeVideo, mp4Plan } from '../bridges/media-bridge';
import type { PauseGate } from '../../engine/pause-gate';
import type { EnhancerSettings } from '../../storage/enhancer-settings-store';
import { enhanceStage } from './run-enhance';
import { runMatting } from './run-matting';

export interface TaskRunOptions {
  jobId: string;
  backend: BackendPreference;
  encoder: VideoEncoderChoice;
  signal: AbortSignal;
  onProgress: ProgressCallback;
  resumeFrom?: LatentCheckpoint;
  onCheckpoint: (cp: LatentCheckpoint) => Promise<void>;
  /** Holds a matting loop between frames while the task is paused (generation pauses in the engine). */
  gate: PauseGate;
  /** Prompt enhancer settings (read when the task starts) and where the enhanced prompt goes. */
  enhancer?: { settings: EnhancerSettings; onEnhanced: (prompt: string, key?: string) => void };
  /** Stores the output (the queue runner also marks the task done in the same transaction); default saveOutput. */
  save?: (record: OutputRecord) => Promise<void>;
}

export interface TaskRunResult {
  record: OutputRecord;
  artifacts: Artifact[];
  backendReason: string;
  /** What the run moved between CPU and GPU (generation runs). */
  transfers?: TransferReport;
  /** The onnxruntime-web build that ran (generation runs). */
  ortBuild?: OrtBuild;
}

/** Runs `task` with the output settings it snapshotted when it started (`task.snapshot`). */
export async function runTask(
  task: Task,
  snapshot: OutputSnapshot,
  o: TaskRunOptions,
): Promise<TaskRunResult> {
  if (isMatting(task.request)) {
    await resetEnhancer(); // an LLM an earlier task kept loaded goes before matting
    return runMatting(task, task.request, snapshot, o);
  }
  const started = performance.now();
  const request = task.request;
  let enhancerNote = '';
  let kept = false;
  const enhanced = o.enhancer
    ? await enhanceStage(task, request, {
        ...o.enhancer,
        onRelease: (d) => {
          enhancerNote = ` ${d.message}`;
          kept = d.keep;
        },
        jobId: `${o.jobId}#enhance`,
        backend: o.backend,
        signal: o.signal,
        onProgress: o.onProgress,
      })
    : undefined;
  // Unless this task's decision kept it, an LLM an earlier task kept loaded goes before this pack loads.
  if (!kept) await resetEnhancer();
  const out = await generateClip(
    enhanced === undefined ? request : { ...request, prompt: enhanced.prompt },
    o,
  );
  o.signal.throwIfAborted();
  const createdAt = new Date();
  const { width, height, count } = out.frames;
  const fps = out.manifest.defaults.fps;
  const kind = count === 1 ? 'image' : 'video';
  const plan = kind === 'video' ? await mp4Plan(out.frames, fps, o.encoder) : undefined;
  const settings = outputSettings(request, out.manifest, {
    backend: out.backend,
    ortBuild: out.ortBuild,
    ...(plan ? { muxer: plan.muxer } : {}),
    generationSeconds: (performance.now() - started) / 1000,
    createdAt,
    ...(enhanced === undefined ? {} : { enhancedPrompt: enhanced.prompt, enhancedFor: enhanced.key }),
  });
  const json = JSON.stringify(settings);
  const embedded = snapshot.metadataMode === 'embedded' ? json : undefined;
  o.onProgress({ stage: 'mux', frame: 0, total: count });
  const encoded =
    kind === 'image'
      ? { ...(await encodeImage(out.frames, embedded)), encoder: 'png' }
      : await encodeVideo(out.frames, {
          fps,
          encoder: o.encoder,
          ...(embedded === undefined ? {} : { comment: embedded }),
        }).then((v) => ({ image: v.video, thumbnail: v.thumbnail, encoder: v.encoder }));
  o.signal.throwIfAborted(); // aborted while muxing: nothing is saved
  const ext = kind === 'image' ? 'png' : 'mp4';
  const base = renderName(snapshot.namingTemplate, {
    date: createdAt,
    seed: request.seed,
    prompt: request.prompt,
    steps: request.steps,
    pack: request.packId,
  });
  const fileName = availableFileName(base, ext, await outputFileNames(base));
  const sidecar =
    snapshot.metadataMode === 'json'
      ? {
          fileName: `${fileName.slice(0, -ext.length - 1)}.json`,
          text: `${JSON.stringify(settings, null, 2)}\n`,
        }
      : undefined;
  const record: OutputRecord = {
    version: OUTPUT_RECORD_VERSION,
    id: crypto.randomUUID(),
    createdAt: createdAt.getTime(),
    fileName,
    kind,
    settings,
    media: encoded.image,
    thumbnail: encoded.thumbnail,
    ...(sidecar ? { sidecar } : {}),
    width,
    height,
    frames: count,
    encoder: encoded.encoder,
    taskId: task.id,
  };
  await (o.save ?? saveOutput)(record);
  o.onProgress({ stage: 'done', elapsedMs: performance.now() - started });
  const main: Artifact =
    kind === 'image'
      ? {
          role: 'image',
          fileName,
          container: 'png',
          frames: 1,
          bytes: record.media.size,
          outputId: record.id,
        }
      : {
          role: 'video',
          fileName,
          container: 'mp4',
          codec: 'h264',
          frames: count,
          durationSeconds: count / fps,
          bytes: record.media.size,
          outputId: record.id,
        };
  const artifacts = sidecar
    ? [
        main,
        {
          role: 'sidecar' as const,
          fileName: sidecar.fileName,
          container: 'json',
          bytes: new Blob([sidecar.text]).size,
          outputId: record.id,
        },
      ]
    : [main];
  return {
    record,
    artifacts,
    backendReason: out.backendReason + enhancerNote,
    transfers: out.transfers,
    ortBuild: out.ortBuild,
  };
}

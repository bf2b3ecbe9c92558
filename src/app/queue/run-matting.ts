/**
 * Runs one matting task: the task's video is decoded in chunks by the media worker, each frame
 * goes through the engine's matting job (first-frame mask from the task's mask PNG) and its
 * alpha back to the media worker's writer, so only a chunk of frames is ever in memory. Pause
 * holds between frames, abort stops after the current frame; an interrupted task starts again
 * from its first frame. The outputs are saved as one Gallery record with several files.
 */
import { transfer } from 'comlink';
import { EngineError } from '../../engine/errors';
import { maskFromPng } from '../../engine/media/mask-png';
import { mattingSettings } from '../../engine/metadata/matting-settings';
import {
  assertValidMattingRequest,
  mattingFrameCount,
  type MattingRequest,
  resizeMask,
} from '../../engine/matting';
import { availableFileName, sanitizeFileName } from '../../engine/naming';
import type { Artifact } from '../../engine/queue/history';
import type { OutputSnapshot, Task } from '../../engine/queue/task';
import type { MattingFiles } from '../../workers/media/matting-writer';
import type { VideoDecoderKind } from '../../engine/media/video-probe';
import {
  OUTPUT_RECORD_VERSION,
  type OutputFile,
  type OutputRecord,
  outputFileNames,
  saveOutput,
} from '../../storage/outputs-store';
import { engineBridge } from '../bridges/engine-bridge';
import {
  abortWriter,
  closeVideo,
  closeWriter,
  openVideo,
  mp4Plan,
  openWriter,
  readFrames,
  videoDecoder,
  writeFrame,
} from '../bridges/media-bridge';
import type { PauseGate } from '../../engine/pause-gate';
import type { TaskRunOptions, TaskRunResult } from './run-task';

/** Frames decoded per media-worker call. */
const CHUNK = 8;

const bytesBlob = (b: Uint8Array, type: string) => new Blob([b as Uint8Array<ArrayBuffer>], { type });

export async function runMatting(
  task: Task,
  r: MattingRequest,
  snapshot: OutputSnapshot,
  o: TaskRunOptions & { gate: PauseGate },
): Promise<TaskRunResult> {
  const started = performance.now();
  const video = task.media?.video_source;
  const maskPng = task.media?.image_mask;
  if (!video || !maskPng)
    throw new EngineError(
      'invalid-request',
      'This matting task has lost its video or mask. Remove it and queue the video again from the Matting page.',
    );
  const jobId = o.jobId;
  const info = await openVideo(jobId, video, r.videoName);
  const engine = engineBridge.api;
  let opened = false;
  try {
    assertValidMattingRequest(r, info);
    let mask = maskFromPng(new Uint8Array(await maskPng.arrayBuffer()), 'The task mask');
    if (mask.width !== info.width || mask.height !== info.height)
      mask = resizeMask(mask, info.width, info.height);
    const total = mattingFrameCount(r);
    // The first chunk gives the job its first frame and is then matted itself, so the source
    // reads chunk after chunk from the start and never decodes a frame twice.
    const chunkAt = (at: number) =>
      at <= r.endFrame ? readFrames(jobId, at, Math.min(CHUNK, r.endFrame - at + 1)) : Promise.resolve([]);
    let chunk = await chunkAt(r.startFrame);
    const first = chunk[0];
    if (!first) throw new EngineError('invalid-video', `${r.videoName} has no frame ${r.startFrame}.`);
    const createdAt = new Date();
    const { backend } = await engine.mattingOpen(jobId, {
      packId: r.packId,
      width: info.width,
      height: info.height,
      firstMask: mask,
      firstFrame: first,
      warmupFrames: r.warmupFrames,
      erode: r.erode,
      dilate: r.dilate,
      backend: o.backend,
    });
    opened = true;
    const { muxer } = await mp4Plan(info, info.fps, o.encoder);
    const comment =
      snapshot.metadataMode === 'embedded'
        ? JSON.stringify(mattingSettings(r, { ...info, backend, muxer, generationSeconds: 0, createdAt }))
        : undefined;
    await openWriter(
      jobId,
      {
        width: info.width,
        height: info.height,
        fps: info.fps,
        maskType: r.maskType,
        encoder: o.encoder,
        ...(comment ? { comment } : {}),
      },
      { videoId: jobId, startSeconds: r.startFrame / info.fps },
    );
    let done = 0;
    for (let at = r.startFrame; chunk.length;) {
      for (const frame of chunk) {
        await o.gate.wait(o.signal);
        const copy = { ...frame, data: frame.data.slice() };
        const alpha = await engine.mattingFrame(jobId, transfer(copy, [copy.data.buffer]));
        o.signal.throwIfAborted();
        await writeFrame(jobId, frame, alpha);
        done++;
        const elapsedMs = performance.now() - started;
        o.onProgress({
          stage: 'matting',
          frame: done,
          total,
          elapsedMs,
          etaMs: (elapsedMs / done) * (total - done),
        });
      }
      at += chunk.length;
      chunk = await chunkAt(at);
    }
    if (done !== total)
      throw new EngineError('invalid-video', `${r.videoName} ended after ${done} of ${total} frames.`);
    o.onProgress({ stage: 'mux', frame: total, total });
    const files = await closeWriter(jobId);
    o.signal.throwIfAborted();
    const result = await save(
      task,
      r,
      snapshot,
      {
        ...files,
        ...info,
        decoder: await videoDecoder(jobId),
        backend,
        seconds: (performance.now() - started) / 1000,
        createdAt,
      },
      o.save ?? saveOutput,
    );
    o.onProgress({ stage: 'done', elapsedMs: performance.now() - started });
    return result;
  } catch (err) {
    await abortWriter(jobId).catch(() => undefined);
    throw err;
  } finally {
    if (opened) await engine.mattingClose(jobId).catch(() => undefined);
    await closeVideo(jobId).catch(() => undefined);
  }
}

/** The media worker's files plus what the run knows about the video and itself. */
type Made = MattingFiles & {
  width: number;
  height: number;
  fps: number;
  decoder: VideoDecoderKind;
  backend: string;
  seconds: number;
  createdAt: Date;
};

async function save(
  task: Task,
  r: MattingRequest,
  snapshot: OutputSnapshot,
  m: Made,
  store: (record: OutputRecord) => Promise<void>,
): Promise<TaskRunResult> {
  const settings = mattingSettings(r, {
    width: m.width,
    height: m.height,
    fps: m.fps,
    backend: m.backend,
    decoder: m.decoder,
    muxer: m.muxer,
    generationSeconds: m.seconds,
    createdAt: m.createdAt,
  });
  const stem = sanitizeFileName(r.videoName.replace(/\.[^.]+$/, '')) || 'video';
  const fileName = availableFileName(
    `${stem}_foreground`,
    'mp4',
    await outputFileNames(`${stem}_foreground`),
  );
  const base = fileName.slice(0, -'_foreground.mp4'.length) || stem;
  const files: OutputFile[] = [
    { role: 'mask_alpha', fileName: `${base}_alpha.mp4`, blob: bytesBlob(m.alpha, 'video/mp4') },
    { role: 'rgba_archive', fileName: `${base}_rgba.zip`, blob: bytesBlob(m.zip, 'application/zip') },
    ...(m.audio
      ? [{ role: 'audio' as const, fileName: `${base}_audio.m4a`, blob: bytesBlob(m.audio, 'audio/mp4') }]
      : []),
  ];
  const sidecar =
    snapshot.metadataMode === 'json'
      ? { fileName: `${base}.json`, text: `${JSON.stringify(settings, null, 2)}\n` }
      : undefined;
  const record: OutputRecord = {
    version: OUTPUT_RECORD_VERSION,
    id: crypto.randomUUID(),
    createdAt: m.createdAt.getTime(),
    fileName,
    kind: 'video',
    settings,
    media: bytesBlob(m.foreground, 'video/mp4'),
    files,
    ...(sidecar ? { sidecar } : {}),
    thumbnail: m.thumbnail,
    width: m.width,
    height: m.height,
    frames: m.frames,
    encoder: m.encoder,
    taskId: task.id,
  };
  await store(record);
  const durationSeconds = m.frames / m.fps;
  const video = (role: Artifact['role'], name: string, blob: Blob): Artifact => ({
    role,
    fileName: name,
    container: 'mp4',
    codec: 'h264',
    frames: m.frames,
    durationSeconds,
    bytes: blob.size,
    outputId: record.id,
  });
  const artifacts: Artifact[] = [
    video('mask_foreground', fileName, record.media),
    ...files.map((f) =>
      f.role === 'mask_alpha'
        ? video(f.role, f.fileName, f.blob)
        : {
            role: f.role,
            fileName: f.fileName,
            container: f.role === 'audio' ? 'm4a' : 'zip',
            ...(f.role === 'audio' ? { codec: 'aac', durationSeconds } : { frames: m.frames }),
            bytes: f.blob.size,
            outputId: record.id,
          },
    ),
    ...(sidecar
      ? [
          {
            role: 'sidecar' as const,
            fileName: sidecar.fileName,
            container: 'json',
            bytes: new Blob([sidecar.text]).size,
            outputId: record.id,
          },
        ]
      : []),
  ];
  return { record, artifacts, backendReason: `Matted ${m.frames} frames on ${m.backend}.` };
}

/**
 * The end-to-end matting bench (bench.html?matting-run=N): one matting queue task run exactly as
 * the queue runs it (runMatting: media-worker decode in chunks → engine matting job → streamed
 * encode of foreground, alpha and RGBA PNG zip, audio re-attached, Gallery record saved), on an
 * N-frame clip that tools/bench.ts makes with the system ffmpeg. tools/bench.ts measures the
 * browser's peak memory around it, so 48 vs 480 frames shows whether streaming keeps it flat.
 */
import type { MattingRunBenchResult } from '../engine/bench/matting-bench';
import type { BackendPreference } from '../engine/capabilities';
import type { MattingRequest } from '../engine/matting';
import { newTask } from '../engine/queue/task';
import { PauseGate } from '../engine/pause-gate';
import { runMatting } from './queue/run-matting';

async function fetchBlob(path: string): Promise<Blob> {
  const res = await fetch(new URL(path, location.href));
  if (!res.ok)
    throw new Error(
      `${path}: HTTP ${res.status} (run the bench through tools/bench.ts, which makes the clips)`,
    );
  return res.blob();
}

export async function benchMattingRun(
  frames: number,
  backend: BackendPreference,
): Promise<MattingRunBenchResult> {
  const video = await fetchBlob(`bench-clips/square-${frames}.mp4`);
  const mask = await fetchBlob('bench-clips/square-mask.png');
  const request: MattingRequest = {
    kind: 'matting',
    packId: 'demo-matanyone',
    videoName: `square-${frames}.mp4`,
    startFrame: 0,
    endFrame: frames - 1,
    warmupFrames: 4,
    erode: 0,
    dilate: 0,
    maskType: 'alpha',
  };
  const task = newTask(request, {
    id: `bench-${frames}`,
    rank: 0,
    now: Date.now(),
    media: { video_source: video, image_mask: mask },
  });
  const started = performance.now();
  const result = await runMatting(
    task,
    request,
    { metadataMode: 'embedded', embedSourceImages: false, namingTemplate: '{date}' },
    {
      jobId: `bench-matting-${frames}`,
      backend,
      encoder: 'auto',
      signal: new AbortController().signal,
      onProgress: () => undefined,
      onCheckpoint: async () => undefined,
      gate: new PauseGate(),
    },
  );
  const totalMs = performance.now() - started;
  return { backend, frames, totalMs, fps: (frames * 1000) / totalMs, outputBytes: result.record.media.size };
}

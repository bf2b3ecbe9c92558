/**
 * Matting benchmark (run by `npm run bench` through the engine worker): opens a matting job on the
 * moving-disc clip and mattes `frames` synthetic frames one at a time, as the Matting page streams
 * them, reporting frames per second and the worst alpha IoU. Peak memory is measured outside (the
 * browser's resident memory), comparing a short and a long run: it must stay flat.
 */
import type { BackendPreference } from '../capabilities';
import type { AlphaFrame, RgbaFrame } from '../matting/frames';
import type { MattingOpen, MattingOpened } from '../matting/matting-engine';
import { discFrame, maskIou } from './moving-disc';

/** The engine methods the benchmark drives (the worker's api, or the engine in-thread). */
export interface MattingBenchApi {
  mattingOpen(jobId: string, o: MattingOpen): Promise<MattingOpened>;
  mattingFrame(jobId: string, frame: RgbaFrame): Promise<AlphaFrame>;
  mattingClose(jobId: string): Promise<void>;
}

export interface MattingBenchResult {
  packId: string;
  backend: BackendPreference;
  frames: number;
  width: number;
  height: number;
  openMs: number;
  frameMs: number;
  fps: number;
  minIou: number;
}

/** A whole matting queue task on an N-frame clip (the app's bench-matting-run.ts). */
export interface MattingRunBenchResult {
  backend: BackendPreference;
  frames: number;
  totalMs: number;
  /** Frames per second over the whole task (decode, matting, encode, mux, save). */
  fps: number;
  /** Bytes of the saved foreground video (grows with the clip; decoded frames never accumulate). */
  outputBytes: number;
}

export interface MattingBenchOptions {
  backend?: BackendPreference;
  width?: number;
  height?: number;
  /** Wraps each frame before it is sent (e.g. comlink transfer). */
  send?: (f: RgbaFrame) => RgbaFrame;
}

/** Mattes `frames` frames of the moving-disc clip (96×64 unless given) with pack `packId`. */
export async function benchMatting(
  api: MattingBenchApi,
  packId: string,
  frames: number,
  o: MattingBenchOptions = {},
): Promise<MattingBenchResult> {
  const { width = 96, height = 64, send = (f: RgbaFrame) => f, backend = 'auto' } = o;
  const first = discFrame(0, frames, width, height);
  const jobId = `bench-matting-${frames}`;
  const t0 = performance.now();
  await api.mattingOpen(jobId, {
    packId,
    width,
    height,
    firstFrame: first.frame,
    firstMask: first.truth,
    warmupFrames: 4,
    erode: 0,
    dilate: 0,
    backend,
  });
  const t1 = performance.now();
  let minIou = 1;
  try {
    for (let i = 0; i < frames; i++) {
      const d = discFrame(i, frames, width, height);
      minIou = Math.min(minIou, maskIou(await api.mattingFrame(jobId, send(d.frame)), d.truth));
    }
  } finally {
    await api.mattingClose(jobId);
  }
  const ms = performance.now() - t1;
  return {
    packId,
    backend,
    frames,
    width,
    height,
    openMs: t1 - t0,
    frameMs: ms / frames,
    fps: (1000 * frames) / ms,
    minIou,
  };
}

/**
 * The Matting page's "Check" dry run: frame count, size, and rough peak memory and time for a
 * request against a matting pack's manifest, without any GPU work. Memory counts the graph
 * files (held in JS and copied into the runtime), one frame's feature maps (current and
 * previous), the bounded memory bank and a few video frames in flight; it does not grow with
 * the clip's length because frames are streamed.
 */
import type { MattingManifest } from '../pack/media-manifest';
import { mattingFrameCount, type MattingRequest, type VideoInfo } from './request';

/** Rough seconds per frame at 1024² (four graphs on a desktop GPU); scaled by pixel count. */
const SECONDS_PER_MEGAPIXEL = 1;
/** Video frames alive at once: decoded, being matted, being encoded. */
const FRAMES_IN_FLIGHT = 4;

export interface MattingEstimate {
  frames: number;
  width: number;
  height: number;
  peakBytes: number;
  seconds: number;
}

/** Float32 bytes of one frame's feature maps and state at the pack's size. */
export function featureBytes(m: MattingManifest): number {
  const { width: w, height: h, dims: d } = m.matting;
  const at = (c: number, s: number) => c * (w / s) * (h / s);
  const features = at(3, 1) + at(d.f2, 2) + at(d.f4, 4) + at(d.f8, 8) + at(d.f16, 16);
  const small = at(d.pixFeat, 16) + 2 * at(d.key, 16) + at(1, 16) + 2 * at(d.value, 16);
  return 4 * (features + small + 3 * w * h);
}

/** Float32 bytes of one memory frame (key, shrinkage, value, object memory). */
export function memoryFrameBytes(m: MattingManifest): number {
  const { width: w, height: h, dims: d } = m.matting;
  return 4 * ((d.key + 1 + d.value) * (w / 16) * (h / 16) + d.objTokens * (d.value + 1));
}

/** Estimates a (valid) request's size, peak memory and time. */
export function estimateMatting(r: MattingRequest, info: VideoInfo, m: MattingManifest): MattingEstimate {
  const frames = mattingFrameCount(r);
  const modelBytes = Object.values(m.components).reduce(
    (n, c) => n + (c.bytes ?? 0) + c.externalData.reduce((k, x) => k + (x.bytes ?? 0), 0),
    0,
  );
  const videoBytes = FRAMES_IN_FLIGHT * info.width * info.height * 5;
  const peakBytes =
    2 * modelBytes + 2 * featureBytes(m) + m.matting.maxMemFrames * memoryFrameBytes(m) + videoBytes;
  const perFrame = (SECONDS_PER_MEGAPIXEL * m.matting.width * m.matting.height) / 2 ** 20;
  return {
    frames,
    width: info.width,
    height: info.height,
    peakBytes: Math.round(peakBytes),
    seconds: (frames + r.warmupFrames) * perFrame,
  };
}

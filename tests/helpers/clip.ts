/** The synthetic moving-disc clip (src/engine/bench/moving-disc.ts) as whole arrays, for tests. */
import { discFrame, maskIou } from '../../src/engine/bench/moving-disc';
import type { AlphaFrame, RgbaFrame } from '../../src/engine/matting/frames';

export interface Clip {
  frames: RgbaFrame[];
  truth: AlphaFrame[];
  /** The disc's centre in each frame. */
  centres: { x: number; y: number }[];
}

/** `count` frames of `width`×`height`: a disc of `radius` moving left to right along the middle row. */
export function movingDisc(width = 96, height = 64, count = 12, radius = 14): Clip {
  const clip: Clip = { frames: [], truth: [], centres: [] };
  for (let f = 0; f < count; f++) {
    const d = discFrame(f, count, width, height, radius);
    clip.frames.push(d.frame);
    clip.truth.push(d.truth);
    clip.centres.push(d.centre);
  }
  return clip;
}

export const iou = maskIou;

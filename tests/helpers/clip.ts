/** A synthetic clip for segmentation/matting tests: a bright disc moving across a dark background, with its true masks. */
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
    const cx = radius + 4 + ((width - 2 * radius - 8) * f) / Math.max(1, count - 1);
    const cy = height / 2 + 3 * Math.sin(f / 2);
    const data = new Uint8ClampedArray(width * height * 4);
    const mask = new Uint8Array(width * height);
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) {
        const inside = (x + 0.5 - cx) ** 2 + (y + 0.5 - cy) ** 2 <= radius * radius;
        const i = y * width + x;
        data.set(inside ? [235, 225, 210, 255] : [20, 28, 40 + (x % 8), 255], i * 4);
        mask[i] = inside ? 255 : 0;
      }
    }
    clip.frames.push({ width, height, data });
    clip.truth.push({ width, height, data: mask });
    clip.centres.push({ x: cx, y: cy });
  }
  return clip;
}

/** Intersection over union of two masks thresholded at 128. */
export function iou(a: AlphaFrame, b: AlphaFrame): number {
  let inter = 0;
  let union = 0;
  for (let i = 0; i < a.data.length; i++) {
    const x = (a.data[i] as number) >= 128;
    const y = (b.data[i] as number) >= 128;
    if (x && y) inter++;
    if (x || y) union++;
  }
  return union ? inter / union : 1;
}

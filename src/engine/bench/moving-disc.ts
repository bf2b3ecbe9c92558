/**
 * A synthetic clip for segmentation/matting tests and the matting benchmark: a bright disc moving
 * left to right across a dark, slightly textured background, with its true mask. Frames are made
 * one at a time, so a long clip never has to be held.
 */
import type { AlphaFrame, RgbaFrame } from '../matting/frames';

export interface DiscFrame {
  frame: RgbaFrame;
  truth: AlphaFrame;
  centre: { x: number; y: number };
}

/** Frame `index` of a `count`-frame clip of `width`×`height`, disc radius `radius`. */
export function discFrame(index: number, count: number, width = 96, height = 64, radius = 14): DiscFrame {
  const t = count > 1 ? (index % count) / (count - 1) : 0;
  const cx = radius + 4 + (width - 2 * radius - 8) * t;
  const cy = height / 2 + 3 * Math.sin(index / 2);
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
  return { frame: { width, height, data }, truth: { width, height, data: mask }, centre: { x: cx, y: cy } };
}

/** Intersection over union of two masks thresholded at 128. */
export function maskIou(a: AlphaFrame, b: AlphaFrame): number {
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

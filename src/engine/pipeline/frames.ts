/** Converts decoder output (NTCHW, NCTHW or single-image NCHW floats in [lo, hi]) into packed RGBA frames. */
import type { FrameLayout } from '../pack/manifest';

export interface FrameStack {
  width: number;
  height: number;
  count: number;
  /** count × height × width × 4 bytes, frame after frame. */
  rgba: Uint8Array;
}

export function toRgbaFrames(
  data: Float32Array,
  rawDims: readonly number[],
  rawLayout: FrameLayout,
  range: [number, number],
): FrameStack {
  // An image decoder's [1, 3, H, W] is one NCTHW frame.
  const image = rawLayout === 'NCHW';
  const dims =
    image && rawDims.length === 4
      ? [rawDims[0] as number, rawDims[1] as number, 1, rawDims[2] as number, rawDims[3] as number]
      : rawDims;
  const layout = image ? 'NCTHW' : rawLayout;
  if (dims.length !== 5 || dims[0] !== 1)
    throw new RangeError(`decoder output must be [1, …] ${image ? 4 : 5}-D, got [${rawDims.join(', ')}]`);
  const [t, c, h, w] =
    layout === 'NTCHW' ? [dims[1], dims[2], dims[3], dims[4]] : [dims[2], dims[1], dims[3], dims[4]];
  const count = t as number;
  const height = h as number;
  const width = w as number;
  if (c !== 3) throw new RangeError(`decoder output must have 3 colour channels, got ${c}`);
  const [lo, hi] = range;
  const scale = 255 / (hi - lo);
  const plane = height * width;
  const rgba = new Uint8Array(count * plane * 4);
  for (let f = 0; f < count; f++) {
    for (let ch = 0; ch < 3; ch++) {
      const src = layout === 'NTCHW' ? (f * 3 + ch) * plane : (ch * count + f) * plane;
      for (let p = 0; p < plane; p++) {
        const v = Math.round(((data[src + p] as number) - lo) * scale);
        rgba[(f * plane + p) * 4 + ch] = v < 0 ? 0 : v > 255 ? 255 : v;
      }
    }
    for (let p = 0; p < plane; p++) rgba[(f * plane + p) * 4 + 3] = 255;
  }
  return { width, height, count, rgba };
}

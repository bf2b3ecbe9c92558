/**
 * Frame geometry between the video and a model's fixed input: fit the frame inside the model's
 * size (aspect kept), resample it to planar float RGB there, and map a model-sized alpha back to
 * the video. Downscaling averages the covered source pixels (box filter), upscaling is bilinear.
 */
import type { RgbaFrame } from './frames';

/** Where the frame's content sits in the model input: offset and size, in model pixels. */
export interface Placement {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** Fits `w`×`h` into `W`×`H`; `centre` pads evenly (MatAnyone), otherwise bottom/right (SAM). */
export function fitPlacement(w: number, h: number, W: number, H: number, centre: boolean): Placement {
  const scale = Math.min(W / w, H / h);
  const width = Math.min(W, Math.max(1, Math.round(w * scale)));
  const height = Math.min(H, Math.max(1, Math.round(h * scale)));
  return centre
    ? { x: Math.floor((W - width) / 2), y: Math.floor((H - height) / 2), width, height }
    : { x: 0, y: 0, width, height };
}

/** Source sample positions and weights for one output axis (box filter when shrinking, bilinear when growing). */
function axisTaps(src: number, dst: number): { index: Int32Array; weight: Float32Array; taps: number } {
  const scale = src / dst;
  const taps = scale > 1 ? Math.ceil(scale) + 1 : 2;
  const index = new Int32Array(dst * taps);
  const weight = new Float32Array(dst * taps);
  for (let o = 0; o < dst; o++) {
    if (scale > 1) {
      const lo = o * scale;
      const hi = lo + scale;
      for (let t = 0; t < taps; t++) {
        const s = Math.floor(lo) + t;
        const w = Math.max(0, Math.min(hi, s + 1) - Math.max(lo, s));
        index[o * taps + t] = Math.min(s, src - 1);
        weight[o * taps + t] = w / scale;
      }
    } else {
      const f = Math.min(Math.max((o + 0.5) * scale - 0.5, 0), src - 1);
      const s0 = Math.floor(f);
      index[o * taps] = s0;
      index[o * taps + 1] = Math.min(s0 + 1, src - 1);
      weight[o * taps] = 1 - (f - s0);
      weight[o * taps + 1] = f - s0;
    }
  }
  return { index, weight, taps };
}

/** Resamples one plane `src` (srcW×srcH) into `out` at placement `p` of a `outW`-wide image. */
function resamplePlane(
  src: (x: number, y: number) => number,
  srcW: number,
  srcH: number,
  out: Float32Array,
  outW: number,
  p: Placement,
  offset = 0,
): void {
  const ax = axisTaps(srcW, p.width);
  const ay = axisTaps(srcH, p.height);
  for (let y = 0; y < p.height; y++) {
    for (let x = 0; x < p.width; x++) {
      let v = 0;
      for (let j = 0; j < ay.taps; j++) {
        const wy = ay.weight[y * ay.taps + j] as number;
        if (wy === 0) continue;
        const sy = ay.index[y * ay.taps + j] as number;
        for (let i = 0; i < ax.taps; i++)
          v += wy * (ax.weight[x * ax.taps + i] as number) * src(ax.index[x * ax.taps + i] as number, sy);
      }
      out[offset + (p.y + y) * outW + p.x + x] = v;
    }
  }
}

/**
 * The frame as planar RGB [3, H, W] at placement `p`, values `scale`·(pixel/255) then
 * (v − mean[c]) / std[c]; pixels outside the placement are `pad` (after normalisation).
 */
export function frameToPlanar(
  frame: RgbaFrame,
  W: number,
  H: number,
  p: Placement,
  opts: { scale?: number; mean?: readonly number[]; std?: readonly number[]; pad?: number } = {},
): Float32Array {
  const out = new Float32Array(3 * W * H).fill(opts.pad ?? 0);
  const k = (opts.scale ?? 1) / 255;
  for (let c = 0; c < 3; c++) {
    const mean = opts.mean?.[c] ?? 0;
    const std = opts.std?.[c] ?? 1;
    resamplePlane(
      (x, y) => ((frame.data[(y * frame.width + x) * 4 + c] as number) * k - mean) / std,
      frame.width,
      frame.height,
      out,
      W,
      p,
      c * W * H,
    );
  }
  return out;
}

/** A mask (0–255) as a [H, W] plane of 0–1 values at placement `p`, 0 outside. */
export function maskToPlane(
  mask: { width: number; height: number; data: Uint8Array },
  W: number,
  H: number,
  p: Placement,
): Float32Array {
  const out = new Float32Array(W * H);
  resamplePlane(
    (x, y) => (mask.data[y * mask.width + x] as number) / 255,
    mask.width,
    mask.height,
    out,
    W,
    p,
  );
  return out;
}

/** Crops placement `p` out of a [H, W] plane of 0–1 values (width `W`) and resamples it to `w`×`h` bytes 0–255. */
export function planeToAlpha(
  plane: ArrayLike<number>,
  W: number,
  p: Placement,
  w: number,
  h: number,
): Uint8Array {
  const out = new Float32Array(w * h);
  resamplePlane((x, y) => plane[(p.y + y) * W + p.x + x] as number, p.width, p.height, out, w, {
    x: 0,
    y: 0,
    width: w,
    height: h,
  });
  const bytes = new Uint8Array(w * h);
  for (let i = 0; i < out.length; i++)
    bytes[i] = Math.round(Math.min(1, Math.max(0, out[i] as number)) * 255);
  return bytes;
}

/**
 * Live previews while denoising: a cheap per-pixel latent → RGB projection of one latent frame
 * (ComfyUI's latent2rgb), at latent resolution, without running the VAE. Packs give the
 * projection in `preview` (pack.json); without it the first channels are shown, each stretched
 * to its own min/max so something visible always shows.
 */

/** One preview image, at latent resolution, after `step` of `total` denoising steps. */
export interface PreviewFrame {
  width: number;
  height: number;
  /** height × width × 4 bytes. */
  rgba: Uint8ClampedArray;
  step: number;
  total: number;
}

export interface PreviewOptions {
  /** Latent frame index; default the middle one, ⌊(T − 1) / 2⌋. */
  frame?: number;
  /** C rows of [r, g, b] (pack.json `preview.rgbFactors`); output space [−1, 1]. */
  rgbFactors?: readonly (readonly number[])[];
  rgbBias?: readonly number[];
  step: number;
  total: number;
}

/** Target number of previews per run. */
const PREVIEWS_PER_RUN = 8;

/** Projects one frame of a [1, C, T, h, w] latent to RGBA bytes. */
export function latentPreview(
  latent: Float32Array,
  shape: readonly number[],
  opts: PreviewOptions,
): PreviewFrame {
  if (shape.length !== 5 || shape[0] !== 1)
    throw new RangeError(`latent must be [1, C, T, h, w], got [${shape.join(', ')}]`);
  const [, c, t, h, w] = shape as [number, number, number, number, number];
  if (latent.length !== c * t * h * w)
    throw new RangeError(
      `latent has ${latent.length} values, shape [${shape.join(', ')}] needs ${c * t * h * w}`,
    );
  const frame = opts.frame ?? Math.floor((t - 1) / 2);
  if (!Number.isInteger(frame) || frame < 0 || frame >= t)
    throw new RangeError(`frame ${frame} is outside 0…${t - 1}`);
  const plane = h * w;
  const rgba = new Uint8ClampedArray(plane * 4);
  /** Offset of channel k's plane in the chosen frame. */
  const base = (k: number) => (k * t + frame) * plane;
  if (opts.rgbFactors)
    projectFactors(latent, rgba, c, plane, base, opts.rgbFactors, opts.rgbBias ?? [0, 0, 0]);
  else projectNormalised(latent, rgba, c, plane, base);
  return { width: w, height: h, rgba, step: opts.step, total: opts.total };
}

function projectFactors(
  latent: Float32Array,
  rgba: Uint8ClampedArray,
  c: number,
  plane: number,
  base: (k: number) => number,
  factors: readonly (readonly number[])[],
  bias: readonly number[],
): void {
  if (factors.length !== c)
    throw new RangeError(`rgbFactors has ${factors.length} rows, the latent has ${c} channels`);
  const f = new Float64Array(c * 3);
  const offsets = new Int32Array(c);
  for (let k = 0; k < c; k++) {
    const row = factors[k] as readonly number[];
    for (let j = 0; j < 3; j++) f[k * 3 + j] = row[j] ?? 0;
    offsets[k] = base(k);
  }
  const [br, bg, bb] = [bias[0] ?? 0, bias[1] ?? 0, bias[2] ?? 0];
  for (let p = 0; p < plane; p++) {
    let r = br;
    let g = bg;
    let b = bb;
    for (let k = 0; k < c; k++) {
      const z = latent[(offsets[k] as number) + p] as number;
      r += z * (f[k * 3] as number);
      g += z * (f[k * 3 + 1] as number);
      b += z * (f[k * 3 + 2] as number);
    }
    // Same rounding as decoded frames (toRgbaFrames): round((v + 1) · 127.5); the array clamps.
    const o = p * 4;
    rgba[o] = Math.round((r + 1) * 127.5);
    rgba[o + 1] = Math.round((g + 1) * 127.5);
    rgba[o + 2] = Math.round((b + 1) * 127.5);
    rgba[o + 3] = 255;
  }
}

/** Channels 0, 1, 2 (or channel 0 replicated when C < 3), each stretched to its own min/max. */
function projectNormalised(
  latent: Float32Array,
  rgba: Uint8ClampedArray,
  c: number,
  plane: number,
  base: (k: number) => number,
): void {
  for (let j = 0; j < 3; j++) {
    const src = base(c < 3 ? 0 : j);
    let lo = Infinity;
    let hi = -Infinity;
    for (let p = 0; p < plane; p++) {
      const z = latent[src + p] as number;
      if (z < lo) lo = z;
      if (z > hi) hi = z;
    }
    // A flat (or non-finite) channel shows as mid-grey rather than dividing by zero.
    const scale = hi > lo && Number.isFinite(hi - lo) ? 255 / (hi - lo) : 0;
    for (let p = 0; p < plane; p++)
      rgba[p * 4 + j] = scale ? Math.round(((latent[src + p] as number) - lo) * scale) : 128;
  }
  for (let p = 0; p < plane; p++) rgba[p * 4 + 3] = 255;
}

/** Steps between previews: about PREVIEWS_PER_RUN per run, at least every step. */
export function previewEvery(steps: number): number {
  return Math.max(1, Math.ceil(steps / PREVIEWS_PER_RUN));
}

/** Whether a preview is due after 1-based `step` of `total`: every previewEvery(total) steps and on the last. */
export function isPreviewStep(step: number, total: number): boolean {
  return step === total || (step > 0 && step % previewEvery(total) === 0);
}

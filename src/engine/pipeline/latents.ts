/**
 * Latent layouts between the pipeline and a pack's graphs: the shape the denoiser works on,
 * the transformer's timestep tensor (scalar or per token), the decoder's input (per-channel
 * scale/shift, NCTHW ↔ NTCHW ↔ NCHW) and the i2v conditioning masks.
 */
import { EngineError } from '../errors';
import type { PackManifest, TransformerSpec, VaeDecoderSpec } from '../pack/manifest';
import { latentShape, type TaskRequest } from '../request';
import { f32ToF16Bits, type OrtModule, type OrtTensor } from '../runtime';

/** The latent's shape while denoising: [1, C, T, h, w], or [1, C, h, w] for NCHW transformers (T = 1). */
export function denoiseShape(r: TaskRequest, m: PackManifest): number[] {
  const [b, c, t, h, w] = latentShape(r, m);
  if (m.components.transformer.latentLayout === 'NCTHW') return [b, c, t, h, w];
  if (t !== 1)
    throw new EngineError(
      'invalid-request',
      `This image model makes one frame; ${r.frames} frames were asked for.`,
      { frames: 'must be 1' },
    );
  return [b, c, h, w];
}

/** [C, T, h, w] of a denoise shape (T = 1 for 4-D). */
export function cthw(shape: readonly number[]): [number, number, number, number] {
  return shape.length === 5
    ? ([shape[1], shape[2], shape[3], shape[4]] as [number, number, number, number])
    : [shape[1] as number, 1, shape[2] as number, shape[3] as number];
}

/**
 * The transformer's timestep input for one step. Per-token timesteps cover seq = T·(h/ph)·(w/pw)
 * tokens; the first `fixedFrames` latent frames (i2v's start frame) get timestep 0 (clean).
 */
export function timestepTensor(
  ort: OrtModule,
  spec: TransformerSpec,
  value: number,
  shape: readonly number[],
  fixedFrames = 0,
): OrtTensor {
  let values = [value];
  let dims = [1];
  if (spec.timestepShape === 'per-token') {
    const [, t, h, w] = cthw(shape);
    const [pt, ph, pw] = spec.patch;
    const perFrame = Math.floor(h / ph) * Math.floor(w / pw);
    const seq = Math.floor(t / pt) * perFrame;
    values = Array.from({ length: seq }, (_, i) => (i < fixedFrames * perFrame ? 0 : value));
    dims = [1, seq];
  }
  if (spec.timestepType === 'int64')
    return new ort.Tensor(
      'int64',
      BigInt64Array.from(values, (v) => BigInt(Math.round(v))),
      dims,
    );
  if (spec.timestepType === 'float16')
    return new ort.Tensor('float16', f32ToF16Bits(Float32Array.from(values)), dims);
  return new ort.Tensor('float32', Float32Array.from(values), dims);
}

/** Channel `ch`'s value of a one-value-or-per-channel list. */
function perChannel(list: number[], ch: number): number {
  return (list.length === 1 ? list[0] : list[ch]) as number;
}

/** True when the latent can be fed to the decoder as it is (no scale/shift, same layout). */
export function decoderTakesLatentAsIs(spec: VaeDecoderSpec, shape: readonly number[]): boolean {
  const plain = spec.latentScale.every((s) => s === 1) && spec.latentShift.every((s) => s === 0);
  return (
    plain &&
    ((shape.length === 5 && spec.inputLayout === 'NCTHW') ||
      (shape.length === 4 && spec.inputLayout === 'NCHW'))
  );
}

/** Latent (denoise layout) → decoder input: x·scale[c] + shift[c], rearranged to the decoder's layout. */
export function decoderInput(
  spec: VaeDecoderSpec,
  latent: Float32Array,
  shape: readonly number[],
): { data: Float32Array; dims: number[] } {
  const [c, t, h, w] = cthw(shape);
  const plane = h * w;
  const out = new Float32Array(latent.length);
  const ntc = spec.inputLayout === 'NTCHW';
  if (spec.inputLayout === 'NCHW' && t !== 1)
    throw new EngineError(
      'invalid-manifest',
      `The VAE decoder takes one frame (NCHW) but the latent has ${t}. Fix components.vaeDecoder.inputLayout in pack.json.`,
    );
  for (let ch = 0; ch < c; ch++) {
    const scale = perChannel(spec.latentScale, ch);
    const shift = perChannel(spec.latentShift, ch);
    for (let f = 0; f < t; f++) {
      const src = (ch * t + f) * plane;
      const dst = ntc ? (f * c + ch) * plane : src;
      for (let p = 0; p < plane; p++) out[dst + p] = (latent[src + p] as number) * scale + shift;
    }
  }
  const dims =
    spec.inputLayout === 'NTCHW'
      ? [1, t, c, h, w]
      : spec.inputLayout === 'NCHW'
        ? [1, c, h, w]
        : [1, c, t, h, w];
  return { data: out, dims };
}

/** Encoder output [1, C, 1, h, w] → normalised latent frame: (x − shift[c]) / scale[c]. */
export function normaliseEncoded(
  spec: VaeDecoderSpec,
  encoded: Float32Array,
  channels: number,
): Float32Array {
  const plane = encoded.length / channels;
  const out = new Float32Array(encoded.length);
  for (let ch = 0; ch < channels; ch++) {
    const scale = perChannel(spec.latentScale, ch);
    const shift = perChannel(spec.latentShift, ch);
    for (let p = 0; p < plane; p++)
      out[ch * plane + p] = ((encoded[ch * plane + p] as number) - shift) / scale;
  }
  return out;
}

/** keep/fixed tensors for blend(): latent frame 0 pinned to `frame0` ([C, h, w]), the rest free. */
export function startFrameMasks(
  frame0: Float32Array,
  shape: readonly number[],
): { keep: Float32Array; fixed: Float32Array } {
  const [c, t, h, w] = cthw(shape);
  const plane = h * w;
  const keep = new Float32Array(c * t * plane).fill(1);
  const fixed = new Float32Array(c * t * plane);
  for (let ch = 0; ch < c; ch++) {
    keep.fill(0, ch * t * plane, ch * t * plane + plane);
    fixed.set(frame0.subarray(ch * plane, (ch + 1) * plane), ch * t * plane);
  }
  return { keep, fixed };
}

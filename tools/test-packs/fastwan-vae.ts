/**
 * VAE graphs of the FastWan test packs (REAL_PACKS §3a, §3c): a LightTAE-shaped decoder
 * (`latents` NTCHW [1, T, 48, h, w] → `frames` [1, 4(T−1)+1, 3, 16h, 16w] in [0, 1]) fed
 * latent·std + mean per channel, and an i2v encoder (`image` [1, 3, 1, H, W] in [−1, 1] →
 * `latents` [1, 48, 1, h, w]) whose first decoded frame is the image, block-averaged.
 */
import { GraphBuilder } from '../../src/engine/onnx/graph-builder';
import { randomMatrix } from '../demo-pack/weights';
import { FASTWAN_CHANNELS } from './fastwan-dit';
import { Params } from './params';

const C = FASTWAN_CHANNELS;
export const SPATIAL = 16;
export const TEMPORAL = 4;
const MIX_SCALE = 0.25;

const round4 = (v: number) => Math.round(v * 1e4) / 1e4;
/** Made-up per-channel latent statistics (the real pack uses Wan 2.2's 48-value tables). */
export const LATENT_MEAN = Array.from(randomMatrix(C, 1, 701, 1), round4);
export const LATENT_STD = Array.from(randomMatrix(C, 1, 702, 0.75), (v) => round4(1.25 + v));

/** The decoder's per-pixel RGB map (pre-sigmoid) rgb = M·latent + b: M [3, C], b [3]. */
const MIX = randomMatrix(3, C, 703, MIX_SCALE);
const BIAS = randomMatrix(3, 1, 704, 0.2);

/** Mᵀ(MMᵀ)⁻¹ as [C, 3]: the encoder maps an RGB logit to the minimal-norm latent the mix sends back to it. */
function pseudoInverse(): Float32Array {
  const m = (r: number, c: number) => MIX[r * C + c] as number;
  const a = [0, 1, 2].map((i) => [0, 1, 2].map((j) => Array.from({ length: C }, (_, k) => m(i, k) * m(j, k)).reduce((s, v) => s + v, 0)));
  const [[a00, a01, a02], [a10, a11, a12], [a20, a21, a22]] = a as [[number, number, number], [number, number, number], [number, number, number]];
  const det = a00 * (a11 * a22 - a12 * a21) - a01 * (a10 * a22 - a12 * a20) + a02 * (a10 * a21 - a11 * a20);
  const inv = [
    [a11 * a22 - a12 * a21, a02 * a21 - a01 * a22, a01 * a12 - a02 * a11],
    [a12 * a20 - a10 * a22, a00 * a22 - a02 * a20, a02 * a10 - a00 * a12],
    [a10 * a21 - a11 * a20, a01 * a20 - a00 * a21, a00 * a11 - a01 * a10],
  ].map((row) => row.map((v) => v / det));
  return Float32Array.from({ length: C * 3 }, (_, idx) => {
    const k = Math.floor(idx / 3);
    const j = idx % 3;
    return [0, 1, 2].reduce((s, i) => s + m(i, k) * (inv[i]?.[j] as number), 0);
  });
}

/** A decoder exported with fixed shapes (the real one: export-fastwan-vae.py has no dynamic_axes): latent T, h, w. */
export interface FixedLatent {
  frames: number;
  height: number;
  width: number;
}

/**
 * latents [1, T, 48, h, w] → frames [1, 4(T−1)+1, 3, 16h, 16w]: RGB mix, 4 sub-frames per latent frame (the first keeps one), ×16 nearest, sigmoid.
 * With `fixed`, the interface declares those sizes instead of symbols (as the real export does).
 */
export function fastwanVaeDecoder(fixed?: FixedLatent): Uint8Array {
  const g = new GraphBuilder('vae_decoder');
  const p = new Params(g, 705);
  const z = g.input('latents', 'float32', fixed ? [1, fixed.frames, C, fixed.height, fixed.width] : [1, 'latent_frames', C, 'latent_height', 'latent_width']);
  const mix = g.op('Conv', [g.op('Squeeze', [z, g.constI([0])]), p.tensor('decoder.conv_in.weight', [3, C, 1, 1], MIX), p.tensor('decoder.conv_in.bias', [3], BIAS)], { kernel_shape: [1, 1] });
  // Sub-frame offsets; the last of each group of 4 is 0, so the one frame kept from the first group is the plain mix.
  const offsets = randomMatrix(TEMPORAL, 3, 706, 0.3).map((v, i) => (Math.floor(i / 3) === TEMPORAL - 1 ? 0 : v));
  const sub = g.op('Add', [g.op('Unsqueeze', [mix, g.constI([1])]), p.tensor('decoder.temporal_offsets', [1, TEMPORAL, 3, 1, 1], offsets)]);
  const flat = g.op('Reshape', [sub, g.op('Concat', [g.constI([-1, 3]), g.op('Shape', [mix], { start: 2 })], { axis: 0 })]);
  const kept = g.op('Slice', [flat, g.constI([TEMPORAL - 1]), g.constI([2 ** 31 - 1]), g.constI([0])]);
  const up = g.op('Resize', [g.op('Sigmoid', [kept]), '', g.constF([1, 1, SPATIAL, SPATIAL])], { mode: 'nearest', coordinate_transformation_mode: 'asymmetric', nearest_mode: 'floor' });
  g.op('Unsqueeze', [up, g.constI([0])], {}, 'frames');
  g.output('frames', 'float32', fixed ? [1, TEMPORAL * (fixed.frames - 1) + 1, 3, SPATIAL * fixed.height, SPATIAL * fixed.width] : [1, 'frames', 3, 'height', 'width']);
  return g.toModel({ doc: 'WebGP test-fastwan VAE decoder (random weights)' });
}

/** image [1, 3, 1, H, W] in [−1, 1] → latents [1, 48, 1, H/16, W/16]: 16×16 mean of the RGB logit, mapped back through the mix. */
export function fastwanVaeEncoder(): Uint8Array {
  const g = new GraphBuilder('vae_encoder');
  const p = new Params(g, 707);
  const image = g.input('image', 'float32', [1, 3, 1, 'height', 'width']);
  const unit = g.op('Clip', [g.op('Mul', [g.op('Add', [g.op('Squeeze', [image, g.constI([2])]), g.constF([1], [])]), g.constF([0.5], [])]), g.constF([0.01], []), g.constF([0.99], [])]);
  const logit = g.op('Log', [g.op('Div', [unit, g.op('Sub', [g.constF([1], []), unit])])]);
  const pooled = g.op('AveragePool', [logit], { kernel_shape: [SPATIAL, SPATIAL], strides: [SPATIAL, SPATIAL] });
  const centred = g.op('Sub', [pooled, p.tensor('encoder.bias', [1, 3, 1, 1], BIAS)]);
  const latent = g.op('Conv', [centred, p.tensor('encoder.conv_out.weight', [C, 3, 1, 1], pseudoInverse())], { kernel_shape: [1, 1] });
  g.op('Unsqueeze', [latent, g.constI([2])], {}, 'latents');
  g.output('latents', 'float32', [1, C, 1, 'latent_height', 'latent_width']);
  return g.toModel({ doc: 'WebGP test-fastwan-i2v VAE encoder' });
}

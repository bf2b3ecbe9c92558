/**
 * Test LoRA files in the formats beyond plain low-rank pairs, for the test pack's modules
 * (TEST_MODULES): LyCORIS LoHa (`hada_w1_a/b`, `hada_w2_a/b`, alpha), LoKr (`lokr_w1` whole and
 * `lokr_w2_a/b` as a pair, alpha) under kohya `lycoris_` names, and DoRA (a plain pair plus
 * `dora_scale`, one magnitude per output). Values are multiples of 1/8 (DoRA magnitudes near 1).
 */
import { eighths, TEST_MODULES } from './index';
import type { TensorOut } from './safetensors-writer';

const LOHA_RANK = 2;
const LOKR_RANK = 2;
/** LoKr factor shapes per module: w1 [a, c] whole, w2 [b, d] as [b, r]·[r, d]; a·b = out, c·d = in. */
export const LOKR_SPLIT: Record<string, { w1: [number, number]; w2: [number, number] }> = {
  'blocks.0.ffn.0': { w1: [4, 2], w2: [8, 2] },
  'blocks.0.ffn.2': { w1: [2, 4], w2: [2, 8] },
};

const dims = (module: string) => TEST_MODULES[module] as [number, number];
const kohya = (module: string) => `lycoris_${module.replace(/\./g, '_')}`;

/** LoHa tensors: per module w1a [out, r], w1b [r, in], w2a, w2b, alpha 1. */
export function lohaTensors(): TensorOut[] {
  return Object.keys(LOKR_SPLIT).flatMap((module, m) => {
    const [inDim, outDim] = dims(module);
    const k = kohya(module);
    return [
      {
        name: `${k}.hada_w1_a`,
        dtype: 'F32',
        shape: [outDim, LOHA_RANK],
        data: eighths(outDim, LOHA_RANK, 300 + m),
      },
      {
        name: `${k}.hada_w1_b`,
        dtype: 'F32',
        shape: [LOHA_RANK, inDim],
        data: eighths(LOHA_RANK, inDim, 310 + m),
      },
      {
        name: `${k}.hada_w2_a`,
        dtype: 'F32',
        shape: [outDim, LOHA_RANK],
        data: eighths(outDim, LOHA_RANK, 320 + m),
      },
      {
        name: `${k}.hada_w2_b`,
        dtype: 'F32',
        shape: [LOHA_RANK, inDim],
        data: eighths(LOHA_RANK, inDim, 330 + m),
      },
      { name: `${k}.alpha`, dtype: 'F32', shape: [], data: Float32Array.of(1) },
    ];
  });
}

/** LoKr tensors: w1 whole, w2 as a rank-2 pair, alpha 1. */
export function lokrTensors(): TensorOut[] {
  return Object.entries(LOKR_SPLIT).flatMap(([module, { w1, w2 }], m) => {
    const k = kohya(module);
    return [
      { name: `${k}.lokr_w1`, dtype: 'F32', shape: w1, data: eighths(w1[0], w1[1], 400 + m) },
      {
        name: `${k}.lokr_w2_a`,
        dtype: 'F32',
        shape: [w2[0], LOKR_RANK],
        data: eighths(w2[0], LOKR_RANK, 410 + m),
      },
      {
        name: `${k}.lokr_w2_b`,
        dtype: 'F32',
        shape: [LOKR_RANK, w2[1]],
        data: eighths(LOKR_RANK, w2[1], 420 + m),
      },
      { name: `${k}.alpha`, dtype: 'F32', shape: [], data: Float32Array.of(1) },
    ];
  });
}

/** DoRA tensors: a rank-2 diffusers pair plus `dora_scale` [out, 1] near 1. */
export function doraTensors(): TensorOut[] {
  return Object.keys(LOKR_SPLIT).flatMap((module, m) => {
    const [inDim, outDim] = dims(module);
    const base = `diffusion_model.${module}`;
    return [
      { name: `${base}.lora_A.weight`, dtype: 'F32', shape: [2, inDim], data: eighths(2, inDim, 500 + m) },
      { name: `${base}.lora_B.weight`, dtype: 'F32', shape: [outDim, 2], data: eighths(outDim, 2, 510 + m) },
      {
        name: `${base}.dora_scale`,
        dtype: 'F32',
        shape: [outDim, 1],
        data: eighths(outDim, 1, 520 + m).map((v) => 1 + v),
      },
    ];
  });
}

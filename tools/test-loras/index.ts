/**
 * Tiny test LoRAs for the random-weight test pack (test-t2v-random), one per naming convention,
 * plus malformed files for refusal tests. Values are exact in every dtype written (multiples of
 * 1/8 small enough for F16 and BF16), so the reference merge in tests needs no rounding model.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { mulberry32 } from '../../src/engine/random';
import { doraTensors, lohaTensors, lokrTensors } from './lycoris';
import { encodeSafetensors, type TensorOut } from './safetensors-writer';

/** Module dims [in, out] of the test pack's LoRA targets (see tools/demo-pack/graphs.ts). */
export const TEST_MODULES: Record<string, [number, number]> = {
  'blocks.0.ffn.0': [4, 32],
  'blocks.0.ffn.2': [32, 4],
  'text_embedding.0': [16, 32],
};

/** A [rows, cols] matrix of multiples of 1/8 in [−0.5, 0.5]. */
export function eighths(rows: number, cols: number, seed: number): Float32Array {
  const r = mulberry32(seed);
  return Float32Array.from({ length: rows * cols }, () => Math.round((r() - 0.5) * 8) / 8);
}

export interface LowRank {
  module: string;
  rank: number;
  alpha?: number;
  /** B: [out, rank]; A: [rank, in]. */
  up: Float32Array;
  down: Float32Array;
}

/** The low-rank pairs of the test LoRA (rank 2, alpha 1 on the second module). */
export function testPairs(seed = 5): LowRank[] {
  return Object.entries(TEST_MODULES).map(([module, [inDim, outDim]], i) => ({
    module,
    rank: 2,
    ...(i === 1 ? { alpha: 1 } : {}),
    up: eighths(outDim, 2, seed + 10 * i),
    down: eighths(2, inDim, seed + 10 * i + 1),
  }));
}

type Convention = 'peft' | 'kohya' | 'diffusers';

function keysFor(c: Convention, module: string): { up: string; down: string; alpha: string } {
  if (c === 'kohya') {
    const base = `lora_unet_${module.replace(/\./g, '_')}`;
    return { up: `${base}.lora_up.weight`, down: `${base}.lora_down.weight`, alpha: `${base}.alpha` };
  }
  if (c === 'peft')
    return {
      up: `base_model.model.${module}.lora_B.default.weight`,
      down: `base_model.model.${module}.lora_A.default.weight`,
      alpha: `base_model.model.${module}.alpha`,
    };
  return {
    up: `diffusion_model.${module}.lora_B.weight`,
    down: `diffusion_model.${module}.lora_A.weight`,
    alpha: `diffusion_model.${module}.alpha`,
  };
}

/** The pairs as safetensors tensors under one naming convention. */
export function lowRankTensors(pairs: LowRank[], c: Convention, dtype = 'F32'): TensorOut[] {
  return pairs.flatMap((p) => {
    const k = keysFor(c, p.module);
    const [inDim, outDim] = TEST_MODULES[p.module] ?? [1, 1];
    const t: TensorOut[] = [
      { name: k.down, dtype, shape: [p.rank, inDim], data: p.down },
      { name: k.up, dtype, shape: [outDim, p.rank], data: p.up },
    ];
    if (p.alpha !== undefined)
      t.push({ name: k.alpha, dtype: 'F32', shape: [], data: Float32Array.of(p.alpha) });
    return t;
  });
}

/** A `.diff` LoRA: a full delta [out, in] for blocks.0.ffn.0. */
export function diffTensor(): TensorOut {
  const [inDim, outDim] = TEST_MODULES['blocks.0.ffn.0'] as [number, number];
  return {
    name: 'diffusion_model.blocks.0.ffn.0.diff',
    dtype: 'BF16',
    shape: [outDim, inDim],
    data: eighths(outDim, inDim, 77),
  };
}

/** Keys for a module the test pack does not have (reported as unmatched). */
export function foreignTensors(): TensorOut[] {
  return [
    {
      name: 'diffusion_model.blocks.9.cross_attn.q.lora_A.weight',
      dtype: 'F32',
      shape: [2, 4],
      data: eighths(2, 4, 3),
    },
    {
      name: 'diffusion_model.blocks.9.cross_attn.q.lora_B.weight',
      dtype: 'F32',
      shape: [4, 2],
      data: eighths(4, 2, 4),
    },
  ];
}

/** Every test LoRA file by name. */
export function testLoraFiles(): Record<string, Uint8Array> {
  const pairs = testPairs();
  const good = encodeSafetensors([...lowRankTensors(pairs, 'diffusers'), ...foreignTensors()], {
    metadata: { ss_network_dim: '2' },
  });
  return {
    'test-style.safetensors': good,
    'test-style-kohya.safetensors': encodeSafetensors(lowRankTensors(pairs, 'kohya', 'F16')),
    'test-style-peft.safetensors': encodeSafetensors(lowRankTensors(pairs, 'peft', 'BF16')),
    'test-diff.safetensors': encodeSafetensors([diffTensor()]),
    'test-loha.safetensors': encodeSafetensors(lohaTensors()),
    'test-lokr.safetensors': encodeSafetensors(lokrTensors()),
    'test-dora.safetensors': encodeSafetensors(doraTensors()),
    'bad-truncated.safetensors': good.subarray(0, good.byteLength - 40),
    'bad-lying-header.safetensors': encodeSafetensors(lowRankTensors(pairs, 'diffusers'), { lie: 16 }),
    'bad-dtype.safetensors': encodeSafetensors([
      {
        name: 'diffusion_model.blocks.0.ffn.0.lora_A.weight',
        dtype: 'I32',
        shape: [2, 4],
        data: eighths(2, 4, 1),
      },
    ]),
  };
}

/** Writes the test LoRAs into `dir`. */
export function writeTestLoras(dir: string): void {
  mkdirSync(dir, { recursive: true });
  for (const [name, bytes] of Object.entries(testLoraFiles())) writeFileSync(join(dir, name), bytes);
}

/**
 * The factors of a LoRA side branch for a quantized weight: a module's A [r, K] and B [N, r]
 * become D = Aᵀ [K, r] and U = m·(α/r)·Bᵀ [r, N], so x·D·U = m·(α/r)·(x·Aᵀ)·Bᵀ; several LoRAs
 * on one weight are concatenated along r. Full `.diff` deltas, LoHa/LoKr (full-rank products)
 * and DoRA (it needs the weight's norms) are refused for quantized weights.
 */
import { EngineError } from '../errors';
import type { ModuleWeights } from './merge';

export interface LowRankPair {
  down: Float32Array;
  up: Float32Array;
  rank: number;
}

/** D and U of one module at multiplier `m` for a weight with K inputs and N outputs. */
export function lowRankPair(
  lora: string,
  module: string,
  w: ModuleWeights,
  K: number,
  N: number,
  m: number,
): LowRankPair {
  const kind = w.diff
    ? 'a full delta (.diff)'
    : w.lycoris
      ? 'a LyCORIS (LoHa/LoKr) update'
      : w.doraScale
        ? 'DoRA, which needs the unquantized weight'
        : undefined;
  if (kind || !w.up || !w.down)
    throw new EngineError(
      'invalid-lora',
      `LoRA ${lora} changes "${module}" with ${kind ?? 'an incomplete pair'}, but that weight is quantized (4-bit), so only plain low-rank LoRA pairs apply to it. Use a plain LoRA, or a pack with float weights.`,
    );
  const rank = w.down.shape[0] ?? 1;
  const inDim = w.down.data.length / rank;
  const outDim = w.up.shape[0] ?? 1;
  if (inDim !== K || outDim !== N || w.up.data.length !== outDim * rank)
    throw new EngineError(
      'invalid-lora',
      `LoRA ${lora} does not fit this model: module "${module}" maps ${inDim} inputs to ${outDim} outputs (rank ${rank}), but the model's weight is ${K} → ${N}. Use a LoRA made for this model.`,
    );
  const scale = (m * (w.alpha ?? rank)) / rank;
  const down = new Float32Array(K * rank);
  const up = new Float32Array(rank * N);
  for (let r = 0; r < rank; r++) {
    for (let k = 0; k < K; k++) down[k * rank + r] = w.down.data[r * K + k] as number;
    for (let n = 0; n < N; n++) up[r * N + n] = scale * (w.up.data[n * rank + r] as number);
  }
  return { down, up, rank };
}

/** Several pairs on one weight as one branch: D [K, Σr], U [Σr, N]. */
export function concatPairs(pairs: readonly LowRankPair[], K: number, N: number): LowRankPair {
  const rank = pairs.reduce((n, p) => n + p.rank, 0);
  const down = new Float32Array(K * rank);
  const up = new Float32Array(rank * N);
  let at = 0;
  for (const p of pairs) {
    for (let k = 0; k < K; k++)
      for (let r = 0; r < p.rank; r++) down[k * rank + at + r] = p.down[k * p.rank + r] as number;
    up.set(p.up, at * N);
    at += p.rank;
  }
  return { down, up, rank };
}

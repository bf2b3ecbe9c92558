/**
 * The update one LoRA module makes to a quantized (MatMulNBits) weight of K inputs and N outputs,
 * at multiplier 1, in the form a side branch computes beside the 4-bit weight:
 * - a plain pair: D = Aᵀ [K, r] and U = (α/r)·Bᵀ [r, N], so x·D·U = (α/r)·(x·Aᵀ)·Bᵀ;
 * - LoHa ΔW = s·(P₁Q₁) ⊙ (P₂Q₂) is exactly rank r₁·r₂, its factors the row-wise (Khatri–Rao)
 *   products P[o, (a,b)] = P₁[o,a]·P₂[o,b] and Q[(a,b), i] = Q₁[a,i]·Q₂[b,i];
 * - LoKr ΔW = s·(w1 ⊗ w2) = s·(U₁ ⊗ U₂)(V₁ ⊗ V₂), a factor given whole counting as w·I or I·w
 *   (its smaller side as rank);
 * - a full ΔWᵀ [K, N]: a `.diff`, or a LyCORIS product whose factored rank is not smaller.
 */
import { EngineError } from '../errors';
import { lycorisDelta } from './lycoris';
import type { ModuleWeights } from './merge';

export interface LowRankPair {
  down: Float32Array;
  up: Float32Array;
  rank: number;
}

/** A module's update at multiplier 1: low-rank pairs and/or a full ΔWᵀ [K, N]. */
export interface QuantizedDelta {
  pairs: LowRankPair[];
  full?: Float32Array;
}

/** w ≈ u [rows, rank] · v [rank, cols]. */
interface Factors {
  u: Float32Array;
  v: Float32Array;
  rows: number;
  cols: number;
  rank: number;
}

const prod = (s: number[]) => s.reduce((a, b) => a * b, 1);
const eye = (n: number) => Float32Array.from({ length: n * n }, (_, i) => (i % (n + 1) === 0 ? 1 : 0));

function whole(data: Float32Array, shape: number[]): Factors {
  const [rows, cols] = [shape[0] ?? 1, prod(shape.slice(1))];
  return cols <= rows
    ? { u: data, v: eye(cols), rows, cols, rank: cols }
    : { u: eye(rows), v: data, rows, cols, rank: rows };
}

function factors(
  w?: ModuleWeights['up'],
  a?: ModuleWeights['up'],
  b?: ModuleWeights['up'],
): (Factors & { pair?: boolean }) | undefined {
  if (w) return whole(w.data, w.shape);
  if (!a || !b) return undefined;
  const rank = b.shape[0] ?? 1;
  return { u: a.data, v: b.data, rows: a.shape[0] ?? 1, cols: prod(b.shape.slice(1)), rank, pair: true };
}

/** Row-wise products (LoHa) or Kronecker products (LoKr) of two factorisations. */
function combine(f: Factors, g: Factors, kron: boolean): Factors {
  const rank = f.rank * g.rank;
  const [rows, cols] = kron ? [f.rows * g.rows, f.cols * g.cols] : [f.rows, f.cols];
  const u = new Float32Array(rows * rank);
  const v = new Float32Array(rank * cols);
  for (let p = 0; p < f.rank; p++)
    for (let q = 0; q < g.rank; q++) {
      const r = p * g.rank + q;
      if (kron) {
        for (let i = 0; i < f.rows; i++)
          for (let j = 0; j < g.rows; j++)
            u[(i * g.rows + j) * rank + r] =
              (f.u[i * f.rank + p] as number) * (g.u[j * g.rank + q] as number);
        for (let i = 0; i < f.cols; i++)
          for (let j = 0; j < g.cols; j++)
            v[r * cols + i * g.cols + j] = (f.v[p * f.cols + i] as number) * (g.v[q * g.cols + j] as number);
      } else {
        for (let o = 0; o < rows; o++)
          u[o * rank + r] = (f.u[o * f.rank + p] as number) * (g.u[o * g.rank + q] as number);
        for (let i = 0; i < cols; i++)
          v[r * cols + i] = (f.v[p * cols + i] as number) * (g.v[q * cols + i] as number);
      }
    }
  return { u, v, rows, cols, rank };
}

/** The pair of factors `f` (rows N, cols K) scaled by `scale`: D = vᵀ [K, r], U = scale·uᵀ [r, N]. */
function pairOf(f: Factors, scale: number): LowRankPair {
  const { rows: N, cols: K, rank } = f;
  const down = new Float32Array(K * rank);
  const up = new Float32Array(rank * N);
  for (let r = 0; r < rank; r++) {
    for (let k = 0; k < K; k++) down[k * rank + r] = f.v[r * K + k] as number;
    for (let n = 0; n < N; n++) up[r * N + n] = scale * (f.u[n * rank + r] as number);
  }
  return { down, up, rank };
}

/** [rows, cols] → [cols, rows]. */
function transpose(m: Float32Array, rows: number, cols: number): Float32Array {
  const out = new Float32Array(m.length);
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) out[j * rows + i] = m[i * cols + j] as number;
  return out;
}

function misfit(lora: string, module: string, what: string, K: number, N: number): never {
  throw new EngineError(
    'invalid-lora',
    `LoRA ${lora} does not fit this model: module "${module}" ${what}, but the model's weight is ${K} → ${N}. Use a LoRA made for this model.`,
  );
}

/** The LoHa or LoKr update as factors with its scale (undefined when the module has neither). */
function lycorisFactors(w: ModuleWeights): { f: Factors; scale: number } | undefined {
  const p = w.lycoris ?? {};
  const h1 = factors(undefined, p.hada_w1_a, p.hada_w1_b);
  const h2 = factors(undefined, p.hada_w2_a, p.hada_w2_b);
  if (h1 && h2 && h1.rows === h2.rows && h1.cols === h2.cols)
    return { f: combine(h1, h2, false), scale: (w.alpha ?? h1.rank) / h1.rank };
  const k1 = factors(p.lokr_w1, p.lokr_w1_a, p.lokr_w1_b);
  const k2 = factors(p.lokr_w2, p.lokr_w2_a, p.lokr_w2_b);
  if (!k1 || !k2) return undefined;
  const rank = k2.pair ? k2.rank : k1.pair ? k1.rank : undefined;
  return {
    f: combine(k1, k2, true),
    scale: rank !== undefined && w.alpha !== undefined ? w.alpha / rank : 1,
  };
}

/** A module's update of a quantized weight with K inputs and N outputs, at multiplier 1. */
export function quantizedDelta(
  lora: string,
  module: string,
  w: ModuleWeights,
  K: number,
  N: number,
): QuantizedDelta {
  const out: QuantizedDelta = { pairs: [] };
  if (w.up && w.down) {
    const rank = w.down.shape[0] ?? 1;
    const inDim = w.down.data.length / rank;
    const outDim = w.up.shape[0] ?? 1;
    if (inDim !== K || outDim !== N || w.up.data.length !== outDim * rank)
      misfit(lora, module, `maps ${inDim} inputs to ${outDim} outputs (rank ${rank})`, K, N);
    out.pairs.push(
      pairOf({ u: w.up.data, v: w.down.data, rows: N, cols: K, rank }, (w.alpha ?? rank) / rank),
    );
  }
  const full: Float32Array[] = [];
  if (w.diff) {
    if (w.diff.data.length !== K * N) misfit(lora, module, `has a ${w.diff.shape.join('×')} diff`, K, N);
    full.push(transpose(w.diff.data, N, K));
  }
  const lyco = w.lycoris && lycorisFactors(w);
  if (lyco && lyco.f.rows === N && lyco.f.cols === K && lyco.f.rank * (K + N) < K * N)
    out.pairs.push(pairOf(lyco.f, lyco.scale));
  else if (w.lycoris) {
    const d = lycorisDelta(w.lycoris, w.alpha, N, K, (what) => misfit(lora, module, what, K, N));
    if (d) full.push(transpose(d, N, K));
  }
  if (full.length) out.full = full.reduce((a, b) => a.map((v, i) => v + (b[i] as number)));
  if (!out.pairs.length && !out.full)
    throw new EngineError(
      'invalid-lora',
      `LoRA ${lora} changes "${module}" with an incomplete set of tensors (no up/down pair, LyCORIS factors or .diff). Use a complete LoRA file.`,
    );
  return out;
}

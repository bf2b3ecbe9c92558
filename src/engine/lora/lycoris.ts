/**
 * LyCORIS updates as a full weight delta [out, in]: LoHa ΔW = (w1a·w1b) ⊙ (w2a·w2b)·α/r and LoKr
 * ΔW = (w1 ⊗ w2)·α/r (w1, w2 given whole or as a low-rank pair; α/r only when one is a pair,
 * else 1). And DoRA: the merged direction W + ΔW rescaled per output row to the file's magnitude
 * vector, W′ = mag·(W + ΔW)/‖W + ΔW‖ (row norms over the inputs, as PEFT and LyCORIS apply it).
 */
import type { LycorisPart } from './keys';

export interface Values {
  data: Float32Array;
  shape: number[];
}

const prod = (s: number[]) => s.reduce((a, b) => a * b, 1);

/** a [m, k] · b [k, n] → [m, n]. */
function matmul(a: Float32Array, b: Float32Array, m: number, k: number, n: number): Float32Array {
  const out = new Float32Array(m * n);
  for (let i = 0; i < m; i++)
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let t = 0; t < k; t++) s += (a[i * k + t] as number) * (b[t * n + j] as number);
      out[i * n + j] = s;
    }
  return out;
}

/** A factor given whole (`whole`) or as a pair (`a` [rows, r] · `b` [r, cols]); with its shape and the pair's rank. */
function factor(
  whole?: Values,
  a?: Values,
  b?: Values,
): { data: Float32Array; rows: number; cols: number; rank?: number } | undefined {
  if (whole) return { data: whole.data, rows: whole.shape[0] ?? 1, cols: prod(whole.shape.slice(1)) };
  if (!a || !b) return undefined;
  const rank = b.shape[0] ?? 1;
  const rows = a.shape[0] ?? 1;
  const cols = prod(b.shape.slice(1));
  return { data: matmul(a.data, b.data, rows, rank, cols), rows, cols, rank };
}

/** The LoHa or LoKr delta [rows, cols] (undefined when `parts` is neither); throws via `mismatch` on a shape that does not fit. */
export function lycorisDelta(
  parts: Partial<Record<LycorisPart, Values>>,
  alpha: number | undefined,
  rows: number,
  cols: number,
  mismatch: (what: string) => never,
): Float32Array | undefined {
  const p = parts;
  if (p.hada_w1_a && p.hada_w1_b && p.hada_w2_a && p.hada_w2_b) {
    const f1 = factor(undefined, p.hada_w1_a, p.hada_w1_b) as NonNullable<ReturnType<typeof factor>>;
    const f2 = factor(undefined, p.hada_w2_a, p.hada_w2_b) as NonNullable<ReturnType<typeof factor>>;
    if (f1.rows !== rows || f1.cols !== cols || f2.rows !== rows || f2.cols !== cols)
      mismatch(`is a LoHa of ${f1.rows}×${f1.cols} and ${f2.rows}×${f2.cols}`);
    const scale = (alpha ?? (f1.rank as number)) / (f1.rank as number);
    return f1.data.map((v, i) => scale * v * (f2.data[i] as number));
  }
  const w1 = factor(p.lokr_w1, p.lokr_w1_a, p.lokr_w1_b);
  const w2 = factor(p.lokr_w2, p.lokr_w2_a, p.lokr_w2_b);
  if (!w1 || !w2) return undefined;
  if (w1.rows * w2.rows !== rows || w1.cols * w2.cols !== cols)
    mismatch(`is a LoKr of ${w1.rows}×${w1.cols} ⊗ ${w2.rows}×${w2.cols}`);
  const rank = w2.rank ?? w1.rank;
  const scale = rank !== undefined && alpha !== undefined ? alpha / rank : 1;
  const out = new Float32Array(rows * cols);
  for (let i1 = 0; i1 < w1.rows; i1++)
    for (let j1 = 0; j1 < w1.cols; j1++) {
      const a = scale * (w1.data[i1 * w1.cols + j1] as number);
      for (let i2 = 0; i2 < w2.rows; i2++)
        for (let j2 = 0; j2 < w2.cols; j2++) {
          out[(i1 * w2.rows + i2) * cols + j1 * w2.cols + j2] = a * (w2.data[i2 * w2.cols + j2] as number);
        }
    }
  return out;
}

/**
 * The DoRA update of weight `base` (initializer layout: in-out [in, out] or out-in [out, in])
 * given the plain delta in the same layout: mag·(W + Δ)/‖W + Δ‖ − W, one norm per output.
 */
export function doraDelta(
  base: Float32Array,
  delta: Float32Array,
  magnitude: Float32Array,
  layout: 'in-out' | 'out-in',
  outDim: number,
): Float32Array {
  const inDim = base.length / outDim;
  const at = (o: number, i: number) => (layout === 'in-out' ? i * outDim + o : o * inDim + i);
  const out = new Float32Array(base.length);
  for (let o = 0; o < outDim; o++) {
    let norm = 0;
    for (let i = 0; i < inDim; i++) norm += ((base[at(o, i)] as number) + (delta[at(o, i)] as number)) ** 2;
    const s = (magnitude[o] as number) / Math.max(Math.sqrt(norm), 1e-12);
    for (let i = 0; i < inDim; i++) {
      const k = at(o, i);
      out[k] = s * ((base[k] as number) + (delta[k] as number)) - (base[k] as number);
    }
  }
  return out;
}

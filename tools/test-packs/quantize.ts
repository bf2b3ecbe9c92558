/**
 * 4-bit block quantisation as com.microsoft MatMulNBits stores it (the real packs' q4f16 blocks,
 * REAL_PACKS.md §3a): a weight [K in, N out] becomes B uint8 [N, K/block, block/2] (two 4-bit
 * values a byte, low nibble first), scales [N·K/block] and zero points uint8 [N·⌈(K/block)/2⌉]
 * (4-bit, packed alike); w = (q − zp)·scale. Scales stay float32 here (SwiftShader has no f16).
 */
import type { GraphBuilder } from '../../src/engine/onnx/graph-builder';

export interface Q4Weight {
  B: Uint8Array;
  scales: Float32Array;
  zeroPoints: Uint8Array;
  /** The dequantised weight [K, N] (what the graph computes with). */
  values: Float32Array;
}

/** Quantises `w` ([K, N], row-major) to 4 bits in blocks of `block` along K. */
export function quantize4(w: Float32Array, K: number, N: number, block: number): Q4Weight {
  const blocks = K / block;
  if (!Number.isInteger(blocks)) throw new Error(`K ${K} is not a multiple of the block size ${block}`);
  const zpPerRow = Math.ceil(blocks / 2);
  const B = new Uint8Array(N * blocks * (block / 2));
  const scales = new Float32Array(N * blocks);
  const zeroPoints = new Uint8Array(N * zpPerRow);
  const values = new Float32Array(K * N);
  for (let n = 0; n < N; n++) {
    for (let b = 0; b < blocks; b++) {
      let lo = Infinity;
      let hi = -Infinity;
      for (let k = b * block; k < (b + 1) * block; k++) {
        lo = Math.min(lo, w[k * N + n] as number);
        hi = Math.max(hi, w[k * N + n] as number);
      }
      lo = Math.min(lo, 0);
      hi = Math.max(hi, 0);
      const scale = Math.fround((hi - lo) / 15 || 1);
      const zp = Math.min(15, Math.max(0, Math.round(-lo / scale)));
      scales[n * blocks + b] = scale;
      zeroPoints[n * zpPerRow + (b >> 1)] = (zeroPoints[n * zpPerRow + (b >> 1)] as number) | (zp << ((b & 1) * 4));
      for (let j = 0; j < block; j++) {
        const k = b * block + j;
        const q = Math.min(15, Math.max(0, Math.round((w[k * N + n] as number) / scale + zp)));
        const at = (n * blocks + b) * (block / 2) + (j >> 1);
        B[at] = (B[at] as number) | (q << ((j & 1) * 4));
        values[k * N + n] = Math.fround((q - zp) * scale);
      }
    }
  }
  return { B, scales, zeroPoints, values };
}

/**
 * x·W as a MatMulNBits node; `names` is a module name (B `${name}.weight`, node `${name}/MatMulNBits`)
 * or the B initializer's and node's names (scales and zero points get B's name + `_scales`, `_zp`).
 */
export function matMulNBits(g: GraphBuilder, x: string, names: string | { weight: string; node: string }, q: Q4Weight, K: number, N: number, block: number): string {
  const n = typeof names === 'string' ? { weight: `${names}.weight`, node: `${names}/MatMulNBits` } : names;
  const blocks = K / block;
  const B = g.initializer(n.weight, 'uint8', [N, blocks, block / 2], q.B);
  const scales = g.initializer(typeof names === 'string' ? `${names}.scales` : `${n.weight}_scales`, 'float32', [N * blocks], q.scales);
  const zp = g.initializer(typeof names === 'string' ? `${names}.zero_points` : `${n.weight}_zp`, 'uint8', [N * Math.ceil(blocks / 2)], q.zeroPoints);
  const out = g.fresh('matmulnbits');
  g.node('MatMulNBits', [x, B, scales, zp], [out], { K, N, bits: 4, block_size: block }, { domain: 'com.microsoft', name: n.node });
  return out;
}

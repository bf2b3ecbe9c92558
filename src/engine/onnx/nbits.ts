/**
 * Reads the weight of a com.microsoft MatMulNBits node back as floats, in JS, for the one thing
 * that needs it: DoRA's per-output norms ‖W + ΔW‖ on a quantized weight (computed once when a
 * LoRA is applied; the graph keeps its 4-bit bytes). Layout as ORT stores it: B uint8
 * [N, ⌈K/block⌉, block·bits/8] (values packed low bits first), scales [N·⌈K/block⌉], zero points
 * either packed like B ([N·⌈blocks·bits/8⌉] uint8) or one float per block; absent zero points are
 * 2^(bits−1). w[n, k] = (q − zp)·scale.
 */
import type { NBitsInfo } from './graph-weights';

/** The dequantized weight as rows [N, K] (one row per output). */
export function dequantizeNBits(
  info: Pick<NBitsInfo, 'K' | 'N' | 'bits' | 'blockSize'>,
  B: Uint8Array,
  scales: Float32Array,
  zeroPoints?: Uint8Array | Float32Array,
): Float32Array {
  const { K, N, bits, blockSize } = info;
  const blocks = Math.ceil(K / blockSize);
  const blobBytes = (blockSize * bits) / 8;
  const zpRowBytes = Math.ceil((blocks * bits) / 8);
  const mask = (1 << bits) - 1;
  /** The `i`-th `bits`-wide value of `bytes` from byte `start`. */
  const unpack = (bytes: Uint8Array, start: number, i: number) => {
    const bit = i * bits;
    return ((bytes[start + (bit >> 3)] as number) >> (bit & 7)) & mask;
  };
  const out = new Float32Array(N * K);
  for (let n = 0; n < N; n++) {
    for (let b = 0; b < blocks; b++) {
      const scale = scales[n * blocks + b] as number;
      const zp =
        zeroPoints === undefined
          ? 1 << (bits - 1)
          : zeroPoints instanceof Float32Array
            ? (zeroPoints[n * blocks + b] as number)
            : unpack(zeroPoints, n * zpRowBytes, b);
      const start = (n * blocks + b) * blobBytes;
      const end = Math.min(blockSize, K - b * blockSize);
      for (let j = 0; j < end; j++) out[n * K + b * blockSize + j] = (unpack(B, start, j) - zp) * scale;
    }
  }
  return out;
}

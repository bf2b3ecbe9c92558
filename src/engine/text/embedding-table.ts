/**
 * Token-embedding tables looked up in JS: FastWan's UMT5 table is 256,384 × 4,096 (1 GB as int8),
 * more than one WebGPU buffer may hold, so the pack ships int8 rows with one float16 scale per row
 * (row = int8 · scale) and the engine gathers the prompt's rows on the CPU.
 */
import { EngineError } from '../errors';
import type { EmbeddingTableSpec } from '../pack/manifest';
import type { PackSource } from '../pack/pack-source';
import { f16BitsToF32 } from '../runtime';

export interface EmbeddingTable {
  dim: number;
  /** [ids.length × dim] float32 rows. */
  lookup(ids: ArrayLike<bigint | number>): Float32Array;
}

export async function loadEmbeddingTable(
  source: PackSource,
  spec: EmbeddingTableSpec,
): Promise<EmbeddingTable> {
  const bytes = await source.readBytes(spec.file);
  const width = spec.format === 'int8-row-scaled' ? 1 : 4;
  if (bytes.byteLength !== spec.rows * spec.dim * width) {
    throw new EngineError(
      'corrupt-model',
      `Embedding table ${spec.file} is ${bytes.byteLength} bytes but ${spec.rows} × ${spec.dim} ${spec.format} rows need ${spec.rows * spec.dim * width}. Re-install the pack.`,
    );
  }
  let row: (r: number, out: Float32Array, at: number) => void;
  if (spec.format === 'int8-row-scaled') {
    const scalesBytes = await source.readBytes(spec.scales as string);
    if (scalesBytes.byteLength !== spec.rows * 2) {
      throw new EngineError(
        'corrupt-model',
        `Embedding scales ${spec.scales} are ${scalesBytes.byteLength} bytes but ${spec.rows} float16 scales need ${spec.rows * 2}. Re-install the pack.`,
      );
    }
    const q = new Int8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const scales = f16BitsToF32(new Uint16Array(scalesBytes.slice().buffer));
    row = (r, out, at) => {
      const s = scales[r] as number;
      for (let k = 0; k < spec.dim; k++) out[at + k] = (q[r * spec.dim + k] as number) * s;
    };
  } else {
    const table = new Float32Array(bytes.slice().buffer);
    row = (r, out, at) => out.set(table.subarray(r * spec.dim, (r + 1) * spec.dim), at);
  }
  return {
    dim: spec.dim,
    lookup(ids) {
      const out = new Float32Array(ids.length * spec.dim);
      for (let i = 0; i < ids.length; i++) {
        const r = Number(ids[i]);
        if (!(r >= 0 && r < spec.rows))
          throw new EngineError(
            'invalid-manifest',
            `Token id ${r} is outside embedding table ${spec.file} (${spec.rows} rows): the tokenizer does not match the pack.`,
          );
        row(r, out, i * spec.dim);
      }
      return out;
    },
  };
}

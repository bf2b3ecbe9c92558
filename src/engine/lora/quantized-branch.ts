/**
 * The side branch of one quantized (MatMulNBits) weight from the LoRAs that change it. Each
 * source's update at multiplier 1 is scaled per output by its multiplier m; a DoRA source's by
 * m·s with s = magnitude/‖W + ΔW‖ (one norm per output, W read back from the 4-bit data once), and
 * DoRA also rescales the node's own output: W + m·(s·(W + ΔW) − W) gives
 * y′ = y·(1 + Σ m·(s − 1)) + Σ x·ΔWᵀ·(m·s), as the float merge does (lycoris.ts doraDelta).
 */
import { EngineError } from '../errors';
import type { NBitsInfo } from '../onnx/graph-weights';
import { decodeFloats, type InitializerLocation, locateInitializers } from '../onnx/initializers';
import { dequantizeNBits } from '../onnx/nbits';
import type { SideBranch } from '../onnx/side-branch';
import type { GraphFiles } from '../pack/sessions';
import type { QuantizedDelta } from './side-pairs';

const FLOAT = 1;
const FLOAT16 = 10;

export interface BranchSource {
  delta: QuantizedDelta;
  multiplier: number;
  /** DoRA: s per output (magnitude / ‖W + ΔW‖). */
  dora?: Float32Array;
}

/** ‖row‖ of W + ΔW per output, W as rows [N, K]. */
export function doraScales(
  rows: Float32Array,
  d: QuantizedDelta,
  magnitude: Float32Array,
  K: number,
  N: number,
) {
  const s = new Float32Array(N);
  const row = new Float32Array(K);
  for (let n = 0; n < N; n++) {
    for (let k = 0; k < K; k++) {
      let v = (rows[n * K + k] as number) + (d.full ? (d.full[k * N + n] as number) : 0);
      for (const p of d.pairs)
        for (let r = 0; r < p.rank; r++)
          v += (p.down[k * p.rank + r] as number) * (p.up[r * N + n] as number);
      row[k] = v;
    }
    const norm = Math.sqrt(row.reduce((a, v) => a + v * v, 0));
    s[n] = (magnitude[n] as number) / Math.max(norm, 1e-12);
  }
  return s;
}

/** One branch for the sources with a non-zero multiplier (undefined when none has). */
export function assembleBranch(
  sources: readonly BranchSource[],
  K: number,
  N: number,
): Omit<SideBranch, 'type'> | undefined {
  const live = sources.filter((s) => s.multiplier !== 0);
  if (!live.length) return undefined;
  const column = (s: BranchSource, n: number) => s.multiplier * (s.dora ? (s.dora[n] as number) : 1);
  const rank = live.reduce((a, s) => a + s.delta.pairs.reduce((b, p) => b + p.rank, 0), 0);
  const down = new Float32Array(K * rank);
  const up = new Float32Array(rank * N);
  let at = 0;
  let full: Float32Array | undefined;
  let baseScale: Float32Array | undefined;
  for (const s of live) {
    for (const p of s.delta.pairs) {
      for (let k = 0; k < K; k++)
        for (let r = 0; r < p.rank; r++) down[k * rank + at + r] = p.down[k * p.rank + r] as number;
      for (let r = 0; r < p.rank; r++)
        for (let n = 0; n < N; n++) up[(at + r) * N + n] = (p.up[r * N + n] as number) * column(s, n);
      at += p.rank;
    }
    if (s.delta.full) {
      full ??= new Float32Array(K * N);
      for (let i = 0; i < full.length; i++)
        full[i] = (full[i] as number) + (s.delta.full[i] as number) * column(s, i % N);
    }
    if (s.dora) {
      baseScale ??= new Float32Array(N).fill(1);
      for (let n = 0; n < N; n++)
        baseScale[n] = (baseScale[n] as number) + s.multiplier * ((s.dora[n] as number) - 1);
    }
  }
  return { down, up, rank, K, N, ...(full ? { full } : {}), ...(baseScale ? { baseScale } : {}) };
}

/** An initializer's bytes, inline in the graph or in its external-data file. */
async function initializerBytes(files: GraphFiles, loc: InitializerLocation): Promise<Uint8Array> {
  if (loc.inline) return files.bytes.subarray(loc.inline.offset, loc.inline.offset + loc.inline.length);
  const ext = loc.external && files.externalData.find((x) => x.path === loc.external?.location);
  if (!loc.external || !ext)
    throw new EngineError(
      'invalid-manifest',
      `${files.graph.file} stores "${loc.name}" in ${loc.external?.location ?? 'no file'}, which pack.json does not list.`,
    );
  const { offset, length } = loc.external;
  return new Uint8Array(await ext.data.slice(offset, offset + length).arrayBuffer());
}

/** The quantized weight `B` (rows [N, K]) read back from the graph, for DoRA's norms. */
export async function quantizedRows(files: GraphFiles, B: string, info: NBitsInfo): Promise<Float32Array> {
  const names = [B, info.scales, ...(info.zeroPoints ? [info.zeroPoints] : [])];
  const locs = await locateInitializers(files.bytes, new Set(names));
  const read = async (name: string) => {
    const loc = locs.get(name);
    if (!loc)
      throw new EngineError(
        'corrupt-model',
        `${files.graph.file} has no initializer "${name}" for its quantized weight ${B}. Re-install the pack.`,
      );
    return { loc, bytes: await initializerBytes(files, loc) };
  };
  const scales = await read(info.scales);
  const zp = info.zeroPoints ? await read(info.zeroPoints) : undefined;
  const isFloat = (t: number) => t === FLOAT || t === FLOAT16;
  return dequantizeNBits(
    info,
    (await read(B)).bytes,
    decodeFloats(scales.bytes, scales.loc.dataType),
    zp && (isFloat(zp.loc.dataType) ? decodeFloats(zp.bytes, zp.loc.dataType) : zp.bytes),
  );
}

/**
 * Text side of the FastWan test packs (REAL_PACKS §3a): the UMT5 embedding as a per-row int8
 * table with float16 row scales (looked up in JS), per-layer encoder graphs with external data
 * (`hidden_states` + additive `attention_mask` → `hidden_states_out`) and the final-norm shell.
 */
import { GraphBuilder } from '../../src/engine/onnx/graph-builder';
import { f16BitsToF32, f32ToF16Bits } from '../../src/engine/runtime';
import { randomMatrix } from '../demo-pack/weights';
import { attention, feedForward, rmsNorm } from './layers';
import type { GraphFile } from './pack-json';
import { Params } from './params';

export const TEXT_DIM = 32;
/** Every prompt is padded to this many tokens (the real pack: 512). */
export const TEXT_LEN = 16;
const HEADS = 4;

/** The float table the int8 file quantises: [rows, TEXT_DIM], rows with different magnitudes. */
export function embeddingFloatTable(rows: number): Float32Array {
  const table = randomMatrix(rows, TEXT_DIM, 501, 1.7);
  for (let r = 0; r < rows; r++) {
    const gain = 0.5 + (r % 7) / 6;
    for (let c = 0; c < TEXT_DIM; c++) table[r * TEXT_DIM + c] = (table[r * TEXT_DIM + c] as number) * gain;
  }
  return table;
}

/** Per-row symmetric int8 quantisation: row = int8 · scale, scale = max|row| / 127 stored as float16. */
export function quantizeRows(table: Float32Array, rows: number, dim: number): { values: Int8Array; scales: Uint16Array } {
  const rowOf = (r: number) => table.subarray(r * dim, (r + 1) * dim);
  const scales = f32ToF16Bits(Float32Array.from({ length: rows }, (_, r) => Math.max(...rowOf(r).map(Math.abs)) / 127));
  const stored = f16BitsToF32(scales);
  const values = new Int8Array(rows * dim);
  for (let r = 0; r < rows; r++) {
    rowOf(r).forEach((v, c) => (values[r * dim + c] = Math.max(-127, Math.min(127, Math.round(v / (stored[r] as number))))));
  }
  return { values, scales };
}

/** One T5-style encoder layer: pre-RMSNorm masked self-attention and MLP, weights in `location`. */
export function textLayer(index: number, location: string): GraphFile {
  const g = new GraphBuilder(`text_encoder_layer_${index}`);
  const p = new Params(g, 510 + index, location);
  const x = g.input('hidden_states', 'float32', [1, TEXT_LEN, TEXT_DIM]);
  const mask = g.input('attention_mask', 'float32', [1, 1, 1, TEXT_LEN]);
  const n = rmsNorm(g, p, x, 'layer.0.layer_norm', TEXT_DIM);
  const h = g.op('Add', [x, attention(g, p, 'layer.0.SelfAttention', n, n, TEXT_DIM, { heads: HEADS, mask })]);
  g.op('Add', [h, feedForward(g, p, 'layer.1.DenseReluDense', rmsNorm(g, p, h, 'layer.1.layer_norm', TEXT_DIM), TEXT_DIM)], {}, 'hidden_states_out');
  g.output('hidden_states_out', 'float32', [1, TEXT_LEN, TEXT_DIM]);
  return { model: g.toModel({ doc: `WebGP test-fastwan text encoder layer ${index} (random weights)` }), external: { path: location, data: p.externalData() } };
}

/** hidden_states → last_hidden_state: the encoder's final RMSNorm. */
export function textShellPost(): Uint8Array {
  const g = new GraphBuilder('text_encoder_shell_post');
  const p = new Params(g, 519);
  const x = g.input('hidden_states', 'float32', [1, TEXT_LEN, TEXT_DIM]);
  g.op('Identity', [rmsNorm(g, p, x, 'final_layer_norm', TEXT_DIM)], {}, 'last_hidden_state');
  g.output('last_hidden_state', 'float32', [1, TEXT_LEN, TEXT_DIM]);
  return g.toModel({ doc: 'WebGP test-fastwan text encoder final norm' });
}

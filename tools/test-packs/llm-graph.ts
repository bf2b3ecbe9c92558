/**
 * The tiny decoder-only LLM of test-llm: the transformers.js I/O contract of
 * onnx-community/Qwen2.5-0.5B-Instruct (REAL_PACKS §6: input_ids, attention_mask, position_ids,
 * past_key_values.{i}.key/value [B, kv_heads, past, head_dim] → logits [B, S, vocab], present.{i}.*)
 * at tiny dims. Its logits are a successor table (token t → next(t) with a margin of 10) plus small
 * real attention over the concatenated KV cache and a position term, so greedy decoding spells a
 * fixed chain while the graph still consumes the mask, positions and past (a wrong cache length
 * fails the run).
 */
import { GraphBuilder } from '../../src/engine/onnx/graph-builder';
import { Params } from './params';

export interface TinyLlmDims {
  vocab: number;
  layers: number;
  kvHeads: number;
  headDim: number;
  maxPositions: number;
}

export const SUCCESSOR_MARGIN = 10;

/** `next[t]` is the token greedy decoding picks after t. */
export function tinyLlm(d: TinyLlmDims, next: number[]): Uint8Array {
  const g = new GraphBuilder('test_llm');
  const p = new Params(g, 909);
  const hd = d.kvHeads * d.headDim;
  const ids = g.input('input_ids', 'int64', ['batch_size', 'sequence_length']);
  const mask = g.input('attention_mask', 'int64', ['batch_size', 'total_sequence_length']);
  const pos = g.input('position_ids', 'int64', ['batch_size', 'sequence_length']);
  const table = new Float32Array(d.vocab * d.vocab);
  next.forEach((n, t) => (table[t * d.vocab + n] = SUCCESSOR_MARGIN));
  let logits = g.op('Gather', [p.tensor('successor', [d.vocab, d.vocab], table), ids]);
  logits = g.op('Add', [logits, g.op('Gather', [p.weight('position_bias', [d.maxPositions, d.vocab], 0.05), pos])]);
  // Additive mask [B, 1, 1, T]: 0 where attention_mask is 1, −1e4 where it is 0.
  const maskF = g.op('Cast', [mask], { to: 1 });
  const additive = g.op('Unsqueeze', [g.op('Mul', [g.op('Sub', [g.constF([1], []), maskF]), g.constF([-1e4], [])]), g.constI([1, 2])]);
  const heads = (x: string) => g.op('Transpose', [g.op('Reshape', [x, g.constI([0, 0, d.kvHeads, d.headDim])])], { perm: [0, 2, 1, 3] });
  for (let i = 0; i < d.layers; i++) {
    const past = (kind: string) => g.input(`past_key_values.${i}.${kind}`, 'float32', ['batch_size', d.kvHeads, 'past_sequence_length', d.headDim]);
    const pastK = past('key');
    const pastV = past('value');
    const embed = (name: string) => heads(g.op('Gather', [p.weight(`layer${i}.${name}`, [d.vocab, hd], 1), ids]));
    const key = g.op('Concat', [pastK, embed('k')], { axis: 2 }, `present.${i}.key`);
    const value = g.op('Concat', [pastV, embed('v')], { axis: 2 }, `present.${i}.value`);
    g.output(`present.${i}.key`, 'float32', ['batch_size', d.kvHeads, 'total_sequence_length', d.headDim]);
    g.output(`present.${i}.value`, 'float32', ['batch_size', d.kvHeads, 'total_sequence_length', d.headDim]);
    const scores = g.op('Add', [g.op('MatMul', [embed('q'), g.op('Transpose', [key], { perm: [0, 1, 3, 2] })]), additive]);
    const attn = g.op('MatMul', [g.op('Softmax', [scores], { axis: -1 }), value]);
    const merged = g.op('Reshape', [g.op('Transpose', [attn], { perm: [0, 2, 1, 3] }), g.constI([0, 0, hd])]);
    logits = g.op('Add', [logits, g.op('MatMul', [merged, p.weight(`layer${i}.o`, [hd, d.vocab], 0.05)])]);
  }
  g.op('Identity', [logits], {}, 'logits');
  g.output('logits', 'float32', ['batch_size', 'sequence_length', d.vocab]);
  return g.toModel({ producer: 'webgp-test-packs' });
}

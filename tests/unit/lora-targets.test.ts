/**
 * LoRA targets from the graph: the weights a LoRA can change (MatMul [in, out], Gemm transB
 * [out, in], MatMulNBits 4-bit B with scales/zero points) are read from a generated graph
 * without loading weights, named by pack.json `lora.rules`, and a quantized graph written by the
 * graph builder (com.microsoft MatMulNBits, K/N/bits/block_size) runs in onnxruntime-node and
 * equals its dequantised float weight.
 */
import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { errorCode } from '../../src/engine/errors';
import { deriveTargets, ruleModule } from '../../src/engine/lora/derive-targets';
import { GraphBuilder } from '../../src/engine/onnx/graph-builder';
import { graphWeights } from '../../src/engine/onnx/graph-weights';
import { parseLoraSpec } from '../../src/engine/pack/lora-spec';
import { FieldErrors } from '../../src/engine/pack/validate-helpers';
import { eighths } from '../../tools/test-loras/index';
import { matMulNBits, quantize4 } from '../../tools/test-packs/quantize';

const [K, N, BLOCK] = [64, 16, 32];
const w = eighths(K, N, 7).map((v) => v / 4);
const q = quantize4(w, K, N, BLOCK);

function graph(): Uint8Array {
  const g = new GraphBuilder('targets');
  const x = g.input('x', 'float32', [2, K]);
  const a = g.op('MatMul', [
    x,
    g.initializer('blocks.0.attn.to_q.weight', 'float32', [K, K], eighths(K, K, 1)),
  ]);
  const b = g.op(
    'Gemm',
    [a, g.initializer('blocks.0.attn.to_k.weight', 'float32', [K, K], eighths(K, K, 2))],
    { transB: 1 },
  );
  const c = g.op('Add', [b, g.initializer('blocks.0.norm.weight', 'float32', [K], eighths(1, K, 3))]);
  g.op('Identity', [matMulNBits(g, c, 'blocks.0.ffn.fc1', q, K, N, BLOCK)], {}, 'y');
  g.output('y', 'float32', [2, N]);
  return g.toModel();
}
const bytes = graph();
const read = async (o: number, n: number) => bytes.subarray(o, o + n);

describe('graph weights', () => {
  it('lists MatMul, Gemm and MatMulNBits weights with their layouts, not 1-D weights', async () => {
    const ws = await graphWeights(read, bytes.byteLength, 'm.onnx');
    expect(ws.map((x) => [x.initializer, x.layout, x.dims.join('×')])).toEqual([
      ['blocks.0.attn.to_q.weight', 'in-out', `${K}×${K}`],
      ['blocks.0.attn.to_k.weight', 'out-in', `${K}×${K}`],
      ['blocks.0.ffn.fc1.weight', 'out-in', `${N}×2×16`],
    ]);
    expect(ws[2]?.nbits).toEqual({
      scales: 'blocks.0.ffn.fc1.scales',
      zeroPoints: 'blocks.0.ffn.fc1.zero_points',
      K,
      N,
      bits: 4,
      blockSize: BLOCK,
    });
    expect(ws[2]?.node).toBe('blocks.0.ffn.fc1/MatMulNBits');
  });

  it('never reads a weight payload', async () => {
    const reads: [number, number][] = [];
    await graphWeights(
      async (o, n) => (reads.push([o, n]), bytes.subarray(o, o + n)),
      bytes.byteLength,
      'm.onnx',
    );
    expect(Math.max(...reads.map(([, n]) => n))).toBeLessThan(K * K * 4);
  });

  it('writes a com.microsoft MatMulNBits that onnxruntime-node runs as the dequantised weight', async () => {
    const g = new GraphBuilder('q');
    const x = g.input('x', 'float32', [1, K]);
    g.op('Identity', [matMulNBits(g, x, 'fc', q, K, N, BLOCK)], {}, 'y');
    g.output('y', 'float32', [1, N]);
    const s = await ort.InferenceSession.create(g.toModel());
    const xs = Float32Array.from({ length: K }, (_, i) => ((i % 7) - 3) / 4);
    const y = (await s.run({ x: new ort.Tensor('float32', xs, [1, K]) })).y?.data as Float32Array;
    const ref = Array.from({ length: N }, (_, n) =>
      xs.reduce((acc, v, k) => acc + v * (q.values[k * N + n] as number), 0),
    );
    y.forEach((v, n) => expect(v).toBeCloseTo(ref[n] as number, 4));
    // Quantisation changed the weight (the test would not see a de-quantisation otherwise).
    expect(Math.max(...q.values.map((v, i) => Math.abs(v - (w[i] as number))))).toBeGreaterThan(1e-3);
  });
});

describe('lora.rules', () => {
  const parse = (lora: unknown) => {
    const e = new FieldErrors();
    const spec = parseLoraSpec(e, lora, 'lora');
    return { spec, errors: e.list };
  };

  it('validates rules field by field', () => {
    expect(
      parse({
        family: 'x',
        rules: [{ regex: '(', module: 'a' }, { module: 'b' }, { suffix: '.weight', extra: 1 }],
      }).errors,
    ).toEqual([
      'lora.rules[0].regex: is not a valid regular expression (Invalid regular expression: /(/: Unterminated group)',
      'lora.rules[1]: needs at least one of prefix, suffix, regex',
      'lora.rules[2].extra: unknown field. Should be one of: match, prefix, suffix, regex, file, module',
    ]);
    expect(parse({ family: 'x' }).errors).toEqual(['lora.targets: give targets, rules, or both']);
    expect(parse({ family: 'x', rules: [] }).errors).toEqual([
      'lora.rules: must be a non-empty list of rules ({ "prefix", "suffix", "regex", "file", "module", "match" })',
    ]);
  });

  it('derives module names by prefix, suffix, regex and file groups; listed targets win', async () => {
    const ws = await graphWeights(read, bytes.byteLength, 'onnx/block_07.onnx');
    const { spec } = parse({
      family: 'x',
      targets: { custom: { initializer: 'blocks.0.attn.to_k.weight', layout: 'out-in' } },
      rules: [
        {
          prefix: 'blocks.0.',
          suffix: '.weight',
          regex: '^attn\\.(to_q)$',
          file: 'block_(\\d+)\\.onnx$',
          module: 'blocks.{f1}.self_attn.$1',
        },
        { match: 'node', suffix: '/MatMulNBits', module: '$&' },
        { prefix: 'nothing.' },
      ],
    });
    const { spec: derived, unused } = deriveTargets(spec!, [{ file: 'onnx/block_07.onnx', weights: ws }]);
    expect(Object.keys(derived.targets).sort()).toEqual([
      'blocks.0.ffn.fc1',
      'blocks.7.self_attn.to_q',
      'custom',
    ]);
    expect(derived.targets['blocks.7.self_attn.to_q']).toMatchObject({
      initializer: 'blocks.0.attn.to_q.weight',
      layout: 'in-out',
      file: 'onnx/block_07.onnx',
    });
    expect(derived.targets['blocks.0.ffn.fc1']?.nbits?.blockSize).toBe(BLOCK);
    expect(unused).toEqual([2]);
  });

  it('rejects rules that give two weights one module name', async () => {
    const ws = await graphWeights(read, bytes.byteLength, 'm.onnx');
    const { spec } = parse({ family: 'x', rules: [{ prefix: 'blocks.0.attn.', module: 'attn' }] });
    let error: unknown;
    try {
      deriveTargets(spec!, [{ file: 'm.onnx', weights: ws }]);
    } catch (err) {
      error = err;
    }
    expect(errorCode(error)).toBe('invalid-manifest');
    expect((error as Error).message).toContain('lora.rules name two weights "attn"');
  });

  it('a rule that does not apply gives no module', () => {
    const weight = {
      initializer: 'a.weight',
      node: 'n',
      layout: 'in-out' as const,
      dims: [2, 2],
      dataType: 1,
    };
    expect(ruleModule({ match: 'initializer', suffix: '.bias', module: '$&' }, 'f', weight)).toBeUndefined();
    expect(ruleModule({ match: 'initializer', suffix: '.weight', module: 'm.$&' }, 'f', weight)).toBe('m.a');
  });
});

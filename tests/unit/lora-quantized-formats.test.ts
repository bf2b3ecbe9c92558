/**
 * LyCORIS LoHa and LoKr, DoRA and full `.diff` updates on a quantized (MatMulNBits, 4-bit, block
 * 32) weight, applied by the engine's merger as side branches: each equals a float graph holding
 * the dequantized weight with the update baked in (computed here, independently of
 * src/engine/lora) within 1e-3 relative, the 4-bit bytes stay in the graph, and each update
 * changes the output well beyond the tolerance. Also: the JS dequantizer used for DoRA's norms
 * reads back what onnxruntime computes with, with and without zero points.
 */
import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { LoraMerger } from '../../src/engine/lora/apply';
import type { ModuleWeights } from '../../src/engine/lora/merge';
import { GraphBuilder } from '../../src/engine/onnx/graph-builder';
import { dequantizeNBits } from '../../src/engine/onnx/nbits';
import type { LoraSpec } from '../../src/engine/pack/lora-spec';
import { eighths } from '../../tools/test-loras/index';
import { matMulNBits, quantize4 } from '../../tools/test-packs/quantize';

const [K, N, BLOCK] = [64, 32, 32];
const MODULE = 'blocks.3.ffn.fc1';
const q = quantize4(
  eighths(K, N, 11).map((v) => v / 4),
  K,
  N,
  BLOCK,
);
const spec: LoraSpec = {
  family: 't',
  targets: {
    [MODULE]: {
      initializer: 'ffn.fc1.weight',
      layout: 'out-in',
      node: 'ffn.fc1/MatMulNBits',
      nbits: { scales: 'ffn.fc1.scales', zeroPoints: 'ffn.fc1.zero_points', K, N, bits: 4, blockSize: BLOCK },
    },
  },
};

/** x [1, 3, K] → fc1 (quantized, or float [K, N] `w`) → y [1, 3, N]. */
function graph(w?: Float32Array): Uint8Array {
  const g = new GraphBuilder('q');
  const x = g.input('x', 'float32', [1, 3, K]);
  const h = w
    ? g.op('MatMul', [x, g.initializer('ffn.fc1.weight', 'float32', [K, N], w)])
    : matMulNBits(g, x, 'ffn.fc1', q, K, N, BLOCK);
  g.op('Identity', [h], {}, 'y');
  g.output('y', 'float32', [1, 3, N]);
  return g.toModel();
}
const xs = Float32Array.from({ length: 3 * K }, (_, i) => Math.sin(i * 0.37));
const run = async (bytes: Uint8Array) =>
  (await (await ort.InferenceSession.create(bytes)).run({ x: new ort.Tensor('float32', xs, [1, 3, K]) })).y
    ?.data as Float32Array;
const maxRel = (a: Float32Array, b: Float32Array) =>
  Math.max(...a.map((v, i) => Math.abs(v - (b[i] as number)))) / Math.max(...b.map(Math.abs));
const files = (bytes: Uint8Array) => ({
  graph: { file: 'g.onnx', externalData: [] },
  bytes,
  externalData: [],
});
const t = (data: Float32Array, shape: number[]) => ({ data, shape });

/** a [m, k] · b [k, n]. */
const mm = (a: Float32Array, b: Float32Array, m: number, k: number, n: number) => {
  const out = new Float32Array(m * n);
  for (let i = 0; i < m; i++)
    for (let j = 0; j < n; j++) for (let s = 0; s < k; s++) out[i * n + j]! += a[i * k + s]! * b[s * n + j]!;
  return out;
};
/** The dequantized weight [K, N] + m·Δᵀ (Δ [N, K]); DoRA: + m·(s·(W + Δ) − W), s per output. */
function bake(delta: Float32Array, m: number, magnitude?: Float32Array): Float32Array {
  const w = q.values;
  const out = w.slice();
  for (let n = 0; n < N; n++) {
    let norm = 0;
    for (let k = 0; k < K; k++) norm += (w[k * N + n]! + delta[n * K + k]!) ** 2;
    const s = magnitude ? magnitude[n]! / Math.sqrt(norm) : 0;
    for (let k = 0; k < K; k++) {
      const [base, d] = [w[k * N + n]!, delta[n * K + k]!];
      out[k * N + n] = magnitude ? base + m * (s * (base + d) - base) : base + m * d;
    }
  }
  return out;
}

const hada = [eighths(N, 2, 31), eighths(2, K, 32), eighths(N, 2, 33), eighths(2, K, 34)] as const;
const lokrW1 = eighths(4, 4, 41);
const [lokrA, lokrB, lokrW2] = [eighths(8, 2, 42), eighths(2, 16, 43), eighths(8, 16, 44)];
/** w1 [4, 4] ⊗ w2 [8, 16] → [32, 64]. */
const kron = (w2: Float32Array, scale: number) =>
  Float32Array.from({ length: N * K }, (_, i) => {
    const [r, c] = [Math.floor(i / K), i % K];
    return scale * lokrW1[Math.floor(r / 8) * 4 + Math.floor(c / 16)]! * w2[(r % 8) * 16 + (c % 16)]!;
  });
const [up, down] = [eighths(N, 4, 51), eighths(4, K, 52)];
const magnitude = eighths(N, 1, 53).map((v) => 1 + v);

const cases: { name: string; module: ModuleWeights; delta: Float32Array; dora?: boolean }[] = [
  {
    name: 'LoHa (factored, rank 2·2)',
    module: {
      alpha: 4,
      lycoris: {
        hada_w1_a: t(hada[0], [N, 2]),
        hada_w1_b: t(hada[1], [2, K]),
        hada_w2_a: t(hada[2], [N, 2]),
        hada_w2_b: t(hada[3], [2, K]),
      },
    },
    delta: mm(hada[0], hada[1], N, 2, K).map((v, i) => 2 * v * mm(hada[2], hada[3], N, 2, K)[i]!),
  },
  {
    name: 'LoKr with a low-rank w2 (factored through the Kronecker product)',
    module: {
      alpha: 4,
      lycoris: { lokr_w1: t(lokrW1, [4, 4]), lokr_w2_a: t(lokrA, [8, 2]), lokr_w2_b: t(lokrB, [2, 16]) },
    },
    delta: kron(mm(lokrA, lokrB, 8, 2, 16), 2),
  },
  {
    name: 'LoKr with whole factors (rank not smaller: a full delta branch)',
    module: { lycoris: { lokr_w1: t(lokrW1, [4, 4]), lokr_w2: t(lokrW2, [8, 16]) } },
    delta: kron(lokrW2, 1),
  },
  {
    name: 'DoRA (norms of the dequantized weight + ΔW)',
    module: { up: t(up, [N, 4]), down: t(down, [4, K]), alpha: 8, doraScale: t(magnitude, [N, 1]) },
    delta: mm(up, down, N, 4, K).map((v) => 2 * v),
    dora: true,
  },
  {
    name: 'a full .diff',
    module: { diff: t(eighths(N, K, 61), [N, K]) },
    delta: eighths(N, K, 61),
  },
];

describe('LyCORIS, DoRA and .diff updates on a quantized weight (side branch)', () => {
  const quantized = graph();
  for (const c of cases) {
    it(`${c.name} equals the float reference with the update baked in (1e-3 relative)`, async () => {
      const lora = { name: 'l', unmatched: [], modules: new Map([[MODULE, c.module]]) };
      for (const m of [1, 0.6]) {
        const patched = await new LoraMerger(spec, [lora]).patch(files(quantized), [m], true);
        const ref = await run(graph(bake(c.delta, m, c.dora ? magnitude : undefined)));
        expect(maxRel(await run(patched.bytes), ref)).toBeLessThan(1e-3);
        expect(maxRel(await run(quantized), ref)).toBeGreaterThan(1e-2);
        expect(Buffer.from(patched.bytes).includes(Buffer.from(q.B))).toBe(true);
      }
    });
  }

  it('a DoRA and a LoHa on one weight add as the float merges do', async () => {
    const dora = cases[3] as (typeof cases)[number];
    const lohaCase = cases[0] as (typeof cases)[number];
    const loras = [dora, lohaCase].map((c, i) => ({
      name: `l${i}`,
      unmatched: [],
      modules: new Map([[MODULE, c.module]]),
    }));
    const patched = await new LoraMerger(spec, loras).patch(files(quantized), [0.7, -1.5], true);
    const withDora = bake(dora.delta, 0.7, magnitude);
    const ref = withDora.map((v, i) => v - 1.5 * lohaCase.delta[(i % N) * K + Math.floor(i / N)]!);
    expect(maxRel(await run(patched.bytes), await run(graph(ref)))).toBeLessThan(1e-3);
  });
});

describe('dequantizeNBits', () => {
  it('reads back the weight onnxruntime computes with (packed zero points, and none: 2^(bits−1))', async () => {
    expect(dequantizeNBits({ K, N, bits: 4, blockSize: BLOCK }, q.B, q.scales, q.zeroPoints)).toEqual(
      Float32Array.from({ length: N * K }, (_, i) => q.values[(i % K) * N + Math.floor(i / K)]!),
    );
    const g = new GraphBuilder('z');
    const x = g.input('x', 'float32', [1, 3, K]);
    const B = g.initializer('B', 'uint8', [N, K / BLOCK, BLOCK / 2], q.B);
    const s = g.initializer('S', 'float32', [(N * K) / BLOCK], q.scales);
    g.node(
      'MatMulNBits',
      [x, B, s],
      ['y'],
      { K, N, bits: 4, block_size: BLOCK },
      { domain: 'com.microsoft' },
    );
    g.output('y', 'float32', [1, 3, N]);
    const rows = dequantizeNBits({ K, N, bits: 4, blockSize: BLOCK }, q.B, q.scales);
    const w = Float32Array.from({ length: K * N }, (_, i) => rows[(i % N) * K + Math.floor(i / N)]!);
    expect(maxRel(await run(g.toModel()), await run(graph(w)))).toBeLessThan(1e-5);
  });
});

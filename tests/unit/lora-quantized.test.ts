/**
 * LoRA on a quantized graph (MatMulNBits 4-bit blocks, block 32, as the real q4f16 packs): the
 * targets come from lora.rules, the quantized weight gets a low-rank side branch
 * y += m·(α/r)·(x·Aᵀ)·Bᵀ in a copy of the graph, the float weight beside it is merged. The result
 * equals a float graph with the dequantised weights and both deltas baked in (1e-3 relative), two
 * LoRAs on one weight add, and a .diff of the wrong shape is refused (other formats:
 * lora-quantized-formats.test.ts).
 */
import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { errorCode } from '../../src/engine/errors';
import { LoraMerger } from '../../src/engine/lora/apply';
import { deriveTargets } from '../../src/engine/lora/derive-targets';
import type { LoraWeights } from '../../src/engine/lora/merge';
import { GraphBuilder } from '../../src/engine/onnx/graph-builder';
import { graphWeights } from '../../src/engine/onnx/graph-weights';
import type { LoraSpec } from '../../src/engine/pack/lora-spec';
import { eighths } from '../../tools/test-loras/index';
import { matMulNBits, quantize4 } from '../../tools/test-packs/quantize';

const [K, N, BLOCK, RANK] = [64, 32, 32, 4];
const q = quantize4(
  eighths(K, N, 11).map((v) => v / 4),
  K,
  N,
  BLOCK,
);
const wOut: Float32Array = eighths(N, K, 12).map((v) => v / 4); // float MatMul weight [N in, K out]
const FILE = 'onnx/block_03.onnx';

/** x → fc1 (quantized, or float `fc1` when given) → tanh → fc2 (float, `fc2` when given) → y. */
function graph(fc1?: Float32Array, fc2: Float32Array = wOut): Uint8Array {
  const g = new GraphBuilder('q');
  const x = g.input('x', 'float32', [1, 3, K]);
  const h = fc1
    ? g.op('MatMul', [x, g.initializer('ffn.fc1.weight', 'float32', [K, N], fc1)])
    : matMulNBits(g, x, 'ffn.fc1', q, K, N, BLOCK);
  g.op('MatMul', [g.op('Tanh', [h]), g.initializer('ffn.fc2.weight', 'float32', [N, K], fc2)], {}, 'y');
  g.output('y', 'float32', [1, 3, K]);
  return g.toModel();
}

const xs = Float32Array.from({ length: 3 * K }, (_, i) => Math.sin(i * 0.37));
async function run(bytes: Uint8Array): Promise<Float32Array> {
  const s = await ort.InferenceSession.create(bytes);
  return (await s.run({ x: new ort.Tensor('float32', xs, [1, 3, K]) })).y?.data as Float32Array;
}

interface Pair {
  module: string;
  up: Float32Array;
  down: Float32Array;
  inDim: number;
  outDim: number;
  alpha?: number;
}
const lora = (name: string, pairs: Pair[], diff = false): LoraWeights => ({
  name,
  unmatched: [],
  modules: new Map(
    pairs.map((p) => [
      p.module,
      diff
        ? { diff: { data: p.up, shape: [p.outDim, p.inDim] } }
        : {
            up: { data: p.up, shape: [p.outDim, RANK] },
            down: { data: p.down, shape: [RANK, p.inDim] },
            ...(p.alpha ? { alpha: p.alpha } : {}),
          },
    ]),
  ),
});
const pair = (module: string, inDim: number, outDim: number, seed: number, alpha?: number): Pair => ({
  module,
  inDim,
  outDim,
  up: eighths(outDim, RANK, seed),
  down: eighths(RANK, inDim, seed + 1),
  ...(alpha ? { alpha } : {}),
});

/** W [in, out] + Σ m·(α/r)·(B·A)ᵀ, independently of src/engine/lora. */
function bake(w: Float32Array, inDim: number, outDim: number, adds: { p: Pair; m: number }[]): Float32Array {
  const out = w.slice();
  for (const { p, m } of adds) {
    const scale = (m * (p.alpha ?? RANK)) / RANK;
    for (let i = 0; i < inDim; i++)
      for (let o = 0; o < outDim; o++)
        for (let r = 0; r < RANK; r++)
          out[i * outDim + o] =
            (out[i * outDim + o] as number) +
            scale * (p.up[o * RANK + r] as number) * (p.down[r * inDim + i] as number);
  }
  return out;
}

async function spec(bytes: Uint8Array): Promise<LoraSpec> {
  const weights = await graphWeights(async (o, n) => bytes.subarray(o, o + n), bytes.byteLength, FILE);
  const rules = [
    {
      match: 'initializer' as const,
      suffix: '.weight',
      file: 'block_(\\d+)\\.onnx$',
      module: 'blocks.{f1}.$&',
    },
  ];
  const { spec: s, unused } = deriveTargets({ family: 't', targets: {}, rules }, [{ file: FILE, weights }]);
  expect(unused).toEqual([]);
  return s;
}

const maxRel = (a: Float32Array, b: Float32Array) =>
  Math.max(...a.map((v, i) => Math.abs(v - (b[i] as number)))) / Math.max(...b.map(Math.abs));
const files = (bytes: Uint8Array) => ({ graph: { file: FILE, externalData: [] }, bytes, externalData: [] });

describe('LoRA on a quantized graph (side branch)', () => {
  const quantized = graph();
  const p1 = pair('blocks.3.ffn.fc1', K, N, 21, 2);
  const p2 = pair('blocks.3.ffn.fc2', N, K, 23);
  const p3 = pair('blocks.3.ffn.fc1', K, N, 25);

  it('derives a quantized and a float target from the rules', async () => {
    const s = await spec(quantized);
    expect(s.targets['blocks.3.ffn.fc1']?.nbits).toMatchObject({ K, N, bits: 4, blockSize: BLOCK });
    expect(s.targets['blocks.3.ffn.fc2']).toMatchObject({ initializer: 'ffn.fc2.weight', layout: 'in-out' });
  });

  it('side branch + merge equal the float reference with the deltas baked in (1e-3 relative); the 4-bit bytes are untouched', async () => {
    const m = 0.8;
    const merger = new LoraMerger(await spec(quantized), [lora('a', [p1, p2])]);
    const patched = await merger.patch(files(quantized), [m], true);
    const ref = await run(graph(bake(q.values, K, N, [{ p: p1, m }]), bake(wOut, N, K, [{ p: p2, m }])));
    const got = await run(patched.bytes);
    expect(maxRel(got, ref)).toBeLessThan(1e-3);
    // The LoRA changes the output well beyond the tolerance, so the check can fail.
    expect(maxRel(await run(quantized), ref)).toBeGreaterThan(1e-2);
    expect(Buffer.from(patched.bytes).includes(Buffer.from(q.B))).toBe(true);
  });

  it('two LoRAs on the quantized weight add (ranks concatenated); multiplier 0 leaves the graph as it is', async () => {
    const merger = new LoraMerger(await spec(quantized), [lora('a', [p1]), lora('b', [p3])]);
    const got = await run((await merger.patch(files(quantized), [0.5, -1.25], true)).bytes);
    const ref = await run(
      graph(
        bake(q.values, K, N, [
          { p: p1, m: 0.5 },
          { p: p3, m: -1.25 },
        ]),
      ),
    );
    expect(maxRel(got, ref)).toBeLessThan(1e-3);
    expect((await merger.patch(files(quantized), [0, 0], true)).bytes).toBe(quantized);
  });

  it('refuses a .diff whose shape does not fit the quantized weight', async () => {
    const merger = new LoraMerger(await spec(quantized), [lora('d', [{ ...p1, outDim: N / 2 }], true)]);
    let error: unknown;
    try {
      await merger.patch(files(quantized), [1], true);
    } catch (err) {
      error = err;
    }
    expect(errorCode(error)).toBe('invalid-lora');
    expect((error as Error).message).toContain(
      `module "blocks.3.ffn.fc1" has a ${N / 2}×${K} diff, but the model's weight is ${K} → ${N}`,
    );
  });
});

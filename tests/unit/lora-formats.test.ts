/**
 * LyCORIS LoHa and LoKr and DoRA files (tools/test-loras/lycoris.ts) read through the real parse
 * path and merged by the engine's merger into a graph with the test pack's module shapes: each
 * equals a graph with its update baked in, computed here independently (1e-5); the library
 * summary names each file's format; keys of unknown parts stay listed as unmatched.
 */
import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { loraFormat, summariseLora } from '../../src/engine/lora/analyse';
import { LoraMerger } from '../../src/engine/lora/apply';
import { mapKeys } from '../../src/engine/lora/keys';
import { loraWeights } from '../../src/engine/lora/merge';
import { parseSafetensors } from '../../src/engine/lora/safetensors';
import { GraphBuilder } from '../../src/engine/onnx/graph-builder';
import type { LoraSpec } from '../../src/engine/pack/lora-spec';
import { eighths, testLoraFiles, TEST_MODULES } from '../../tools/test-loras/index';
import { LOKR_SPLIT } from '../../tools/test-loras/lycoris';

const files = testLoraFiles();
const MODULES = ['blocks.0.ffn.0', 'blocks.0.ffn.2'] as const;
const base = Object.fromEntries(
  MODULES.map((m, i) => [m, eighths(...(TEST_MODULES[m] as [number, number]), 900 + i)]),
) as Record<string, Float32Array>;
const spec: LoraSpec = {
  family: 't',
  targets: Object.fromEntries(
    MODULES.map((m) => [m, { initializer: `${m}.weight`, layout: 'in-out' as const }]),
  ),
};

/** x [1, 4] → ffn.0 [4, 32] → tanh → ffn.2 [32, 4] → y. */
function graph(w: Record<string, Float32Array>): Uint8Array {
  const g = new GraphBuilder('f');
  const x = g.input('x', 'float32', [1, 4]);
  const h = g.op('Tanh', [
    g.op('MatMul', [
      x,
      g.initializer('blocks.0.ffn.0.weight', 'float32', [4, 32], w['blocks.0.ffn.0'] as Float32Array),
    ]),
  ]);
  g.op(
    'MatMul',
    [h, g.initializer('blocks.0.ffn.2.weight', 'float32', [32, 4], w['blocks.0.ffn.2'] as Float32Array)],
    {},
    'y',
  );
  g.output('y', 'float32', [1, 4]);
  return g.toModel();
}
const xs = Float32Array.of(0.5, -1, 0.25, 2);
const run = async (bytes: Uint8Array) =>
  (await (await ort.InferenceSession.create(bytes)).run({ x: new ort.Tensor('float32', xs, [1, 4]) })).y
    ?.data as Float32Array;

/** The file's tensors by key. */
async function tensors(name: string): Promise<Map<string, { data: Float32Array; shape: number[] }>> {
  const bytes = files[name] as Uint8Array;
  const w = loraWeights(name, bytes, await parseSafetensors(bytes, name), { family: 'x', targets: {} });
  expect(w.modules.size).toBe(0); // no targets: everything unmatched (sanity of the helper)
  const { tensorFloats } = await import('../../src/engine/lora/safetensors');
  const header = await parseSafetensors(bytes, name);
  return new Map(
    header.tensors.map((t) => [t.name, { data: tensorFloats(bytes, header, t), shape: t.shape }]),
  );
}

const mm = (a: Float32Array, b: Float32Array, m: number, k: number, n: number) =>
  Float32Array.from({ length: m * n }, (_, i) =>
    Array.from({ length: k }, (_, t) => a[Math.floor(i / n) * k + t]! * b[t * n + (i % n)]!).reduce(
      (s, v) => s + v,
      0,
    ),
  );

/** ΔW [out, in] of one module under each format. */
async function deltaOf(
  file: string,
  module: string,
): Promise<{ delta: Float32Array; magnitude?: Float32Array }> {
  const t = await tensors(file);
  const [inDim, outDim] = TEST_MODULES[module] as [number, number];
  const get = (suffix: string) =>
    [...t.entries()].find(([k]) => k.endsWith(suffix) && k.replace(/_/g, '.').includes(module))?.[1] as {
      data: Float32Array;
      shape: number[];
    };
  if (file === 'test-loha.safetensors') {
    const r = get('.hada_w1_b').shape[0]!;
    const a = mm(get('.hada_w1_a').data, get('.hada_w1_b').data, outDim, r, inDim);
    const b = mm(get('.hada_w2_a').data, get('.hada_w2_b').data, outDim, r, inDim);
    return { delta: a.map((v, i) => (v * b[i]! * get('.alpha').data[0]!) / r) };
  }
  if (file === 'test-lokr.safetensors') {
    const { w1, w2 } = LOKR_SPLIT[module]!;
    const f2 = mm(get('.lokr_w2_a').data, get('.lokr_w2_b').data, w2[0], 2, w2[1]);
    const f1 = get('.lokr_w1').data;
    const scale = get('.alpha').data[0]! / 2;
    const out = new Float32Array(outDim * inDim);
    for (let o = 0; o < outDim; o++)
      for (let i = 0; i < inDim; i++)
        out[o * inDim + i] =
          scale *
          f1[Math.floor(o / w2[0]) * w1[1] + Math.floor(i / w2[1])]! *
          f2[(o % w2[0]) * w2[1] + (i % w2[1])]!;
    return { delta: out };
  }
  return {
    delta: mm(get('.lora_B.weight').data, get('.lora_A.weight').data, outDim, 2, inDim),
    magnitude: get('.dora_scale').data,
  };
}

/** W [in, out] after the update at multiplier m (DoRA: W + m·(mag·(W+Δ)/‖W+Δ‖ − W), norms per output). */
async function baked(file: string, m: number): Promise<Record<string, Float32Array>> {
  const out: Record<string, Float32Array> = {};
  for (const module of MODULES) {
    const [inDim, outDim] = TEST_MODULES[module] as [number, number];
    const { delta, magnitude } = await deltaOf(file, module);
    const w = base[module]!.slice();
    for (let o = 0; o < outDim; o++) {
      const col = Array.from({ length: inDim }, (_, i) => w[i * outDim + o]! + delta[o * inDim + i]!);
      const norm = Math.hypot(...col);
      for (let i = 0; i < inDim; i++) {
        const target = magnitude ? (magnitude[o]! * col[i]!) / norm : col[i]!;
        w[i * outDim + o] = w[i * outDim + o]! + m * (target - w[i * outDim + o]!);
      }
    }
    out[module] = w;
  }
  return out;
}

describe('LyCORIS and DoRA files', () => {
  for (const file of ['test-loha.safetensors', 'test-lokr.safetensors', 'test-dora.safetensors']) {
    it(`${file} at m = 0.6 equals its baked reference`, async () => {
      const bytes = files[file] as Uint8Array;
      const w = loraWeights(file, bytes, await parseSafetensors(bytes, file), spec);
      expect(w.unmatched).toEqual([]);
      expect([...w.modules.keys()].sort()).toEqual([...MODULES]);
      const merger = new LoraMerger(spec, [w]);
      const plain = graph(base);
      const patched = await merger.patch(
        { graph: { file: 'm.onnx', externalData: [] }, bytes: plain, externalData: [] },
        [0.6],
        true,
      );
      const got = await run(patched.bytes);
      const ref = await run(graph(await baked(file, 0.6)));
      got.forEach((v, i) => expect(Math.abs(v - ref[i]!)).toBeLessThan(1e-5));
      // The update is visible well beyond the tolerance.
      const none = await run(plain);
      expect(Math.max(...got.map((v, i) => Math.abs(v - none[i]!)))).toBeGreaterThan(1e-2);
    });
  }

  it('the library names each file format', async () => {
    const formatOf = async (f: string) =>
      summariseLora(await parseSafetensors(files[f]!, f), [{ packId: 'p', lora: spec }]);
    expect((await formatOf('test-loha.safetensors')).format).toBe('LoHa');
    expect((await formatOf('test-lokr.safetensors')).format).toBe('LoKr');
    expect((await formatOf('test-dora.safetensors')).format).toBe('DoRA');
    expect((await formatOf('test-style.safetensors')).format).toBe('LoRA');
    expect((await formatOf('test-diff.safetensors')).format).toBe('full delta');
    expect((await formatOf('test-loha.safetensors')).rank).toBe(2);
    expect(loraFormat(['x.weight'])).toBe('unknown');
  });

  it('an incomplete LoHa and a lone DoRA scale are listed as unmatched', () => {
    const m = mapKeys(
      [
        'lycoris_blocks_0_ffn_0.hada_w1_a',
        'lycoris_blocks_0_ffn_0.hada_w1_b',
        'diffusion_model.blocks.0.ffn.2.dora_scale',
        'blocks.0.ffn.2.hada_t1',
      ],
      MODULES,
    );
    expect(m.modules.size).toBe(0);
    expect(m.unmatched.sort()).toEqual([
      'blocks.0.ffn.2.hada_t1',
      'diffusion_model.blocks.0.ffn.2.dora_scale',
      'lycoris_blocks_0_ffn_0.hada_w1_a',
      'lycoris_blocks_0_ffn_0.hada_w1_b',
    ]);
  });
});

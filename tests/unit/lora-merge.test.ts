/**
 * LoRA merging below the engine: the pack.json `lora` block's validation, the delta arithmetic
 * (scale = alpha/rank, layouts), and in-place rewriting of inline and external-data initializers
 * run through onnxruntime-node.
 */
import { describe, expect, it } from 'vitest';
import { LoraMerger } from '../../src/engine/lora/apply';
import { mergeWeights, weightDelta } from '../../src/engine/lora/merge';
import { GraphBuilder } from '../../src/engine/onnx/graph-builder';
import { parseLoraSpec } from '../../src/engine/pack/lora-spec';
import { FieldErrors } from '../../src/engine/pack/validate-helpers';
import { ortNodeModule } from '../helpers/ort-node';

describe('pack.json lora block', () => {
  it('reports every wrong field by path', () => {
    const e = new FieldErrors();
    parseLoraSpec(
      e,
      {
        family: '',
        targets: {
          a: { initializer: 'w', layout: 'sideways' },
          b: { initializer: 'w', layout: 'in-out', extra: 1 },
        },
      },
      'components.transformer.lora',
    );
    expect(e.list).toEqual([
      'components.transformer.lora.family: expected a non-empty string',
      'components.transformer.lora.targets.a.layout: "sideways" is not supported. Should be one of: in-out, out-in',
      'components.transformer.lora.targets.b.extra: unknown field. Should be one of: initializer, layout, bias, file',
      'components.transformer.lora.targets.b.initializer: "w" is already the target of module "a"',
    ]);
    const ok = new FieldErrors();
    expect(
      parseLoraSpec(
        ok,
        { family: 'wan', targets: { 'blocks.0.ffn.0': { initializer: 'x', layout: 'out-in', bias: 'b' } } },
        'p',
      ),
    ).toEqual({
      family: 'wan',
      targets: { 'blocks.0.ffn.0': { initializer: 'x', layout: 'out-in', bias: 'b' } },
    });
    expect(ok.list).toEqual([]);
  });
});

describe('LoRA deltas', () => {
  // B [out=2, r=1], A [r=1, in=3]: B·A = [[1,2,3],[2,4,6]].
  const w = {
    up: { data: Float32Array.of(1, 2), shape: [2, 1] },
    down: { data: Float32Array.of(1, 2, 3), shape: [1, 3] },
    alpha: 0.5,
  };
  it('scales by alpha/rank and transposes for MatMul weights [in, out]', () => {
    expect(Array.from(weightDelta('l', 'm', w, 'out-in', [2, 3])!)).toEqual([0.5, 1, 1.5, 1, 2, 3]);
    expect(Array.from(weightDelta('l', 'm', w, 'in-out', [3, 2])!)).toEqual([0.5, 1, 1, 2, 1.5, 3]);
    expect(
      Array.from(
        mergeWeights(new Float32Array(6).fill(1), [
          { delta: Float32Array.of(1, 2, 3, 4, 5, 6), multiplier: 2 },
        ]),
      ),
    ).toEqual([3, 5, 7, 9, 11, 13]);
  });

  it('refuses a LoRA whose shapes do not fit the model weight', () => {
    expect(() => weightDelta('x.safetensors', 'blocks.0.ffn.0', w, 'out-in', [4, 3])).toThrow(
      'LoRA x.safetensors does not fit this model: module "blocks.0.ffn.0" maps 3 inputs to 2 outputs, but the model\'s weight is 4×3. Use a LoRA made for this model.',
    );
  });
});

describe('initializer rewriting', () => {
  it('merges into inline and external-data initializers; the session computes with the merged weights', async () => {
    const g = new GraphBuilder('m');
    const x = g.input('x', 'float32', [1, 2]);
    const inline = g.initializer('a.weight', 'float32', [2, 2], Float32Array.of(1, 0, 0, 1));
    const ext = g.externalInitializer('b.weight', 'float32', [2, 2], {
      location: 'w.bin',
      offset: 8,
      length: 16,
    });
    g.op('MatMul', [g.op('MatMul', [x, inline]), ext], {}, 'y');
    g.output('y', 'float32', [1, 2]);
    const bin = new Uint8Array(24);
    bin.set(new Uint8Array(Float32Array.of(1, 0, 0, 1).buffer), 8);
    const files = {
      graph: { file: 'm.onnx', externalData: [] },
      bytes: g.toModel(),
      externalData: [{ path: 'w.bin', data: new Blob([bin]) }],
    };
    const spec = {
      family: 't',
      targets: {
        a: { initializer: 'a.weight', layout: 'out-in' as const },
        b: { initializer: 'b.weight', layout: 'out-in' as const },
      },
    };
    const diff = (data: number[]) => ({ diff: { data: Float32Array.from(data), shape: [2, 2] } });
    const merger = new LoraMerger(spec, [
      {
        name: 'l',
        unmatched: [],
        modules: new Map([
          ['a', diff([1, 0, 0, 0])],
          ['b', diff([0, 1, 0, 0])],
        ]),
      },
    ]);
    const patched = await merger.patch(files, [2], true);
    expect(files.bytes).toEqual(g.toModel()); // the original is untouched
    const s = await ortNodeModule.InferenceSession.create(patched.bytes, {
      externalData: patched.externalData,
    });
    const out = await s.run({ x: new ortNodeModule.Tensor('float32', Float32Array.of(1, 1), [1, 2]) });
    // a = [[3,0],[0,1]], b = [[1,2],[0,1]]: [1,1]·a = [3,1]; ·b = [3, 7].
    expect(Array.from(out.y!.data as Float32Array)).toEqual([3, 7]);
    const missing = new LoraMerger(
      { family: 't', targets: { c: { initializer: 'c.weight', layout: 'out-in' } } },
      [{ name: 'l', unmatched: [], modules: new Map([['c', diff([1, 0, 0, 0])]]) }],
    );
    await expect(missing.patch(files, [1], true)).rejects.toThrow(
      'pack.json\'s lora targets name initializer "c.weight", which m.onnx does not have. Fix components.transformer.lora in pack.json.',
    );
  });
});

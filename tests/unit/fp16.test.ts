/** float16 graph boundaries: the half-float conversions and a float16 component fed float32 by the engine. */
import { describe, expect, it } from 'vitest';
import { GraphBuilder } from '../../src/engine/onnx/graph-builder';
import type { ComponentSpec } from '../../src/engine/pack/components';
import { openComponent } from '../../src/engine/pipeline/component-runner';
import { f16BitsToF32, f32ToF16Bits, readFloats } from '../../src/engine/runtime';
import { ortNodeModule } from '../helpers/ort-node';

describe('half floats', () => {
  it('converts known values exactly, rounding to nearest even, with overflow, underflow and subnormals', () => {
    const cases: [number, number][] = [
      [1, 0x3c00],
      [-2, 0xc000],
      [65504, 0x7bff],
      [70000, 0x7c00],
      [-Infinity, 0xfc00],
      [2 ** -24, 0x0001],
      [1e-9, 0x0000],
      [1 + 2 ** -11, 0x3c00], // halfway: ties to even
      [1 + 3 * 2 ** -11, 0x3c02],
    ];
    expect([...f32ToF16Bits(Float32Array.from(cases, ([v]) => v))]).toEqual(cases.map(([, h]) => h));
    expect([...f16BitsToF32(Uint16Array.of(0x3c00, 0xc000, 0x7bff, 0x0001, 0x7c00))]).toEqual([
      1,
      -2,
      65504,
      2 ** -24,
      Infinity,
    ]);
    expect(Number.isNaN(f16BitsToF32(f32ToF16Bits(Float32Array.of(NaN)))[0])).toBe(true);
  });

  it('round-trips every finite half value', () => {
    const all = Uint16Array.from({ length: 0x7c00 }, (_, i) => i);
    expect([...f32ToF16Bits(f16BitsToF32(all))]).toEqual([...all]);
  });

  it('a float16 component takes float32 inputs and returns float32 outputs (converted at its boundary)', async () => {
    const g = new GraphBuilder('half');
    g.op('Identity', [g.input('x', 'float16', null)], {}, 'y');
    g.output('y', 'float16', null);
    const model = g.toModel();
    const spec: ComponentSpec = {
      file: 'half.onnx',
      externalData: [],
      inputs: { latents: 'x' },
      outputs: { prediction: 'y' },
      dtype: 'float16',
    };
    const source = {
      label: 'mem',
      readBytes: async () => model,
      readBlob: async () => new Blob([model.slice()]),
    };
    const runner = await openComponent(ortNodeModule, source, spec, 'wasm', { gpuOutputs: false });
    const out = (
      await runner.run({ latents: new ortNodeModule.Tensor('float32', Float32Array.of(1, 0.1, -3.5), [3]) })
    ).prediction;
    expect(out?.type).toBe('float32');
    expect([...(await readFloats(out!))]).toEqual([
      1,
      f16BitsToF32(f32ToF16Bits(Float32Array.of(0.1)))[0],
      -3.5,
    ]);
    await runner.release();
  });
});

/** float16 graph boundaries: the half-float conversions and a float16 component fed float32 by the engine. */
import { describe, expect, it } from 'vitest';
import { GraphBuilder } from '../../src/engine/onnx/graph-builder';
import type { ComponentSpec } from '../../src/engine/pack/components';
import { openComponent } from '../../src/engine/pipeline/component-runner';
import { f16BitsToF32, f32ToF16Bits, type OrtTensor, readFloats } from '../../src/engine/runtime';
import { meterTransfers } from '../../src/engine/transfers';
import { fakeGpu } from '../helpers/fake-gpu';
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

  it('on WebGPU with GPU-resident outputs, float16 crosses its boundary by Cast graphs on the device: nothing is read back to convert', async () => {
    // Two fp16 stages: x → y = x·x (stage a), y, m → z = y + m (stage b); m is a float32 input both could read.
    const graph = (build: (g: GraphBuilder) => void) => {
      const g = new GraphBuilder('half');
      build(g);
      return g.toModel();
    };
    const files: Record<string, Uint8Array> = {
      'single.onnx': graph((g) => {
        const x = g.input('x', 'float16', null);
        g.op('Mul', [x, x], {}, 'y');
        g.output('y', 'float16', null);
      }),
      'b.onnx': graph((g) => {
        g.op('Add', [g.input('y', 'float16', null), g.input('m', 'float16', null)], {}, 'z');
        g.output('z', 'float16', null);
      }),
    };
    const source = {
      label: 'mem',
      readBytes: async (f: string) => files[f] as Uint8Array,
      readBlob: async (f: string) => new Blob([(files[f] as Uint8Array).slice()]),
    };
    const single: ComponentSpec = {
      file: 'single.onnx',
      externalData: [],
      inputs: { latents: 'x' },
      outputs: { prediction: 'y' },
      dtype: 'float16',
    };
    const stage = (file: string, feeds: Record<string, string>, emits: Record<string, string>) => ({
      file,
      externalData: [],
      feeds,
      emits,
    });
    const chain: ComponentSpec = {
      ...single,
      file: 'single.onnx',
      inputs: { latents: 'x', context: 'm' },
      outputs: { prediction: 'z' },
      stages: [stage('single.onnx', {}, {}), stage('b.onnx', {}, {}), stage('b.onnx', { y: 'z' }, {})],
      resident: 3,
    };
    const gpu = fakeGpu();
    const meter = meterTransfers(gpu.ort);
    const x = Float32Array.of(1, 0.1, -3.5);
    const m = Float32Array.of(0.5, 2, 1);
    const half = (v: Float32Array) => f16BitsToF32(f32ToF16Bits(v));
    for (const [spec, want] of [
      [single, half(half(x).map((v) => v * v))],
      [
        chain,
        half(
          half(half(half(x).map((v) => v * v)).map((v, i) => v + (half(m)[i] as number))).map(
            (v, i) => v + (half(m)[i] as number),
          ),
        ),
      ],
    ] as const) {
      const runner = await openComponent(meter.ort, source, spec, 'webgpu', { gpuOutputs: true });
      meter.reset();
      gpu.reads.count = 0;
      meter.at('denoise', 0);
      const cpu = (v: Float32Array) => new ortNodeModule.Tensor('float32', v, [3]);
      const inputs: Record<string, OrtTensor> =
        spec === single ? { latents: cpu(x) } : { latents: cpu(x), context: cpu(m) };
      const out = (await runner.run(inputs)).prediction!;
      expect(out.type).toBe('float32');
      expect(out.location).toBe('gpu-buffer');
      expect(gpu.reads.count).toBe(0);
      // Each input went up once (m once, though two stages read it); nothing came back.
      expect(meter.report()).toMatchObject({ readbacks: 0, reuploads: 0 });
      expect(meter.report().uploads).toBe(spec === single ? 1 : 2);
      expect([...(await readFloats(out))]).toEqual([...want]);
      await runner.release();
    }
  });
});

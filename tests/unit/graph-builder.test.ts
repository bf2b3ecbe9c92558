/** The ONNX writer (src/engine/onnx/graph-builder.ts + protobuf.ts): graphs it builds run in
 * onnxruntime-node with the expected numbers (negative int64s, float/int/string/tensor attributes). */
import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { GraphBuilder } from '../../src/engine/onnx/graph-builder';
import { ProtoWriter } from '../../src/engine/onnx/protobuf';
import { thrown } from '../helpers/errors';

async function run(
  model: Uint8Array,
  feeds: Record<string, ort.Tensor>,
  externalData?: { path: string; data: Uint8Array }[],
): Promise<Record<string, ort.Tensor>> {
  const session = await ort.InferenceSession.create(model, { executionProviders: ['cpu'], externalData });
  try {
    return await session.run(feeds);
  } finally {
    await session.release();
  }
}

describe('ProtoWriter', () => {
  it('writes negative varints as 10-byte two’s complement', () => {
    expect([...new ProtoWriter().varint(1, -1).finish()]).toEqual([
      0x08, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01,
    ]);
    expect([...new ProtoWriter().varint(2, 300).finish()]).toEqual([0x10, 0xac, 0x02]);
  });

  it('writes floats as little-endian fixed32 and strings length-prefixed', () => {
    expect([...new ProtoWriter().float(2, 1.5).finish()]).toEqual([0x15, 0x00, 0x00, 0xc0, 0x3f]);
    expect([...new ProtoWriter().string(1, 'ab').finish()]).toEqual([0x0a, 0x02, 0x61, 0x62]);
  });
});

describe('GraphBuilder', () => {
  it('builds a graph that ORT runs: Reshape(-1), LeakyRelu(alpha), Gemm(alpha, beta), Transpose(perm)', async () => {
    const g = new GraphBuilder('t');
    const x = g.input('x', 'float32', ['n', 3]);
    const flat = g.op('Reshape', [x, g.constI([1, -1])]);
    const leaky = g.op('LeakyRelu', [flat], { alpha: { float: 0.1 } });
    const back = g.op('Reshape', [leaky, g.constI([-1, 3])]);
    const w = g.constF([1, 0, 0, 1, 1, 1], [3, 2]);
    const gemm = g.op('Gemm', [back, w, g.constF([10, 20], [2])], {
      alpha: { float: 2 },
      beta: { float: 0.5 },
    });
    g.op('Transpose', [gemm], { perm: [1, 0] }, 'y');
    g.output('y', 'float32', [2, 'n']);
    const out = await run(g.toModel(), {
      x: new ort.Tensor('float32', Float32Array.of(1, -2, 3, -4, 5, 6), [2, 3]),
    });
    // rows after LeakyRelu: [1, -0.2, 3], [-0.4, 5, 6]; Gemm = 2·(row·W) + 0.5·[10, 20]
    const y = out.y as ort.Tensor;
    expect(y.dims).toEqual([2, 2]);
    const expected = [2 * (1 + 3) + 5, 2 * (-0.4 + 6) + 5, 2 * (-0.2 + 3) + 10, 2 * (5 + 6) + 10];
    [...(y.data as Float32Array)].forEach((v, i) => expect(v).toBeCloseTo(expected[i] as number, 5));
  });

  it('round-trips negative and large int64 initializers exactly', async () => {
    const g = new GraphBuilder('ints');
    const values = BigInt64Array.from([-1n, -5n, 3n, -(2n ** 40n), 2n ** 62n]);
    const c = g.initializer('c', 'int64', [5], values);
    g.op('Identity', [c], {}, 'out');
    g.output('out', 'int64', [5]);
    const out = (await run(g.toModel(), {})).out as ort.Tensor;
    expect(out.type).toBe('int64');
    expect([...(out.data as BigInt64Array)]).toEqual([...values]);
  });

  it('writes string, tensor and symbolic-dim attributes (Resize nearest, Constant)', async () => {
    const g = new GraphBuilder('attrs');
    const x = g.input('x', 'float32', [1, 1, 'h', 'w']);
    const k = g.op('Constant', [], {
      value: { tensor: { dims: [], data: Float32Array.of(-3), type: 'float32' } },
    });
    const up = g.op('Resize', [x, '', g.constF([1, 1, 2, 2])], {
      mode: 'nearest',
      coordinate_transformation_mode: 'asymmetric',
      nearest_mode: 'floor',
    });
    g.op('Mul', [up, k], {}, 'y');
    g.output('y', 'float32', [1, 1, 'H', 'W']);
    const y = (await run(g.toModel(), { x: new ort.Tensor('float32', Float32Array.of(1, 2), [1, 1, 1, 2]) }))
      .y as ort.Tensor;
    expect(y.dims).toEqual([1, 1, 2, 4]);
    expect([...(y.data as Float32Array)]).toEqual([-3, -3, -6, -6, -3, -3, -6, -6]);
  });

  it('writes external initializers (location, offset, length) that ORT reads from the external-data file', async () => {
    const g = new GraphBuilder('ext');
    const w = g.externalInitializer('w', 'float32', [2, 2], {
      location: 'model.onnx_data',
      offset: 8,
      length: 16,
    });
    g.op('Add', [g.input('x', 'float32', [2, 2]), w], {}, 'y');
    g.output('y', 'float32', [2, 2]);
    const data = new Uint8Array(24);
    new Float32Array(data.buffer, 8, 4).set([1, 2, 3, 4]);
    const x = new ort.Tensor('float32', Float32Array.of(10, 20, 30, 40), [2, 2]);
    const y = (await run(g.toModel(), { x }, [{ path: 'model.onnx_data', data }])).y as ort.Tensor;
    expect([...(y.data as Float32Array)]).toEqual([11, 22, 33, 44]);
  });

  it('refuses a non-integer number attribute (floats must be tagged)', () => {
    const g = new GraphBuilder('bad');
    expect(thrown(() => g.op('LeakyRelu', ['x'], { alpha: 0.1 })).message).toBe(
      'attribute alpha: use {float} for non-integers',
    );
  });

  it('names generated values uniquely', () => {
    const g = new GraphBuilder('names');
    const names = Array.from({ length: 20 }, (_, i) => (i % 2 ? g.constF([i]) : g.op('Relu', ['a'])));
    expect(new Set(names).size).toBe(20);
  });
});

/** Reading an ONNX graph's interface without a session (src/engine/onnx/inspect.ts): names, types and
 * shapes agree with onnxruntime-node, external data is found, weights are never read, and broken
 * files fail with EngineError('corrupt-model'). */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { EngineError } from '../../src/engine/errors';
import { GraphBuilder } from '../../src/engine/onnx/graph-builder';
import { checkExternalData, inspectOnnx, type OnnxInfo } from '../../src/engine/onnx/inspect';
import { checkContract } from '../../src/engine/pack/graph-contract';
import { ProtoWriter } from '../../src/engine/onnx/protobuf';
import { blobReader, type ReadAt } from '../../src/engine/onnx/wire-reader';
import { parseManifestText } from '../../src/engine/pack/manifest';
import { manifestGraphs } from '../../src/engine/pack/pack-files';
import { mulberry32 } from '../../src/engine/random';
import { rejection } from '../helpers/errors';
import { PACKS_DIR } from '../helpers/ort-node';

const inspectBytes = (bytes: Uint8Array) =>
  inspectOnnx(blobReader(new Blob([bytes as Uint8Array<ArrayBuffer>])), bytes.length);

/** A reader over `bytes` that counts calls and bytes handed out. */
function countingReader(bytes: Uint8Array): { read: ReadAt; calls: number; bytes: number } {
  const stats = {
    calls: 0,
    bytes: 0,
    read: async (offset: number, length: number) => {
      stats.calls += 1;
      const out = bytes.slice(offset, offset + length);
      stats.bytes += out.length;
      return out;
    },
  };
  return stats;
}

/** What onnxruntime-node reports for the model, in OnnxInfo's shape (externalData left out). */
async function ortInterface(
  bytes: Uint8Array,
  externalData?: { path: string; data: Uint8Array }[],
): Promise<Omit<OnnxInfo, 'externalData'>> {
  const session = await ort.InferenceSession.create(bytes, { executionProviders: ['cpu'], externalData });
  try {
    const values = (meta: readonly ort.InferenceSession.ValueMetadata[]) =>
      meta.map((m) =>
        m.isTensor
          ? { name: m.name, type: m.type as string, dims: [...m.shape] }
          : { name: m.name, type: 'non-tensor', dims: [] },
      );
    return { inputs: values(session.inputMetadata), outputs: values(session.outputMetadata) };
  } finally {
    await session.release();
  }
}

async function corruptMessage(bytes: Uint8Array, size = bytes.length): Promise<string> {
  const err = await rejection(inspectOnnx(blobReader(new Blob([bytes as Uint8Array<ArrayBuffer>])), size));
  expect(err).toBeInstanceOf(EngineError);
  expect(err.code).toBe('corrupt-model');
  expect(err.message).toMatch(/^The file is not a valid ONNX model: /);
  return err.message;
}

/** A model with one node per element type, static and symbolic dims, and an old-style initializer input. */
function typedModel(): Uint8Array {
  const g = new GraphBuilder('typed');
  const pairs = [
    g.input('latents', 'float32', ['batch', 4, 'height', 'width']),
    g.input('half', 'float16', [2, 3]),
    g.input('ids', 'int64', [1, 'sequence_length']),
    g.input('step', 'int32', []),
    g.input('flags', 'bool', ['n']),
  ];
  const w = g.initializer('scale', 'float32', [1], Float32Array.of(2));
  g.input('scale', 'float32', [1]); // listed in graph.input too, as pre-IR-4 exporters did
  pairs.forEach((x, i) => g.op(i === 0 ? 'Mul' : 'Identity', i === 0 ? [x, w] : [x], {}, `out_${i}`));
  g.output('out_0', 'float32', ['batch', 4, 'height', 'width']);
  g.output('out_1', 'float16', [2, 3]);
  g.output('out_2', 'int64', [1, 'sequence_length']);
  g.output('out_3', 'int32', []);
  g.output('out_4', 'bool', ['n']);
  return g.toModel();
}

describe('inspectOnnx', () => {
  it('reports names, element types and static/symbolic dims as onnxruntime-node does, without initializer inputs', async () => {
    const model = typedModel();
    const info = await inspectBytes(model);
    expect(info.inputs.map((i) => i.name)).toEqual(['latents', 'half', 'ids', 'step', 'flags']);
    expect(info.inputs[0]).toEqual({
      name: 'latents',
      type: 'float32',
      dims: ['batch', 4, 'height', 'width'],
    });
    expect(info.outputs[4]).toEqual({ name: 'out_4', type: 'bool', dims: ['n'] });
    expect(info.externalData).toEqual([]);
    expect({ inputs: info.inputs, outputs: info.outputs }).toEqual(await ortInterface(model));
  });

  it('agrees with onnxruntime-node on every graph of the generated packs, which match their manifests', async () => {
    const packs = ['demo-t2v', 'test-t2v-random'];
    let graphs = 0;
    for (const pack of packs) {
      const manifest = parseManifestText(await readFile(join(PACKS_DIR, pack, 'pack.json'), 'utf8'));
      const files = (await readdir(join(PACKS_DIR, pack))).filter((f) => f.endsWith('.onnx'));
      expect(files.length).toBeGreaterThan(0);
      const infos = new Map<string, OnnxInfo>();
      for (const file of files) {
        const bytes = new Uint8Array(await readFile(join(PACKS_DIR, pack, file)));
        const info = await inspectBytes(bytes);
        expect({ inputs: info.inputs, outputs: info.outputs }, `${pack}/${file}`).toEqual(
          await ortInterface(bytes),
        );
        const listed = manifestGraphs(manifest).find((c) => c.file === file);
        if (listed) expect(checkExternalData(file, listed.externalData, info)).toEqual([]);
        infos.set(file, info);
        graphs += 1;
      }
      expect(checkContract(manifest, (f) => infos.get(f)).problems).toEqual([]);
    }
    expect(graphs).toBeGreaterThanOrEqual(6);
  });

  it('names every ONNX element type and reports dims with neither value nor name as "?", negative dims as such', async () => {
    const codes = {
      float32: 1,
      uint8: 2,
      int8: 3,
      int16: 5,
      float64: 11,
      uint32: 12,
      uint64: 13,
      bfloat16: 16,
      'elem_type 99': 99,
    };
    const graph = new ProtoWriter();
    for (const [name, code] of Object.entries(codes)) {
      const shape = new ProtoWriter()
        .bytes(1, new ProtoWriter().varint(1, 7).finish())
        .bytes(1, new ProtoWriter().finish())
        .bytes(1, new ProtoWriter().string(2, 'seq').finish())
        .bytes(1, new ProtoWriter().varint(1, -1).finish());
      const tensorType = new ProtoWriter().varint(1, code).bytes(2, shape.finish());
      graph.bytes(
        11,
        new ProtoWriter()
          .string(1, `in_${name}`)
          .bytes(2, new ProtoWriter().bytes(1, tensorType.finish()).finish())
          .finish(),
      );
    }
    graph.bytes(
      12,
      new ProtoWriter()
        .string(1, 'seq_out')
        .bytes(2, new ProtoWriter().bytes(4, new Uint8Array(0)).finish())
        .finish(),
    );
    const info = await inspectBytes(new ProtoWriter().varint(1, 8).bytes(7, graph.finish()).finish());
    expect(info.inputs.map((i) => i.type)).toEqual(Object.keys(codes));
    expect(info.inputs.every((i) => JSON.stringify(i.dims) === JSON.stringify([7, '?', 'seq', -1]))).toBe(
      true,
    );
    expect(info.outputs).toEqual([{ name: 'seq_out', type: 'sequence', dims: [] }]);
  });
});

describe('external data', () => {
  /** Three external initializers in two files (one listed twice), as ORT loads them. */
  function externalModel(): { model: Uint8Array; files: { path: string; data: Uint8Array }[] } {
    const g = new GraphBuilder('ext');
    const x = g.input('x', 'float32', [4]);
    const a = g.externalInitializer('a', 'float32', [4], { location: 'weights.bin', offset: 0, length: 16 });
    const b = g.externalInitializer('b', 'float32', [4], { location: 'extra.bin', offset: 0, length: 16 });
    const c = g.externalInitializer('c', 'float32', [4], { location: 'weights.bin', offset: 16, length: 16 });
    const inline = g.constF([0.5, 0.5, 0.5, 0.5]);
    g.op('Add', [g.op('Mul', [g.op('Add', [x, a]), b]), g.op('Add', [c, inline])], {}, 'y');
    g.output('y', 'float32', [4]);
    const bytes = (...v: number[]) => new Uint8Array(Float32Array.from(v).buffer);
    const weights = new Uint8Array(32);
    weights.set(bytes(1, 2, 3, 4), 0);
    weights.set(bytes(10, 20, 30, 40), 16);
    return {
      model: g.toModel(),
      files: [
        { path: 'weights.bin', data: weights },
        { path: 'extra.bin', data: bytes(2, 2, 2, 2) },
      ],
    };
  }

  it('lists the distinct external-data locations in first-seen order, for a model onnxruntime-node loads', async () => {
    const { model, files } = externalModel();
    const info = await inspectBytes(model);
    expect(info.externalData).toEqual(['weights.bin', 'extra.bin']);
    expect(info.inputs).toEqual([{ name: 'x', type: 'float32', dims: [4] }]);
    expect({ inputs: info.inputs, outputs: info.outputs }).toEqual(await ortInterface(model, files));
  });

  it('reports external data the pack does not list and listed files the graph does not use', async () => {
    const info = await inspectBytes(externalModel().model);
    expect(checkExternalData('transformer.onnx', ['weights.bin', 'transformer.onnx_data'], info)).toEqual([
      'transformer.onnx needs external data "extra.bin", which the pack does not list. Add it to that component\'s files in pack.json.',
      'pack.json lists external data "transformer.onnx_data" for transformer.onnx, but the graph does not reference it. Remove it from pack.json or check the file name.',
    ]);
    expect(checkExternalData('transformer.onnx', ['extra.bin', 'weights.bin'], info)).toEqual([]);
  });

  it('fails on an initializer marked external without a location', async () => {
    const tensor = new ProtoWriter().string(8, 'w').varint(14, 1).finish();
    const model = new ProtoWriter().bytes(7, new ProtoWriter().bytes(5, tensor).finish()).finish();
    expect(await corruptMessage(model)).toContain(
      'initializer "w" is stored externally but names no location',
    );
  });
});

describe('reads', () => {
  it('never reads a 50 MB initializer: a few small reads in all', async () => {
    const g = new GraphBuilder('big');
    const x = g.input('x', 'float32', ['n', 1024]);
    const w = g.initializer('w', 'float32', [12800, 1024], new Float32Array(12800 * 1024));
    g.op('MatMul', [x, g.op('Transpose', [w], { perm: [1, 0] })], {}, 'y');
    g.output('y', 'float32', ['n', 12800]);
    const model = g.toModel();
    expect(model.length).toBeGreaterThan(50_000_000);
    const reader = countingReader(model);
    const info = await inspectOnnx(reader.read, model.length);
    expect(info.inputs.map((i) => i.name)).toEqual(['x']);
    expect(info.outputs[0]).toEqual({ name: 'y', type: 'float32', dims: ['n', 12800] });
    expect(reader.bytes).toBeLessThan(64 * 1024);
    expect(reader.calls).toBeLessThanOrEqual(4);
  });

  it('walks a graph of thousands of nodes in windows, not one read per field', async () => {
    const g = new GraphBuilder('long');
    let v = g.input('x', 'float32', [1]);
    for (let i = 0; i < 5000; i++) v = g.op('Relu', [v]);
    g.op('Identity', [v], {}, 'y');
    g.output('y', 'float32', [1]);
    const model = g.toModel();
    const reader = countingReader(model);
    await inspectOnnx(reader.read, model.length);
    expect(model.length).toBeGreaterThan(200_000);
    expect(reader.calls).toBeLessThanOrEqual(Math.ceil(model.length / 65536) + 6);
    expect(reader.bytes).toBeLessThanOrEqual(model.length + 65536);
  });
});

describe('broken files', () => {
  it('fails on every truncation inside the graph, and on a file shorter than its reported size', async () => {
    const model = typedModel();
    const opsetBytes = 6; // ModelProto.opset_import, written after the graph
    for (let cut = 0; cut < model.length - opsetBytes; cut++) await corruptMessage(model.subarray(0, cut));
    expect(await corruptMessage(model.subarray(0, 100), model.length)).toMatch(
      /ends at byte 100, before its reported size/,
    );
    expect(await corruptMessage(new Uint8Array(0))).toMatch(/it is empty/);
  });

  it('says why for malformed wire data: long varints, lengths past the end, bad wire types, no graph', async () => {
    expect(await corruptMessage(Uint8Array.of(0x08, ...new Array<number>(10).fill(0xff), 0x01))).toMatch(
      /varint at byte 1 is longer than 10 bytes/,
    );
    expect(
      await corruptMessage(Uint8Array.of(0x3a, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f, 0x00)),
    ).toMatch(/runs past the end/);
    expect(await corruptMessage(Uint8Array.of(0x3a, 0x80, 0x80, 0x80, 0x80, 0x10, 0x00))).toMatch(
      /4294967296-byte value at byte 1 runs past the end of the file/,
    );
    expect(await corruptMessage(Uint8Array.of(0x0b, 0x00))).toMatch(/unsupported wire type 3/);
    expect(await corruptMessage(Uint8Array.of(0x38, 0x01))).toMatch(
      /field 7 at byte 1 has wire type 0, expected 2/,
    );
    expect(await corruptMessage(new ProtoWriter().varint(1, 8).string(2, 'not a graph').finish())).toMatch(
      /it has no graph/,
    );
    expect(await corruptMessage(new TextEncoder().encode('<!doctype html><title>404</title>'))).toMatch(
      /not a valid ONNX model/,
    );
    expect(await corruptMessage(new TextEncoder().encode('{"error": "not found"}'))).toMatch(
      /not a valid ONNX model/,
    );
  });

  it('fails with corrupt-model, never another error, on random bytes and on randomly damaged models', async () => {
    const rand = mulberry32(1234);
    for (let i = 0; i < 200; i++) {
      const garbage = Uint8Array.from({ length: 1 + Math.floor(rand() * 4096) }, () =>
        Math.floor(rand() * 256),
      );
      await corruptMessage(garbage);
    }
    const model = typedModel();
    for (let i = 0; i < 500; i++) {
      const damaged = model.slice();
      for (let k = 0; k < 3; k++) damaged[Math.floor(rand() * damaged.length)] = Math.floor(rand() * 256);
      try {
        await inspectBytes(damaged);
      } catch (err) {
        expect(err).toBeInstanceOf(EngineError);
        expect((err as EngineError).code).toBe('corrupt-model');
      }
    }
  });
});

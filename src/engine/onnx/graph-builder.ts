/**
 * A small ONNX graph builder that serialises to ModelProto bytes (opset 17, IR 8).
 * Used by tools/ to generate the demo packs and by the engine for its tiny helper graphs
 * (e.g. the GPU-resident scheduler step), so both share one writer.
 */
import { ProtoWriter } from './protobuf';

export type ElemType = 'float32' | 'int64' | 'int32' | 'float16' | 'bool' | 'uint8';
/** A dimension: a fixed size or a symbolic (free) name. */
export type Dim = number | string;
export type AttrValue =
  number | string | number[] | { float: number } | { floats: number[] } | { tensor: TensorInit };
export type TensorData = Float32Array | BigInt64Array | Int32Array | Uint16Array | Uint8Array;
/** Where an external initializer's bytes are: a file relative to the model, a byte offset and length in it. */
export interface ExternalData {
  location: string;
  offset: number;
  length: number;
}
export interface TensorInit {
  dims: number[];
  data: TensorData;
  type: ElemType;
}

/** ONNX TensorProto.DataType code of each element type the builder writes. */
export const ELEM_CODE: Record<ElemType, number> = {
  float32: 1,
  uint8: 2,
  int32: 6,
  int64: 7,
  bool: 9,
  float16: 10,
};

// Field numbers from onnx.proto (proto2), several messages in one table, so numbers repeat.
const F = {
  ModelIrVersion: 1,
  ModelProducerName: 2,
  ModelProducerVersion: 3,
  ModelDocString: 6,
  ModelGraph: 7,
  ModelOpsetImport: 8,
  OpsetDomain: 1,
  OpsetVersion: 2,
  GraphNode: 1,
  GraphName: 2,
  GraphInitializer: 5,
  GraphInput: 11,
  GraphOutput: 12,
  NodeInput: 1,
  NodeOutput: 2,
  NodeName: 3,
  NodeOpType: 4,
  NodeAttribute: 5,
  NodeDomain: 7,
  AttrName: 1,
  AttrF: 2,
  AttrI: 3,
  AttrS: 4,
  AttrT: 5,
  AttrFloats: 7,
  AttrInts: 8,
  AttrType: 20,
  TensorDims: 1,
  TensorDataType: 2,
  TensorName: 8,
  TensorRawData: 9,
  TensorExternalData: 13,
  TensorDataLocation: 14,
  EntryKey: 1,
  EntryValue: 2,
  ValueName: 1,
  ValueType: 2,
  TypeTensor: 1,
  TensorTypeElem: 1,
  TensorTypeShape: 2,
  ShapeDim: 1,
  DimValue: 1,
  DimParam: 2,
} as const;
const enum AttrKind {
  Float = 1,
  Int = 2,
  String = 3,
  Tensor = 4,
  Floats = 6,
  Ints = 7,
}

function tensorBytes(data: TensorData): Uint8Array {
  return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
}

function encodeTensor(name: string, t: TensorInit): Uint8Array {
  const w = new ProtoWriter();
  for (const d of t.dims) w.varint(F.TensorDims, d);
  w.varint(F.TensorDataType, ELEM_CODE[t.type]);
  if (name) w.string(F.TensorName, name);
  w.bytes(F.TensorRawData, tensorBytes(t.data));
  return w.finish();
}

const DATA_LOCATION_EXTERNAL = 1;

function encodeExternalTensor(name: string, type: ElemType, dims: number[], ext: ExternalData): Uint8Array {
  const w = new ProtoWriter();
  for (const d of dims) w.varint(F.TensorDims, d);
  w.varint(F.TensorDataType, ELEM_CODE[type]).string(F.TensorName, name);
  for (const [key, value] of [
    ['location', ext.location],
    ['offset', String(ext.offset)],
    ['length', String(ext.length)],
  ] as const) {
    w.bytes(
      F.TensorExternalData,
      new ProtoWriter().string(F.EntryKey, key).string(F.EntryValue, value).finish(),
    );
  }
  return w.varint(F.TensorDataLocation, DATA_LOCATION_EXTERNAL).finish();
}

function encodeValueInfo(name: string, type: ElemType, dims: Dim[] | null): Uint8Array {
  const tensorType = new ProtoWriter().varint(F.TensorTypeElem, ELEM_CODE[type]);
  if (dims) tensorType.bytes(F.TensorTypeShape, encodeShape(dims));
  const typeProto = new ProtoWriter().bytes(F.TypeTensor, tensorType.finish());
  return new ProtoWriter().string(F.ValueName, name).bytes(F.ValueType, typeProto.finish()).finish();
}

function encodeShape(dims: Dim[]): Uint8Array {
  const shape = new ProtoWriter();
  for (const d of dims) {
    const dim = new ProtoWriter();
    if (typeof d === 'number') dim.varint(F.DimValue, d);
    else dim.string(F.DimParam, d);
    shape.bytes(F.ShapeDim, dim.finish());
  }
  return shape.finish();
}

function encodeAttribute(name: string, value: AttrValue): Uint8Array {
  const w = new ProtoWriter().string(F.AttrName, name);
  if (typeof value === 'number') {
    if (!Number.isInteger(value)) throw new Error(`attribute ${name}: use {float} for non-integers`);
    w.varint(F.AttrI, value).varint(F.AttrType, AttrKind.Int);
  } else if (typeof value === 'string') {
    w.string(F.AttrS, value).varint(F.AttrType, AttrKind.String);
  } else if (Array.isArray(value)) {
    for (const v of value) w.varint(F.AttrInts, v);
    w.varint(F.AttrType, AttrKind.Ints);
  } else if ('float' in value) {
    w.float(F.AttrF, value.float).varint(F.AttrType, AttrKind.Float);
  } else if ('floats' in value) {
    for (const v of value.floats) w.float(F.AttrFloats, v);
    w.varint(F.AttrType, AttrKind.Floats);
  } else {
    w.bytes(F.AttrT, encodeTensor('', value.tensor)).varint(F.AttrType, AttrKind.Tensor);
  }
  return w.finish();
}

/** Accumulates nodes, initializers and graph I/O; `op()` returns the new value's name. */
export class GraphBuilder {
  private nodes: Uint8Array[] = [];
  private inits: Uint8Array[] = [];
  private inputs: Uint8Array[] = [];
  private outputs: Uint8Array[] = [];
  private counter = 0;
  /** Operator domains other than the default one that nodes use (each gets an opset import, version 1). */
  private domains = new Set<string>();

  constructor(readonly name: string) {}

  /** A graph input; `dims` null leaves the rank unknown (any shape). */
  input(name: string, type: ElemType, dims: Dim[] | null): string {
    this.inputs.push(encodeValueInfo(name, type, dims));
    return name;
  }

  output(name: string, type: ElemType, dims: Dim[] | null): string {
    this.outputs.push(encodeValueInfo(name, type, dims));
    return name;
  }

  initializer(name: string, type: ElemType, dims: number[], data: TensorData): string {
    this.inits.push(encodeTensor(name, { dims, data, type }));
    return name;
  }

  /** An initializer whose bytes the caller writes to an external-data file (data_location EXTERNAL). */
  externalInitializer(name: string, type: ElemType, dims: number[], ext: ExternalData): string {
    this.inits.push(encodeExternalTensor(name, type, dims, ext));
    return name;
  }

  /** A float32 constant initializer with a generated name. */
  constF(values: number[] | Float32Array, dims: number[] = [values.length]): string {
    return this.initializer(this.fresh('const'), 'float32', dims, Float32Array.from(values));
  }

  /** An int64 constant initializer with a generated name. */
  constI(values: number[], dims: number[] = [values.length]): string {
    return this.initializer(this.fresh('const'), 'int64', dims, BigInt64Array.from(values.map(BigInt)));
  }

  fresh(prefix: string): string {
    this.counter += 1;
    return `${prefix}_${this.counter}`;
  }

  /** Adds a node with one output (named `out`, or generated) and returns that output's name. */
  op(opType: string, inputs: string[], attrs: Record<string, AttrValue> = {}, out?: string): string {
    const output = out ?? this.fresh(opType.toLowerCase());
    this.node(opType, inputs, [output], attrs);
    return output;
  }

  /** Adds a node; `domain` (e.g. 'com.microsoft' for MatMulNBits) is imported at opset 1; `name` defaults to a generated one. */
  node(
    opType: string,
    inputs: string[],
    outputs: string[],
    attrs: Record<string, AttrValue> = {},
    opts: { domain?: string; name?: string } = {},
  ): void {
    const w = new ProtoWriter();
    for (const i of inputs) w.string(F.NodeInput, i);
    for (const o of outputs) w.string(F.NodeOutput, o);
    w.string(F.NodeName, opts.name ?? this.fresh(`${opType}_node`)).string(F.NodeOpType, opType);
    for (const [k, v] of Object.entries(attrs)) w.bytes(F.NodeAttribute, encodeAttribute(k, v));
    if (opts.domain) {
      w.string(F.NodeDomain, opts.domain);
      this.domains.add(opts.domain);
    }
    this.nodes.push(w.finish());
  }

  /** The nodes and initializers alone, as GraphProto fields to append to another graph (onnx/side-branch.ts). */
  fragment(): Uint8Array {
    const g = new ProtoWriter();
    for (const n of this.nodes) g.bytes(F.GraphNode, n);
    for (const t of this.inits) g.bytes(F.GraphInitializer, t);
    return g.finish();
  }

  /** Serialises the graph as an ONNX model (default opset 17, IR version 8). */
  toModel(opts: { producer?: string; doc?: string; opset?: number } = {}): Uint8Array {
    const g = new ProtoWriter();
    for (const n of this.nodes) g.bytes(F.GraphNode, n);
    g.string(F.GraphName, this.name);
    for (const t of this.inits) g.bytes(F.GraphInitializer, t);
    for (const i of this.inputs) g.bytes(F.GraphInput, i);
    for (const o of this.outputs) g.bytes(F.GraphOutput, o);
    const opset = new ProtoWriter().string(F.OpsetDomain, '').varint(F.OpsetVersion, opts.opset ?? 17);
    const m = new ProtoWriter()
      .varint(F.ModelIrVersion, 8)
      .string(F.ModelProducerName, opts.producer ?? 'webgp')
      .string(F.ModelProducerVersion, '1');
    if (opts.doc) m.string(F.ModelDocString, opts.doc);
    m.bytes(F.ModelGraph, g.finish()).bytes(F.ModelOpsetImport, opset.finish());
    for (const d of this.domains)
      m.bytes(
        F.ModelOpsetImport,
        new ProtoWriter().string(F.OpsetDomain, d).varint(F.OpsetVersion, 1).finish(),
      );
    return m.finish();
  }
}

/**
 * Reads an ONNX file's graph interface (input/output names, types and shapes, and the external-data
 * files its initializers reference) without an ORT session and without reading weight payloads,
 * so install can check multi-GB graphs against the pack manifest. Walks ModelProto.graph only;
 * nodes and raw tensor data are jumped over by length (see wire-reader.ts).
 */
import { EngineError } from '../errors';
import { Wire, WireReader, type ReadAt } from './wire-reader';

/** A graph input or output: `type` like 'float32', `dims` a size, a symbolic name, or '?' when neither. */
export interface OnnxValueInfo {
  name: string;
  type: string;
  dims: (number | string)[];
}

/** What install needs from a graph: its real inputs (initializers excluded), outputs and external-data files. */
export interface OnnxInfo {
  inputs: OnnxValueInfo[];
  outputs: OnnxValueInfo[];
  /** Distinct `location`s of initializers stored externally, in first-seen order. */
  externalData: string[];
}

// Field numbers from onnx.proto.
const MODEL_GRAPH = 7;
const GRAPH = { node: 1, initializer: 5, input: 11, output: 12, sparseInitializer: 15 } as const;
const TENSOR = { name: 8, externalData: 13, dataLocation: 14 } as const;
const SPARSE_TENSOR = { values: 1, indices: 2 } as const;
const TYPE = { tensor: 1, sequence: 4, map: 5, sparseTensor: 8, optional: 9 } as const;
const DATA_LOCATION_EXTERNAL = 1;
/** TensorProto.DataType codes, named as onnxruntime-web names tensor types. */
const ELEM_TYPES: Record<number, string> = {
  1: 'float32',
  2: 'uint8',
  3: 'int8',
  4: 'uint16',
  5: 'int16',
  6: 'int32',
  7: 'int64',
  8: 'string',
  9: 'bool',
  10: 'float16',
  11: 'float64',
  12: 'uint32',
  13: 'uint64',
  14: 'complex64',
  15: 'complex128',
  16: 'bfloat16',
  17: 'float8e4m3fn',
  18: 'float8e4m3fnuz',
  19: 'float8e5m2',
  20: 'float8e5m2fnuz',
  21: 'uint4',
  22: 'int4',
  23: 'float4e2m1',
};
/** Names and locations longer than this are garbage, not something to read into memory. */
const MAX_STRING = 64 * 1024;

type Type = Pick<OnnxValueInfo, 'type' | 'dims'>;

async function tensorType(r: WireReader, end: number): Promise<Type> {
  const t: Type = { type: 'undefined', dims: [] };
  await r.fields(end, async (field, wire) => {
    if (field === 1) {
      r.expect(field, wire, Wire.Varint);
      const code = await r.varint(end);
      t.type = ELEM_TYPES[code] ?? (code === 0 ? 'undefined' : `elem_type ${code}`);
    } else if (field === 2) {
      const shapeEnd = await r.message(field, wire, end);
      await r.fields(shapeEnd, async (f, w) => {
        if (f !== 1) return false;
        const dimEnd = await r.message(f, w, shapeEnd);
        let dim: number | string = '?';
        await r.fields(dimEnd, async (df, dw) => {
          if (df === 1) {
            r.expect(df, dw, Wire.Varint);
            dim = await r.int64(dimEnd);
          } else if (df === 2) dim = await r.text(df, dw, dimEnd, MAX_STRING);
          else return false;
          return true;
        });
        t.dims.push(dim);
        return true;
      });
    } else return false;
    return true;
  });
  return t;
}

async function typeProto(r: WireReader, end: number): Promise<Type> {
  let t: Type = { type: 'unknown', dims: [] };
  await r.fields(end, async (field, wire) => {
    if (field === TYPE.tensor || field === TYPE.sparseTensor) {
      t = await tensorType(r, await r.message(field, wire, end));
      if (field === TYPE.sparseTensor) t.type = `sparse ${t.type}`;
      return true;
    }
    if (field === TYPE.sequence) t = { type: 'sequence', dims: [] };
    else if (field === TYPE.map) t = { type: 'map', dims: [] };
    else if (field === TYPE.optional) t = { type: 'optional', dims: [] };
    return false;
  });
  return t;
}

async function valueInfo(r: WireReader, end: number): Promise<OnnxValueInfo> {
  const info: OnnxValueInfo = { name: '', type: 'unknown', dims: [] };
  await r.fields(end, async (field, wire) => {
    if (field === 1) info.name = await r.text(field, wire, end, MAX_STRING);
    else if (field === 2) Object.assign(info, await typeProto(r, await r.message(field, wire, end)));
    else return false;
    return true;
  });
  return info;
}

/** A TensorProto's name and, when stored externally, its location; raw_data and the rest are skipped. */
async function tensorHeader(r: WireReader, end: number): Promise<{ name: string; location?: string }> {
  let name = '';
  let location: string | undefined;
  let dataLocation = 0;
  await r.fields(end, async (field, wire) => {
    if (field === TENSOR.name) name = await r.text(field, wire, end, MAX_STRING);
    else if (field === TENSOR.dataLocation) {
      r.expect(field, wire, Wire.Varint);
      dataLocation = await r.varint(end);
    } else if (field === TENSOR.externalData) {
      const entryEnd = await r.message(field, wire, end);
      let key = '';
      let value = '';
      await r.fields(entryEnd, async (f, w) => {
        if (f === 1) key = await r.text(f, w, entryEnd, MAX_STRING);
        else if (f === 2) value = await r.text(f, w, entryEnd, MAX_STRING);
        else return false;
        return true;
      });
      if (key === 'location') location = value;
    } else return false;
    return true;
  });
  if (dataLocation !== DATA_LOCATION_EXTERNAL) return { name };
  if (!location) r.fail(`initializer "${name}" is stored externally but names no location`);
  return { name, location };
}

/** Reads the graph interface of the ONNX file behind `read` (`size` bytes), jumping over weights. */
export async function inspectOnnx(read: ReadAt, size: number): Promise<OnnxInfo> {
  const fail = (detail: string): never => {
    throw new EngineError(
      'corrupt-model',
      `The file is not a valid ONNX model: ${detail}. Download it again, or re-export the model.`,
    );
  };
  if (!Number.isSafeInteger(size) || size <= 0) fail(size === 0 ? 'it is empty' : `invalid size ${size}`);
  const r = new WireReader(read, size, fail);
  const inputs: OnnxValueInfo[] = [];
  const outputs: OnnxValueInfo[] = [];
  const initializers = new Set<string>();
  const external = new Set<string>();
  const addTensor = (t: { name: string; location?: string }, isInitializer: boolean) => {
    if (isInitializer) initializers.add(t.name);
    if (t.location !== undefined) external.add(t.location);
  };
  let graphs = 0;
  await r.fields(size, async (field, wire) => {
    if (field !== MODEL_GRAPH) return false;
    graphs += 1;
    const end = await r.message(field, wire, size);
    await r.fields(end, async (f, w) => {
      if (f === GRAPH.input) inputs.push(await valueInfo(r, await r.message(f, w, end)));
      else if (f === GRAPH.output) outputs.push(await valueInfo(r, await r.message(f, w, end)));
      else if (f === GRAPH.initializer) addTensor(await tensorHeader(r, await r.message(f, w, end)), true);
      else if (f === GRAPH.sparseInitializer) {
        const sparseEnd = await r.message(f, w, end);
        await r.fields(sparseEnd, async (sf, sw) => {
          if (sf !== SPARSE_TENSOR.values && sf !== SPARSE_TENSOR.indices) return false;
          addTensor(await tensorHeader(r, await r.message(sf, sw, sparseEnd)), sf === SPARSE_TENSOR.values);
          return true;
        });
      } else return false; // nodes (GRAPH.node) and everything else: jumped over by length
      return true;
    });
    return true;
  });
  if (graphs === 0) fail('it has no graph');
  return { inputs: inputs.filter((i) => !initializers.has(i.name)), outputs, externalData: [...external] };
}

/** Mismatches between the external-data files pack.json lists for `file` and those its graph references; empty when they agree. */
export function checkExternalData(file: string, listed: string[], info: OnnxInfo): string[] {
  return [
    ...info.externalData
      .filter((loc) => !listed.includes(loc))
      .map(
        (loc) =>
          `${file} needs external data "${loc}", which the pack does not list. Add it to that component's files in pack.json.`,
      ),
    ...listed
      .filter((loc) => !info.externalData.includes(loc))
      .map(
        (loc) =>
          `pack.json lists external data "${loc}" for ${file}, but the graph does not reference it. Remove it from pack.json or check the file name.`,
      ),
  ];
}

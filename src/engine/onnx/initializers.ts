/**
 * Finds named initializers in an ONNX file and rewrites their values in place: the graph bytes
 * keep their layout (raw_data / packed float_data have a fixed size per element, so new values
 * overwrite the old bytes), and externally stored initializers get a new Blob for their shard
 * with only their byte range replaced. Used to merge LoRA deltas before a session is created.
 */
import { EngineError } from '../errors';
import { f16BitsToF32, f32ToF16Bits } from '../runtime';
import { Wire, WireReader } from './wire-reader';

const MODEL_GRAPH = 7;
const GRAPH_INITIALIZER = 5;
const T = { dims: 1, dataType: 2, floatData: 4, name: 8, rawData: 9, externalData: 13 } as const;
const FLOAT = 1;
const FLOAT16 = 10;

export interface InitializerLocation {
  name: string;
  dataType: number;
  dims: number[];
  /** Inline data: byte range in the graph file. */
  inline?: { offset: number; length: number };
  /** External data: file (as the graph records it) and byte range in it. */
  external?: { location: string; offset: number; length: number };
}

/** Reads one TensorProto's name, type, dims and where its data is (the data itself is jumped over). */
export async function readTensorLocation(r: WireReader, end: number): Promise<InitializerLocation> {
  const t: InitializerLocation = { name: '', dataType: 0, dims: [] };
  const ext: Record<string, string> = {};
  await r.fields(end, async (field, wire) => {
    if (field === T.dims && wire === Wire.Varint) t.dims.push(await r.int64(end));
    else if (field === T.dims && wire === Wire.Bytes) {
      const stop = await r.bytesEnd(end);
      while (r.pos < stop) t.dims.push(await r.int64(stop));
    } else if (field === T.dataType) t.dataType = await r.varint(end);
    else if (field === T.name) t.name = await r.text(field, wire, end, 65536);
    else if ((field === T.rawData || field === T.floatData) && wire === Wire.Bytes) {
      const stop = await r.bytesEnd(end);
      t.inline = { offset: r.pos, length: stop - r.pos };
      r.pos = stop;
    } else if (field === T.externalData) {
      const entryEnd = await r.message(field, wire, end);
      let key = '';
      let value = '';
      await r.fields(entryEnd, async (f, w) => {
        if (f === 1) key = await r.text(f, w, entryEnd, 65536);
        else if (f === 2) value = await r.text(f, w, entryEnd, 65536);
        else return false;
        return true;
      });
      ext[key] = value;
    } else return false;
    return true;
  });
  if (ext.location !== undefined)
    t.external = { location: ext.location, offset: Number(ext.offset ?? 0), length: Number(ext.length ?? 0) };
  return t;
}

/** The initializers named in `names` that the graph holds, by name. */
export async function locateInitializers(
  bytes: Uint8Array,
  names: ReadonlySet<string>,
): Promise<Map<string, InitializerLocation>> {
  const fail = (detail: string): never => {
    throw new EngineError(
      'corrupt-model',
      `The transformer graph could not be read for LoRA merging: ${detail}. Re-install the pack.`,
    );
  };
  const r = new WireReader(async (o, n) => bytes.subarray(o, o + n), bytes.byteLength, fail);
  const found = new Map<string, InitializerLocation>();
  await r.fields(bytes.byteLength, async (field, wire) => {
    if (field !== MODEL_GRAPH) return false;
    const end = await r.message(field, wire, bytes.byteLength);
    await r.fields(end, async (f, w) => {
      if (f !== GRAPH_INITIALIZER) return false;
      const t = await readTensorLocation(r, await r.message(f, w, end));
      if (names.has(t.name)) found.set(t.name, t);
      return true;
    });
    return true;
  });
  return found;
}

/** Decodes float32 or float16 little-endian bytes. */
export function decodeFloats(raw: Uint8Array, dataType: number): Float32Array {
  const copy = raw.slice().buffer;
  return dataType === FLOAT16 ? f16BitsToF32(new Uint16Array(copy)) : new Float32Array(copy);
}

/** Encodes values in the initializer's element type. */
export function encodeFloats(values: Float32Array, dataType: number): Uint8Array {
  return dataType === FLOAT16
    ? new Uint8Array(f32ToF16Bits(values).buffer)
    : new Uint8Array(values.buffer, values.byteOffset, values.byteLength);
}

/** True for the element types LoRA merging can rewrite. */
export function isMergeableType(dataType: number): boolean {
  return dataType === FLOAT || dataType === FLOAT16;
}

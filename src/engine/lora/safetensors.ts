/**
 * safetensors header parsing and tensor reading for LoRA files. The header is validated before
 * anything is kept: its 8-byte little-endian length must fit the file, it must be a JSON object,
 * every tensor must be F32/F16/BF16 with `shape`·dtype size equal to its `data_offsets` span, and
 * the spans must lie inside the data section without overlapping. Errors are
 * EngineError('invalid-lora') naming the file, the tensor and what is wrong.
 */
import { EngineError } from '../errors';
import type { ReadAt } from '../onnx/wire-reader';
import { f16BitsToF32 } from '../runtime';

export const SAFETENSORS_DTYPES = ['F32', 'F16', 'BF16'] as const;
export type SafetensorsDtype = (typeof SAFETENSORS_DTYPES)[number];
const DTYPE_BYTES: Record<SafetensorsDtype, number> = { F32: 4, F16: 2, BF16: 2 };
/** The format's own limit on header size (100 MB); a bigger claim is a corrupt or foreign file. */
const MAX_HEADER = 100_000_000;

export interface TensorEntry {
  name: string;
  dtype: SafetensorsDtype;
  shape: number[];
  /** Byte span [begin, end) relative to the start of the data section. */
  begin: number;
  end: number;
}

export interface SafetensorsHeader {
  /** Where the data section starts in the file (8 + header length). */
  dataStart: number;
  tensors: TensorEntry[];
  metadata: Record<string, string>;
}

function fail(file: string, why: string): never {
  throw new EngineError('invalid-lora', `${file} is not a usable safetensors file: ${why}.`);
}

function entry(file: string, name: string, raw: unknown, dataBytes: number): TensorEntry {
  const o = (
    typeof raw === 'object' && raw !== null && !Array.isArray(raw)
      ? raw
      : fail(file, `tensor "${name}" is not an object`)
  ) as Record<string, unknown>;
  const dtype = o.dtype;
  if (typeof dtype !== 'string') fail(file, `tensor "${name}" has no dtype`);
  if (!(SAFETENSORS_DTYPES as readonly string[]).includes(dtype))
    fail(
      file,
      `tensor "${name}" has dtype ${dtype}; WebGP reads ${SAFETENSORS_DTYPES.join(', ')} LoRAs only`,
    );
  const shape = o.shape;
  if (!Array.isArray(shape) || !shape.every((d) => Number.isSafeInteger(d) && (d as number) >= 0))
    fail(file, `tensor "${name}" has an invalid shape`);
  const offsets = o.data_offsets;
  if (
    !Array.isArray(offsets) ||
    offsets.length !== 2 ||
    !offsets.every((d) => Number.isSafeInteger(d) && (d as number) >= 0)
  )
    fail(file, `tensor "${name}" has invalid data_offsets`);
  const [begin, end] = offsets as [number, number];
  const need = (shape as number[]).reduce((a, b) => a * b, 1) * DTYPE_BYTES[dtype as SafetensorsDtype];
  if (end < begin || end - begin !== need)
    fail(
      file,
      `tensor "${name}" (${dtype} ${(shape as number[]).join('×')}) needs ${need} bytes but its data_offsets span ${end - begin}`,
    );
  if (end > dataBytes)
    fail(
      file,
      `tensor "${name}" ends at data byte ${end}, past the end of the file (${dataBytes} data bytes): the file is truncated`,
    );
  return { name, dtype: dtype as SafetensorsDtype, shape: shape as number[], begin, end };
}

/** Validates the header JSON text of a file of `size` bytes whose header is `headerBytes` long. */
export function parseHeaderJson(
  file: string,
  text: string,
  headerBytes: number,
  size: number,
): SafetensorsHeader {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    fail(file, 'its header is not valid JSON');
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json))
    fail(file, 'its header is not a JSON object');
  const dataStart = 8 + headerBytes;
  const dataBytes = size - dataStart;
  let metadata: Record<string, string> = {};
  const tensors: TensorEntry[] = [];
  for (const [name, raw] of Object.entries(json as Record<string, unknown>)) {
    if (name === '__metadata__')
      metadata = Object.fromEntries(
        Object.entries((raw ?? {}) as Record<string, unknown>).map(([k, v]) => [k, String(v)]),
      );
    else tensors.push(entry(file, name, raw, dataBytes));
  }
  const sorted = [...tensors].sort((a, b) => a.begin - b.begin);
  for (let i = 1; i < sorted.length; i++) {
    const prev = sorted[i - 1] as TensorEntry;
    const cur = sorted[i] as TensorEntry;
    if (cur.begin < prev.end && cur.end > cur.begin)
      fail(
        file,
        `tensors "${prev.name}" and "${cur.name}" overlap (data bytes ${cur.begin}–${Math.min(prev.end, cur.end)})`,
      );
  }
  if (!tensors.length) fail(file, 'it holds no tensors');
  return { dataStart, tensors, metadata };
}

/** Reads and validates the header of a safetensors file of `size` bytes (only the header is read). */
export async function readSafetensorsHeader(
  read: ReadAt,
  size: number,
  file: string,
): Promise<SafetensorsHeader> {
  if (size < 8) fail(file, `it is ${size} bytes, shorter than the 8-byte header length`);
  const lenBytes = await read(0, 8);
  const len = Number(new DataView(lenBytes.buffer, lenBytes.byteOffset, 8).getBigUint64(0, true));
  if (len < 2 || len > MAX_HEADER || len > size - 8)
    fail(
      file,
      `its header claims ${len} bytes but the file has ${size - 8} after the length: the file is truncated or not safetensors`,
    );
  const text = new TextDecoder().decode(await read(8, len));
  return parseHeaderJson(file, text, len, size);
}

/** The header of a safetensors file held in memory. */
export function parseSafetensors(bytes: Uint8Array, file: string): Promise<SafetensorsHeader> {
  return readSafetensorsHeader(async (o, n) => bytes.subarray(o, o + n), bytes.byteLength, file);
}

/** A tensor's values as float32 (F16 and BF16 widened). */
export function tensorFloats(bytes: Uint8Array, header: SafetensorsHeader, t: TensorEntry): Float32Array {
  const start = bytes.byteOffset + header.dataStart + t.begin;
  const copy = bytes.buffer.slice(start, start + (t.end - t.begin)) as ArrayBuffer;
  if (t.dtype === 'F32') return new Float32Array(copy);
  const bits = new Uint16Array(copy);
  if (t.dtype === 'F16') return f16BitsToF32(bits);
  const out = new Uint32Array(bits.length);
  for (let i = 0; i < bits.length; i++) out[i] = (bits[i] as number) << 16;
  return new Float32Array(out.buffer);
}

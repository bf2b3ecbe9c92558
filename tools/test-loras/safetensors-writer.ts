/** Writes safetensors files (header JSON + little-endian data) for the generated test LoRAs. */
import { concatBytes } from '../../src/engine/bytes';
import { f32ToF16Bits } from '../../src/engine/runtime';

export interface TensorOut {
  name: string;
  /** F32/F16/BF16 are encoded from `data`; any other dtype writes `data` as raw float32 bytes (for refusal tests). */
  dtype: string;
  shape: number[];
  data: Float32Array;
}

function encode(t: TensorOut): Uint8Array {
  if (t.dtype === 'F16') return new Uint8Array(f32ToF16Bits(t.data).buffer);
  if (t.dtype === 'BF16') {
    const bits = new Uint32Array(t.data.slice().buffer);
    return new Uint8Array(Uint16Array.from(bits, (b) => b >>> 16).buffer);
  }
  return new Uint8Array(t.data.slice().buffer);
}

/** A safetensors file; `lie` adds bytes to one tensor's claimed span (a header lying about sizes). */
export function encodeSafetensors(
  tensors: TensorOut[],
  opts: { metadata?: Record<string, string>; lie?: number } = {},
): Uint8Array {
  const header: Record<string, unknown> = opts.metadata ? { __metadata__: opts.metadata } : {};
  const blobs: Uint8Array[] = [];
  let at = 0;
  tensors.forEach((t, i) => {
    const bytes = encode(t);
    const end = at + bytes.byteLength + (i === 0 ? (opts.lie ?? 0) : 0);
    header[t.name] = { dtype: t.dtype, shape: t.shape, data_offsets: [at, end] };
    blobs.push(bytes);
    at += bytes.byteLength;
  });
  let json = JSON.stringify(header);
  json += ' '.repeat((8 - (json.length % 8)) % 8);
  const head = new TextEncoder().encode(json);
  const length = new Uint8Array(8);
  new DataView(length.buffer).setBigUint64(0, BigInt(head.byteLength), true);
  return concatBytes([length, head, ...blobs]);
}

/**
 * PNG chunks, the one reader and writer of the code base: the signature, CRC-32, a chunk walk over
 * bytes in memory (the decoder's IHDR/IDAT, the settings reader's tEXt/iTXt/zTXt) and a chunk
 * writer (text chunks, generated test images). Pure byte work, no DOM (worker and Node).
 */
import { concatBytes } from '../bytes';

export const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

/** Whether `bytes` start with the PNG signature. */
export function isPng(bytes: Uint8Array): boolean {
  return bytes.length >= 8 && PNG_SIGNATURE.every((b, i) => bytes[i] === b);
}

const CRC_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

/** Standard CRC-32 (ISO 3309 / PNG / zip) of `bytes`, continuing from `crc` when given. */
export function crc32(bytes: Uint8Array, crc = 0): number {
  let c = ~crc >>> 0;
  for (const b of bytes) c = (CRC_TABLE[(c ^ b) & 0xff] as number) ^ (c >>> 8);
  return ~c >>> 0;
}

/** One chunk as read: `data` is cut short where the file ends before `length` bytes. */
export interface PngChunk {
  type: string;
  /** The length the chunk header claims. */
  length: number;
  data: Uint8Array;
  /** The CRC stored after the data, or undefined where the file ends first. */
  crc: number | undefined;
}

/** The chunks after the signature, in order, up to and including IEND (or the end of the bytes). */
export function* pngChunks(bytes: Uint8Array): Generator<PngChunk> {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (let at = 8; at + 8 <= bytes.length;) {
    const length = view.getUint32(at);
    const type = String.fromCharCode(...bytes.subarray(at + 4, at + 8));
    const end = at + 8 + length;
    const data = bytes.subarray(at + 8, Math.min(end, bytes.length));
    yield { type, length, data, crc: end + 4 <= bytes.length ? view.getUint32(end) : undefined };
    if (type === 'IEND') return;
    at = end + 4;
  }
}

/** One chunk's bytes: length, type, data, CRC of type and data. */
export function pngChunk(type: string, data: Uint8Array): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(12 + data.length);
  const view = new DataView(out.buffer);
  view.setUint32(0, data.length);
  for (let i = 0; i < 4; i++) out[4 + i] = type.charCodeAt(i);
  out.set(data, 8);
  view.setUint32(8 + data.length, crc32(out.subarray(4, 8 + data.length)));
  return out;
}

/** A PNG file of `chunks` ([type, data] pairs, IHDR first and IEND last). */
export function pngFile(chunks: [string, Uint8Array][]): Uint8Array<ArrayBuffer> {
  const parts = [Uint8Array.from(PNG_SIGNATURE), ...chunks.map(([t, d]) => pngChunk(t, d))];
  return concatBytes(parts) as Uint8Array<ArrayBuffer>;
}

/** An 8-bit, non-interlaced PNG of colour type `colourType` (0 grey, 2 RGB, 4 grey+alpha, 6 RGBA) around zlib row data `idat`. */
export function pngImage(
  width: number,
  height: number,
  colourType: number,
  idat: Uint8Array,
): Uint8Array<ArrayBuffer> {
  const ihdr = new Uint8Array(13);
  new DataView(ihdr.buffer).setUint32(0, width);
  new DataView(ihdr.buffer).setUint32(4, height);
  ihdr.set([8, colourType, 0, 0, 0], 8);
  return pngFile([
    ['IHDR', ihdr],
    ['IDAT', idat],
    ['IEND', new Uint8Array()],
  ]);
}

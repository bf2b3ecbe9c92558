/**
 * A small PNG decoder for start images (the app hands the engine a PNG at the task's resolution):
 * 8-bit grey, grey+alpha, RGB and RGBA, non-interlaced, all five row filters. Pure TS, so the
 * engine decodes the same bytes in a worker and in Node tests.
 */
import { concatBytes } from '../bytes';
import { unzlibSync } from 'fflate';
import { EngineError } from '../errors';
import { isPng, pngChunks } from './png-chunks';

export interface DecodedImage {
  width: number;
  height: number;
  /** width × height × 4 bytes. */
  rgba: Uint8Array;
}

/** 8192×8192: far above any task resolution or mask; larger claims are refused before inflating. */
export const MAX_PIXELS = 8192 * 8192;
const CHANNELS: Record<number, number> = { 0: 1, 2: 3, 4: 2, 6: 4 };

function bad(why: string): EngineError {
  return new EngineError(
    'invalid-request',
    `The start image could not be read: ${why}. Choose a PNG or JPEG image again.`,
    { startImage: why },
  );
}

function paeth(a: number, b: number, c: number): number {
  const p = a + b - c;
  const pa = Math.abs(p - a);
  const pb = Math.abs(p - b);
  const pc = Math.abs(p - c);
  return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
}

export function decodePng(bytes: Uint8Array): DecodedImage {
  if (!isPng(bytes)) throw bad('not a PNG file');
  let width = 0;
  let height = 0;
  let channels = 0;
  const idat: Uint8Array[] = [];
  for (const { type, length, data } of pngChunks(bytes)) {
    if (data.length !== length) throw bad('the file is truncated');
    if (type === 'IHDR') {
      const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
      if (length < 13) throw bad('the IHDR chunk is too short');
      width = view.getUint32(0);
      height = view.getUint32(4);
      channels = CHANNELS[data[9] as number] ?? 0;
      if (data[8] !== 8 || !channels || data[12] !== 0)
        throw bad('only 8-bit, non-interlaced grey/RGB/RGBA PNGs are supported');
    } else if (type === 'IDAT') idat.push(data);
  }
  if (!width || !height || !idat.length) throw bad('no image data');
  // Checked before inflating: a small file may claim a huge picture (or inflate to one).
  if (width * height > MAX_PIXELS)
    throw bad(`the image is ${width}×${height}, more than the ${MAX_PIXELS} pixels read here`);
  let raw: Uint8Array;
  try {
    raw = unzlibSync(concatBytes(idat));
  } catch {
    throw bad('the image data is corrupt');
  }
  const stride = width * channels;
  if (raw.length < height * (stride + 1)) throw bad('the image data is truncated');
  const px = new Uint8Array(height * stride);
  for (let y = 0; y < height; y++) {
    const filter = raw[y * (stride + 1)] as number;
    const src = raw.subarray(y * (stride + 1) + 1, (y + 1) * (stride + 1));
    const row = px.subarray(y * stride, (y + 1) * stride);
    const up = y > 0 ? px.subarray((y - 1) * stride, y * stride) : undefined;
    for (let i = 0; i < stride; i++) {
      const a = i >= channels ? (row[i - channels] as number) : 0;
      const b = up ? (up[i] as number) : 0;
      const c = up && i >= channels ? (up[i - channels] as number) : 0;
      const x = src[i] as number;
      row[i] =
        (filter === 0
          ? x
          : filter === 1
            ? x + a
            : filter === 2
              ? x + b
              : filter === 3
                ? x + ((a + b) >> 1)
                : filter === 4
                  ? x + paeth(a, b, c)
                  : NaN) & 0xff;
      if (filter > 4) throw bad(`unknown row filter ${filter}`);
    }
  }
  const rgba = new Uint8Array(width * height * 4);
  for (let p = 0; p < width * height; p++) {
    const s = p * channels;
    const g = px[s] as number;
    rgba[p * 4] = g;
    rgba[p * 4 + 1] = channels >= 3 ? (px[s + 1] as number) : g;
    rgba[p * 4 + 2] = channels >= 3 ? (px[s + 2] as number) : g;
    rgba[p * 4 + 3] = channels === 4 ? (px[s + 3] as number) : channels === 2 ? (px[s + 1] as number) : 255;
  }
  return { width, height, rgba };
}

/** A `data:image/png;base64,…` URL's bytes. */
export function dataUrlBytes(url: string): Uint8Array<ArrayBuffer> {
  const m = /^data:image\/png;base64,(.*)$/s.exec(url);
  if (!m) throw bad('expected a PNG data URL');
  const bin = atob(m[1] as string);
  return Uint8Array.from(bin, (ch) => ch.charCodeAt(0));
}

/** PNG bytes as a `data:image/png;base64,…` URL. */
export function pngDataUrl(bytes: Uint8Array): string {
  let bin = '';
  for (let i = 0; i < bytes.length; i += 0x8000) bin += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return `data:image/png;base64,${btoa(bin)}`;
}

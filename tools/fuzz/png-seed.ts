/** A tiny valid PNG (zlib-compressed rows, CRCs) as a fuzz seed. */
import { zlibSync } from 'fflate';
import { pngChunk, pngImage } from '../../src/engine/media/png-chunks';

/** A `width`×`height` PNG of colour type `colour` (0 grey, 2 RGB, 6 RGBA), rows filtered with `None`. */
export function tinyPng(width = 4, height = 4, colour = 6): Uint8Array<ArrayBuffer> {
  const channels = { 0: 1, 2: 3, 4: 2, 6: 4 }[colour] ?? 4;
  const raw = new Uint8Array(height * (width * channels + 1));
  for (let i = 0; i < raw.length; i++) raw[i] = i % (width * channels + 1) === 0 ? 0 : (i * 37) & 255;
  return pngImage(width, height, colour, zlibSync(raw));
}

/** `png` with a zTXt chunk (keyword NUL, method 0, zlib text) inserted after IHDR. */
export function withZtxt(png: Uint8Array, keyword: string, text: string): Uint8Array<ArrayBuffer> {
  const data = Uint8Array.from([
    ...new TextEncoder().encode(keyword),
    0,
    0,
    ...zlibSync(new TextEncoder().encode(text)),
  ]);
  return Uint8Array.from([...png.subarray(0, 33), ...pngChunk('zTXt', data), ...png.subarray(33)]);
}

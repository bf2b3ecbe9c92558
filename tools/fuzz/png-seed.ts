/** A tiny valid PNG (zlib-compressed rows, CRCs) as a fuzz seed. */
import { zlibSync } from 'fflate';
import { crc32 } from '../../src/engine/media/png-text';

function chunk(type: string, data: Uint8Array): number[] {
  const body = Uint8Array.from([...type].map((c) => c.charCodeAt(0)).concat([...data]));
  const out = new Uint8Array(12 + data.length);
  const v = new DataView(out.buffer);
  v.setUint32(0, data.length);
  out.set(body, 4);
  v.setUint32(8 + data.length, crc32(body));
  return [...out];
}

/** A `width`×`height` PNG of colour type `colour` (0 grey, 2 RGB, 6 RGBA), rows filtered with `None`. */
export function tinyPng(width = 4, height = 4, colour = 6): Uint8Array<ArrayBuffer> {
  const channels = { 0: 1, 2: 3, 4: 2, 6: 4 }[colour] ?? 4;
  const raw = new Uint8Array(height * (width * channels + 1));
  for (let i = 0; i < raw.length; i++) raw[i] = i % (width * channels + 1) === 0 ? 0 : (i * 37) & 255;
  const ihdr = new Uint8Array(13);
  new DataView(ihdr.buffer).setUint32(0, width);
  new DataView(ihdr.buffer).setUint32(4, height);
  ihdr.set([8, colour, 0, 0, 0], 8);
  return Uint8Array.from([
    137,
    80,
    78,
    71,
    13,
    10,
    26,
    10,
    ...chunk('IHDR', ihdr),
    ...chunk('IDAT', zlibSync(raw)),
    ...chunk('IEND', new Uint8Array()),
  ]);
}

/** `png` with a zTXt chunk (keyword NUL, method 0, zlib text) inserted after IHDR. */
export function withZtxt(png: Uint8Array, keyword: string, text: string): Uint8Array<ArrayBuffer> {
  const data = Uint8Array.from([
    ...new TextEncoder().encode(keyword),
    0,
    0,
    ...zlibSync(new TextEncoder().encode(text)),
  ]);
  return Uint8Array.from([...png.subarray(0, 33), ...chunk('zTXt', data), ...png.subarray(33)]);
}

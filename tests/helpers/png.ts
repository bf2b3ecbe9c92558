/** Test helper: writes 8-bit PNGs with a chosen row filter (for the decoder tests and i2v start images). */
import { deflateSync } from 'node:zlib';
import { pngImage } from '../../src/engine/media/png-chunks';

/** Encodes `px` (height × width × channels) with the given filter on every row. */
export function png(
  width: number,
  height: number,
  colourType: number,
  channels: number,
  px: Uint8Array,
  filter: number,
): Uint8Array {
  const stride = width * channels;
  const raw = new Uint8Array(height * (stride + 1));
  for (let y = 0; y < height; y++) {
    raw[y * (stride + 1)] = filter;
    for (let i = 0; i < stride; i++) {
      const x = px[y * stride + i] as number;
      const a = i >= channels ? (px[y * stride + i - channels] as number) : 0;
      const b = y > 0 ? (px[(y - 1) * stride + i] as number) : 0;
      const c = y > 0 && i >= channels ? (px[(y - 1) * stride + i - channels] as number) : 0;
      const p = a + b - c;
      const pred = [
        0,
        a,
        b,
        (a + b) >> 1,
        Math.abs(p - a) <= Math.abs(p - b) && Math.abs(p - a) <= Math.abs(p - c)
          ? a
          : Math.abs(p - b) <= Math.abs(p - c)
            ? b
            : c,
      ][filter] as number;
      raw[y * (stride + 1) + 1 + i] = (x - pred) & 0xff;
    }
  }
  return pngImage(width, height, colourType, deflateSync(raw));
}

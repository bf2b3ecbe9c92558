/** The start-image PNG decoder against PNGs written here with every row filter and colour type. */
import { deflateSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { dataUrlBytes, decodePng, pngDataUrl } from '../../src/engine/media/png-decode';
import { crc32 } from '../../src/engine/media/png-text';

function chunk(type: string, data: Uint8Array): Uint8Array {
  const out = new Uint8Array(12 + data.length);
  const view = new DataView(out.buffer);
  view.setUint32(0, data.length);
  out.set([...type].map((c) => c.charCodeAt(0)), 4);
  out.set(data, 8);
  view.setUint32(8 + data.length, crc32(out.subarray(4, 8 + data.length)));
  return out;
}

/** Encodes `px` (height × width × channels) with the given filter on every row. */
function png(width: number, height: number, colourType: number, channels: number, px: Uint8Array, filter: number): Uint8Array {
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
      const pred = [0, a, b, (a + b) >> 1, Math.abs(p - a) <= Math.abs(p - b) && Math.abs(p - a) <= Math.abs(p - c) ? a : Math.abs(p - b) <= Math.abs(p - c) ? b : c][filter] as number;
      raw[y * (stride + 1) + 1 + i] = (x - pred) & 0xff;
    }
  }
  const ihdr = new Uint8Array(13);
  new DataView(ihdr.buffer).setUint32(0, width);
  new DataView(ihdr.buffer).setUint32(4, height);
  ihdr.set([8, colourType, 0, 0, 0], 8);
  const parts = [Uint8Array.of(137, 80, 78, 71, 13, 10, 26, 10), chunk('IHDR', ihdr), chunk('IDAT', deflateSync(raw)), chunk('IEND', new Uint8Array())];
  return Uint8Array.from(parts.flatMap((p) => [...p]));
}

describe('decodePng', () => {
  const width = 5;
  const height = 4;
  for (const [colourType, channels] of [[0, 1], [2, 3], [4, 2], [6, 4]] as const) {
    for (const filter of [0, 1, 2, 3, 4]) {
      it(`colour type ${colourType}, filter ${filter}: decodes the exact pixels`, () => {
        const px = Uint8Array.from({ length: width * height * channels }, (_, i) => (i * 37 + 11) & 0xff);
        const img = decodePng(png(width, height, colourType, channels, px, filter));
        expect([img.width, img.height]).toEqual([width, height]);
        for (let p = 0; p < width * height; p++) {
          const s = px.subarray(p * channels, (p + 1) * channels);
          const want = channels >= 3 ? [s[0], s[1], s[2], channels === 4 ? s[3] : 255] : [s[0], s[0], s[0], channels === 2 ? s[1] : 255];
          expect([...img.rgba.subarray(p * 4, p * 4 + 4)]).toEqual(want);
        }
      });
    }
  }

  it('round-trips through a data URL', () => {
    const bytes = png(2, 2, 2, 3, Uint8Array.from({ length: 12 }, (_, i) => i * 20), 0);
    expect(dataUrlBytes(pngDataUrl(bytes))).toEqual(bytes);
  });

  it('refuses non-PNG, 16-bit and truncated files with an invalid-request naming the start image', () => {
    expect(() => decodePng(new TextEncoder().encode('GIF89a....'))).toThrow(/start image could not be read: not a PNG/);
    const deep = png(2, 2, 2, 3, new Uint8Array(12), 0);
    deep[24] = 16; // IHDR bit depth
    expect(() => decodePng(deep)).toThrow(/only 8-bit/);
    expect(() => decodePng(png(4, 4, 6, 4, new Uint8Array(64), 0).subarray(0, 40))).toThrow(/truncated|no image data/);
    expect(() => dataUrlBytes('data:image/jpeg;base64,AAAA')).toThrow(/PNG data URL/);
  });
});

/** The start-image PNG decoder against PNGs written here with every row filter and colour type. */
import { describe, expect, it } from 'vitest';
import { dataUrlBytes, decodePng, pngDataUrl } from '../../src/engine/media/png-decode';
import { png } from '../helpers/png';

describe('decodePng', () => {
  const width = 5;
  const height = 4;
  for (const [colourType, channels] of [
    [0, 1],
    [2, 3],
    [4, 2],
    [6, 4],
  ] as const) {
    for (const filter of [0, 1, 2, 3, 4]) {
      it(`colour type ${colourType}, filter ${filter}: decodes the exact pixels`, () => {
        const px = Uint8Array.from({ length: width * height * channels }, (_, i) => (i * 37 + 11) & 0xff);
        const img = decodePng(png(width, height, colourType, channels, px, filter));
        expect([img.width, img.height]).toEqual([width, height]);
        for (let p = 0; p < width * height; p++) {
          const s = px.subarray(p * channels, (p + 1) * channels);
          const want =
            channels >= 3
              ? [s[0], s[1], s[2], channels === 4 ? s[3] : 255]
              : [s[0], s[0], s[0], channels === 2 ? s[1] : 255];
          expect([...img.rgba.subarray(p * 4, p * 4 + 4)]).toEqual(want);
        }
      });
    }
  }

  it('round-trips through a data URL', () => {
    const bytes = png(
      2,
      2,
      2,
      3,
      Uint8Array.from({ length: 12 }, (_, i) => i * 20),
      0,
    );
    expect(dataUrlBytes(pngDataUrl(bytes))).toEqual(bytes);
  });

  it('refuses non-PNG, 16-bit and truncated files with an invalid-request naming the start image', () => {
    expect(() => decodePng(new TextEncoder().encode('GIF89a....'))).toThrow(
      /start image could not be read: not a PNG/,
    );
    const deep = png(2, 2, 2, 3, new Uint8Array(12), 0);
    deep[24] = 16; // IHDR bit depth
    expect(() => decodePng(deep)).toThrow(/only 8-bit/);
    expect(() => decodePng(png(4, 4, 6, 4, new Uint8Array(64), 0).subarray(0, 40))).toThrow(
      /truncated|no image data/,
    );
    expect(() => dataUrlBytes('data:image/jpeg;base64,AAAA')).toThrow(/PNG data URL/);
  });
});

/**
 * The one PNG chunk reader/writer (src/engine/media/png-chunks.ts): written chunks carry the
 * standard CRC (IEND's is AE 42 60 82), read back in order up to IEND, and a chunk cut short by
 * the end of the file comes back with its claimed length, the bytes there are and no CRC.
 */
import { describe, expect, it } from 'vitest';
import { isPng, pngChunk, pngChunks, pngFile } from '../../src/engine/media/png-chunks';

describe('PNG chunks', () => {
  it('writes IEND with its well-known CRC and a signature only isPng accepts', () => {
    expect([...pngChunk('IEND', new Uint8Array())]).toEqual([
      0, 0, 0, 0, 73, 69, 78, 68, 0xae, 0x42, 0x60, 0x82,
    ]);
    const file = pngFile([['IEND', new Uint8Array()]]);
    expect([isPng(file), isPng(file.subarray(1)), isPng(new Uint8Array())]).toEqual([true, false, false]);
  });

  it('reads back what it wrote, in order, and stops at IEND', () => {
    const file = pngFile([
      ['IHDR', Uint8Array.of(1, 2, 3)],
      ['tEXt', new TextEncoder().encode('k\0v')],
      ['IEND', new Uint8Array()],
      ['junk', Uint8Array.of(9)],
    ]);
    const chunks = [...pngChunks(file)];
    expect(chunks.map((c) => [c.type, c.length, [...c.data]])).toEqual([
      ['IHDR', 3, [1, 2, 3]],
      ['tEXt', 3, [107, 0, 118]],
      ['IEND', 0, []],
    ]);
    expect(chunks.map((c) => c.crc)).toEqual(
      chunks.map((c) => new DataView(pngChunk(c.type, c.data).buffer).getUint32(8 + c.length)),
    );
  });

  it('hands back a chunk cut short by the end of the file without its CRC', () => {
    const file = pngFile([['IDAT', Uint8Array.of(5, 6, 7, 8)]]).subarray(0, 8 + 8 + 2);
    expect([...pngChunks(file)].map((c) => [c.type, c.length, [...c.data], c.crc])).toEqual([
      ['IDAT', 4, [5, 6], undefined],
    ]);
  });
});

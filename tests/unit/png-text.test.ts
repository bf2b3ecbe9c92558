/** PNG text chunks written by addPngText: read back by readPngText, CRCs valid, image data untouched. */
import { deflateSync, inflateSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { crc32, pngChunks, pngImage } from '../../src/engine/media/png-chunks';
import { addPngText } from '../../src/engine/media/png-text';
import { readPngText } from '../../src/engine/metadata/read-container';

/** A valid 1×1 RGBA PNG (one opaque red pixel). */
function tinyPng(): Uint8Array {
  return pngImage(1, 1, 6, new Uint8Array(deflateSync(Uint8Array.from([0, 255, 0, 0, 255]))));
}

interface Chunk {
  type: string;
  data: Uint8Array;
  crcOk: boolean;
}

/** Every chunk of a PNG, with its CRC checked; throws when a chunk runs past the end. */
function parse(png: Uint8Array): Chunk[] {
  return [...pngChunks(png)].map(({ type, length, data, crc }) => {
    if (crc === undefined || data.length !== length) throw new Error('truncated chunk');
    return { type, data, crcOk: crc32(concatTypeData(type, data)) === crc };
  });
}

const concatTypeData = (type: string, data: Uint8Array) =>
  Uint8Array.from([...new TextEncoder().encode(type), ...data]);

function expectValid(png: Uint8Array): Chunk[] {
  expect([...png.subarray(0, 8)]).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  const chunks = parse(png);
  expect(chunks.every((c) => c.crcOk)).toBe(true);
  expect(chunks[0]?.type).toBe('IHDR');
  expect(chunks.at(-1)?.type).toBe('IEND');
  const idat = chunks.find((c) => c.type === 'IDAT');
  expect([...inflateSync(idat?.data ?? new Uint8Array())]).toEqual([0, 255, 0, 0, 255]);
  return chunks;
}

describe('crc32', () => {
  it('matches the standard check value', () => {
    expect(crc32(new TextEncoder().encode('123456789'))).toBe(0xcbf43926);
    expect(crc32(new Uint8Array())).toBe(0);
  });

  it('the hand-built fixture is a valid PNG', () => {
    expectValid(tinyPng());
  });
});

describe('addPngText', () => {
  it('writes ASCII JSON as tEXt right after IHDR', async () => {
    const json = JSON.stringify({ prompt: 'a cat', seed: 42, steps: 12 });
    const png = addPngText(tinyPng(), 'comment', json);
    const chunks = expectValid(png);
    expect(chunks.map((c) => c.type)).toEqual(['IHDR', 'tEXt', 'IDAT', 'IEND']);
    expect(await readPngText(png)).toEqual({ comment: json });
  });

  it('keeps Latin-1 text (é, ü) in tEXt', async () => {
    const png = addPngText(tinyPng(), 'comment', 'café über');
    expect(expectValid(png).map((c) => c.type)).toContain('tEXt');
    expect((await readPngText(png)).comment).toBe('café über');
  });

  it('writes unicode text as uncompressed UTF-8 iTXt', async () => {
    const text = JSON.stringify({ prompt: '日本 — "quotes" <tags>' });
    const png = addPngText(tinyPng(), 'comment', text);
    const chunks = expectValid(png);
    expect(chunks.map((c) => c.type)).toEqual(['IHDR', 'iTXt', 'IDAT', 'IEND']);
    const itxt = chunks[1]?.data ?? new Uint8Array();
    expect([...itxt.subarray(0, 12)]).toEqual([...new TextEncoder().encode('comment'), 0, 0, 0, 0, 0]);
    expect(await readPngText(png)).toEqual({ comment: text });
  });

  it('can add several chunks and leaves the input untouched', async () => {
    const original = tinyPng();
    const copy = original.slice();
    const png = addPngText(addPngText(original, 'comment', '{}'), 'Software', 'WebGP ✓');
    expect(original).toEqual(copy);
    expectValid(png);
    expect(await readPngText(png)).toEqual({ comment: '{}', Software: 'WebGP ✓' });
  });

  it('refuses input that is not a PNG or does not start with IHDR', () => {
    expect(() => addPngText(new TextEncoder().encode('not a png at all'), 'comment', 'x')).toThrow(
      /Not a PNG/,
    );
    expect(() => addPngText(new Uint8Array(), 'comment', 'x')).toThrow(/Not a PNG/);
    const noIhdr = tinyPng();
    noIhdr.set(new TextEncoder().encode('IDAT'), 12);
    expect(() => addPngText(noIhdr, 'comment', 'x')).toThrow(/IHDR/);
    expect(() => addPngText(tinyPng().subarray(0, 20), 'comment', 'x')).toThrow(/IHDR/);
  });

  it('refuses invalid keywords', () => {
    for (const keyword of [
      '',
      ' comment',
      'comment ',
      'a  b',
      'x'.repeat(80),
      'tab\there',
      '日本',
      'nul\0',
    ]) {
      expect(() => addPngText(tinyPng(), keyword, 'x'), keyword).toThrow(/keyword/);
    }
    expect(() => addPngText(tinyPng(), 'x'.repeat(79), 'x')).not.toThrow();
    expect(() => addPngText(tinyPng(), 'Größe', 'x')).not.toThrow();
  });
});

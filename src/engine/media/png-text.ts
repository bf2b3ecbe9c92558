/**
 * Writes a text chunk into a PNG so its settings travel with the image: `tEXt` when the text is
 * pure Latin-1, otherwise an uncompressed UTF-8 `iTXt`. Pure byte work, no DOM (worker and Node).
 */

import { isPng, pngChunk, pngChunks } from './png-chunks';

function latin1Bytes(s: string): Uint8Array {
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i);
  return out;
}

/** PNG keywords: 1–79 printable Latin-1 characters, no leading, trailing or doubled spaces. */
function checkKeyword(keyword: string): void {
  const printable = [...keyword].every((ch) => {
    const c = ch.charCodeAt(0);
    return ch.length === 1 && ((c >= 0x20 && c <= 0x7e) || (c >= 0xa1 && c <= 0xff));
  });
  if (
    keyword.length < 1 ||
    keyword.length > 79 ||
    !printable ||
    keyword !== keyword.trim() ||
    keyword.includes('  ')
  ) {
    throw new Error(
      `Invalid PNG text keyword ${JSON.stringify(keyword)}: use 1–79 printable Latin-1 characters without leading, trailing or doubled spaces`,
    );
  }
}

/** Text a tEXt chunk can hold as-is: Latin-1 with no NUL. */
function isLatin1(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0 || c > 0xff) return false;
  }
  return true;
}

function textChunk(keyword: string, text: string): Uint8Array {
  const key = latin1Bytes(keyword);
  if (isLatin1(text)) {
    const body = latin1Bytes(text);
    const data = new Uint8Array(key.length + 1 + body.length);
    data.set(key, 0);
    data.set(body, key.length + 1);
    return pngChunk('tEXt', data);
  }
  // iTXt: keyword NUL, compression flag 0, method 0, empty language tag NUL, empty translated keyword NUL, UTF-8 text.
  const body = new TextEncoder().encode(text);
  const data = new Uint8Array(key.length + 5 + body.length);
  data.set(key, 0);
  data.set(body, key.length + 5);
  return pngChunk('iTXt', data);
}

/** A copy of `png` with a `keyword` text chunk inserted right after IHDR. Throws on a non-PNG or bad keyword. */
export function addPngText(png: Uint8Array, keyword: string, text: string): Uint8Array {
  if (!isPng(png)) throw new Error('Not a PNG file: the PNG signature is missing');
  const ihdr = pngChunks(png).next().value;
  if (ihdr?.type !== 'IHDR') throw new Error('Malformed PNG: the first chunk must be IHDR');
  const end = 8 + 12 + ihdr.length;
  if (end > png.length) throw new Error('Malformed PNG: the IHDR chunk is truncated');
  checkKeyword(keyword);
  const extra = textChunk(keyword, text);
  const out = new Uint8Array(png.length + extra.length);
  out.set(png.subarray(0, end), 0);
  out.set(extra, end);
  out.set(png.subarray(end), end + extra.length);
  return out;
}

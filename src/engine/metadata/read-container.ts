/**
 * Reads the settings text embedded in outputs: the MP4 `©cmt` comment atom (where ffmpeg's
 * `-metadata comment=` and WanGP put it) and PNG `tEXt`/`iTXt`/`zTXt` chunks. No media decoding.
 * Compressed chunks inflate to a bounded size; a damaged one is a named error.
 */
import { concatBytes } from '../bytes';
import { EngineError } from '../errors';
import { type Box, find, NotDemuxable } from '../media/mp4/boxes';
import { pngChunks } from '../media/png-chunks';

const utf8 = new TextDecoder();
const latin1 = new TextDecoder('latin1');
const COMMENT_ATOM = '\u00a9cmt';

function boxType(bytes: Uint8Array, at: number): string {
  return String.fromCharCode(
    bytes[at] as number,
    bytes[at + 1] as number,
    bytes[at + 2] as number,
    bytes[at + 3] as number,
  );
}

/** The first box at `path` under bytes [start, end), or undefined (also when a box before it is cut short). */
function findBox(v: DataView, start: number, end: number, ...path: string[]): Box | undefined {
  try {
    return find(v, { type: '', start, end }, ...path);
  } catch (err) {
    if (err instanceof NotDemuxable) return undefined;
    throw err;
  }
}

/** The MP4/MOV comment (moov/udta/meta/ilst/©cmt/data), or undefined when there is none. */
export function readMp4Comment(bytes: Uint8Array): string | undefined {
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const meta = findBox(v, 0, bytes.length, 'moov', 'udta', 'meta');
  if (!meta) return undefined;
  // ISO 'meta' is a full box (4 bytes version/flags); QuickTime's is not: look for 'hdlr' to tell.
  const start = boxType(bytes, meta.start + 4) === 'hdlr' ? meta.start : meta.start + 4;
  const data = findBox(v, start, meta.end, 'ilst', COMMENT_ATOM, 'data');
  // 'data' payload: 4 bytes type indicator, 4 bytes locale, then the UTF-8 value.
  return data ? utf8.decode(bytes.subarray(data.start + 8, data.end)) : undefined;
}

export function isMp4(bytes: Uint8Array): boolean {
  return bytes.length >= 12 && ['ftyp', 'moov', 'mdat', 'free', 'wide'].includes(boxType(bytes, 4));
}

/** Settings text is small; a compressed chunk inflating past this is refused (a zip bomb). */
export const MAX_TEXT_CHUNK_BYTES = 16 * 1024 * 1024;

/** Inflates a compressed text chunk, at most MAX_TEXT_CHUNK_BYTES; a damaged or oversized one is an invalid-settings-file error. */
async function inflate(data: Uint8Array, key: string): Promise<Uint8Array> {
  const damaged = (why: string) =>
    new EngineError(
      'invalid-settings-file',
      `The image's compressed "${key}" text chunk ${why}. Use the MP4 or a JSON settings file instead, or save the image again.`,
    );
  const reader = new Blob([data as Uint8Array<ArrayBuffer>])
    .stream()
    .pipeThrough(new DecompressionStream('deflate'))
    .getReader();
  const parts: Uint8Array[] = [];
  let size = 0;
  try {
    for (let r = await reader.read(); !r.done; r = await reader.read()) {
      size += r.value.length;
      if (size > MAX_TEXT_CHUNK_BYTES) throw damaged(`inflates past ${MAX_TEXT_CHUNK_BYTES} bytes`);
      parts.push(r.value);
    }
  } catch (err) {
    await reader.cancel().catch(() => undefined);
    if (err instanceof EngineError) throw err;
    throw damaged(`is damaged (${err instanceof Error ? err.message : String(err)})`);
  }
  return concatBytes(parts);
}

/** All PNG text chunks as keyword → text (tEXt latin-1, iTXt UTF-8, zTXt/compressed iTXt inflated). */
export async function readPngText(bytes: Uint8Array): Promise<Record<string, string>> {
  // No prototype: a chunk keyword such as "__proto__" or "constructor" is just a key.
  const out = Object.create(null) as Record<string, string>;
  for (const { type, data } of pngChunks(bytes)) {
    const nul = data.indexOf(0);
    if (nul > 0) {
      const key = latin1.decode(data.subarray(0, nul));
      if (type === 'tEXt') out[key] = latin1.decode(data.subarray(nul + 1));
      else if (type === 'zTXt') out[key] = latin1.decode(await inflate(data.subarray(nul + 2), key));
      else if (type === 'iTXt') {
        const compressed = data[nul + 1] === 1;
        const langEnd = data.indexOf(0, nul + 3);
        const transEnd = data.indexOf(0, langEnd + 1);
        const text = data.subarray(transEnd + 1);
        out[key] = utf8.decode(compressed ? await inflate(text, key) : text);
      }
    }
  }
  return out;
}

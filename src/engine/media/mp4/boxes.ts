/**
 * ISO BMFF box walking, the one walker of the code base: the top-level boxes of a file read
 * through small Blob slices (headers only; `moov` may sit after a large `mdat`), and the children
 * of a box already in memory (the demuxer's sample tables, the settings reader's `©cmt`).
 * Pure TS, tested in Node.
 */

/** A box: its four-character type, where its payload starts and where the box ends (byte offsets). */
export interface Box {
  type: string;
  start: number;
  end: number;
}

/** Why a file could not be demuxed here; the caller falls back to ffmpeg.wasm. */
/** `damaged`: a count or size in the file is impossible for its size; no decoder is tried (the caller refuses the file). */
export type NotDemuxableReason =
  | 'not-mp4'
  | 'truncated'
  | 'damaged'
  | 'fragmented'
  | 'no-video-track'
  | 'unsupported-codec'
  | 'unsupported-layout';

export class NotDemuxable extends Error {
  override name = 'NotDemuxable';
  constructor(
    readonly reason: NotDemuxableReason,
    message: string,
  ) {
    super(message);
  }
}

const fourcc = (v: DataView, at: number) =>
  String.fromCharCode(v.getUint8(at), v.getUint8(at + 1), v.getUint8(at + 2), v.getUint8(at + 3));
const isFourcc = (t: string) => /^[\x20-\x7e]{4}$/.test(t);

/** Reads bytes [at, at + length) of a Blob (fewer at its end). */
export async function readRange(file: Blob, at: number, length: number): Promise<DataView> {
  return new DataView(await file.slice(at, at + length).arrayBuffer());
}

/** One box header at `at` within a view of `limit` bytes (size 0: to the end); undefined when the header is cut off. */
function header(
  v: DataView,
  at: number,
  limit: number,
): { type: string; size: number; head: number } | undefined {
  if (at + 8 > limit) return undefined;
  let size = v.getUint32(at);
  const type = fourcc(v, at + 4);
  let head = 8;
  if (size === 1) {
    if (at + 16 > limit) return undefined;
    size = Number(v.getBigUint64(at + 8));
    head = 16;
  }
  return { type, size, head };
}

/** The top-level boxes of `file`, reading 16 bytes per box; throws NotDemuxable when it is not ISO BMFF or is cut short. */
export async function topLevelBoxes(file: Blob): Promise<Box[]> {
  const { boxes, cut } = await walkTopLevel(file);
  if (cut) throw cut;
  return boxes;
}

/** The top-level boxes of `file` up to the first one that does not walk, and why it does not (`cut`; none when all walk). */
export async function walkTopLevel(file: Blob): Promise<{ boxes: Box[]; cut?: NotDemuxable }> {
  const boxes: Box[] = [];
  for (let at = 0; at < file.size;) {
    const v = await readRange(file, at, 16);
    const h = header(v, 0, v.byteLength);
    const size = h?.size === 0 ? file.size - at : (h?.size ?? 0);
    if (!h || !isFourcc(h.type) || size < h.head) {
      if (boxes.length === 0)
        throw new NotDemuxable('not-mp4', 'The file is not an MP4/MOV (no ISO box structure).');
      const cut = new NotDemuxable(
        'truncated',
        `The file is cut short: the box at byte ${at} is incomplete.`,
      );
      return { boxes, cut };
    }
    if (boxes.length === 0 && !['ftyp', 'moov', 'mdat', 'free', 'skip', 'wide', 'pnot'].includes(h.type))
      throw new NotDemuxable('not-mp4', 'The file is not an MP4/MOV (it does not start with an ISO box).');
    if (at + size > file.size) {
      const message = `The file is cut short: its "${h.type}" box needs ${at + size} bytes, the file has ${file.size}.`;
      return { boxes, cut: new NotDemuxable('truncated', message) };
    }
    boxes.push({ type: h.type, start: at + h.head, end: at + size });
    at += size;
  }
  return { boxes };
}

/** The child boxes of the bytes [start, end) of `v` in order; throws NotDemuxable('truncated') on reaching a cut-short one. */
export function* walk(v: DataView, start: number, end: number): Generator<Box> {
  for (let at = start; at + 8 <= end;) {
    const h = header(v, at, end);
    const size = h?.size === 0 ? end - at : (h?.size ?? 0);
    if (!h || size < h.head || at + size > end)
      throw new NotDemuxable('truncated', `A "${h?.type ?? '?'}" box inside the movie header is cut short.`);
    yield { type: h.type, start: at + h.head, end: at + size };
    at += size;
  }
}

/** The child boxes of the bytes [start, end) of `v` (a box's payload, after any fixed fields). */
export function children(v: DataView, start: number, end: number): Box[] {
  return [...walk(v, start, end)];
}

/** The first child of type `type` (optionally under a path of types), or undefined; boxes after it are not read. */
export function find(v: DataView, box: Box, ...path: string[]): Box | undefined {
  let at: Box | undefined = box;
  for (const type of path) {
    const parent: Box = at;
    at = undefined;
    for (const b of walk(v, parent.start, parent.end))
      if (b.type === type) {
        at = b;
        break;
      }
    if (!at) return undefined;
  }
  return at;
}

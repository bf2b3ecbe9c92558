/**
 * A track's samples from its sample table (`stbl`): byte offset and size (`stsz`, `stsc`,
 * `stco`/`co64`), decode and composition times (`stts`, `ctts`), key frames (`stss`; none means
 * every sample is one). Samples stay in decode order; `presentation` lists them in display order.
 * Every entry count is checked against its box's size (and the sample count against the file's)
 * before anything is allocated: a damaged count is NotDemuxable('damaged'), never a 4-billion loop.
 */
import { type Box, find, NotDemuxable } from './boxes';

export interface SampleTable {
  /** Per sample, in decode order. */
  offsets: Float64Array;
  sizes: Uint32Array;
  /** Composition (presentation) time in the track's timescale. */
  cts: Float64Array;
  keys: Uint8Array;
  /** Decode indices in presentation order. */
  presentation: Uint32Array;
  /** The most common sample duration (timescale units) and the sum of all of them. */
  frameDelta: number;
  totalDuration: number;
}

function need(v: DataView, stbl: Box, type: string): Box {
  const b = find(v, stbl, type);
  if (!b) throw new NotDemuxable('unsupported-layout', `The video track has no "${type}" table.`);
  return b;
}

/** The entry count at `b.start + at`, refused when `count` entries of `entryBytes` would not fit in the box. */
function entries(v: DataView, b: Box, type: string, at: number, entryBytes: number): number {
  const count = v.getUint32(b.start + at);
  const room = Math.max(0, b.end - (b.start + at + 4));
  if (count * entryBytes > room)
    throw new NotDemuxable(
      'damaged',
      `The video's "${type}" table claims ${count} entries but its box holds ${Math.floor(room / entryBytes)}: the file is damaged.`,
    );
  return count;
}

/** Calls `each(a, b)` for each two-u32 entry of a full box with an entry count (stts, ctts). */
function pairs(
  v: DataView,
  b: Box,
  type: string,
  each: (a: number, b: number) => void,
  signed = false,
): void {
  const count = entries(v, b, type, 4, 8);
  for (let i = 0, at = b.start + 8; i < count; i++, at += 8)
    each(v.getUint32(at), signed ? v.getInt32(at + 4) : v.getUint32(at + 4));
}

/** The sample table of `stbl`; `fileSize` bounds the sample count when all samples share one size. */
export function sampleTable(v: DataView, stbl: Box, fileSize: number): SampleTable {
  const stsz = need(v, stbl, 'stsz');
  const fixed = v.getUint32(stsz.start + 4);
  const n = fixed ? v.getUint32(stsz.start + 8) : entries(v, stsz, 'stsz', 8, 4);
  if (fixed && n * fixed > fileSize)
    throw new NotDemuxable(
      'damaged',
      `The video's "stsz" table claims ${n} samples of ${fixed} bytes, more than the file's ${fileSize} bytes: the file is damaged.`,
    );
  const sizes = new Uint32Array(n);
  for (let i = 0; i < n; i++) sizes[i] = fixed || v.getUint32(stsz.start + 12 + 4 * i);

  const co64 = find(v, stbl, 'co64');
  const stco = co64 ?? need(v, stbl, 'stco');
  const chunkCount = entries(v, stco, co64 ? 'co64' : 'stco', 4, co64 ? 8 : 4);
  const chunkOffset = (c: number) =>
    co64 ? Number(v.getBigUint64(stco.start + 8 + 8 * c)) : v.getUint32(stco.start + 8 + 4 * c);
  const offsets = new Float64Array(n);
  const stsc = need(v, stbl, 'stsc');
  const runs = entries(v, stsc, 'stsc', 4, 12);
  let s = 0;
  for (let r = 0; r < runs; r++) {
    const at = stsc.start + 8 + 12 * r;
    const first = v.getUint32(at) - 1;
    const perChunk = v.getUint32(at + 4);
    // Impossible runs (ffmpeg: "contradictionary STSC and STCO") make mediabunny 1.61 loop for hours.
    if (first < 0 || first >= chunkCount || perChunk > n)
      throw new NotDemuxable(
        'damaged',
        `The video's "stsc" table puts ${perChunk} samples per chunk from chunk ${first + 1}, but the file has ${chunkCount} chunks and ${n} samples: the file is damaged.`,
      );
    const last = r + 1 < runs ? v.getUint32(at + 12) - 1 : chunkCount;
    for (let c = first; c < last && s < n; c++) {
      for (let k = 0, off = chunkOffset(c); k < perChunk && s < n; k++, s++) {
        offsets[s] = off;
        off += sizes[s] as number;
      }
    }
  }
  if (s < n) throw new NotDemuxable('unsupported-layout', `The chunk table places ${s} of ${n} samples.`);

  const cts = new Float64Array(n);
  const durations = new Map<number, number>();
  let t = 0;
  let i = 0;
  pairs(v, need(v, stbl, 'stts'), 'stts', (count, delta) => {
    durations.set(delta, (durations.get(delta) ?? 0) + count);
    for (let k = 0; k < count && i < n; k++, i++, t += delta) cts[i] = t;
  });
  const ctts = find(v, stbl, 'ctts');
  i = 0;
  if (ctts)
    pairs(
      v,
      ctts,
      'ctts',
      (count, offset) => {
        for (let k = 0; k < count && i < n; k++, i++) cts[i] = (cts[i] as number) + offset;
      },
      true,
    );

  const stss = find(v, stbl, 'stss');
  const keys = new Uint8Array(n).fill(stss ? 0 : 1);
  if (stss)
    for (let k = 0, count = entries(v, stss, 'stss', 4, 4); k < count; k++)
      keys[v.getUint32(stss.start + 8 + 4 * k) - 1] = 1;

  const presentation = Uint32Array.from({ length: n }, (_, k) => k).sort(
    (a, b) => (cts[a] as number) - (cts[b] as number),
  );
  const frameDelta = [...durations].sort((a, b) => b[1] - a[1])[0]?.[0] ?? 0;
  return { offsets, sizes, cts, keys, presentation, frameDelta, totalDuration: t };
}

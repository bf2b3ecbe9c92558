/**
 * MP4/MOV demuxer for the WebCodecs decode path: finds `moov` by walking top-level box headers
 * (the file is read in Blob slices, never whole), takes the first video track's decoder config,
 * size (the sample entry's: the decoded picture, as ffmpeg reports it) and sample table, and
 * notes whether an audio track exists. Edit lists are not applied (frames are the samples in
 * presentation order, as ffmpeg's frame count has them for encoder-delay edits). Fragmented MP4 and anything else it
 * cannot map to WebCodecs (a rotated track too) is a NotDemuxable result, so the caller decodes with ffmpeg.wasm.
 */
import { type Box, children, find, NotDemuxable, readRange, walkTopLevel } from './boxes';
import { decoderConfig, type DecoderConfig } from './codec';
import { sampleTable, type SampleTable } from './sample-table';

export { NotDemuxable, type NotDemuxableReason } from './boxes';

export interface Mp4Video {
  config: DecoderConfig;
  width: number;
  height: number;
  timescale: number;
  fps: number;
  frameCount: number;
  durationSeconds: number;
  hasAudio: boolean;
  samples: SampleTable;
}

export type DemuxResult = { ok: true; video: Mp4Video } | { ok: false; error: NotDemuxable };

const handler = (v: DataView, trak: Box) => {
  const hdlr = find(v, trak, 'mdia', 'hdlr');
  return hdlr ? String.fromCharCode(...new Uint8Array(v.buffer, v.byteOffset + hdlr.start + 8, 4)) : '';
};

/** Whether `tkhd`'s matrix turns the picture (phone videos): ffmpeg.wasm then decodes it, rotation and all. */
function rotated(v: DataView, trak: Box): boolean {
  const tkhd = find(v, trak, 'tkhd');
  const matrix = tkhd ? tkhd.start + (v.getUint8(tkhd.start) === 1 ? 52 : 40) : 0;
  return (
    !!tkhd &&
    (v.getInt32(matrix + 4) !== 0 ||
      v.getInt32(matrix + 12) !== 0 ||
      v.getInt32(matrix) < 0 ||
      v.getInt32(matrix + 16) < 0)
  );
}

function videoTrack(v: DataView, moov: Box, hasAudio: boolean, fileSize: number): Mp4Video {
  const trak = children(v, moov.start, moov.end).find((b) => b.type === 'trak' && handler(v, b) === 'vide');
  if (!trak) throw new NotDemuxable('no-video-track', 'The file has no video track.');
  const mdhd = find(v, trak, 'mdia', 'mdhd');
  const stbl = find(v, trak, 'mdia', 'minf', 'stbl');
  const stsd = stbl && find(v, stbl, 'stsd');
  if (!mdhd || !stbl || !stsd)
    throw new NotDemuxable('unsupported-layout', 'The video track lacks its media header or sample table.');
  const timescale = v.getUint32(mdhd.start + (v.getUint8(mdhd.start) === 1 ? 20 : 12));
  const config = decoderConfig(v, stsd);
  const samples = sampleTable(v, stbl, fileSize);
  const frameCount = samples.sizes.length;
  if (frameCount === 0 || timescale === 0)
    throw new NotDemuxable('unsupported-layout', 'The video track has no samples.');
  if (rotated(v, trak))
    throw new NotDemuxable('unsupported-layout', 'The video track is rotated or flipped (tkhd matrix).');
  const fps = samples.frameDelta > 0 ? timescale / samples.frameDelta : 25;
  return {
    config,
    width: config.codedWidth,
    height: config.codedHeight,
    timescale,
    fps: Math.round(fps * 1000) / 1000,
    frameCount,
    durationSeconds: samples.totalDuration / timescale,
    hasAudio,
    samples,
  };
}

/** Demuxes `file`; never throws for a file it cannot handle (the result says why). */
export async function demuxMp4(file: Blob): Promise<DemuxResult> {
  try {
    // A file cut short after a whole moov still has its tables checked: a damaged count there
    // is refused as such (mediabunny, which reads such files, can hang on it: docs/media-demux.md).
    const { boxes: top, cut } = await walkTopLevel(file);
    if (cut && !top.some((b) => b.type === 'moov')) throw cut;
    if (top.some((b) => b.type === 'moof'))
      throw new NotDemuxable('fragmented', 'The MP4 is fragmented (moof boxes).');
    const moovBox = top.find((b) => b.type === 'moov');
    if (!moovBox)
      throw new NotDemuxable('truncated', 'The file has no movie header (moov box): it may be cut short.');
    const v = await readRange(file, moovBox.start, moovBox.end - moovBox.start);
    const moov = { type: 'moov', start: 0, end: v.byteLength };
    if (find(v, moov, 'mvex')) throw new NotDemuxable('fragmented', 'The MP4 is fragmented (mvex box).');
    const hasAudio = children(v, 0, v.byteLength).some((b) => b.type === 'trak' && handler(v, b) === 'soun');
    const video = videoTrack(v, moov, hasAudio, file.size);
    if (cut) throw cut;
    return { ok: true, video };
  } catch (err) {
    if (err instanceof NotDemuxable) return { ok: false, error: err };
    if (err instanceof RangeError)
      return {
        ok: false,
        error: new NotDemuxable('truncated', `The movie header is cut short (${err.message}).`),
      };
    throw err;
  }
}

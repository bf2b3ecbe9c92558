/**
 * The WebCodecs decoder config of an MP4 video sample entry (`stsd`): `avc1`/`avc3` + `avcC` →
 * `avc1.PPCCLL` with the avcC record as `description`, `vp09` + `vpcC` → `vp09.PP.LL.DD`. Other
 * codecs (HEVC, AV1, MPEG-4 part 2…) are NotDemuxable('unsupported-codec'): ffmpeg.wasm decodes them.
 */
import { type Box, children, NotDemuxable } from './boxes';

export interface DecoderConfig {
  codec: string;
  description?: Uint8Array;
  codedWidth: number;
  codedHeight: number;
}

const hex2 = (n: number) => n.toString(16).padStart(2, '0');
const dec2 = (n: number) => String(n).padStart(2, '0');

/** Bytes of the visual sample entry fields before its child boxes (ISO 14496-12 VisualSampleEntry). */
const VISUAL_ENTRY_FIELDS = 78;

/** Reads the first sample entry of an `stsd` box. */
export function decoderConfig(v: DataView, stsd: Box): DecoderConfig {
  const entry = children(v, stsd.start + 8, stsd.end)[0];
  if (!entry) throw new NotDemuxable('unsupported-layout', 'The video track has no sample description.');
  const codedWidth = v.getUint16(entry.start + 24);
  const codedHeight = v.getUint16(entry.start + 26);
  const boxes = children(v, entry.start + VISUAL_ENTRY_FIELDS, entry.end);
  const bytes = (b: Box) => new Uint8Array(v.buffer.slice(v.byteOffset + b.start, v.byteOffset + b.end));
  if (entry.type === 'avc1' || entry.type === 'avc3') {
    const avcC = boxes.find((b) => b.type === 'avcC');
    if (!avcC) throw new NotDemuxable('unsupported-codec', `The ${entry.type} video has no avcC record.`);
    const codec = `avc1.${hex2(v.getUint8(avcC.start + 1))}${hex2(v.getUint8(avcC.start + 2))}${hex2(v.getUint8(avcC.start + 3))}`;
    return { codec, description: bytes(avcC), codedWidth, codedHeight };
  }
  if (entry.type === 'vp09') {
    const vpcC = boxes.find((b) => b.type === 'vpcC');
    if (!vpcC) throw new NotDemuxable('unsupported-codec', 'The vp09 video has no vpcC record.');
    const at = vpcC.start + 4;
    return {
      codec: `vp09.${dec2(v.getUint8(at))}.${dec2(v.getUint8(at + 1))}.${dec2(v.getUint8(at + 2) >> 4)}`,
      codedWidth,
      codedHeight,
    };
  }
  throw new NotDemuxable(
    'unsupported-codec',
    `The video codec "${entry.type}" is not decoded with WebCodecs here.`,
  );
}

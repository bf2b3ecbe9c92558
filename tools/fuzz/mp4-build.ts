/**
 * A tiny hand-built MP4 (ftyp, moov with one avc1 video track, mdat) for demuxer tests and the
 * fuzz harness: no ffmpeg needed. Options make it damaged the way probes found (a huge stsz count).
 */

const u32 = (n: number) => [(n >>> 24) & 255, (n >>> 16) & 255, (n >>> 8) & 255, n & 255];
const u16 = (n: number) => [(n >>> 8) & 255, n & 255];
const ascii = (s: string) => [...s].map((c) => c.charCodeAt(0));

/** One box: size, type, payload. */
export function box(type: string, ...payload: number[][]): number[] {
  const body = payload.flat();
  return [...u32(body.length + 8), ...ascii(type), ...body];
}

const full = (type: string, ...payload: number[][]) => box(type, [0, 0, 0, 0], ...payload);

export interface Mp4Options {
  samples?: number;
  /** Overrides the stsz sample count written (the sizes table keeps `samples` entries). */
  stszCount?: number;
  width?: number;
  height?: number;
  /** Pads mdat so the file has at least this many bytes. */
  padTo?: number;
}

/** The bytes of a small, well-formed MP4 (its samples are placeholders, not decodable H.264). */
export function buildMp4(o: Mp4Options = {}): Uint8Array<ArrayBuffer> {
  const n = o.samples ?? 4;
  const w = o.width ?? 64;
  const h = o.height ?? 48;
  const avcC = box('avcC', [1, 0x42, 0, 0x1e, 0xff, 0xe0, 0, 0]);
  const visual = [
    ...new Array(6).fill(0),
    ...u16(1),
    ...new Array(16).fill(0),
    ...u16(w),
    ...u16(h),
    ...u32(0x480000),
    ...u32(0x480000),
    ...u32(0),
    ...u16(1),
    ...new Array(32).fill(0),
    ...u16(24),
    ...u16(0xffff),
  ];
  const stsd = full('stsd', u32(1), box('avc1', visual, avcC));
  const stts = full('stts', u32(1), u32(n), u32(1000));
  const stsc = full('stsc', u32(1), u32(1), u32(n), u32(1));
  const stsz = full('stsz', u32(0), u32(o.stszCount ?? n), ...Array.from({ length: n }, () => u32(16)));
  const stss = full('stss', u32(1), u32(1));
  const stco = (at: number) => full('stco', u32(1), u32(at));
  const hdlr = full('hdlr', u32(0), ascii('vide'), new Array(12).fill(0), [0]);
  const mdhd = full('mdhd', u32(0), u32(0), u32(12000), u32(n * 1000), u32(0));
  const matrix = [
    ...u32(0x10000),
    ...u32(0),
    ...u32(0),
    ...u32(0),
    ...u32(0x10000),
    ...u32(0),
    ...u32(0),
    ...u32(0),
    ...u32(0x40000000),
  ];
  const tkhd = full(
    'tkhd',
    u32(0),
    u32(0),
    u32(1),
    u32(0),
    u32(n * 1000),
    new Array(8).fill(0),
    u16(0),
    u16(0),
    u16(0),
    u16(0),
    matrix,
    u32(w << 16),
    u32(h << 16),
  );
  const ftyp = box('ftyp', ascii('isom'), u32(512), ascii('isomavc1'));
  const moov = (at: number) =>
    box(
      'moov',
      box(
        'trak',
        tkhd,
        box('mdia', mdhd, hdlr, box('minf', box('stbl', stsd, stts, stsc, stsz, stss, stco(at)))),
      ),
    );
  const mdatStart = ftyp.length + moov(0).length + 8;
  const mdat = box('mdat', new Array(Math.max(16 * n, (o.padTo ?? 0) - mdatStart)).fill(0));
  return new Uint8Array([...ftyp, ...moov(mdatStart), ...mdat]);
}

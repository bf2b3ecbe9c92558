/**
 * Inspects downloaded MP4s with the system's ffprobe/ffmpeg and compares decoded frames with
 * the analytic pack's pure-JS reference.
 */
import { expect } from '@playwright/test';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { referenceFrames, type ReferenceRequest } from '../../tools/demo-pack/reference';

export interface ProbeResult {
  codec: string;
  width: number;
  height: number;
  frames: number;
  comment: Record<string, unknown>;
  /** The container's `encoder` tag ("Lavf…" when ffmpeg muxed it), or undefined. */
  encoderTag: string | undefined;
}

export function probe(path: string): ProbeResult {
  const out = JSON.parse(
    execFileSync(
      'ffprobe',
      ['-v', 'error', '-count_frames', '-show_streams', '-show_format', '-of', 'json', path],
      { encoding: 'utf8' },
    ),
  ) as {
    streams: {
      codec_type: string;
      codec_name: string;
      width: number;
      height: number;
      nb_read_frames: string;
    }[];
    format: { tags?: Record<string, string> };
  };
  const video = out.streams.find((s) => s.codec_type === 'video');
  if (!video) throw new Error(`${path} has no video stream`);
  const comment = out.format.tags?.comment;
  return {
    codec: video.codec_name,
    width: video.width,
    height: video.height,
    frames: Number(video.nb_read_frames),
    comment: comment ? (JSON.parse(comment) as Record<string, unknown>) : {},
    encoderTag: out.format.tags?.encoder,
  };
}

/** Decodes every frame to packed RGB24. */
export function decodeRgb(path: string): Buffer {
  return execFileSync('ffmpeg', ['-v', 'error', '-i', path, '-f', 'rawvideo', '-pix_fmt', 'rgb24', '-'], {
    maxBuffer: 512 * 1024 * 1024,
  });
}

/** Mean and max absolute difference (0–255) between a decoded MP4 and the reference frames. */
export function compareWithReference(
  path: string,
  r: ReferenceRequest,
): { mean: number; max: number; frames: number } {
  const ref = referenceFrames(r);
  const rgb = decodeRgb(path);
  const pixels = ref.rgba.length / 4;
  if (rgb.length !== pixels * 3) throw new Error(`decoded ${rgb.length / 3} pixels, expected ${pixels}`);
  let sum = 0;
  let max = 0;
  for (let p = 0; p < pixels; p++) {
    for (let c = 0; c < 3; c++) {
      const d = Math.abs((rgb[p * 3 + c] as number) - (ref.rgba[p * 4 + c] as number));
      sum += d;
      if (d > max) max = d;
    }
  }
  return { mean: sum / (pixels * 3), max, frames: r.frames };
}

/** True when the H.264 stream carries libx264's SEI banner (the ffmpeg.wasm fallback encoder). */
export function encodedByX264(path: string): boolean {
  return readFileSync(path).includes('x264 - core');
}

/** The first audio stream's codec and its packets: presentation time (seconds) and bytes (hex), as ffprobe reads them. */
export function audioPackets(path: string): { codec: string; packets: { pts: number; hex: string }[] } {
  const out = JSON.parse(
    execFileSync(
      'ffprobe',
      [
        '-v',
        'error',
        '-select_streams',
        'a:0',
        '-show_streams',
        '-show_packets',
        '-show_data',
        '-of',
        'json',
        path,
      ],
      { encoding: 'utf8', maxBuffer: 64 << 20 },
    ),
  ) as { streams: { codec_name: string }[]; packets: { pts_time: string; data: string }[] };
  // -show_data prints "offset: hex words  ascii" lines; keep the hex words only.
  const hex = (dump: string) =>
    dump
      .split('\n')
      .map((line) => line.slice(10, 50).replace(/\s/g, ''))
      .join('');
  return {
    codec: out.streams[0]?.codec_name ?? '',
    packets: out.packets.map((p) => ({ pts: Number(p.pts_time), hex: hex(p.data) })),
  };
}

/**
 * `output`'s audio packets are, byte for byte and in order, exactly `source`'s packets that start
 * in the matted range [0, seconds) (AAC's priming packet, before 0, left out): the audio was
 * stream-copied, not re-encoded.
 */
export function expectAudioCopied(source: string, output: string, seconds: number): void {
  const [src, out] = [audioPackets(source), audioPackets(output)];
  expect([src.codec, out.codec]).toEqual(['aac', 'aac']);
  const inRange = src.packets.filter((p) => p.pts >= -5e-4 && p.pts < seconds - 5e-4);
  expect(inRange.length).toBeGreaterThan(1);
  expect(inRange.length).toBeLessThan(src.packets.length);
  expect(out.packets.map((p) => p.hex)).toEqual(inRange.map((p) => p.hex));
}

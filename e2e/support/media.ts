/**
 * Inspects downloaded MP4s with the system's ffprobe/ffmpeg and compares decoded frames with
 * the analytic pack's pure-JS reference.
 */
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

/**
 * Decode-only benchmark (`npm run bench`, bench.html?decode): opens a video through the media
 * worker's calls and reads every frame in chunks of 8, as a matting run does; frames per second
 * of the reads (opening, i.e. demux or ffmpeg probe, timed apart).
 */
import type { RgbaFrame } from '../matting/frames';
import type { VideoDecoderKind, VideoInfo } from '../media/video-probe';

/** The media worker's video calls (src/workers/media.worker.ts). */
export interface VideoReader {
  openVideo(id: string, file: Blob, name: string, prefer?: VideoDecoderKind): Promise<VideoInfo>;
  readFrames(id: string, start: number, count: number): Promise<RgbaFrame[]>;
  closeVideo(id: string): Promise<void>;
}

export interface DecodeBenchResult {
  decoder: VideoDecoderKind;
  resolution: string;
  frames: number;
  openMs: number;
  readMs: number;
  fps: number;
}

export const DECODE_CHUNK = 8;

export async function benchDecode(
  api: VideoReader,
  file: Blob,
  prefer: VideoDecoderKind,
): Promise<DecodeBenchResult> {
  const id = `decode-bench-${prefer}`;
  const t0 = performance.now();
  const info = await api.openVideo(id, file, 'decode-bench.mp4', prefer);
  const opened = performance.now();
  let frames = 0;
  try {
    for (let at = 0; at < info.frameCount; at += DECODE_CHUNK)
      frames += (await api.readFrames(id, at, DECODE_CHUNK)).length;
  } finally {
    await api.closeVideo(id);
  }
  const readMs = performance.now() - opened;
  return {
    decoder: info.decoder,
    resolution: `${info.width}x${info.height}`,
    frames,
    openMs: opened - t0,
    readMs,
    fps: frames / (readMs / 1000),
  };
}

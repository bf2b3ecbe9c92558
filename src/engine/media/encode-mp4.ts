/**
 * Frames → H.264 MP4 with the settings JSON in the `comment` tag (ffmpeg writes it as the
 * ©cmt atom, where WanGP puts its settings). Fast path: WebCodecs H.264 (Annex B) encode, then
 * an ffmpeg.wasm stream-copy mux; fallback: ffmpeg.wasm libx264 on raw RGBA.
 */
import { concatBytes } from '../bytes';
import type { FrameStack } from '../pipeline/frames';
import type { FfmpegSession } from './ffmpeg-session';

export type VideoEncoderChoice = 'auto' | 'webcodecs' | 'ffmpeg';

export interface Mp4Options {
  fps: number;
  /** Settings JSON written to the comment tag (none in metadata modes "json" and "none"). */
  comment?: string;
  encoder: VideoEncoderChoice;
}

export interface Mp4Result {
  bytes: Uint8Array;
  encoder: 'webcodecs' | 'ffmpeg';
}

/** H.264 Constrained Baseline, level 3.1 (up to 1280×720). */
const AVC_CODEC = 'avc1.42E01F';

export function webCodecsConfig(frames: { width: number; height: number }, fps: number): VideoEncoderConfig {
  return {
    codec: AVC_CODEC,
    width: frames.width,
    height: frames.height,
    framerate: fps,
    // ~2 bits per pixel: near-transparent quality at the small sizes WebGP makes.
    bitrate: Math.max(200_000, frames.width * frames.height * fps * 2),
    avc: { format: 'annexb' },
  };
}

/** Whether this browser's WebCodecs can encode H.264 at this size (even sides only). */
export async function canUseWebCodecs(
  frames: { width: number; height: number },
  fps: number,
): Promise<boolean> {
  if (typeof VideoEncoder !== 'function' || typeof VideoFrame !== 'function') return false;
  if (frames.width % 2 || frames.height % 2) return false;
  try {
    return (await VideoEncoder.isConfigSupported(webCodecsConfig(frames, fps))).supported === true;
  } catch {
    return false;
  }
}

/** Encodes all frames with WebCodecs into one Annex B H.264 elementary stream. */
async function encodeAnnexB(frames: FrameStack, fps: number): Promise<Uint8Array> {
  const chunks: Uint8Array[] = [];
  let failure: Error | undefined;
  const encoder = new VideoEncoder({
    output: (chunk) => {
      const buf = new Uint8Array(chunk.byteLength);
      chunk.copyTo(buf);
      chunks.push(buf);
    },
    error: (e) => {
      failure = e;
    },
  });
  encoder.configure(webCodecsConfig(frames, fps));
  const frameBytes = frames.width * frames.height * 4;
  const duration = Math.round(1e6 / fps);
  for (let i = 0; i < frames.count; i++) {
    const data = frames.rgba.subarray(i * frameBytes, (i + 1) * frameBytes);
    const frame = new VideoFrame(data, {
      format: 'RGBA',
      codedWidth: frames.width,
      codedHeight: frames.height,
      timestamp: i * duration,
      duration,
    });
    encoder.encode(frame, { keyFrame: i === 0 });
    frame.close();
  }
  await encoder.flush();
  encoder.close();
  if (failure) throw failure;
  return concatBytes(chunks);
}

/** ffmpeg output arguments: the settings comment tag (when given) and a front-loaded moov atom. */
export const metadataArgs = (comment: string | undefined) => [
  ...(comment === undefined ? [] : ['-metadata', `comment=${comment}`]),
  '-movflags',
  '+faststart',
];

export async function encodeMp4(
  frames: FrameStack,
  opts: Mp4Options,
  ffmpeg: FfmpegSession,
): Promise<Mp4Result> {
  const fps = String(opts.fps);
  if (opts.encoder !== 'ffmpeg' && (await canUseWebCodecs(frames, opts.fps))) {
    const stream = await encodeAnnexB(frames, opts.fps);
    const bytes = await ffmpeg.run({
      inputs: { 'in.h264': stream },
      args: [
        '-f',
        'h264',
        '-framerate',
        fps,
        '-i',
        'in.h264',
        '-c:v',
        'copy',
        ...metadataArgs(opts.comment),
        'out.mp4',
      ],
      output: 'out.mp4',
    });
    return { bytes, encoder: 'webcodecs' };
  }
  // ffmpeg.wasm writeFile transfers the buffer: hand it a copy so the caller keeps its frames.
  const bytes = await ffmpeg.run({
    inputs: { 'in.rgba': frames.rgba.slice() },
    args: [
      '-f',
      'rawvideo',
      '-pix_fmt',
      'rgba',
      '-s',
      `${frames.width}x${frames.height}`,
      '-framerate',
      fps,
      '-i',
      'in.rgba',
      '-c:v',
      'libx264',
      '-preset',
      'veryfast',
      '-crf',
      '12',
      '-pix_fmt',
      'yuv420p',
      ...metadataArgs(opts.comment),
      'out.mp4',
    ],
    output: 'out.mp4',
  });
  return { bytes, encoder: 'ffmpeg' };
}

/**
 * An H.264 stream built frame by frame, so a long clip never sits in memory as raw frames:
 * WebCodecs (packets for the mediabunny muxer) where it can encode H.264, else ffmpeg.wasm
 * libx264 on chunks of frames whose Annex B streams are concatenated (each chunk opens with
 * SPS/PPS and an IDR frame; B-frames off so the raw stream muxes with timestamps from the frame
 * rate alone).
 */
import { concatBytes } from '../../engine/bytes';
import type { VideoEncoderChoice } from '../../engine/media/encoder-choice';
import type { FfmpegSession } from './ffmpeg-session';
import { canEncodeH264, type EncodedVideo, H264Encoder } from './h264-encoder';

/** Frames per ffmpeg.wasm encode call. */
const CHUNK_FRAMES = 8;

export type H264Output = { kind: 'webcodecs'; video: EncodedVideo } | { kind: 'ffmpeg'; annexB: Uint8Array };

export class H264Stream {
  private readonly parts: Uint8Array[] = [];
  private pending: Uint8Array[] = [];

  private constructor(
    private readonly ffmpeg: FfmpegSession,
    readonly width: number,
    readonly height: number,
    readonly fps: number,
    private readonly encoder: H264Encoder | undefined,
  ) {}

  /** 'webcodecs' or 'ffmpeg', whichever this stream encodes with. */
  get kind(): 'webcodecs' | 'ffmpeg' {
    return this.encoder ? 'webcodecs' : 'ffmpeg';
  }

  static async create(
    ffmpeg: FfmpegSession,
    width: number,
    height: number,
    fps: number,
    choice: VideoEncoderChoice,
  ): Promise<H264Stream> {
    const webCodecs = choice !== 'ffmpeg' && (await canEncodeH264({ width, height }, fps));
    const encoder = webCodecs ? new H264Encoder({ width, height }, fps) : undefined;
    return new H264Stream(ffmpeg, width, height, fps, encoder);
  }

  /** Adds one RGBA frame (width × height × 4 bytes; not kept after the call returns). */
  async push(rgba: Uint8Array): Promise<void> {
    if (this.encoder) return this.encoder.encode(rgba);
    this.pending.push(rgba.slice());
    if (this.pending.length >= CHUNK_FRAMES) await this.flushChunk();
  }

  private async flushChunk(): Promise<void> {
    if (!this.pending.length) return;
    const raw = concatBytes(this.pending);
    this.pending = [];
    const size = `${this.width}x${this.height}`;
    const input = ['-hide_banner', '-f', 'rawvideo', '-pix_fmt', 'rgba', '-s', size];
    const even = ['-vf', 'pad=ceil(iw/2)*2:ceil(ih/2)*2', '-c:v', 'libx264', '-preset', 'veryfast'];
    const output = ['-crf', '12', '-bf', '0', '-pix_fmt', 'yuv420p', '-f', 'h264', 'chunk-out.h264'];
    this.parts.push(
      await this.ffmpeg.run({
        inputs: { 'chunk-in.rgba': raw },
        args: [...input, '-framerate', String(this.fps), '-i', 'chunk-in.rgba', ...even, ...output],
        output: 'chunk-out.h264',
      }),
    );
  }

  /** The whole stream (after the last push). */
  async finish(): Promise<H264Output> {
    if (this.encoder) return { kind: 'webcodecs', video: await this.encoder.finish() };
    await this.flushChunk();
    return { kind: 'ffmpeg', annexB: concatBytes(this.parts) };
  }

  /** Stops without output (abort). */
  close(): void {
    this.encoder?.close();
    this.pending = [];
  }
}

/**
 * An H.264 elementary stream (Annex B) built frame by frame, so a long clip never sits in memory
 * as raw frames: WebCodecs VideoEncoder where it can encode H.264, else ffmpeg.wasm libx264 on
 * chunks of frames whose streams are concatenated (each chunk opens with SPS/PPS and an IDR
 * frame; B-frames off so the raw stream muxes with timestamps from the frame rate alone).
 */
import { concatBytes } from '../bytes';
import { canUseWebCodecs, type VideoEncoderChoice, webCodecsConfig } from './encode-mp4';
import type { FfmpegSession } from './ffmpeg-session';

/** Frames per ffmpeg.wasm encode call. */
const CHUNK_FRAMES = 8;

export class H264Stream {
  private readonly parts: Uint8Array[] = [];
  private pending: Uint8Array[] = [];
  private encoder: VideoEncoder | undefined;
  private failure: Error | undefined;
  private count = 0;

  private constructor(
    private readonly ffmpeg: FfmpegSession,
    readonly width: number,
    readonly height: number,
    readonly fps: number,
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
    const s = new H264Stream(ffmpeg, width, height, fps);
    if (choice !== 'ffmpeg' && (await canUseWebCodecs({ width, height }, fps))) {
      s.encoder = new VideoEncoder({
        output: (chunk) => {
          const buf = new Uint8Array(chunk.byteLength);
          chunk.copyTo(buf);
          s.parts.push(buf);
        },
        error: (e) => (s.failure = e),
      });
      s.encoder.configure(webCodecsConfig({ width, height }, fps));
    }
    return s;
  }

  /** Adds one RGBA frame (width × height × 4 bytes; not kept after the call returns). */
  async push(rgba: Uint8Array): Promise<void> {
    if (this.failure) throw this.failure;
    const i = this.count++;
    if (this.encoder) {
      const duration = Math.round(1e6 / this.fps);
      const frame = new VideoFrame(rgba, {
        format: 'RGBA',
        codedWidth: this.width,
        codedHeight: this.height,
        timestamp: i * duration,
        duration,
      });
      this.encoder.encode(frame, { keyFrame: i === 0 });
      frame.close();
      return;
    }
    this.pending.push(rgba.slice());
    if (this.pending.length >= CHUNK_FRAMES) await this.flushChunk();
  }

  private async flushChunk(): Promise<void> {
    if (!this.pending.length) return;
    const raw = concatBytes(this.pending);
    this.pending = [];
    const args = [
      '-hide_banner',
      '-f',
      'rawvideo',
      '-pix_fmt',
      'rgba',
      '-s',
      `${this.width}x${this.height}`,
      '-framerate',
      String(this.fps),
      '-i',
      'chunk-in.rgba',
    ];
    const even = [
      '-vf',
      'pad=ceil(iw/2)*2:ceil(ih/2)*2',
      '-c:v',
      'libx264',
      '-preset',
      'veryfast',
      '-crf',
      '12',
      '-bf',
      '0',
      '-pix_fmt',
      'yuv420p',
      '-f',
      'h264',
      'chunk-out.h264',
    ];
    this.parts.push(
      await this.ffmpeg.run({
        inputs: { 'chunk-in.rgba': raw },
        args: [...args, ...even],
        output: 'chunk-out.h264',
      }),
    );
  }

  /** The whole stream (after the last push). */
  async finish(): Promise<Uint8Array> {
    if (this.encoder) {
      await this.encoder.flush();
      this.encoder.close();
    } else await this.flushChunk();
    if (this.failure) throw this.failure;
    return concatBytes(this.parts);
  }

  /** Stops without output (abort). */
  close(): void {
    if (this.encoder?.state === 'configured') this.encoder.close();
    this.pending = [];
  }
}

/**
 * The outputs of one matting run, written frame by frame as alphas arrive: the foreground video
 * (per mask type), the alpha video, a zip of RGBA PNGs (img_000.png…), and at the end the source
 * audio of the matted range (muxed into the foreground video and saved as its own .m4a).
 *
 * Mask types (MP4/H.264 has no alpha channel, so transparency lives in the PNG zip and the alpha
 * video): "alpha" and "foreground-black" composite the foreground over black, "greenscreen" over
 * MatAnyone's green (120, 255, 155).
 */
import { Zip, ZipPassThrough } from 'fflate';
import { metadataArgs, type VideoEncoderChoice } from './encode-mp4';
import type { FfmpegSession } from './ffmpeg-session';
import { concatBytes } from '../bytes';
import { H264Stream } from './h264-stream';
import type { AlphaFrame, RgbaFrame } from '../matting/frames';
import type { MaskType } from '../matting/request';

export interface MattingWriterOptions {
  width: number;
  height: number;
  fps: number;
  maskType: MaskType;
  encoder: VideoEncoderChoice;
  /** Settings JSON for the videos' comment tag. */
  comment?: string;
  /** The source video in ffmpeg's file system and where the matted range starts, for its audio. */
  audio?: { path: string; startSeconds: number };
}

export interface MattingFiles {
  foreground: Uint8Array;
  alpha: Uint8Array;
  zip: Uint8Array;
  audio?: Uint8Array;
  thumbnail: Blob;
  frames: number;
  encoder: 'webcodecs' | 'ffmpeg';
}

const BACKGROUND: Record<MaskType, [number, number, number]> = {
  alpha: [0, 0, 0],
  'foreground-black': [0, 0, 0],
  greenscreen: [120, 255, 155],
};

/** The foreground over the mask type's background, and the alpha as a grey RGBA frame. */
export function compositeFrame(
  frame: RgbaFrame,
  alpha: AlphaFrame,
  maskType: MaskType,
): { foreground: Uint8Array; grey: Uint8Array; rgba: Uint8ClampedArray } {
  const bg = BACKGROUND[maskType];
  const n = frame.width * frame.height;
  const foreground = new Uint8Array(n * 4);
  const grey = new Uint8Array(n * 4);
  const rgba = new Uint8ClampedArray(n * 4);
  for (let p = 0; p < n; p++) {
    const a = alpha.data[p] as number;
    const f = a / 255;
    for (let c = 0; c < 3; c++) {
      const v = frame.data[p * 4 + c] as number;
      foreground[p * 4 + c] = Math.round(v * f + (bg[c] as number) * (1 - f));
      grey[p * 4 + c] = a;
      rgba[p * 4 + c] = v;
    }
    foreground[p * 4 + 3] = 255;
    grey[p * 4 + 3] = 255;
    rgba[p * 4 + 3] = a;
  }
  return { foreground, grey, rgba };
}

async function pngOf(rgba: Uint8ClampedArray, width: number, height: number): Promise<Blob> {
  const canvas = new OffscreenCanvas(width, height);
  const ctx = canvas.getContext('2d');
  if (!ctx) throw new Error('2D canvas is not available for PNG frames');
  ctx.putImageData(new ImageData(rgba as Uint8ClampedArray<ArrayBuffer>, width, height), 0, 0);
  return canvas.convertToBlob({ type: 'image/png' });
}

export class MattingWriter {
  private readonly zipParts: Uint8Array[] = [];
  private readonly zip = new Zip((err, chunk) => {
    if (err) throw err;
    this.zipParts.push(chunk);
  });
  private frames = 0;
  private thumbnail: Blob | undefined;

  private constructor(
    private readonly ffmpeg: FfmpegSession,
    private readonly o: MattingWriterOptions,
    private readonly fg: H264Stream,
    private readonly alpha: H264Stream,
  ) {}

  static async create(ffmpeg: FfmpegSession, o: MattingWriterOptions): Promise<MattingWriter> {
    const make = () => H264Stream.create(ffmpeg, o.width, o.height, o.fps, o.encoder);
    return new MattingWriter(ffmpeg, o, await make(), await make());
  }

  /** Writes frame i of the run with its alpha. */
  async write(frame: RgbaFrame, alpha: AlphaFrame): Promise<void> {
    const { foreground, grey, rgba } = compositeFrame(frame, alpha, this.o.maskType);
    await this.fg.push(foreground);
    await this.alpha.push(grey);
    const png = await pngOf(rgba, frame.width, frame.height);
    this.thumbnail ??= png;
    const entry = new ZipPassThrough(`img_${String(this.frames).padStart(3, '0')}.png`);
    this.zip.add(entry);
    entry.push(new Uint8Array(await png.arrayBuffer()), true);
    this.frames++;
  }

  /** Muxes the videos (audio into the foreground one) and closes the zip. */
  async finish(): Promise<MattingFiles> {
    const fps = String(this.o.fps);
    const meta = metadataArgs(this.o.comment);
    const video = ['-f', 'h264', '-framerate', fps, '-i', 'in.h264'];
    const a = this.o.audio;
    const range = a
      ? ['-ss', a.startSeconds.toFixed(6), '-t', (this.frames / this.o.fps).toFixed(6), '-i', a.path]
      : [];
    const withAudio = a ? ['-map', '0:v:0', '-map', '1:a:0', '-c:a', 'aac', '-shortest'] : [];
    const foreground = await this.ffmpeg.run({
      inputs: { 'in.h264': await this.fg.finish() },
      args: [...video, ...range, ...withAudio, '-c:v', 'copy', ...meta, 'fg.mp4'],
      output: 'fg.mp4',
    });
    const alpha = await this.ffmpeg.run({
      inputs: { 'in.h264': await this.alpha.finish() },
      args: [...video, '-c:v', 'copy', ...meta, 'alpha.mp4'],
      output: 'alpha.mp4',
    });
    const audio = a
      ? await this.ffmpeg.run({
          inputs: {},
          args: [...range, '-map', '0:a:0', '-c:a', 'aac', 'audio.m4a'],
          output: 'audio.m4a',
        })
      : undefined;
    this.zip.end();
    const zip = concatBytes(this.zipParts);
    if (!this.thumbnail) throw new Error('no frames were written');
    return {
      foreground,
      alpha,
      zip,
      ...(audio ? { audio } : {}),
      thumbnail: this.thumbnail,
      frames: this.frames,
      encoder: this.fg.kind,
    };
  }

  close(): void {
    this.fg.close();
    this.alpha.close();
  }
}

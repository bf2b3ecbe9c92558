/**
 * The outputs of one matting run, written frame by frame as alphas arrive: the foreground video
 * (per mask type), the alpha video, a zip of RGBA PNGs (img_000.png…), and at the end the source
 * audio of the matted range (in the foreground video and as its own .m4a). WebCodecs streams are
 * muxed by mediabunny with the source audio copied as it is; AAC from ffmpeg.wasm only where the
 * source codec cannot go into an MP4. The ffmpeg.wasm encode fallback muxes with ffmpeg as before.
 */
import { Zip, ZipPassThrough } from 'fflate';
import { rgbaPng } from '../../browser/canvas-png';
import { concatBytes } from '../../engine/bytes';
import type { Mp4Muxer, VideoEncoderChoice } from '../../engine/media/encoder-choice';
import type { FfmpegSession } from './ffmpeg-session';
import { compositeFrame } from '../../engine/matting/composite';
import type { AlphaFrame, RgbaFrame } from '../../engine/matting/frames';
import type { MaskType } from '../../engine/matting/request';
import { type AudioPackets, copyAudio } from './audio-copy';
import { metadataArgs } from './encode-mp4';
import { type H264Output, H264Stream } from './h264-stream';
import { muxMp4 } from './mux-mp4';

export interface MattingWriterOptions {
  width: number;
  height: number;
  fps: number;
  maskType: MaskType;
  encoder: VideoEncoderChoice;
  /** Settings JSON for the videos' comment tag. */
  comment?: string;
  /** The source video (its Blob, and its path in ffmpeg's file system on demand) and where the matted range starts. */
  audio?: { file: Blob; ffmpegPath: () => Promise<string>; startSeconds: number };
}

export interface MattingFiles {
  foreground: Uint8Array;
  alpha: Uint8Array;
  zip: Uint8Array;
  audio?: Uint8Array;
  thumbnail: Blob;
  frames: number;
  encoder: 'webcodecs' | 'ffmpeg';
  muxer: Mp4Muxer;
  /** 'copy' when the source audio went in as it was, 'aac' when ffmpeg.wasm re-encoded it. */
  audioCodec?: 'copy' | 'aac';
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
    const png = await rgbaPng(rgba, frame.width, frame.height);
    this.thumbnail ??= png;
    const entry = new ZipPassThrough(`img_${String(this.frames).padStart(3, '0')}.png`);
    this.zip.add(entry);
    entry.push(new Uint8Array(await png.arrayBuffer()), true);
    this.frames++;
  }

  /** ffmpeg arguments that read the matted range of the source audio. */
  private async audioRange(): Promise<string[]> {
    const a = this.o.audio;
    if (!a) return [];
    const [ss, t] = [a.startSeconds.toFixed(6), (this.frames / this.o.fps).toFixed(6)];
    return ['-ss', ss, '-t', t, '-i', await a.ffmpegPath()];
  }

  /** The matted range's audio as packets: copied, or AAC from ffmpeg.wasm when the codec cannot go into an MP4. */
  private async audioPackets(): Promise<{ packets: AudioPackets; codec: 'copy' | 'aac' } | undefined> {
    const a = this.o.audio;
    if (!a) return undefined;
    const seconds = this.frames / this.o.fps;
    const copied = await copyAudio(a.file, a.startSeconds, seconds);
    if (copied) return { packets: copied, codec: 'copy' };
    const m4a = await this.ffmpeg.run({
      inputs: {},
      args: [...(await this.audioRange()), '-map', '0:a:0', '-c:a', 'aac', 'audio.m4a'],
      output: 'audio.m4a',
    });
    const aac = await copyAudio(new Blob([m4a as Uint8Array<ArrayBuffer>]), 0, seconds);
    return aac && { packets: aac, codec: 'aac' };
  }

  /** The videos muxed by mediabunny (WebCodecs streams). */
  private async muxed(fg: H264Output & { kind: 'webcodecs' }, alpha: H264Output & { kind: 'webcodecs' }) {
    const base = { fps: this.o.fps, ...(this.o.comment === undefined ? {} : { comment: this.o.comment }) };
    const audio = await this.audioPackets();
    const withAudio = audio ? { audio: audio.packets } : {};
    return {
      foreground: await muxMp4({ ...base, video: fg.video, ...withAudio }),
      alpha: await muxMp4({ ...base, video: alpha.video }),
      ...(audio ? { audio: await muxMp4({ audio: audio.packets }), audioCodec: audio.codec } : {}),
      muxer: 'mediabunny' as const,
    };
  }

  /** The videos muxed by ffmpeg.wasm (its own encode fallback), audio re-encoded to AAC. */
  private async ffmpegMuxed(fg: Uint8Array, alpha: Uint8Array) {
    const meta = metadataArgs(this.o.comment);
    const video = ['-f', 'h264', '-framerate', String(this.o.fps), '-i', 'in.h264'];
    const range = await this.audioRange();
    const withAudio = range.length ? ['-map', '0:v:0', '-map', '1:a:0', '-c:a', 'aac', '-shortest'] : [];
    const mux = (input: Uint8Array, args: string[], output: string) =>
      this.ffmpeg.run({ inputs: { 'in.h264': input }, args: [...video, ...args, ...meta, output], output });
    const foreground = await mux(fg, [...range, ...withAudio, '-c:v', 'copy'], 'fg.mp4');
    const alphaMp4 = await mux(alpha, ['-c:v', 'copy'], 'alpha.mp4');
    const audio = range.length
      ? await this.ffmpeg.run({
          inputs: {},
          args: [...range, '-map', '0:a:0', '-c:a', 'aac', 'audio.m4a'],
          output: 'audio.m4a',
        })
      : undefined;
    return {
      foreground,
      alpha: alphaMp4,
      ...(audio ? { audio, audioCodec: 'aac' as const } : {}),
      muxer: 'ffmpeg' as const,
    };
  }

  /** Muxes the videos (audio into the foreground one) and closes the zip. */
  async finish(): Promise<MattingFiles> {
    const fg = await this.fg.finish();
    const alpha = await this.alpha.finish();
    const videos =
      fg.kind === 'webcodecs' && alpha.kind === 'webcodecs'
        ? await this.muxed(fg, alpha)
        : fg.kind === 'ffmpeg' && alpha.kind === 'ffmpeg'
          ? await this.ffmpegMuxed(fg.annexB, alpha.annexB)
          : undefined;
    if (!videos) throw new Error('the foreground and alpha videos were encoded by different encoders');
    this.zip.end();
    if (!this.thumbnail) throw new Error('no frames were written');
    return {
      ...videos,
      zip: concatBytes(this.zipParts),
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

/** Media worker: frames → MP4 (WebCodecs + mediabunny, ffmpeg.wasm as the fallback) or PNG, thumbnails, and the matting video I/O, behind comlink. */
import coreURL from '@ffmpeg/core?url';
import wasmURL from '@ffmpeg/core/wasm?url';
import { expose, transfer } from 'comlink';
import { holdAliveLock } from './alive-lock';
import { installErrorTransfer } from '../browser/comlink-errors';
import { encodeMp4, mp4Plan, type Mp4Options } from './media/encode-mp4';
import { FfmpegSession } from './media/ffmpeg-session';
import { type MattingFiles, MattingWriter, type MattingWriterOptions } from './media/matting-writer';
import type { VideoEncoderChoice } from '../engine/media/encoder-choice';
import type { AlphaFrame, RgbaFrame } from '../engine/matting/frames';
import { framePng, thumbnailPng } from './media/thumbnail';
import type { FrameSource } from './media/frame-source';
import { openFrameSource } from './media/open-frame-source';
import { MediabunnySource } from './media/mediabunny-source';
import { benchMux } from './media/mux-bench';
import type { VideoDecoderKind } from '../engine/media/video-probe';
import type { FrameStack } from '../engine/pipeline/frames';

installErrorTransfer();
const ffmpeg = new FfmpegSession({ coreURL, wasmURL });
const sources = new Map<string, FrameSource>();
/** The open videos' files (their audio is copied from them). */
const files = new Map<string, Blob>();
const writers = new Map<string, MattingWriter>();

function source(id: string): FrameSource {
  const s = sources.get(id);
  if (!s) throw new Error(`No open video "${id}"`);
  return s;
}

const api = {
  holdAliveLock,
  /** Encodes the clip and a thumbnail of its middle frame. */
  async encodeVideo(frames: FrameStack, opts: Mp4Options) {
    const mp4 = await encodeMp4(frames, opts, ffmpeg);
    const thumbnail = await thumbnailPng(frames, Math.floor(frames.count / 2));
    return {
      video: new Blob([mp4.bytes as Uint8Array<ArrayBuffer>], { type: 'video/mp4' }),
      thumbnail,
      encoder: mp4.encoder,
      muxer: mp4.muxer,
    };
  },
  /** Which encoder and muxer encodeVideo will use (for the settings written before it runs). */
  mp4Plan: (size: { width: number; height: number }, fps: number, choice: VideoEncoderChoice) =>
    mp4Plan(size, fps, choice),
  /** A single frame as a PNG (settings in its `comment` text chunk when given) and its thumbnail. */
  async encodeImage(frames: FrameStack, comment?: string) {
    return { image: await framePng(frames, 0, comment), thumbnail: await thumbnailPng(frames, 0) };
  },
  /** Opens a video for chunked decoding under `id` (WebCodecs where it can, else ffmpeg.wasm) and returns its facts, `decoder` included (EngineError 'invalid-video' when unreadable). */
  async openVideo(id: string, file: Blob, name: string, prefer?: VideoDecoderKind) {
    await sources.get(id)?.close();
    sources.delete(id);
    const path = `src-${id}`;
    const viaWebCodecs = () => MediabunnySource.open(ffmpeg, path, name, file);
    const s = await openFrameSource(ffmpeg, path, name, file, prefer, viaWebCodecs);
    sources.set(id, s);
    files.set(id, file);
    return s.info;
  },
  /** Decodes frames [start, start + count) of an open video; their buffers are transferred. */
  async readFrames(id: string, start: number, count: number): Promise<RgbaFrame[]> {
    const frames = await source(id).read(start, count);
    return transfer(
      frames,
      frames.map((f) => f.data.buffer),
    );
  },
  /** Which decoder reads an open video now (ffmpeg after a WebCodecs decode error switched it). */
  videoDecoder: (id: string) => source(id).info.decoder,
  async closeVideo(id: string) {
    await sources.get(id)?.close();
    sources.delete(id);
    files.delete(id);
  },
  /** Starts the outputs of a matting run; `audioFrom` names an open video whose audio is reattached. */
  async openWriter(
    id: string,
    o: Omit<MattingWriterOptions, 'audio'>,
    audioFrom?: { videoId: string; startSeconds: number },
  ) {
    writers.get(id)?.close();
    const src = audioFrom && source(audioFrom.videoId);
    const file = audioFrom && files.get(audioFrom.videoId);
    const audio =
      audioFrom && src?.info.hasAudio && file
        ? { audio: { file, ffmpegPath: () => src.ffmpegPath(), startSeconds: audioFrom.startSeconds } }
        : {};
    writers.set(id, await MattingWriter.create(ffmpeg, { ...o, ...audio }));
  },
  async writeFrame(id: string, frame: RgbaFrame, alpha: AlphaFrame) {
    const w = writers.get(id);
    if (!w) throw new Error(`No open matting output "${id}"`);
    await w.write(frame, alpha);
  },
  /** Finishes the run's files (videos, zip, audio) and forgets the writer. */
  async closeWriter(id: string): Promise<MattingFiles> {
    const w = writers.get(id);
    if (!w) throw new Error(`No open matting output "${id}"`);
    writers.delete(id);
    const files = await w.finish();
    return transfer(files, [
      files.foreground.buffer,
      files.alpha.buffer,
      files.zip.buffer,
      ...(files.audio ? [files.audio.buffer] : []),
    ]);
  },
  abortWriter(id: string) {
    writers.get(id)?.close();
    writers.delete(id);
  },
  /** The mux benchmark (bench.html?mux): mediabunny vs ffmpeg.wasm on the same WebCodecs frames. */
  benchMux: (width: number, height: number, frames: number) => benchMux(ffmpeg, width, height, frames),
  dispose: () => ffmpeg.dispose(),
};

export type MediaApi = typeof api;
expose(api);

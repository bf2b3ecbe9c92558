/** Media worker: frames → MP4 (WebCodecs + ffmpeg.wasm) or PNG, and thumbnails, behind comlink. */
import coreURL from '@ffmpeg/core?url';
import wasmURL from '@ffmpeg/core/wasm?url';
import { expose } from 'comlink';
import { installErrorTransfer } from '../engine/comlink-errors';
import { encodeMp4, type Mp4Options } from '../engine/media/encode-mp4';
import { FfmpegSession } from '../engine/media/ffmpeg-session';
import { framePng, thumbnailPng } from '../engine/media/thumbnail';
import type { FrameStack } from '../engine/pipeline/frames';

installErrorTransfer();
const ffmpeg = new FfmpegSession({ coreURL, wasmURL });

const api = {
  /** Encodes the clip and a thumbnail of its middle frame. */
  async encodeVideo(frames: FrameStack, opts: Mp4Options) {
    const mp4 = await encodeMp4(frames, opts, ffmpeg);
    const thumbnail = await thumbnailPng(frames, Math.floor(frames.count / 2));
    return { video: new Blob([mp4.bytes as Uint8Array<ArrayBuffer>], { type: 'video/mp4' }), thumbnail, encoder: mp4.encoder };
  },
  /** A single frame as a PNG (settings in its `comment` text chunk when given) and its thumbnail. */
  async encodeImage(frames: FrameStack, comment?: string) {
    return { image: await framePng(frames, 0, comment), thumbnail: await thumbnailPng(frames, 0) };
  },
  dispose: () => ffmpeg.dispose(),
};

export type MediaApi = typeof api;
expose(api);

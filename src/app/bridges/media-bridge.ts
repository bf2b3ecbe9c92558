/** Main-thread bridge to the media worker (MP4/PNG encode, thumbnails, video decode for matting). */
import { transfer } from 'comlink';
import type { VideoEncoderChoice } from '../../engine/media/encoder-choice';
import type { Mp4Options } from '../../workers/media/encode-mp4';
import type { MattingWriterOptions } from '../../workers/media/matting-writer';
import type { AlphaFrame, RgbaFrame } from '../../engine/matting/frames';
import type { VideoDecoderKind } from '../../engine/media/video-probe';
import type { FrameStack } from '../../engine/pipeline/frames';
import type { MediaApi } from '../../workers/media.worker';
import { WorkerBridge } from './worker-bridge';

export const mediaBridge = new WorkerBridge<MediaApi>(
  () =>
    new Worker(new URL('../../workers/media.worker.ts', import.meta.url), {
      type: 'module',
      name: 'webgp-media',
    }),
  'media worker',
  // Idle for a minute with no video or writer open: the worker (and its decoders) goes.
  {
    idleMs: 60_000,
    sessions: { closeVideo: 'openVideo', closeWriter: 'openWriter', abortWriter: 'openWriter' },
  },
);

/** Encodes frames; the frame buffer is transferred (the caller must not use it afterwards). */
export function encodeVideo(frames: FrameStack, opts: Mp4Options) {
  return mediaBridge.api.encodeVideo(transfer(frames, [frames.rgba.buffer]), opts);
}

/** Encodes a one-frame output as a PNG; the frame buffer is transferred. */
export function encodeImage(frames: FrameStack, comment?: string) {
  return mediaBridge.api.encodeImage(transfer(frames, [frames.rgba.buffer]), comment);
}

/** Opens a video for chunked decoding (kept in the media worker until closeVideo); WebCodecs unless `prefer` is 'ffmpeg'. */
export const openVideo = (id: string, file: Blob, name: string, prefer?: VideoDecoderKind) =>
  mediaBridge.api.openVideo(id, file, name, prefer);
export const readFrames = (id: string, start: number, count: number) =>
  mediaBridge.api.readFrames(id, start, count);
export const videoDecoder = (id: string) => mediaBridge.api.videoDecoder(id);
export const closeVideo = (id: string) => mediaBridge.api.closeVideo(id);

/** Starts a matting run's outputs (foreground/alpha video, PNG zip, audio from the open video `audioFrom.videoId`). */
export const openWriter = (
  id: string,
  o: Omit<MattingWriterOptions, 'audio'>,
  audioFrom?: { videoId: string; startSeconds: number },
) => mediaBridge.api.openWriter(id, o, audioFrom);
/** Writes one frame and its alpha; both buffers are transferred. */
export const writeFrame = (id: string, frame: RgbaFrame, alpha: AlphaFrame) =>
  mediaBridge.api.writeFrame(id, transfer(frame, [frame.data.buffer]), transfer(alpha, [alpha.data.buffer]));
export const closeWriter = (id: string) => mediaBridge.api.closeWriter(id);
export const abortWriter = (id: string) => mediaBridge.api.abortWriter(id);
/** Which encoder and muxer a video of this size will get (recorded in the settings before encoding). */
export const mp4Plan = (size: { width: number; height: number }, fps: number, choice: VideoEncoderChoice) =>
  mediaBridge.api.mp4Plan(size, fps, choice);

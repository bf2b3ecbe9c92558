/** Main-thread bridge to the media worker (MP4/PNG encode + thumbnails). */
import { transfer } from 'comlink';
import type { Mp4Options } from '../../engine/media/encode-mp4';
import type { FrameStack } from '../../engine/pipeline/frames';
import type { MediaApi } from '../../workers/media.worker';
import { WorkerBridge } from './worker-bridge';

export const mediaBridge = new WorkerBridge<MediaApi>(() => new Worker(new URL('../../workers/media.worker.ts', import.meta.url), { type: 'module', name: 'webgp-media' }));

/** Encodes frames; the frame buffer is transferred (the caller must not use it afterwards). */
export function encodeVideo(frames: FrameStack, opts: Mp4Options) {
  return mediaBridge.api.encodeVideo(transfer(frames, [frames.rgba.buffer]), opts);
}

/** Encodes a one-frame output as a PNG; the frame buffer is transferred. */
export function encodeImage(frames: FrameStack, comment?: string) {
  return mediaBridge.api.encodeImage(transfer(frames, [frames.rgba.buffer]), comment);
}

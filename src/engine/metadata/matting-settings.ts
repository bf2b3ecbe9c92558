/**
 * The settings record of a matting output (the Gallery's details, the videos' comment tag, the
 * run history): `type: "matting"`, the source video, the matted range and the mask options, the
 * packs, and how it ran (backend, source decoder, time). Key names follow the generation settings where the concept is shared.
 */
import { mattingFrameCount, type MattingRequest } from '../matting/request';
import type { Mp4Muxer } from '../media/encoder-choice';
import type { VideoDecoderKind } from '../media/video-probe';
import { SETTINGS_VERSION } from '../settings';

export interface MattingSettings {
  type: 'matting';
  settings_version: number;
  source_video: string;
  start_frame: number;
  end_frame: number;
  video_length: number;
  warmup_frames: number;
  erode: number;
  dilate: number;
  mask_type: string;
  model_type: string;
  segment_model_type?: string;
  resolution: string;
  fps: number;
  backend: string;
  /** Which decoder read the source frames (WebCodecs after the mediabunny demuxer, or ffmpeg.wasm). */
  decoder?: VideoDecoderKind;
  /** Who wrote the MP4 containers: mediabunny (after WebCodecs) or ffmpeg.wasm (the fallback). */
  muxer?: Mp4Muxer;
  generation_time: number;
  creation_date: string;
}

export function mattingSettings(
  r: MattingRequest,
  run: {
    width: number;
    height: number;
    fps: number;
    backend: string;
    decoder: VideoDecoderKind;
    muxer?: Mp4Muxer;
    generationSeconds: number;
    createdAt: Date;
  },
): MattingSettings {
  return {
    type: 'matting',
    settings_version: SETTINGS_VERSION,
    source_video: r.videoName,
    start_frame: r.startFrame,
    end_frame: r.endFrame,
    video_length: mattingFrameCount(r),
    warmup_frames: r.warmupFrames,
    erode: r.erode,
    dilate: r.dilate,
    mask_type: r.maskType,
    model_type: r.packId,
    ...(r.segmentPackId ? { segment_model_type: r.segmentPackId } : {}),
    resolution: `${run.width}x${run.height}`,
    fps: run.fps,
    backend: run.backend,
    decoder: run.decoder,
    ...(run.muxer ? { muxer: run.muxer } : {}),
    generation_time: Math.round(run.generationSeconds * 100) / 100,
    creation_date: run.createdAt.toISOString(),
  };
}

export function isMattingSettings(s: { type: string }): s is MattingSettings {
  return s.type === 'matting';
}

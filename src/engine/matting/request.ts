/**
 * MattingRequest: the plain-JSON description of one matting run (video range, warm-up,
 * mask morphology, output mask type) and its validation against the loaded video. The
 * Matting page validates before queueing ("Check") and the engine validates again.
 */
import { EngineError } from '../errors';
import { MAX_MORPH_RADIUS } from './mask-ops';

export const MASK_TYPES = ['alpha', 'greenscreen', 'foreground-black'] as const;
export type MaskType = (typeof MASK_TYPES)[number];
export const MAX_WARMUP_FRAMES = 30;

export interface MattingRequest {
  kind: 'matting';
  /** The matting-memory pack. */
  packId: string;
  /** The segment-points pack used for the first-frame mask, if any. */
  segmentPackId?: string;
  videoName: string;
  /** First and last frame to matte, inclusive, 0-based. */
  startFrame: number;
  endFrame: number;
  warmupFrames: number;
  erode: number;
  dilate: number;
  maskType: MaskType;
}

/** What the app knows about the loaded video. */
export interface VideoInfo {
  frameCount: number;
  width: number;
  height: number;
}

export type MattingFieldErrors = Partial<Record<keyof MattingRequest | 'video', string>>;

function wholeIn(v: number, lo: number, hi: number): boolean {
  return Number.isInteger(v) && v >= lo && v <= hi;
}

/** Returns a message per invalid field (empty when the request is valid). */
export function validateMattingRequest(r: MattingRequest, info: VideoInfo): Record<string, string> {
  const e: MattingFieldErrors = {};
  const last = info.frameCount - 1;
  if (!r.packId) e.packId = 'Choose a matting model.';
  if (!r.videoName) e.videoName = 'Load a video first.';
  if (!(info.width > 0 && info.height > 0))
    e.video = 'The video has no picture size: it may be corrupt. Load another video.';
  if (!(info.frameCount > 0))
    e.video = 'The video has zero frames: it may be empty or corrupt. Load another video.';
  else {
    if (!wholeIn(r.startFrame, 0, last))
      e.startFrame = `Start frame must be a whole number from 0 to ${last}.`;
    if (!Number.isInteger(r.endFrame) || r.endFrame < 0)
      e.endFrame = `End frame must be a whole number from 0 to ${last}.`;
    else if (r.endFrame > last) e.endFrame = `End frame (${r.endFrame}) is past the last frame (${last}).`;
    else if (!e.startFrame && r.endFrame < r.startFrame)
      e.endFrame = `End frame (${r.endFrame}) is before start frame (${r.startFrame}).`;
  }
  if (!wholeIn(r.warmupFrames, 0, MAX_WARMUP_FRAMES))
    e.warmupFrames = `Warm-up frames must be a whole number from 0 to ${MAX_WARMUP_FRAMES}.`;
  if (!wholeIn(r.erode, 0, MAX_MORPH_RADIUS))
    e.erode = `Erode must be a whole number of pixels from 0 to ${MAX_MORPH_RADIUS}.`;
  if (!wholeIn(r.dilate, 0, MAX_MORPH_RADIUS))
    e.dilate = `Dilate must be a whole number of pixels from 0 to ${MAX_MORPH_RADIUS}.`;
  if (!(MASK_TYPES as readonly string[]).includes(r.maskType))
    e.maskType = `Mask type must be one of: ${MASK_TYPES.join(', ')}.`;
  return e as Record<string, string>;
}

/** Frames a valid request mattes. */
export function mattingFrameCount(r: MattingRequest): number {
  return r.endFrame - r.startFrame + 1;
}

/** Throws EngineError('invalid-request') with the field messages when the request is invalid. */
export function assertValidMattingRequest(r: MattingRequest, info: VideoInfo): void {
  const errors = validateMattingRequest(r, info);
  const entries = Object.entries(errors);
  if (entries.length)
    throw new EngineError(
      'invalid-request',
      `Invalid matting request: ${entries.map(([k, v]) => `${k}: ${v}`).join(' ')}`,
      errors,
    );
}

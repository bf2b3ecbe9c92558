/** Video segmentation (SAM point prompts) and matting (MatAnyone memory loop): the engine's public pieces. */
export type { AlphaFrame, RgbaFrame, SegmentPoint } from './frames';
export { assertValidMask, erodeDilate, MAX_MORPH_RADIUS, resizeAlpha, resizeMask } from './mask-ops';
export {
  assertValidMattingRequest,
  MASK_TYPES,
  type MaskType,
  mattingFrameCount,
  type MattingRequest,
  MAX_WARMUP_FRAMES,
  validateMattingRequest,
  type VideoInfo,
} from './request';
export { estimateMatting, type MattingEstimate } from './estimate';
export type { MattingManifest, SegmentManifest } from '../pack/media-manifest';
export type { MattingOpen, MattingOpened } from './matting-engine';

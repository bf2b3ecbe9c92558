/**
 * The first-frame mask on the Matting page: SAM point clicks (positive/negative) on the shown
 * frame, masks added together ("Add mask"), an uploaded mask PNG (resized with a notice when it
 * has the video's shape at another size, refused otherwise), and brush paint/erase.
 */
import type { AlphaFrame, RgbaFrame, SegmentPoint } from '../../engine/matting';
import { resizeMask } from '../../engine/matting';
import { emptyMask, maskArea, paintDisc, unionMasks } from '../../engine/media/mask-edit';
import { maskFromPng } from '../../engine/media/mask-png';
import { engineBridge } from '../bridges/engine-bridge';

export type BrushMode = 'off' | 'paint' | 'erase';

export class MaskEditor {
  points = $state.raw<SegmentPoint[]>([]);
  /** The mask of the current points (not yet added). */
  current = $state.raw<AlphaFrame | undefined>(undefined);
  /** Masks already added, uploaded or painted. */
  added = $state.raw<AlphaFrame | undefined>(undefined);
  negative = $state(false);
  brush = $state<BrushMode>('off');
  brushSize = $state(4);
  busy = $state(false);
  /** Whether SAM points made part of the mask (the run then records the segment pack). */
  usedPoints = $state(false);
  notice = $state('');
  error = $state('');
  private embedding: { key: string; epoch: number; id: string } | undefined;

  /** Everything the mask covers now. */
  readonly mask = $derived(unionMasks(this.added, this.current));
  readonly pixels = $derived(maskArea(this.mask));

  /** Adds a point on `frame` (video pixels) and re-runs SAM's decoder with all points. */
  async click(
    packId: string,
    frameKey: string,
    frame: RgbaFrame,
    x: number,
    y: number,
    positive: boolean,
  ): Promise<void> {
    this.error = '';
    this.busy = true;
    try {
      const api = engineBridge.api;
      const key = `${packId}:${frameKey}`;
      if (this.embedding?.key !== key) this.points = [];
      // A restarted engine worker (idle, crash) no longer holds the frame's encoding: encode it again.
      if (this.embedding?.key !== key || this.embedding.epoch !== engineBridge.epoch) {
        this.embedding = {
          key,
          epoch: engineBridge.epoch,
          id: (await api.segmentEmbed(packId, frame)).embeddingId,
        };
      }
      this.points = [...this.points, { x, y, positive }];
      this.current = await api.segmentPoints(packId, this.embedding.id, this.points);
      this.usedPoints = true;
    } catch (err) {
      this.error = `The mask could not be made: ${(err as Error).message}`;
    } finally {
      this.busy = false;
    }
  }

  /** "Add mask": keeps the current points' mask and starts a new one. */
  addMask(): void {
    this.added = this.mask;
    this.current = undefined;
    this.points = [];
  }

  clear(): void {
    this.added = undefined;
    this.current = undefined;
    this.points = [];
    this.notice = '';
    this.error = '';
    this.usedPoints = false;
  }

  /** Reads an uploaded mask PNG for a video of `width`×`height`. */
  async upload(file: File, width: number, height: number): Promise<void> {
    this.notice = '';
    this.error = '';
    try {
      const m = maskFromPng(new Uint8Array(await file.arrayBuffer()), file.name);
      const same = m.width === width && m.height === height;
      if (!same && Math.abs(m.width / m.height - width / height) > 0.01 * (width / height)) {
        this.error = `${file.name} is ${m.width}×${m.height} but the video is ${width}×${height}: the mask must have the video's shape. Make it at ${width}×${height}.`;
        return;
      }
      this.clear();
      this.notice = same
        ? `Mask loaded from ${file.name}.`
        : `${file.name} is ${m.width}×${m.height}; it was resized to the video's ${width}×${height}.`;
      this.added = same ? m : resizeMask(m, width, height);
    } catch (err) {
      this.error = (err as Error).message;
    }
  }

  /** One brush dab at (x, y) in video pixels. */
  paint(x: number, y: number, width: number, height: number): void {
    if (this.brush === 'off') return;
    this.added = paintDisc(
      this.mask ?? emptyMask(width, height),
      x,
      y,
      this.brushSize,
      this.brush === 'paint',
    );
    this.current = undefined;
    this.points = [];
  }
}

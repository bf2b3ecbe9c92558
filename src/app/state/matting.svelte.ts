/**
 * Matting page state: the loaded video (probed and decoded frame by frame in the media worker),
 * the frame shown, the mask editor, the run's fields, "Check" (validation + estimate, no GPU
 * work) and "Run matting" (validation, then one queue task holding the video and mask PNG).
 */
import type { RgbaFrame } from '../../engine/matting';
import {
  estimateMatting,
  type MaskType,
  type MattingManifest,
  type MattingRequest,
  validateMattingRequest,
} from '../../engine/matting';
import type { VideoInfo } from '../../engine/media/video-probe';
import { formatSize } from '../../engine/format-size';
import type { RegistryEntry } from '../../engine/pack/registry';
import { isMatting } from '../../engine/queue/task';
import { engineBridge } from '../bridges/engine-bridge';
import { openVideo, readFrames } from '../bridges/media-bridge';
import { maskPng } from '../mask-png';
import { MaskEditor } from './mask-editor.svelte';
import type { QueueModel } from './queue.svelte';

/** The media worker's id for the video the page shows. */
const PAGE_VIDEO = 'matting-page';

export class MattingState {
  file = $state.raw<File | undefined>(undefined);
  info = $state.raw<VideoInfo | undefined>(undefined);
  loading = $state(false);
  /** A mask PNG chosen while the video was still opening: applied once it is open. */
  private pendingMask: File | undefined;
  videoError = $state('');
  frameIndex = $state(0);
  frame = $state.raw<RgbaFrame | undefined>(undefined);
  readonly mask = new MaskEditor();
  startFrame = $state(0);
  endFrame = $state(0);
  warmupFrames = $state(4);
  erode = $state(0);
  dilate = $state(0);
  maskType = $state<MaskType>('alpha');
  packId = $state('demo-matanyone');
  segmentPackId = $state('demo-sam');
  packs = $state.raw<RegistryEntry[]>([]);
  fieldErrors = $state<Record<string, string>>({});
  checkResult = $state('');
  queued = $state('');
  /** The task "Run matting" queued last: its progress, controls and outputs show on this page. */
  taskId = $state<string | undefined>(undefined);
  /** Where the frame count stood when this page first saw the run progress (for the ETA). */
  private etaFrom: { taskId: string; frame: number; at: number } | undefined;
  private wanted = 0;
  private reading = false;

  constructor(private readonly queue: QueueModel) {}

  /** The running matting task's progress, so this page shows it too (the Queue is on Generate). */
  readonly progressText = $derived.by(() => {
    const p = this.queue.progress;
    const active = this.queue.active;
    if (!active || !isMatting(active.request)) return '';
    if (active.status === 'paused')
      return `Matting ${active.request.videoName}: paused at frame ${active.step}.`;
    return p?.stage === 'matting'
      ? `Matting ${active.request.videoName}: frame ${p.frame} of ${p.total}${this.eta(active.id, p.frame, p.total)}.`
      : `Matting ${active.request.videoName}: starting…`;
  });

  /** This page's task as the queue has it now (undefined once removed). */
  readonly task = $derived.by(() =>
    this.taskId ? this.queue.state.tasks.find((t) => t.id === this.taskId) : undefined,
  );

  /** " · about N s left", from the frame rate seen since this page first saw the run. */
  private eta(taskId: string, frame: number, total: number): string {
    const now = performance.now();
    if (this.etaFrom?.taskId !== taskId || frame < this.etaFrom.frame)
      this.etaFrom = { taskId, frame, at: now };
    const done = frame - this.etaFrom.frame;
    if (done < 1) return '';
    const left = ((now - this.etaFrom.at) / done) * (total - frame);
    return ` · about ${Math.max(1, Math.round(left / 1000))} s left`;
  }

  pause = () => this.queue.send({ kind: 'pause' });
  resume = () => this.queue.send({ kind: 'resume' });
  abort = () => this.queue.send({ kind: 'abort' });

  /** Packs this browser can run: bundled, or installed (a registry pack that is only downloadable is left out). */
  private readonly usable = $derived(this.packs.filter((p) => !p.remote || p.installed));
  readonly mattingPacks = $derived(this.usable.filter((p) => p.pipeline === 'matting-memory'));
  readonly segmentPacks = $derived(this.usable.filter((p) => p.pipeline === 'segment-points'));

  async loadPacks(): Promise<void> {
    this.packs = await engineBridge.api.listPacks().catch(() => []);
  }

  /** Opens a video: probes it and shows its first frame; a bad file gets a specific message. */
  async load(file: File): Promise<void> {
    this.loading = true;
    this.videoError = '';
    this.fieldErrors = {};
    this.checkResult = '';
    this.queued = '';
    this.mask.clear();
    this.info = undefined;
    this.frame = undefined;
    try {
      const info = await openVideo(PAGE_VIDEO, file, file.name);
      this.file = file;
      this.info = info;
      this.startFrame = 0;
      this.endFrame = info.frameCount - 1;
      const early = this.pendingMask;
      this.pendingMask = undefined;
      if (early) await this.mask.upload(early, info.width, info.height);
      await this.seek(0);
    } catch (err) {
      this.file = undefined;
      this.videoError = (err as Error).message;
      if (this.pendingMask)
        this.mask.error = `${this.pendingMask.name} was not applied: the video could not be opened. Open a video, then choose the mask again.`;
      this.pendingMask = undefined;
    } finally {
      this.loading = false;
    }
  }

  /** "Upload mask": applied now, or once the video that is opening is open (its size is not known before). */
  chooseMask(file: File): void {
    if (this.info) void this.mask.upload(file, this.info.width, this.info.height);
    else if (this.loading) {
      this.pendingMask = file;
      this.mask.error = '';
      this.mask.notice = `${file.name} will be applied once the video is open.`;
    } else this.mask.error = `Open a video first: ${file.name} must match its size.`;
  }

  /** Shows frame `i` (reads coalesce: while one decodes, only the latest wish is read next). */
  async seek(i: number): Promise<void> {
    this.wanted = i;
    if (this.reading) return;
    this.reading = true;
    try {
      while (true) {
        const want = this.wanted;
        const [frame] = await readFrames(PAGE_VIDEO, want, 1);
        if (frame) {
          this.frame = frame;
          this.frameIndex = want;
        }
        if (this.wanted === want) break;
      }
    } catch (err) {
      this.videoError = (err as Error).message;
    } finally {
      this.reading = false;
    }
  }

  /** A SAM point on the shown frame; a mask made on another frame than the start moves the start there. */
  async click(x: number, y: number, positive: boolean): Promise<void> {
    if (!this.frame) return;
    const index = this.frameIndex;
    await this.mask.click(this.segmentPackId, `${this.file?.name}#${index}`, this.frame, x, y, positive);
    if (this.mask.current && index !== this.startFrame) {
      this.startFrame = index;
      if (this.endFrame < index) this.endFrame = (this.info?.frameCount ?? 1) - 1;
      this.mask.notice = `The mask was made on frame ${index}: Start frame is now ${index}.`;
    }
  }

  request(): MattingRequest {
    return {
      kind: 'matting',
      packId: this.packId,
      ...(this.mask.usedPoints ? { segmentPackId: this.segmentPackId } : {}),
      videoName: this.file?.name ?? '',
      startFrame: this.startFrame,
      endFrame: this.endFrame,
      warmupFrames: this.warmupFrames,
      erode: this.erode,
      dilate: this.dilate,
      maskType: this.maskType,
    };
  }

  /** Field errors of the request as it stands (video and mask included); empty when it can run. */
  private validate(): Record<string, string> {
    const info = this.info;
    if (!info)
      return {
        video: this.videoError || 'Load a video first: choose a file with "Video" or drop one on the page.',
      };
    const errors = validateMattingRequest(this.request(), info);
    if (!this.mask.pixels)
      errors.mask =
        'Make a mask first: click on the subject in the frame, upload a mask PNG, or paint one with the brush.';
    return errors;
  }

  /** "Check": validates and estimates memory and time, and names the source decoder; runs nothing on the GPU. */
  async check(): Promise<void> {
    this.queued = '';
    this.checkResult = '';
    this.fieldErrors = this.validate();
    if (Object.keys(this.fieldErrors).length || !this.info) return;
    try {
      const manifest = await engineBridge.api.describeVideoPack(this.packId);
      if (manifest.pipeline !== 'matting-memory') throw new Error(`${this.packId} is not a matting pack`);
      const e = estimateMatting(this.request(), this.info, manifest as MattingManifest);
      this.checkResult = `${e.frames} frames · ${e.width}×${e.height} · about ${formatSize(e.peakBytes)} peak memory · about ${e.seconds.toFixed(1)} s · decoder: ${this.info.decoder}`;
    } catch (err) {
      this.fieldErrors = { packId: `The matting pack could not be read: ${(err as Error).message}` };
    }
  }

  /** "Run matting": validates, then queues one task with the video and the mask PNG. */
  async run(): Promise<void> {
    this.queued = '';
    this.fieldErrors = this.validate();
    const { file, info } = this;
    const mask = this.mask.mask;
    if (Object.keys(this.fieldErrors).length || !file || !info || !mask) return;
    const r = this.request();
    this.taskId = this.queue.add(r, { video_source: file, image_mask: await maskPng(mask) });
    this.queued = `Queued: matting of ${file.name}, frames ${r.startFrame}–${r.endFrame}.`;
  }
}

/**
 * The matting-memory loop (MatAnyone2 ONNX runner order, REAL_PACKS §5) for one job:
 *  - open: frame 0 → image_key; mask_memory(mask, zero sensory); first_frame_refine;
 *    mask_memory(refined α) gives the permanent frame-0 memory; then `warmupFrames` steps on
 *    frame 0 whose outputs are discarded;
 *  - each frame: image_key + propagate (memory, sensory, last mask/pix_feat/msk_value) +
 *    mask_memory(α); only sensory, last_mask, last_pix_feat and last_msk_value roll forward,
 *    and the frame joins the bounded memory every `memEvery` frames.
 * A propagate graph that fixes the memory length T gets the bank padded to T (memory-bank.ts).
 * Frames are fitted (aspect kept, centred, padded) into the pack's fixed H×W and α is cropped
 * and resized back. State lives in buffers allocated once, and every ORT tensor is released the
 * frame it is made, so memory stays flat however long the clip.
 */
import { EngineError } from '../errors';
import type { MattingManifest } from '../pack/media-manifest';
import type { OrtModule, OrtTensor } from '../runtime';
import type { AlphaFrame, RgbaFrame } from './frames';
import { assertValidMask, erodeDilate } from './mask-ops';
import { type MediaPack, type RoleOutputs, runRoles } from './media-pack';
import { MemoryBank, type MemoryShapes } from './memory-bank';
import { fitPlacement, frameToPlanar, maskToPlane, type Placement, planeToAlpha } from './resample';

export interface MattingLoopOptions {
  width: number;
  height: number;
  firstFrame: RgbaFrame;
  firstMask: AlphaFrame;
  warmupFrames: number;
  erode: number;
  dilate: number;
}

const FEATURES = ['f16', 'f8', 'f4', 'f2', 'f1'] as const;

/** State that rolls from frame to frame (copied into buffers allocated at open). */
interface Rolling {
  sensory: Float32Array;
  lastMask: Float32Array;
  lastPixFeat: Float32Array;
  lastMskValue: Float32Array;
}

/** The T a propagate graph fixes on its memory inputs (memory_key's axis 2), or undefined when that dim is symbolic. */
export function fixedMemoryLength(pack: MediaPack<MattingManifest>): number | undefined {
  const { spec, session } = pack.sessions.propagate;
  const meta = session.inputMetadata?.find((v) => v.name === spec.inputs.memoryKey);
  const t = meta?.isTensor ? meta.shape[2] : undefined;
  return typeof t === 'number' ? t : undefined;
}

export class MattingLoop {
  private readonly W: number;
  private readonly H: number;
  private readonly placement: Placement;
  private readonly shapes: { sensory: number[]; mask: number[]; pixFeat: number[] };
  /** The memory length T the propagate graph fixes, or undefined when T is free. */
  private readonly memoryLength: number | undefined;
  private state: Rolling | undefined;
  private bank: MemoryBank | undefined;
  /** Frames matted since open (the first mattingFrame call is index 0). */
  private index = 0;

  constructor(
    private readonly pack: MediaPack<MattingManifest>,
    private readonly ort: OrtModule,
    readonly opts: MattingLoopOptions,
  ) {
    const m = pack.manifest.matting;
    this.W = m.width;
    this.H = m.height;
    this.placement = fitPlacement(opts.width, opts.height, this.W, this.H, true);
    const hk = this.H / 16;
    const wk = this.W / 16;
    this.shapes = {
      sensory: [1, 1, m.dims.value, hk, wk],
      mask: [1, 1, this.H, this.W],
      pixFeat: [1, m.dims.pixFeat, hk, wk],
    };
    this.memoryLength = fixedMemoryLength(pack);
    if (this.memoryLength !== undefined && m.maxMemFrames > this.memoryLength) {
      const p = pack.sessions.propagate.spec;
      throw new EngineError(
        'invalid-manifest',
        `${p.file} fixes the memory length T at ${this.memoryLength} (${p.inputs.memoryKey} [1, ${m.dims.key}, ${this.memoryLength}, ${hk}, ${wk}]), but pack.json's matting.maxMemFrames is ${m.maxMemFrames}. Set matting.maxMemFrames to ${this.memoryLength} or less.`,
      );
    }
  }

  private checkFrame(frame: RgbaFrame): void {
    if (
      frame.width !== this.opts.width ||
      frame.height !== this.opts.height ||
      frame.data.length !== frame.width * frame.height * 4
    ) {
      throw new EngineError(
        'invalid-request',
        `Frame is ${frame.width}×${frame.height} but the matting job is ${this.opts.width}×${this.opts.height}.`,
      );
    }
  }

  private tensor(data: Float32Array, dims: readonly number[]): OrtTensor {
    return new this.ort.Tensor('float32', data, dims);
  }

  /** Runs frame 0 (memory, refine) and the warm-up. */
  async open(): Promise<void> {
    const o = this.opts;
    this.checkFrame(o.firstFrame);
    assertValidMask(o.firstMask, o.width, o.height);
    const mask = maskToPlane(erodeDilate(o.firstMask, o.erode, o.dilate), this.W, this.H, this.placement);
    const s = this.pack.sessions;
    const image = this.tensor(this.planar(o.firstFrame), [1, 3, this.H, this.W]);
    const feats = await runRoles(this.ort, s.imageKey, { image });
    const owned: RoleOutputs[] = [feats];
    try {
      const pixFeat = feats.tensor('pixFeat');
      const first = await runRoles(this.ort, s.maskMemory, {
        image,
        mask: this.tensor(mask, this.shapes.mask),
        sensory: this.tensor(new Float32Array(this.size(this.shapes.sensory)), this.shapes.sensory),
        pixFeat,
      });
      owned.push(first);
      const obj = first.tensor('objMemory');
      const refine = await runRoles(this.ort, s.firstFrameRefine, {
        ...this.features(feats),
        lastMskValue: first.tensor('mskValue'),
        objMemory: this.tensor(await first.take('objMemory'), [
          obj.dims[0] ?? 1,
          obj.dims[1] ?? 1,
          1,
          ...obj.dims.slice(2),
        ]),
        sensory: first.tensor('newSensory'),
        lastMask: this.tensor(mask, this.shapes.mask),
      });
      owned.push(refine);
      const alpha = this.alphaPlane(await refine.take('prob'));
      const memory = await runRoles(this.ort, s.maskMemory, {
        image,
        mask: this.tensor(alpha, this.shapes.mask),
        sensory: refine.tensor('newSensory'),
        pixFeat,
      });
      owned.push(memory);
      this.bank = new MemoryBank(
        this.memoryShapes(feats, memory),
        this.pack.manifest.matting.maxMemFrames,
        this.memoryLength,
      );
      this.bank.add({
        key: await feats.take('key'),
        shrinkage: await feats.take('shrinkage'),
        value: await memory.take('mskValue'),
        objMemory: await memory.take('objMemory'),
      });
      this.state = {
        sensory: Float32Array.from(await memory.take('newSensory')),
        lastMask: alpha,
        lastPixFeat: Float32Array.from(await feats.take('pixFeat')),
        lastMskValue: Float32Array.from(await memory.take('mskValue')),
      };
    } finally {
      for (const out of owned) out.dispose();
    }
    for (let i = 0; i < o.warmupFrames; i++) await this.step(o.firstFrame, false);
  }

  /** Mattes the next frame; returns α at the video's size. */
  async frame(frame: RgbaFrame): Promise<AlphaFrame> {
    this.checkFrame(frame);
    const remember =
      this.index > 0 &&
      this.pack.manifest.matting.memEvery > 0 &&
      this.index % this.pack.manifest.matting.memEvery === 0;
    const alpha = await this.step(frame, remember);
    this.index += 1;
    return {
      width: this.opts.width,
      height: this.opts.height,
      data: planeToAlpha(alpha, this.W, this.placement, this.opts.width, this.opts.height),
    };
  }

  /** One propagate step; updates the rolling state and, when `remember`, the memory. */
  private async step(frame: RgbaFrame, remember: boolean): Promise<Float32Array> {
    const state = this.state;
    const bank = this.bank;
    if (!state || !bank) throw new EngineError('invalid-request', 'The matting job is not open.');
    const s = this.pack.sessions;
    const image = this.tensor(this.planar(frame), [1, 3, this.H, this.W]);
    const owned: RoleOutputs[] = [];
    const lastMask = this.tensor(state.lastMask, this.shapes.mask);
    const inputs: Record<string, OrtTensor> = {
      ...bank.feeds(this.ort),
      sensory: this.tensor(state.sensory, this.shapes.sensory),
      lastMask,
      lastPixFeat: this.tensor(state.lastPixFeat, this.shapes.pixFeat),
      lastPredMask: lastMask,
      lastMskValue: this.tensor(state.lastMskValue, this.shapes.sensory),
    };
    try {
      const feats = await runRoles(this.ort, s.imageKey, { image });
      owned.push(feats);
      const prop = await runRoles(this.ort, s.propagate, {
        ...this.features(feats),
        key: feats.tensor('key'),
        selection: feats.tensor('selection'),
        ...inputs,
      });
      owned.push(prop);
      const alpha = this.alphaPlane(await prop.take('prob'));
      inputs.alpha = this.tensor(alpha, this.shapes.mask);
      const memory = await runRoles(this.ort, s.maskMemory, {
        image,
        mask: inputs.alpha,
        sensory: prop.tensor('newSensory'),
        pixFeat: feats.tensor('pixFeat'),
      });
      owned.push(memory);
      state.sensory.set(await memory.take('newSensory'));
      state.lastMask.set(alpha);
      state.lastPixFeat.set(await feats.take('pixFeat'));
      state.lastMskValue.set(await memory.take('mskValue'));
      if (remember)
        bank.add({
          key: await feats.take('key'),
          shrinkage: await feats.take('shrinkage'),
          value: await memory.take('mskValue'),
          objMemory: await memory.take('objMemory'),
        });
      return alpha;
    } finally {
      for (const out of owned) out.dispose();
      for (const t of Object.values(inputs)) t.dispose();
      image.dispose();
    }
  }

  /** Bytes of state the job keeps between frames (rolling buffers and memory bank). */
  retainedBytes(): number {
    const st = this.state;
    return (
      (st
        ? st.sensory.byteLength +
          st.lastMask.byteLength +
          st.lastPixFeat.byteLength +
          st.lastMskValue.byteLength
        : 0) + (this.bank?.bytes() ?? 0)
    );
  }

  /** Frames in the memory bank. */
  memoryFrames(): number {
    return this.bank?.size ?? 0;
  }

  private planar(frame: RgbaFrame): Float32Array {
    return frameToPlanar(frame, this.W, this.H, this.placement);
  }

  private size(dims: readonly number[]): number {
    return dims.reduce((a, b) => a * b, 1);
  }

  private features(feats: RoleOutputs): Record<string, OrtTensor> {
    return {
      ...Object.fromEntries(FEATURES.map((f) => [f, feats.tensor(f)])),
      pixFeat: feats.tensor('pixFeat'),
    };
  }

  /** α = prob[:, 1] clamped to [0, 1], as a fresh [H·W] plane. */
  private alphaPlane(prob: Float32Array): Float32Array {
    const n = this.W * this.H;
    if (prob.length !== 2 * n)
      throw new EngineError(
        'corrupt-model',
        `The matting graph returned ${prob.length} prob values; expected 2×${this.H}×${this.W}.`,
      );
    return Float32Array.from(prob.subarray(n, 2 * n), (v) => Math.min(1, Math.max(0, v)));
  }

  private memoryShapes(feats: RoleOutputs, memory: RoleOutputs): MemoryShapes {
    const d = (out: RoleOutputs, role: string) => out.tensor(role).dims;
    return {
      key: { dims: d(feats, 'key'), axis: 2 },
      shrinkage: { dims: d(feats, 'shrinkage'), axis: 2 },
      value: { dims: d(memory, 'mskValue'), axis: 3 },
      objMemory: { dims: d(memory, 'objMemory'), axis: 2 },
    };
  }
}

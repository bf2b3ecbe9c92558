/**
 * The matting memory in TS: frame 0's entry is permanent (as in the MatAnyone2 ONNX runner);
 * later memory frames (every `memEvery` frames) fill at most `maxMemFrames − 1` more slots,
 * oldest replaced first. Slots are allocated once and overwritten, so the bank's size is
 * bounded however long the clip; `feeds` stacks the slots along the T axis the propagate
 * graph takes (memory_key [B,Ck,T,h,w], memory_shrinkage [B,1,T,h,w], msk_value [B,1,Cv,T,h,w],
 * obj_memory [B,1,T,Q,Cv+1]): frame 0 first, then the others oldest to newest, so T − 1 is the
 * newest (the MatAnyone2 export reads msk_value[:, :, :, -1] as the last frame's value).
 *
 * Padding: a propagate graph exported with a fixed T > 1 needs T frames before the bank is
 * full. The gaps are filled with copies of frame 0, placed right after it. The readout is a
 * softmax over every memory position (no top-k in the exported get_affinity), so k copies of
 * one frame weigh it k times: while frame 0 is alone the readout equals the T = 1 readout
 * exactly, and until the bank fills the user's first-frame mask outweighs the propagated
 * frames. Zeros would not be neutral: similarity is −(weighted key distance)·shrinkage ≤ 0, so
 * a zero-shrinkage slot scores the maximum and its zero value would swamp the readout.
 */
import type { OrtModule, OrtTensor } from '../runtime';

/** One memory frame: the tensors mask_memory/image_key gave for it, with their shapes (no T axis). */
export interface MemoryEntry {
  key: Float32Array;
  shrinkage: Float32Array;
  value: Float32Array;
  objMemory: Float32Array;
}

/** Per-tensor shape (without T) and the axis T is inserted at. */
export type MemoryShapes = Record<keyof MemoryEntry, { dims: readonly number[]; axis: number }>;

const ROLES = {
  key: 'memoryKey',
  shrinkage: 'memoryShrinkage',
  value: 'mskValue',
  objMemory: 'objMemory',
} as const;

export class MemoryBank {
  private slots: MemoryEntry[] = [];
  /** Next non-permanent slot to overwrite once the bank is full. */
  private next = 1;

  /** `length`: the T the propagate graph fixes (the bank is padded to it), or undefined when T is free. */
  constructor(
    readonly shapes: MemoryShapes,
    readonly capacity: number,
    readonly length?: number,
  ) {}

  get size(): number {
    return this.slots.length;
  }

  /** Stores `e` (copied into a slot; the first entry is permanent). */
  add(e: MemoryEntry): void {
    if (this.slots.length < this.capacity) {
      this.slots.push({
        key: Float32Array.from(e.key),
        shrinkage: Float32Array.from(e.shrinkage),
        value: Float32Array.from(e.value),
        objMemory: Float32Array.from(e.objMemory),
      });
      return;
    }
    if (this.capacity === 1) return;
    const slot = this.slots[this.next] as MemoryEntry;
    for (const k of Object.keys(ROLES) as (keyof MemoryEntry)[]) slot[k].set(e[k]);
    this.next = this.next + 1 >= this.capacity ? 1 : this.next + 1;
  }

  /** Bytes the bank holds. */
  bytes(): number {
    return this.slots.reduce(
      (n, s) => n + s.key.byteLength + s.shrinkage.byteLength + s.value.byteLength + s.objMemory.byteLength,
      0,
    );
  }

  /** The entries in the order they are fed along T: frame 0, its padding copies, then the others oldest to newest. */
  order(): MemoryEntry[] {
    const [first, ...rest] = this.slots;
    if (!first) return [];
    // Once full, slot `next` holds the oldest non-permanent frame (it is overwritten next).
    const recent =
      this.slots.length === this.capacity
        ? [...rest.slice(this.next - 1), ...rest.slice(0, this.next - 1)]
        : rest;
    const pad = Math.max(0, (this.length ?? 0) - this.slots.length);
    return [first, ...Array<MemoryEntry>(pad).fill(first), ...recent];
  }

  /** The memory as propagate inputs by role, stacked along T (the caller disposes them). */
  feeds(ort: OrtModule): Record<string, OrtTensor> {
    const out: Record<string, OrtTensor> = {};
    const entries = this.order();
    const T = entries.length;
    for (const k of Object.keys(ROLES) as (keyof MemoryEntry)[]) {
      const { dims, axis } = this.shapes[k];
      const outer = dims.slice(0, axis).reduce((a, b) => a * b, 1);
      const inner = dims.slice(axis).reduce((a, b) => a * b, 1);
      const data = new Float32Array(outer * T * inner);
      entries.forEach((s, t) => {
        for (let o = 0; o < outer; o++)
          data.set(s[k].subarray(o * inner, (o + 1) * inner), (o * T + t) * inner);
      });
      out[ROLES[k]] = new ort.Tensor('float32', data, [...dims.slice(0, axis), T, ...dims.slice(axis)]);
    }
    return out;
  }
}

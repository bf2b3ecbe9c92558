/**
 * The matting memory in TS: frame 0's entry is permanent (as in the MatAnyone2 ONNX runner);
 * later memory frames (every `memEvery` frames) fill at most `maxMemFrames − 1` more slots,
 * oldest replaced first. Slots are allocated once and overwritten, so the bank's size is
 * bounded however long the clip; `feeds` stacks the slots along the T axis the propagate
 * graph takes (memory_key [B,Ck,T,h,w], memory_shrinkage [B,1,T,h,w], msk_value [B,1,Cv,T,h,w],
 * obj_memory [B,1,T,Q,Cv+1]).
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

const ROLES = { key: 'memoryKey', shrinkage: 'memoryShrinkage', value: 'mskValue', objMemory: 'objMemory' } as const;

export class MemoryBank {
  private slots: MemoryEntry[] = [];
  /** Next non-permanent slot to overwrite once the bank is full. */
  private next = 1;

  constructor(
    readonly shapes: MemoryShapes,
    readonly capacity: number,
  ) {}

  get size(): number {
    return this.slots.length;
  }

  /** Stores `e` (copied into a slot; the first entry is permanent). */
  add(e: MemoryEntry): void {
    if (this.slots.length < this.capacity) {
      this.slots.push({ key: Float32Array.from(e.key), shrinkage: Float32Array.from(e.shrinkage), value: Float32Array.from(e.value), objMemory: Float32Array.from(e.objMemory) });
      return;
    }
    if (this.capacity === 1) return;
    const slot = this.slots[this.next] as MemoryEntry;
    for (const k of Object.keys(ROLES) as (keyof MemoryEntry)[]) slot[k].set(e[k]);
    this.next = this.next + 1 >= this.capacity ? 1 : this.next + 1;
  }

  /** Bytes the bank holds. */
  bytes(): number {
    return this.slots.reduce((n, s) => n + s.key.byteLength + s.shrinkage.byteLength + s.value.byteLength + s.objMemory.byteLength, 0);
  }

  /** The memory as propagate inputs by role, stacked along T (the caller disposes them). */
  feeds(ort: OrtModule): Record<string, OrtTensor> {
    const out: Record<string, OrtTensor> = {};
    const T = this.slots.length;
    for (const k of Object.keys(ROLES) as (keyof MemoryEntry)[]) {
      const { dims, axis } = this.shapes[k];
      const outer = dims.slice(0, axis).reduce((a, b) => a * b, 1);
      const inner = dims.slice(axis).reduce((a, b) => a * b, 1);
      const data = new Float32Array(outer * T * inner);
      this.slots.forEach((s, t) => {
        for (let o = 0; o < outer; o++) data.set(s[k].subarray(o * inner, (o + 1) * inner), (o * T + t) * inner);
      });
      out[ROLES[k]] = new ort.Tensor('float32', data, [...dims.slice(0, axis), T, ...dims.slice(axis)]);
    }
    return out;
  }
}

/**
 * LoRA arithmetic: a file's tensors grouped per module, the delta each module adds to its target
 * weight (scale·B·A with scale = alpha/rank, or a full `.diff`), laid out like the ONNX
 * initializer (transposed for MatMul weights stored [in, out]), and the merge
 * W' = W + Σ mᵢ·Δᵢ over the selected LoRAs.
 */
import { EngineError } from '../errors';
import type { LoraLayout, LoraSpec } from '../pack/lora-spec';
import { type KeyMapping, type LycorisPart, mapKeys } from './keys';
import { lycorisDelta, type Values } from './lycoris';
import { type SafetensorsHeader, type TensorEntry, tensorFloats } from './safetensors';

export interface ModuleWeights {
  up?: Values;
  down?: Values;
  alpha?: number;
  diff?: Values;
  diffBias?: Values;
  /** LyCORIS LoHa / LoKr tensors. */
  lycoris?: Partial<Record<LycorisPart, Values>>;
  /** DoRA magnitude vector, one value per output. */
  doraScale?: Values;
}

/** A LoRA file read for one pack: its modules' tensors, and the keys that matched nothing. */
export interface LoraWeights {
  name: string;
  modules: Map<string, ModuleWeights>;
  unmatched: string[];
}

/** Reads the mapped tensors of a safetensors file (whose header was validated) for a pack's LoRA targets. */
export function loraWeights(
  name: string,
  bytes: Uint8Array,
  header: SafetensorsHeader,
  spec: LoraSpec,
): LoraWeights {
  const byName = new Map(header.tensors.map((t) => [t.name, t]));
  const mapping: KeyMapping = mapKeys([...byName.keys()], Object.keys(spec.targets));
  const read = (key: string | undefined): Values | undefined => {
    const t = key === undefined ? undefined : (byName.get(key) as TensorEntry);
    return t && { data: tensorFloats(bytes, header, t), shape: t.shape };
  };
  const modules = new Map<string, ModuleWeights>();
  for (const [module, keys] of mapping.modules) {
    const alpha = read(keys.alpha);
    const lycoris =
      keys.lycoris &&
      Object.fromEntries(Object.entries(keys.lycoris).map(([part, key]) => [part, read(key)]));
    modules.set(module, {
      up: read(keys.up),
      down: read(keys.down),
      alpha: alpha?.data[0],
      diff: read(keys.diff),
      diffBias: read(keys.diffBias),
      ...(lycoris ? { lycoris } : {}),
      ...(keys.doraScale ? { doraScale: read(keys.doraScale) } : {}),
    });
  }
  return { name, modules, unmatched: mapping.unmatched };
}

const prod = (s: number[]) => s.reduce((a, b) => a * b, 1);

function mismatch(lora: string, module: string, what: string, dims: number[]): never {
  throw new EngineError(
    'invalid-lora',
    `LoRA ${lora} does not fit this model: module "${module}" ${what}, but the model's weight is ${dims.join('×')}. Use a LoRA made for this model.`,
  );
}

/**
 * The weight delta of one module at multiplier 1, in the initializer's layout (`dims` are the
 * initializer's: [in, out] for in-out, [out, in] for out-in). B is [out, r], A is [r, in].
 */
export function weightDelta(
  lora: string,
  module: string,
  w: ModuleWeights,
  layout: LoraLayout,
  dims: number[],
): Float32Array | undefined {
  const size = prod(dims);
  const [rows, cols] =
    layout === 'in-out' ? [dims[1] ?? 1, dims[0] ?? 1] : [dims[0] ?? 1, prod(dims.slice(1))];
  const out = new Float32Array(size);
  if (w.up && w.down) {
    const rank = w.down.shape[0] ?? 1;
    const inDim = prod(w.down.shape.slice(1));
    const outDim = w.up.shape[0] ?? 1;
    if (prod(w.up.shape.slice(1)) !== rank)
      mismatch(
        lora,
        module,
        `has up ${w.up.shape.join('×')} and down ${w.down.shape.join('×')} (ranks differ)`,
        dims,
      );
    if (outDim !== rows || inDim !== cols)
      mismatch(lora, module, `maps ${inDim} inputs to ${outDim} outputs`, dims);
    const scale = (w.alpha ?? rank) / rank;
    const B = w.up.data;
    const A = w.down.data;
    for (let o = 0; o < outDim; o++) {
      for (let i = 0; i < inDim; i++) {
        let s = 0;
        for (let r = 0; r < rank; r++) s += (B[o * rank + r] as number) * (A[r * inDim + i] as number);
        const at = layout === 'in-out' ? i * outDim + o : o * inDim + i;
        out[at] = (out[at] as number) + scale * s;
      }
    }
  }
  const lyco =
    w.lycoris && lycorisDelta(w.lycoris, w.alpha, rows, cols, (what) => mismatch(lora, module, what, dims));
  for (const full of [lyco, w.diff?.data]) {
    if (!full) continue;
    if (full.length !== size) mismatch(lora, module, `has a ${w.diff?.shape.join('×')} diff`, dims); // only a diff can get here with a wrong size
    for (let o = 0; o < rows; o++) {
      for (let i = 0; i < cols; i++) {
        const at = layout === 'in-out' ? i * rows + o : o * cols + i;
        out[at] = (out[at] as number) + (full[o * cols + i] as number);
      }
    }
  }
  return w.up || w.diff || lyco ? out : undefined;
}

/** W + Σ m·Δ over the given deltas (a new array; `base` is not changed). */
export function mergeWeights(
  base: Float32Array,
  deltas: { delta: Float32Array; multiplier: number }[],
): Float32Array {
  const out = base.slice();
  for (const { delta, multiplier } of deltas) {
    if (multiplier === 0) continue;
    for (let i = 0; i < out.length; i++) out[i] = (out[i] as number) + multiplier * (delta[i] as number);
  }
  return out;
}

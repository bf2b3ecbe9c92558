/**
 * Applies selected LoRAs to a transformer graph before its session is created: finds the target
 * initializers (pack.json `lora.targets` and rules), computes each LoRA's delta once (cached per
 * initializer), and writes W + Σ mᵢ·Δᵢ into a copy of the graph bytes, or into new Blobs for
 * external-data shards; a quantized (MatMulNBits) weight instead gets a side branch beside its
 * node (lora/quantized-branch.ts). The pack's files are never changed.
 */
import { EngineError } from '../errors';
import { memoIn } from '../memo';
import {
  decodeFloats,
  encodeFloats,
  type InitializerLocation,
  isMergeableType,
  locateInitializers,
} from '../onnx/initializers';
import { type LoraSpec, targetKey } from '../pack/lora-spec';
import type { GraphFiles } from '../pack/sessions';
import type { NBitsInfo } from '../onnx/graph-weights';
import { addSideBranches, type SideBranch } from '../onnx/side-branch';
import { doraDelta } from './lycoris';
import { type LoraWeights, mergeWeights, weightDelta } from './merge';
import { assembleBranch, type BranchSource, doraScales, quantizedRows } from './quantized-branch';
import { type QuantizedDelta, quantizedDelta } from './side-pairs';

const FLOAT16 = 10;

interface Target {
  initializer: string;
  /** The graph file holding it (block-streamed stages may reuse initializer names); absent: any. */
  file?: string;
  /** Quantized (MatMulNBits) weight: applied as a side branch on this node instead of merged. */
  quantized?: { node: string; info: NBitsInfo };
  /** The LoRA (by index) deltas for it, computed on first use. */
  sources: { lora: number; module: string; bias: boolean }[];
}

/** Merges a fixed set of LoRAs at any multipliers into the graphs of one transformer. */
export class LoraMerger {
  /** By targetKey (file + initializer). */
  private readonly targets = new Map<string, Target>();
  private readonly deltas = new Map<string, Float32Array | undefined>();
  /** Per LoRA source on a quantized weight: its update at multiplier 1, and DoRA's per-output scale. */
  private readonly quantizedDeltas = new Map<string, QuantizedDelta>();
  private readonly doraScales = new Map<string, Promise<Float32Array>>();

  constructor(
    private readonly spec: LoraSpec,
    private readonly loras: LoraWeights[],
  ) {
    loras.forEach((l, lora) => {
      for (const [module, w] of l.modules) {
        const t = spec.targets[module];
        if (!t) continue;
        const add = (initializer: string, bias: boolean) => {
          const key = targetKey(t, initializer);
          const quantized = t.nbits && !bias ? { node: t.node ?? '', info: t.nbits } : undefined;
          const entry = this.targets.get(key) ?? {
            initializer,
            ...(t.file ? { file: t.file } : {}),
            ...(quantized ? { quantized } : {}),
            sources: [],
          };
          entry.sources.push({ lora, module, bias });
          this.targets.set(key, entry);
        };
        if (w.up || w.diff || w.lycoris) add(t.initializer, false);
        if (w.diffBias) {
          if (!t.bias)
            throw new EngineError(
              'invalid-lora',
              `LoRA ${l.name} changes the bias of "${module}", which this pack does not expose. Use a LoRA without .diff_b keys, or a pack that lists the bias.`,
            );
          add(t.bias, true);
        }
      }
    });
  }

  /** The targets that may live in graph `file`, by initializer name. */
  private targetsIn(file: string): Map<string, Target[]> {
    const byName = new Map<string, Target[]>();
    for (const t of this.targets.values()) {
      if (t.file !== undefined && t.file !== file) continue;
      byName.set(t.initializer, [...(byName.get(t.initializer) ?? []), t]);
    }
    return byName;
  }

  private delta(loc: InitializerLocation, s: Target['sources'][number]): Float32Array | undefined {
    const key = `${s.lora}|${s.module}|${s.bias}`;
    if (!this.deltas.has(key)) {
      const lora = this.loras[s.lora] as LoraWeights;
      const w = lora.modules.get(s.module) ?? {};
      const target = this.spec.targets[s.module];
      let d: Float32Array | undefined;
      if (s.bias) {
        const b = w.diffBias;
        if (b && b.data.length !== loc.dims.reduce((a, c) => a * c, 1))
          throw new EngineError(
            'invalid-lora',
            `LoRA ${lora.name}: the bias delta of "${s.module}" has ${b.data.length} values, the model's bias ${loc.dims.join('×')}.`,
          );
        d = b?.data;
      } else d = target && weightDelta(lora.name, s.module, w, target.layout, loc.dims);
      this.deltas.set(key, d);
    }
    return this.deltas.get(key);
  }

  /**
   * The graph with merged weights for `multipliers` (one per LoRA). `requireAll`: every target
   * must be in this graph (single-graph transformers; a block-streamed stage holds only some).
   */
  async patch(files: GraphFiles, multipliers: readonly number[], requireAll: boolean): Promise<GraphFiles> {
    const all = this.targetsIn(files.graph.file);
    const here = new Map([...all].filter(([, ts]) => !ts.some((t) => t.quantized)));
    const quantized = [...all.values()].flat().filter((t) => t.quantized);
    if (quantized.length) files = { ...files, bytes: await this.branch(files, quantized, multipliers) };
    const found = await locateInitializers(files.bytes, new Set(here.keys()));
    if (requireAll) {
      for (const name of here.keys()) {
        if (!found.has(name))
          throw new EngineError(
            'invalid-manifest',
            `pack.json's lora targets name initializer "${name}", which ${files.graph.file} does not have. Fix components.transformer.lora in pack.json.`,
          );
      }
    }
    if (!found.size) return files;
    let bytes: Uint8Array | undefined;
    const external = new Map(
      files.externalData.map((x) => [
        x.path,
        { data: x.data, parts: [] as { offset: number; length: number; values: Uint8Array }[] },
      ]),
    );
    for (const loc of found.values()) {
      if (!isMergeableType(loc.dataType))
        throw new EngineError(
          'invalid-manifest',
          `LoRA target "${loc.name}" in ${files.graph.file} is not float32/float16, so LoRAs cannot be merged into it.`,
        );
      const deltas = (base: Float32Array) =>
        (here.get(loc.name) ?? [])
          .flatMap((t) => t.sources)
          .flatMap((src) => {
            const delta = this.delta(loc, src);
            if (!delta) return [];
            const mag = src.bias ? undefined : this.loras[src.lora]?.modules.get(src.module)?.doraScale;
            const layout = this.spec.targets[src.module]?.layout ?? 'in-out';
            const outDim = (layout === 'in-out' ? loc.dims[1] : loc.dims[0]) ?? 1;
            if (mag && mag.data.length !== outDim)
              throw new EngineError(
                'invalid-lora',
                `LoRA ${this.loras[src.lora]?.name}: the DoRA magnitude of "${src.module}" has ${mag.data.length} values, the model's weight ${outDim} outputs.`,
              );
            return [
              {
                delta: mag ? doraDelta(base, delta, mag.data, layout, outDim) : delta,
                multiplier: multipliers[src.lora] ?? 1,
              },
            ];
          });
      if (loc.inline) {
        const base = decodeFloats(
          files.bytes.subarray(loc.inline.offset, loc.inline.offset + loc.inline.length),
          loc.dataType,
        );
        bytes ??= files.bytes.slice();
        bytes.set(encodeFloats(mergeWeights(base, deltas(base)), loc.dataType), loc.inline.offset);
      } else if (loc.external) {
        const ext = external.get(loc.external.location);
        if (!ext)
          throw new EngineError(
            'invalid-manifest',
            `${files.graph.file} stores "${loc.name}" in ${loc.external.location}, which pack.json does not list.`,
          );
        const { offset, length } = loc.external;
        const base = decodeFloats(
          new Uint8Array(await ext.data.slice(offset, offset + length).arrayBuffer()),
          loc.dataType,
        );
        ext.parts.push({
          offset,
          length,
          values: encodeFloats(mergeWeights(base, deltas(base)), loc.dataType),
        });
      }
    }
    const externalData = files.externalData.map((x) => {
      const parts = (external.get(x.path)?.parts ?? []).sort((a, b) => a.offset - b.offset);
      if (!parts.length) return x;
      const pieces: (Blob | Uint8Array<ArrayBuffer>)[] = [];
      let at = 0;
      for (const p of parts) {
        pieces.push(x.data.slice(at, p.offset), p.values as Uint8Array<ArrayBuffer>);
        at = p.offset + p.length;
      }
      pieces.push(x.data.slice(at));
      return { path: x.path, data: new Blob(pieces) };
    });
    return { graph: files.graph, bytes: bytes ?? files.bytes, externalData };
  }

  /** The graph with a side branch on each quantized target's node (LoRAs concatenated along the rank). */
  private async branch(
    files: GraphFiles,
    targets: Target[],
    multipliers: readonly number[],
  ): Promise<Uint8Array> {
    const scales = await locateInitializers(
      files.bytes,
      new Set(targets.map((t) => t.quantized?.info.scales ?? '')),
    );
    const branches = new Map<string, SideBranch>();
    for (const t of targets) {
      const { node, info } = t.quantized as NonNullable<Target['quantized']>;
      const { K, N } = info;
      const sources: BranchSource[] = [];
      let rows: Promise<Float32Array> | undefined;
      for (const s of t.sources) {
        const multiplier = multipliers[s.lora] ?? 1;
        if (multiplier === 0) continue;
        const lora = this.loras[s.lora] as LoraWeights;
        const w = lora.modules.get(s.module) ?? {};
        const key = `${s.lora}|${s.module}`;
        let delta = this.quantizedDeltas.get(key);
        if (!delta) {
          delta = quantizedDelta(lora.name, s.module, w, K, N);
          this.quantizedDeltas.set(key, delta);
        }
        let dora: Float32Array | undefined;
        if (w.doraScale) {
          if (w.doraScale.data.length !== N)
            throw new EngineError(
              'invalid-lora',
              `LoRA ${lora.name}: the DoRA magnitude of "${s.module}" has ${w.doraScale.data.length} values, the model's weight ${N} outputs.`,
            );
          const [mag, d] = [w.doraScale.data, delta];
          dora = await memoIn(this.doraScales, key, () => {
            rows ??= quantizedRows(files, t.initializer, info);
            return rows.then((r) => doraScales(r, d, mag, K, N));
          });
        }
        sources.push({ delta, multiplier, ...(dora ? { dora } : {}) });
      }
      const b = assembleBranch(sources, K, N);
      const type = scales.get(info.scales)?.dataType === FLOAT16 ? 'float16' : 'float32';
      if (b) branches.set(node, { ...b, type });
    }
    return branches.size ? addSideBranches(files.bytes, branches, files.graph.file) : files.bytes;
  }
}

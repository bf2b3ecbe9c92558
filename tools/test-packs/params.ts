/**
 * Named random weights of one generated test graph: a seeded stream of uniform tensors (the demo
 * packs' randomMatrix), stored inline or, for graphs with an external-data file, in that file
 * (data_location EXTERNAL via GraphBuilder.externalInitializer; offsets 64-byte aligned).
 */
import { concatBytes } from '../../src/engine/bytes';
import type { GraphBuilder } from '../../src/engine/onnx/graph-builder';
import { randomMatrix } from '../demo-pack/weights';

const ALIGN = 64;

/** Rewrites a named weight's values (returns them unchanged for weights it does not touch). */
export type WeightAdjust = (name: string, values: Float32Array) => Float32Array;

export class Params {
  /**
   * When set, linear layers name their MatMul node `${nodePrefix}${module scope}/MatMul`, as a
   * torch.onnx export of a wrapped module does (FastWan blocks: `/block/attn1/to_q/MatMul`;
   * Z-Image: `/model/layers.0/attention/to_q/MatMul`).
   */
  nodePrefix?: string;
  /** When set, linear weights become 4-bit MatMulNBits blocks of this size (the real q4f16 blocks). */
  quantizeBlock?: number;
  private count = 0;
  private chunks: Uint8Array[] = [];
  private offset = 0;

  /**
   * `location`: the external-data file name as recorded in the graph (e.g. "block_00.onnx.data");
   * `adjust`: rewrites a weight's values (tests bake LoRA deltas into a copy of a graph).
   */
  constructor(
    private readonly g: GraphBuilder,
    private readonly seed: number,
    private readonly location?: string,
    private readonly adjust?: WeightAdjust,
  ) {}

  /** A float32 weight with values uniform in `center` ± `scale`. */
  weight(name: string, dims: number[], scale: number, center = 0): string {
    return this.tensor(name, dims, this.values(name, dims, scale, center));
  }

  /** The next weight's values (adjusted), without storing them: the caller stores them its own way. */
  values(name: string, dims: number[], scale: number, center = 0): Float32Array {
    const size = dims.reduce((a, b) => a * b, 1);
    this.count += 1;
    const values = randomMatrix(size, 1, this.seed * 1009 + this.count, scale).map((v) => v + center);
    return this.adjust ? this.adjust(name, values) : values;
  }

  /** A float32 weight with the given values. */
  tensor(name: string, dims: number[], values: Float32Array): string {
    if (!this.location) return this.g.initializer(name, 'float32', dims, values);
    const bytes = new Uint8Array(values.buffer, values.byteOffset, values.byteLength);
    const pad = (ALIGN - (this.offset % ALIGN)) % ALIGN;
    if (pad) this.chunks.push(new Uint8Array(pad));
    this.offset += pad;
    this.g.externalInitializer(name, 'float32', dims, { location: this.location, offset: this.offset, length: bytes.byteLength });
    this.chunks.push(bytes.slice());
    this.offset += bytes.byteLength;
    return name;
  }

  /** The external-data file's bytes (throws when the graph has none: such a graph must reference its file). */
  externalData(): Uint8Array {
    if (!this.location || !this.offset) throw new Error(`no weights were stored in ${this.location ?? 'an external-data file'}`);
    return concatBytes(this.chunks);
  }
}

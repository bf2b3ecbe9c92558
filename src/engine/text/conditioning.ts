/**
 * A prompt → what the transformer is conditioned on: the text encoder's hidden states as
 * `context`, or, with a second encoder (SDXL), both encoders' hidden states joined on the last
 * axis ([1, 77, 768] + [1, 77, 1280] → [1, 77, 2048], the first encoder first, as diffusers'
 * StableDiffusionXLPipeline and the webnn sdxl-turbo demo's concat graph do), plus the pooled
 * embedding (`textEmbeds`) of the encoder that maps one. On WebGPU the join is the engine's
 * generated Concat graph on the device (nothing read back); on wasm it is done here.
 */
import { EngineError } from '../errors';
import type { LoadedPack } from '../pack/load-pack';
import { type OrtModule, type OrtSession, type OrtTensor, readFloats } from '../runtime';
import { type EncodedText, encodeTextOutputs } from './encode-text';

export interface Conditioning {
  context: OrtTensor;
  textEmbeds?: OrtTensor;
}

/** Joins [1, S, a] and [1, S, b] into [1, S, a + b]: by `concat` (a session of the Concat graph) when given, else on the CPU. */
export async function concatLastAxis(
  ort: OrtModule,
  first: OrtTensor,
  second: OrtTensor,
  concat?: OrtSession,
): Promise<OrtTensor> {
  const [a, b] = [first.dims, second.dims];
  const rows = a.slice(0, -1).reduce((n, d) => n * d, 1);
  if (a.length !== b.length || a.slice(0, -1).join('x') !== b.slice(0, -1).join('x')) {
    throw new EngineError(
      'invalid-manifest',
      `The two text encoders' hidden states cannot be joined: shapes [${a.join(', ')}] and [${b.join(', ')}] differ before the last axis. Give both tokenizers the same maxLength and padding in pack.json.`,
    );
  }
  if (concat && first.type === 'float32' && second.type === 'float32')
    return (await concat.run({ a: first, b: second })).out as OrtTensor;
  const [x, y] = [await readFloats(first), await readFloats(second)];
  const [wa, wb] = [a.at(-1) as number, b.at(-1) as number];
  const out = new Float32Array(rows * (wa + wb));
  for (let r = 0; r < rows; r++) {
    out.set(x.subarray(r * wa, (r + 1) * wa), r * (wa + wb));
    out.set(y.subarray(r * wb, (r + 1) * wb), r * (wa + wb) + wa);
  }
  return new ort.Tensor('float32', out, [...a.slice(0, -1), wa + wb]);
}

function disposeGpu(t: OrtTensor | undefined): void {
  if (t?.location === 'gpu-buffer') t.dispose();
}

export async function encodeConditioning(
  ort: OrtModule,
  pack: Pick<LoadedPack, 'text' | 'text2' | 'backend' | 'concat'>,
  prompt: string,
): Promise<Conditioning> {
  const first: EncodedText = await encodeTextOutputs(ort, pack.text, prompt);
  if (!pack.text2) return { context: first.hidden, ...(first.pooled ? { textEmbeds: first.pooled } : {}) };
  const second = await encodeTextOutputs(ort, pack.text2, prompt);
  const concat = pack.backend === 'webgpu' ? pack.concat : undefined;
  const context = await concatLastAxis(ort, first.hidden, second.hidden, concat);
  disposeGpu(first.hidden);
  disposeGpu(second.hidden);
  const textEmbeds = second.pooled ?? first.pooled;
  return { context, ...(textEmbeds ? { textEmbeds } : {}) };
}

/**
 * SDXL's size micro-conditioning `time_ids` [1, 6] = [H, W, 0, 0, H, W]: original size, crop
 * top-left, target size (diffusers `_get_add_time_ids`; the webnn sdxl-turbo demo's getAddTimeIds).
 */
export function timeIdsTensor(ort: OrtModule, width: number, height: number): OrtTensor {
  return new ort.Tensor('float32', Float32Array.of(height, width, 0, 0, height, width), [1, 6]);
}
